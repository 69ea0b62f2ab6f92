"""The survey arithmetic (R-SURV-3) as plain Python: properties under hypothesis, and the seed's letter."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baifang.surveys import engine

ITEMS = ["a", "b", "c", "d"]
ANSWERS = ["satisfied", "basic", "dissatisfied"]
SATISFIED = {"satisfied", "basic"}

response = st.dictionaries(
    st.sampled_from(ITEMS), st.one_of(st.none(), st.just(""), st.sampled_from(ANSWERS))
)
responses = st.lists(response, max_size=40)


@given(responses)
def test_rates_lie_in_zero_one_and_counts_add_up(rows):
    """R-SURV-3: every rate is in [0, 1] (or None with nothing answered); satisfied ≤ answered ≤ returned."""
    summary = engine.summarise(rows, ITEMS, SATISFIED)
    assert summary.returned == len(rows)
    for rate in [*summary.items.values(), summary.overall]:
        assert (rate.rate is None) == (rate.answered == 0)
        if rate.rate is not None:
            assert 0.0 <= rate.rate <= 1.0
    for rate in summary.items.values():
        assert rate.satisfied <= rate.answered <= summary.returned


@given(responses)
def test_blanks_are_never_counted(rows):
    """R-SURV-3: a blank (missing, None or "") adds nothing; dropping blanks gives the same result."""
    without_blanks = [{k: v for k, v in row.items() if v} for row in rows]
    assert engine.summarise(rows, ITEMS, SATISFIED) == engine.summarise(without_blanks, ITEMS, SATISFIED)
    for code in ITEMS:
        expected = sum(1 for row in rows if row.get(code) not in (None, ""))
        assert engine.summarise(rows, ITEMS, SATISFIED).items[code].answered == expected


@given(responses)
def test_overall_is_all_satisfied_over_all_answered(rows):
    """R-SURV-3: overall = all satisfied answers ÷ all answered answers (not the mean of item rates)."""
    summary = engine.summarise(rows, ITEMS, SATISFIED)
    answered = [row[c] for row in rows for c in ITEMS if row.get(c)]
    pleased = [a for a in answered if a in SATISFIED]
    assert summary.overall.answered == len(answered)
    assert summary.overall.satisfied == len(pleased)
    assert summary.overall.rate == (len(pleased) / len(answered) if answered else None)


@given(responses, st.randoms(use_true_random=False))
def test_reordering_responses_changes_nothing(rows, rnd):
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert engine.summarise(shuffled, ITEMS, SATISFIED) == engine.summarise(rows, ITEMS, SATISFIED)


@given(responses)
def test_from_counts_agrees_with_summarise(rows):
    """The database path (per-item counts) and the Python path give one answer."""
    summary = engine.summarise(rows, ITEMS, SATISFIED)
    counts = {code: (rate.satisfied, rate.answered) for code, rate in summary.items.items()}
    assert engine.Summary.from_counts(summary.returned, counts, ITEMS) == summary


def test_unknown_codes_are_ignored_and_five_point_levels_configurable():
    rows = [{"a": "5", "zz": "5"}, {"a": "3"}, {"a": "4", "b": "1"}]
    summary = engine.summarise(rows, ["a", "b"], {"4", "5"})
    assert (summary.items["a"].satisfied, summary.items["a"].answered) == (2, 3)
    assert (summary.items["b"].satisfied, summary.items["b"].answered) == (0, 1)
    strict = engine.summarise(rows, ["a", "b"], {"5"})
    assert strict.items["a"].satisfied == 1


def test_a_rate_with_nothing_answered_is_none_not_zero():
    summary = engine.summarise([{}, {"a": None}], ["a"], SATISFIED)
    assert summary.returned == 2
    assert summary.items["a"].rate is None and summary.items["a"].percent is None
    assert summary.overall.rate is None


def test_percent_rounds_half_up():
    assert engine.Rate(193, 200).percent == 97  # 96.5 %
    assert engine.Rate(1, 3).percent == 33
    assert engine.Rate(2, 3).percent == 67


def test_rate_refuses_impossible_counts():
    with pytest.raises(ValueError):
        engine.Rate(3, 2)


def test_distribution_and_return_targets():
    """R-SURV-2: distribution 100 %, return ≥ 80 %."""
    assert engine.meets(engine.rate_against(10, 10), 100)
    assert not engine.meets(engine.rate_against(9, 10), 100)
    assert engine.meets(engine.rate_against(8, 10), 80)
    assert not engine.meets(engine.rate_against(79, 100), 80)
    assert not engine.meets(engine.rate_against(0, 0), 80)


# Seed 004 客户意见调查回复函: 368 questionnaires returned, the per-item rates as published.
LETTER = [
    ("power", "供电工作", 96),
    ("water", "供水工作", 97),
    ("security", "治安管理", 95),
    ("sanitation", "卫生环境", 94),
    ("greening", "绿化环境", 74),
    ("repairs", "维修工作", 93),
    ("vehicles", "车辆管理", 92),
    ("facilities", "公共设施", 94),
    ("attitude", "服务态度", 96),
    ("fire", "消防工作", 98),
    ("elevators", "电梯服务", 62),
    ("mail", "邮件收发", 96),
    ("door-entry", "防盗系统", 93),
    ("phone", "电话服务", 95),
    ("air-conditioning", "空调服务", 73),
]


def letter_dataset(seed: int = 4) -> list[dict[str, str | None]]:
    """368 questionnaires whose per-item rates round to the letter's, with some blanks per item:
    item i is left blank by ``i`` respondents, so each item has its own denominator."""
    rnd = random.Random(seed)
    rows: list[dict[str, str | None]] = [{} for _ in range(368)]
    for index, (code, _label, percent) in enumerate(LETTER):
        answered = 368 - index
        satisfied = (percent * answered + 50) // 100
        answers = ["satisfied"] * (satisfied - satisfied // 3) + ["basic"] * (satisfied // 3)
        answers += ["dissatisfied"] * (answered - satisfied) + [None] * (368 - answered)
        rnd.shuffle(answers)
        for row, answer in zip(rows, answers, strict=True):
            row[code] = answer
    return rows


def test_the_seed_letter_is_reproduced():
    """R-SURV-1, R-SURV-3: the letter's returned count (368) and its per-item table, blanks excluded."""
    rows = letter_dataset()
    summary = engine.summarise(rows, [code for code, _l, _p in LETTER], SATISFIED)
    assert summary.returned == 368
    assert [(code, summary.items[code].percent) for code, _l, _p in LETTER] == [(c, p) for c, _l, p in LETTER]
    # Blanks are excluded: item 15 has 14 blanks, so its denominator is 354, not 368.
    assert summary.items["air-conditioning"].answered == 354
    total_answered = sum(368 - i for i in range(15))
    assert summary.overall.answered == total_answered
    assert summary.overall.satisfied == sum(summary.items[c].satisfied for c, _l, _p in LETTER)
