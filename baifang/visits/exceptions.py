"""Domain errors of visits."""

from django.core.exceptions import ValidationError

from baifang.core import exceptions as core_exceptions


class InvalidTransition(core_exceptions.InvalidTransition):
    """A visit record cannot move from its status to the one asked for (R-VISIT-4)."""


class IdempotencyConflict(ValidationError):
    """An idempotency key already used for a different kind of request."""


class TooShortNotice(ValidationError):
    """An appointment made later than its lead time allows (R-VISIT-6)."""
