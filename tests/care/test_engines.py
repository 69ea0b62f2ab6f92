"""Plain-Python engines of care: placeholders, occasions (lunar fallbacks), the quota arithmetic.

R-CARE-2 (lunar birthdays on their solar date), R-CARE-4 (templates refuse unknown placeholders),
R-INFO-1 (the quota: total ≥ 5, A ≥ 2, B ≥ 2, C ≥ 1).
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baifang.care import occasions, placeholders, quota
from baifang.core.calendar import lunar_to_solar

# --- placeholders -----------------------------------------------------------------------------


def test_render_fills_known_placeholders_and_keeps_literal_braces():
    text = "尊敬的{name}{title}：{festival}快乐！{{勿回复}}"
    assert placeholders.render(text, {"name": "王建国", "title": "总经理", "festival": "中秋节"}) == (
        "尊敬的王建国总经理：中秋节快乐！{勿回复}"
    )
    assert placeholders.fields_of(text) == ["name", "title", "festival"]


@pytest.mark.parametrize(
    "text, kind, names",
    [
        ("{nmae}您好", "unknown", ("nmae",)),
        ("{name}{生日}", "unknown", ("生日",)),
        ("{name", "syntax", ()),
        ("name}", "syntax", ()),
        ("{name.upper}", "syntax", ("{name.upper}",)),
        ("{name!r}", "syntax", ("{name!r}",)),
        ("{name:>10}", "syntax", ("{name:>10}",)),
        ("{0}", "syntax", ("{0}",)),
    ],
)
def test_check_refuses_unknown_and_malformed_placeholders(text, kind, names):
    """R-CARE-4: an unknown placeholder, or braces that do not parse, never reach a recipient."""
    with pytest.raises(placeholders.PlaceholderError) as caught:
        placeholders.check(text)
    assert caught.value.kind == kind
    if names:
        assert caught.value.names == names


@given(
    st.lists(
        st.one_of(
            st.sampled_from(sorted(placeholders.PLACEHOLDERS)),
            st.text(alphabet="祝您快乐 ，！abc", min_size=1),
        ),
        max_size=8,
    ),
    st.dictionaries(
        st.sampled_from(sorted(placeholders.PLACEHOLDERS)), st.text(alphabet="王李{}总经理", max_size=6)
    ),
)
def test_render_property_each_placeholder_becomes_its_value(parts, values):
    """Hypothesis: a template built of literals and known placeholders renders to literals + values."""
    text = "".join(
        "{" + p + "}" if p in placeholders.PLACEHOLDERS else p.replace("{", "{{").replace("}", "}}")
        for p in parts
    )
    expected = "".join(values.get(p, "") if p in placeholders.PLACEHOLDERS else p for p in parts)
    assert placeholders.render(text, values) == expected


def test_segments_mark_placeholders_and_keep_the_text():
    """The template list shows placeholders as code: literals, then the name, in order."""
    assert placeholders.segments("{name}您好，{{勿回复}}{festival}快乐") == [
        ("", "name"),
        ("您好，{", None),
        ("勿回复}", None),
        ("", "festival"),
        ("快乐", None),
    ]
    assert placeholders.segments("{name") == [("{name", None)]


# --- occasions --------------------------------------------------------------------------------


def test_festivals_in_a_window_across_the_year_end():
    win = occasions.Window(dt.date(2026, 12, 25), dt.date(2027, 2, 10))
    codes = [(f.code, f.date) for f in occasions.festivals_in(win)]
    # 春节 2027 is 6 February, 除夕 the 5th.
    assert codes == [
        ("new_year", dt.date(2027, 1, 1)),
        ("new_year_eve", dt.date(2027, 2, 5)),
        ("spring", dt.date(2027, 2, 6)),
    ]
    assert occasions.festivals_in(win, ["spring"])[0].date == dt.date(2027, 2, 6)


def test_solar_birthday_on_29_february_is_kept_on_28_february_in_a_common_year():
    assert occasions.solar_in(2, 29, occasions.Window(dt.date(2027, 2, 20), dt.date(2027, 3, 5))) == [
        dt.date(2027, 2, 28)
    ]
    assert occasions.solar_in(2, 29, occasions.Window(dt.date(2028, 2, 20), dt.date(2028, 3, 5))) == [
        dt.date(2028, 2, 29)
    ]
    assert (2, 29) in occasions.month_days_in(occasions.Window(dt.date(2027, 2, 27), dt.date(2027, 2, 28)))
    assert (2, 29) not in occasions.month_days_in(
        occasions.Window(dt.date(2028, 2, 27), dt.date(2028, 2, 28))
    )


def test_lunar_birthday_resolves_to_its_solar_date_each_year():
    """R-CARE-2: 八月十五 is 25 Sep 2026 and 15 Sep 2027 (known dates, 万年历)."""
    assert occasions.lunar_in(8, 15, False, occasions.Window(dt.date(2026, 9, 1), dt.date(2026, 9, 30))) == [
        dt.date(2026, 9, 25)
    ]
    assert occasions.lunar_in(8, 15, False, occasions.Window(dt.date(2027, 9, 1), dt.date(2027, 9, 30))) == [
        dt.date(2027, 9, 15)
    ]


def test_lunar_day_30_in_a_29_day_month_falls_on_day_29():
    """Fallback 1: 2026's lunar 12th month (腊月) has 29 days, so a 腊月三十 birthday is kept on 腊月廿九."""
    day_29 = lunar_to_solar(2026, 12, 29)
    assert day_29 == dt.date(2027, 2, 5)
    win = occasions.Window(dt.date(2027, 1, 20), dt.date(2027, 2, 20))
    assert occasions.lunar_in(12, 30, False, win) == [day_29]


