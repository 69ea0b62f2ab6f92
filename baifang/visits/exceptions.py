"""Domain errors of visits."""

from django.core.exceptions import ValidationError

from baifang.core import exceptions as core_exceptions


class InvalidTransition(core_exceptions.InvalidTransition):
    """A visit record cannot move from its status to the one asked for (R-VISIT-4)."""


class IdempotencyConflict(ValidationError):
    """An idempotency key already used for a different kind of request."""


class OpenVisitExists(ValidationError):
    """The rep is still checked in elsewhere: one open on-site visit at a time (R-VISIT-1)."""

    def __init__(self, message, open_visit):
        super().__init__({"open_visit": ValidationError(message, code="open_visit")})
        self.open_visit = open_visit


class TooShortNotice(ValidationError):
    """An appointment made later than its lead time allows (R-VISIT-6)."""
