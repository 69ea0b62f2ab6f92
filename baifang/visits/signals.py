"""Signals of visit records: sent after every status change (R-VISIT-4)."""

from django.dispatch import Signal

# Sent with record=, old_status=, new_status=, by=.
record_status_changed = Signal()
