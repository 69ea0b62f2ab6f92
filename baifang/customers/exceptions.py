"""Domain errors of the archive; views and the API turn them into clear messages."""

from django.core.exceptions import ValidationError


class DuplicateCustomer(ValidationError):
    """The customer is already in the archive (R-ARCH-9)."""

    def __init__(self, message, existing):
        super().__init__(message, code="duplicate")
        self.existing = existing


class NearDuplicateCustomer(ValidationError):
    """A customer with the same base name at the same address or phone exists; confirm to go on (R-ARCH-9)."""

    def __init__(self, message, existing):
        super().__init__({"name": ValidationError(message, code="near_duplicate")})
        self.existing = existing


class AccessDecisionError(ValidationError):
    """A bad move in the access-request workflow (deciding twice, deciding someone else's)."""
