"""Signals of visit records: sent after every status change (R-VISIT-4)."""

from django.dispatch import Signal

# Sent with record=, old_status=, new_status=, by=.
record_status_changed = Signal()

# Sent with appointment=, old_status=, new_status=, by= (R-VISIT-6).
appointment_status_changed = Signal()