def test_leap_month_birthday_in_a_year_without_that_leap_month_falls_in_the_ordinary_month():
    """Fallback 2: 闰六月初一 (2025 has a leap 6th month) is kept on 六月初一 in 2026, which has none."""
    win_2025 = occasions.Window(dt.date(2025, 7, 1), dt.date(2025, 8, 31))
    assert occasions.lunar_in(6, 1, True, win_2025) == [lunar_to_solar(2025, -6, 1)] == [dt.date(2025, 7, 25)]
    win_2026 = occasions.Window(dt.date(2026, 7, 1), dt.date(2026, 8, 31))
    assert (
        occasions.lunar_in(6, 1, True, win_2026)
        == occasions.lunar_in(6, 1, False, win_2026)
        == [lunar_to_solar(2026, 6, 1)]
    )


@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(0, 40),
    st.integers(1, 12),
    st.integers(1, 30),
    st.booleans(),
)
def test_lunar_occurrences_lie_in_the_window_and_at_most_once_a_year(first, span, month, day, leap):
    """Hypothesis: every occurrence is inside the window, and a window shorter than a year holds at most one."""
    win = occasions.Window(first, first + dt.timedelta(days=span))
    found = occasions.lunar_in(month, day, leap, win)
    assert all(d in win for d in found)
    assert len(found) <= 1


@given(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2090, 12, 31)),
    st.integers(1, 12),
    st.integers(1, 31),
)
def test_solar_yearly_is_found_by_a_year_long_window(first, month, day):
    """Hypothesis: any valid month/day occurs once or twice in a 366-day window starting anywhere.

    366 days, not 365: a window of 365 days that holds 29 February ends the day before its own start
    date comes round again (1999-03-02 .. 2000-02-29 has no 1 March) — hypothesis found that.
    """
    try:
        dt.date(2024, month, day)
    except ValueError:
        return
    win = occasions.Window(first, first + dt.timedelta(days=365))
    found = occasions.solar_in(month, day, win)
    assert 1 <= len(found) <= 2 and all(d in win for d in found)
    assert all((d.month, d.day) in occasions.month_days_in(win) for d in found)


# --- the quota arithmetic ---------------------------------------------------------------------

SEED = {"A": 2, "B": 2, "C": 1}


def test_quota_worked_example_from_the_docs():
    """R-INFO-1: 3 forms about A customers → 2 short of the total, but 3 more needed (2 B, 1 C)."""
    p = quota.progress({"A": 3}, 5, SEED)
    assert (p.filed, p.missing_total, p.still_needed, p.met) == (3, 2, 3, False)
    assert [(g.grade, g.filed, g.missing) for g in p.grades] == [("A", 3, 0), ("B", 0, 2), ("C", 0, 1)]


def test_quota_met_only_with_every_grade_and_the_total():
    assert quota.progress({"A": 2, "B": 2, "C": 1}, 5, SEED).met
    assert not quota.progress({"A": 2, "B": 2, "C": 0, "": 5}, 5, SEED).met  # no C yet
    assert not quota.progress({"A": 1, "B": 2, "C": 1}, 5, SEED).met  # 4 of 5
    assert quota.progress({"A": 1, "B": 2, "C": 1, "": 1}, 6, {"B": 2}).still_needed == 1


@given(
    st.dictionaries(st.sampled_from(["A", "B", "C", ""]), st.integers(0, 20)),
    st.integers(0, 15),
    st.dictionaries(st.sampled_from(["A", "B", "C"]), st.integers(0, 5)),
)
def test_quota_property_filing_what_is_needed_meets_it(counts, total, minimums):
    """Hypothesis: ``still_needed`` more forms of the missing grades (then any grade) meet the quota,
    and one fewer never does."""
    p = quota.progress(counts, total, minimums)
    assert 0 <= p.percent <= 100
    assert p.still_needed >= max(p.missing_total, 0)
    after = dict(counts)
    for g in p.grades:
        after[g.grade] = after.get(g.grade, 0) + g.missing
    extra = p.still_needed - sum(g.missing for g in p.grades)
    after[""] = after.get("", 0) + extra
    assert quota.progress(after, total, minimums).met
    if p.still_needed:
        assert not p.met
        # One form short: either the total or some grade is still missing.
        fewer = dict(after)
        key = next((g.grade for g in p.grades if g.missing), "")
        fewer[key] -= 1
        assert not quota.progress(fewer, total, minimums).met


def test_quota_refuses_negative_numbers():
    with pytest.raises(ValueError):
        quota.progress({"A": -1}, 5, SEED)


@given(st.integers(1901, 2099), st.integers(1, 12), st.integers(1, 30), st.booleans())
def test_tabled_lunar_birthday_equals_the_calendar_modules(year, month, day, leap):
    """The job's fast lunar table gives exactly ``core.calendar.lunar_birthday``'s answer."""
    from baifang.core.calendar import lunar_birthday

    assert occasions.lunar_birthday(year, month, day, leap) == lunar_birthday(year, month, day, leap)
