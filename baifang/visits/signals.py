"""Signals visits sends so that apps above it react without being imported (docs/architecture.md, the floors)."""

from django.dispatch import Signal

# Sent with touch= inside the check-in's transaction, after the flags are written and before the touch's
# count state is set; followups fulfils the customer's appointment of the day with it (R-VISIT-6).
checked_in = Signal()
