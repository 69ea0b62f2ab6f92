"""Domain errors of follow-ups."""

from django.core.exceptions import ValidationError


class TooShortNotice(ValidationError):
    """An appointment made later than its lead time allows (R-VISIT-6)."""
