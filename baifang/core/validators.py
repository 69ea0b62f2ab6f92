"""Validators for Chinese phone numbers, unified social credit codes and coordinates."""

from __future__ import annotations

import math
import re

from django.core.exceptions import ValidationError
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
