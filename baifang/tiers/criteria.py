"""Criteria as users write them: parsed against the customer fields, errors in the user's language."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import get_language

from baifang.tiers.engine import Criterion, CriterionError, parse
from baifang.tiers.facts import field_specs


def parse_criteria(source: str) -> Criterion:
    """Parse a criterion or raise a ValidationError naming the bad token (R-TIER-2)."""
    try:
        return parse(source, field_specs())
    except CriterionError as exc:
        message = exc.message_en if (get_language() or "").startswith("en") else exc.message_zh
        raise ValidationError(message, code="invalid_criteria") from exc
