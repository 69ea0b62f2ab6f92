"""R-UX-1 / R-TIER-2: rating reasons and criterion errors name choice values by their labels, never codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from baifang.tiers.engine import CriterionError, parse, rate
from baifang.tiers.facts import field_specs


def _labels(code_class, code):
    from baifang.customers import choices

    label = dict(getattr(choices, code_class).choices)[code]
    with translation.override("zh-hans"):
        zh = str(label)
    with translation.override("en"):
        en = str(label)
    return zh, en


def test_r_ux_1_reason_shows_choice_labels_not_codes():
    criterion = parse("customer_type in ['agent_l1', 'distributor'] and status = 'active'", field_specs())
    result = rate([("A", criterion)], {"customer_type": "agent_l1", "status": "active"})
    assert result.tier == "A"
    for code, klass in (
        ("agent_l1", "CustomerType"),
        ("distributor", "CustomerType"),
        ("active", "CustomerStatus"),
    ):
        zh, en = _labels(klass, code)
        assert zh in result.reason_zh and en in result.reason_en
        assert code not in result.reason_zh and code not in result.reason_en


def test_r_tier_2_criteria_may_name_a_choice_by_its_chinese_label():
    zh, _en = _labels("CustomerType", "agent_l1")
    criterion = parse(f"客户类型 = '{zh}'", field_specs())
    assert rate([("A", criterion)], {"customer_type": "agent_l1"}).tier == "A"
    assert rate([("A", criterion)], {"customer_type": "retailer"}).tier is None


def test_r_ux_1_unknown_choice_error_lists_labels_in_chinese():
    with pytest.raises(CriterionError) as error:
        parse("customer_type = 'nonsense'", field_specs())
    zh, _en = _labels("CustomerType", "retailer")
    assert zh in error.value.message_zh and "retailer" not in error.value.message_zh
    assert "retailer" in error.value.message_en
