"""Signals the customers app sends so that apps above it can react without being imported (the floors).

See docs/architecture.md ("The floors"): customers never imports tiers, rules or anything higher; those
apps connect receivers to these signals in their ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# A hand-over's preview asks the apps above for the open work that moves with a person's customers.
# Sent with user= and customers= (None: everything the person holds; a list: those customers' work only);
# each receiver returns {"special_visits": [ids]} or {"screenings": [ids]} (R-ARCH-7).
open_work_to_hand_over = Signal()

# Sent with ids= (the preview's lists), from_user=, to_user= inside the hand-over's transaction (and its
# undo, with the people swapped): each receiver moves the listed work still held by from_user and
# returns what it moved, in the same shape (R-ARCH-7).
open_work_handed_over = Signal()

# Sent with user=, customer=, tab= while the customer page renders a tab; each receiver returns a dict
# that is merged into the tab's context (the obligations tab is filled by rules and tiers).
detail_tab_context = Signal()

# Sent with user=, contact_ids= and channel= ("api") after contacts' personal fields were returned to
# someone outside the customer page (whose contacts tab is heard through detail_tab_context); the
# access log of personal information (PIPL) hears it (baifang.ops).
contacts_read = Signal()
