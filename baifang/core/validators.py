"""Validators for Chinese phone numbers, unified social credit codes, coordinates, amounts and dates.

Date bounds live here, read from ``settings.DATE_MIN`` / ``settings.DATE_MAX``: every date a person
types (archive dates, due dates, query parameters) is checked against the same two settings.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^(\+?86[- ]?)?1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SERVICE = re.compile(r"^(400|800)-?\d{3}-?\d{4}$")

CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def normalize_phone(value: str) -> str:
    """Strip spaces and a +86 prefix; keep digits and dashes."""
    value = re.sub(r"[\s()（）]", "", value or "")
    value = re.sub(r"^\+?86-?(?=1\d{10}$)", "", value)
    return value


def is_valid_phone(value: str) -> bool:
    value = normalize_phone(value)
    return bool(_MOBILE.match(value) or _LANDLINE.match(value) or _SERVICE.match(value))


def validate_cn_phone(value: str) -> None:
    """A mainland mobile (11 digits starting 1), a landline with area code, or a 400/800 number."""
    if value and not is_valid_phone(value):
        raise ValidationError(
            _("Enter a valid phone number: an 11-digit mobile number or a landline with area code."),
            code="invalid_phone",
        )


validate_cn_phone.code = "invalid_phone"  # the API schema lists it among the field's error codes


def credit_code_check_char(first17: str) -> str:
    """The 18th (check) character of a unified social credit code (GB 32100-2015)."""
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    value = (value or "").strip().upper()
    if len(value) != 18 or any(c not in CREDIT_CODE_CHARS for c in value):
        return False
    return credit_code_check_char(value[:17]) == value[17]


def validate_credit_code(value: str) -> None:
    """18 characters with a correct check character (统一社会信用代码)."""
    if value and not is_valid_credit_code(value):
        raise ValidationError(
            _("Enter a valid 18-character unified social credit code (the check character does not match)."),
            code="invalid_credit_code",
        )


validate_credit_code.code = "invalid_credit_code"  # the API schema lists it among the field's error codes


def validate_latitude(value) -> None:
    if value is None:
        return
    if not math.isfinite(float(value)) or not -90 <= float(value) <= 90:
        raise ValidationError(_("Latitude must be between -90 and 90."), code="invalid_latitude")


validate_latitude.code = "invalid_latitude"  # the API schema lists it among the field's error codes


def validate_longitude(value) -> None:
    if value is None:
        return
    if not math.isfinite(float(value)) or not -180 <= float(value) <= 180:
        raise ValidationError(_("Longitude must be between -180 and 180."), code="invalid_longitude")


validate_longitude.code = "invalid_longitude"  # the API schema lists it among the field's error codes


def validate_coordinates(latitude, longitude) -> None:
    """Both or neither, each in range, and not the (0, 0) placeholder of a failed geocoder."""
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise ValidationError(
            {
                "latitude": ValidationError(
                    _("Latitude and longitude must be given together."), code="unpaired"
                )
            }
        )
    errors = {}
    for name, check in (("latitude", validate_latitude), ("longitude", validate_longitude)):
        try:
            check(latitude if name == "latitude" else longitude)
        except ValidationError as exc:
            errors[name] = exc
    if errors:
        raise ValidationError(errors)
    if float(latitude) == 0 and float(longitude) == 0:
        raise ValidationError(
            {
                "latitude": ValidationError(
                    _("The location 0, 0 is not a real place; leave both empty instead."), code="null_island"
                )
            }
        )


# --- amounts ---------------------------------------------------------------------------------


def validate_non_negative(value) -> None:
    """Money and amounts are never negative."""
    if value is not None and Decimal(value) < 0:
        raise ValidationError(_("Enter an amount of zero or more."), code="negative_amount")


# --- dates -----------------------------------------------------------------------------------

DEFAULT_DATE_MIN = dt.date(1900, 1, 1)
DEFAULT_DATE_MAX = dt.date(2100, 12, 31)


def date_min() -> dt.date:
    """The earliest date anyone may type (``settings.DATE_MIN``)."""
    return getattr(settings, "DATE_MIN", DEFAULT_DATE_MIN)


def date_max() -> dt.date:
    """The latest date anyone may type (``settings.DATE_MAX``)."""
    return getattr(settings, "DATE_MAX", DEFAULT_DATE_MAX)


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def validate_sane_date(value) -> None:
    """A date between ``settings.DATE_MIN`` and ``settings.DATE_MAX``."""
    if value is None:
        return
    day, low, high = _as_date(value), date_min(), date_max()
    if not low <= day <= high:
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": f"{low:%Y-%m-%d}", "max": f"{high:%Y-%m-%d}"},
            code="date_out_of_range",
        )


def validate_past_date(value) -> None:
    """A date that has happened: not before ``settings.DATE_MIN`` and not after today."""
    if value is None:
        return
    validate_sane_date(value)
    if _as_date(value) > timezone.localdate():
        raise ValidationError(_("This date cannot be in the future."), code="date_in_future")


def validate_due_date(value, *, today: dt.date | None = None, max_days: int = 366) -> None:
    """A due date for something new: from today on, at most ``max_days`` ahead and before DATE_MAX."""
    if value is None:
        return
    validate_sane_date(value)
    today = today or timezone.localdate()
    day = _as_date(value)
    if day < today:
        raise ValidationError(_("The due date cannot be in the past."), code="due_in_past")
    latest = min(today + dt.timedelta(days=max_days), date_max())
    if day > latest:
        raise ValidationError(
            _("The due date can be at most %(days)s days ahead (until %(latest)s).")
            % {"days": max_days, "latest": f"{latest:%Y-%m-%d}"},
            code="due_too_far",
        )
