"""Input validation for phones, credit codes and coordinates (issue: bad input)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from baifang.core.validators import (
    CREDIT_CODE_CHARS,
    credit_code_check_char,
    is_valid_credit_code,
    is_valid_phone,
    validate_latitude,
)


@pytest.mark.parametrize(
    "phone", ["13812345678", "+8613812345678", "0571-87654321", "057187654321", "400-123-4567"]
)
def test_valid_phones(phone):
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567", "abc", "0571-12"])
def test_invalid_phones(phone):
    assert not is_valid_phone(phone)


def test_known_credit_code():
    """A published unified social credit code passes; a changed check character fails."""
    assert is_valid_credit_code("91350100M000100Y43")
    assert not is_valid_credit_code("91350100M000100Y44")


@given(st.text(alphabet=CREDIT_CODE_CHARS, min_size=17, max_size=17), st.integers(0, 16), st.data())
def test_any_single_character_change_is_caught(body, position, data):
    """The check character catches every single-character substitution."""
    code = body + credit_code_check_char(body)
    assert is_valid_credit_code(code)
    original = code[position]
    replacement = data.draw(st.sampled_from([c for c in CREDIT_CODE_CHARS if c != original]))
    assert not is_valid_credit_code(code[:position] + replacement + code[position + 1 :])


@pytest.mark.parametrize("value", [91, -90.5, float("nan"), float("inf")])
def test_bad_latitudes_are_refused(value):
    with pytest.raises(ValidationError):
        validate_latitude(value)
