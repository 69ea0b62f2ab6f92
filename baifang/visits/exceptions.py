"""Domain errors of visits."""

from django.core.exceptions import ValidationError

from baifang.core import exceptions as core_exceptions

# Visits raise the one ``InvalidTransition`` of core (through ``core.workflow``); the name stays here for imports.
InvalidTransition = core_exceptions.InvalidTransition


class IdempotencyConflict(ValidationError):
    """An idempotency key already used for a different kind of request."""


class OpenVisitExists(ValidationError):
    """The rep is still checked in elsewhere: one open on-site visit at a time (R-VISIT-1)."""

    def __init__(self, message, open_visit):
        super().__init__({"open_visit": ValidationError(message, code="open_visit")})
        self.open_visit = open_visit
