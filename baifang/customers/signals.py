"""Signals the customers app sends so that apps above it can react without being imported (the floors).

See docs/architecture.md ("The floors"): customers never imports tiers, rules or anything higher; those
apps connect receivers to these signals in their ``AppConfig.ready()``.
"""

from django.dispatch import Signal

# Sent with leaver=, successor=, handover= inside the hand-over's transaction, after the customers moved:
# the open work of the apps above (special visits in rules, draft screenings in tiers) moves too (R-ARCH-7).
work_handed_over = Signal()

# Sent with user=, customer=, tab= while the customer page renders a tab; each receiver returns a dict
# that is merged into the tab's context (the obligations tab is filled by rules and tiers).
detail_tab_context = Signal()
