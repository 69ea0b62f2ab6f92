"""The fake-visit flag rules as plain Python, checked with hypothesis (R-VISIT-1, R-VISIT-2, R-VISIT-4)."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.routing.geo import CRS, Point, haversine_m
from baifang.visits import engine

POLICY = engine.Policy()
T0 = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)

lats = st.floats(min_value=18.0, max_value=53.0, allow_nan=False)
lngs = st.floats(min_value=73.0, max_value=135.0, allow_nan=False)
points = st.builds(Point, lats, lngs)
times = st.times()


def test_engine_imports_no_django():
    """STYLE: engines are plain Python."""
    tree = ast.parse(Path(engine.__file__).read_text())
    modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.startswith("django") for m in modules)


def test_flag_kinds_match_choices(db):
    from baifang.visits.choices import FlagKind

    assert set(FlagKind.values) == set(engine.KINDS)


# R-VISIT-1: radius and no location


@given(points, points)
def test_far_flag_iff_beyond_radius(here, customer):
    """R-VISIT-1: a check-in is flagged exactly when it is farther than the radius."""
    flag = engine.location_flag(here, customer, POLICY)
    far = haversine_m(here, customer) > POLICY.radius_m
    assert (flag is not None) == far
    if flag:
        assert flag.kind == engine.FAR and flag.detail["radius_m"] == 500


def test_no_location_is_flagged_and_unknown_customer_location_is_not():
    """R-VISIT-1: refused geolocation flags "no location"; a customer without coordinates cannot be far."""
    assert engine.location_flag(None, Point(30.0, 120.0), POLICY).kind == engine.NO_LOCATION
    assert engine.location_flag(Point(30.0, 120.0), None, POLICY) is None


def test_far_flag_compares_across_coordinate_systems():
    """The customer stored in GCJ-02 and the phone's WGS-84 reading of the same place are not "far"."""
    wgs = Point(30.259, 120.149, CRS.WGS84)
    gcj = wgs.to_crs(CRS.GCJ02)
    assert haversine_m(wgs, Point(gcj.lat, gcj.lng, CRS.WGS84)) > 300  # the raw offset is real
    assert engine.location_flag(wgs, gcj, POLICY) is None


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=120))
def test_too_short_iff_under_minimum(seconds, minimum):
    """R-VISIT-1: duration compared with the rule's minimum."""
    flag = engine.too_short_flag(seconds, minimum)
    assert (flag is not None) == (seconds < minimum * 60)


def test_no_minimum_or_open_visit_is_never_too_short():
    assert engine.too_short_flag(10, None) is None
    assert engine.too_short_flag(None, 15) is None


# R-VISIT-2: business hours


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@given(times, times, times)
def test_outside_hours_matches_a_minute_by_minute_model(at, opens, closes):
    """R-VISIT-2: open from opens to closes, across midnight when closes < opens; equal means 24 h."""
    at, opens, closes = (t.replace(second=0, microsecond=0) for t in (at, opens, closes))
    if opens == closes:
        open_minutes = set(range(24 * 60))
    elif opens < closes:
        open_minutes = set(range(_minutes(opens), _minutes(closes) + 1))
    else:
        open_minutes = set(range(_minutes(opens), 24 * 60)) | set(range(0, _minutes(closes) + 1))
    flag = engine.outside_hours_flag(at, opens, closes)
    assert (flag is None) == (_minutes(at) in open_minutes)


def test_unknown_hours_never_flag():
    assert engine.outside_hours_flag(dt.time(3, 0), None, dt.time(21, 0)) is None


# R-VISIT-2: impossible speed


@given(points, points, st.integers(min_value=-600, max_value=6 * 3600))
def test_speed_flag_iff_faster_than_allowed_beyond_gps_noise(a, b, seconds):
    """R-VISIT-2: flagged exactly when the distance exceeds the radius and the speed the maximum."""
    previous = engine.CheckIn(1, 1, T0, a)
    current = engine.CheckIn(2, 2, T0 + dt.timedelta(seconds=seconds), b)
    distance = haversine_m(a, b)
    expected = distance > POLICY.radius_m and (
        seconds <= 0 or distance / seconds * 3.6 > POLICY.max_speed_kmh
    )
    flag = engine.speed_flag(previous, current, POLICY)
    assert (flag is not None) == expected
    if flag:
        assert flag.detail["previous_touch_id"] == 1


def test_speed_example_hangzhou_to_shanghai_in_ten_minutes():
    hangzhou = engine.CheckIn(1, 1, T0, Point(30.2741, 120.1551))
    shanghai = engine.CheckIn(2, 2, T0 + dt.timedelta(minutes=10), Point(31.2304, 121.4737))
    flag = engine.speed_flag(hangzhou, shanghai, POLICY)
    assert flag.kind == engine.SPEED and flag.detail["km"] > 150 and flag.detail["kmh"] > 900


@settings(max_examples=50)
@given(st.lists(st.tuples(points, st.integers(min_value=0, max_value=20_000)), min_size=0, max_size=8))
def test_speed_flags_compare_each_checkin_with_the_one_before(rows):
    """R-VISIT-2: consecutive check-ins in time order; the first one is never flagged."""
    checkins = [engine.CheckIn(i, i, T0 + dt.timedelta(seconds=s), p) for i, (p, s) in enumerate(rows)]
    flags = engine.speed_flags(checkins, POLICY)
    ordered = sorted(checkins, key=lambda c: (c.at, c.touch_id))
    if ordered:
        assert ordered[0].touch_id not in flags
    for prev, cur in zip(ordered, ordered[1:], strict=False):
        assert (cur.touch_id in flags) == (engine.speed_flag(prev, cur, POLICY) is not None)


# R-VISIT-2: reused coordinates


@given(points, st.lists(st.tuples(st.integers(1, 4), st.booleans()), max_size=6))
def test_reused_flag_iff_same_point_at_another_customer(point, others):
    """R-VISIT-2: identical coordinates (to 5 decimals) at a check-in for a different customer."""
    current = engine.CheckIn(100, 1, T0, point)
    elsewhere = Point(point.lat + 0.01, point.lng, CRS.WGS84)
    history = [
        engine.CheckIn(i, customer, T0, point if same else elsewhere)
        for i, (customer, same) in enumerate(others)
    ]
    flag = engine.reused_flag(current, history, POLICY)
    expected = {c for c, same in others if same and c != 1}
    assert (flag is not None) == bool(expected)
    if flag:
        assert flag.detail["customers"] == len(expected)


def test_same_customer_same_point_is_not_reuse():
    p = Point(30.25, 120.15)
    assert engine.reused_flag(engine.CheckIn(2, 1, T0, p), [engine.CheckIn(1, 1, T0, p)], POLICY) is None


# R-VISIT-4: late records


@given(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)), st.integers(0, 30))
def test_late_record_iff_more_than_two_days(visit_day, after):
    """R-VISIT-4: records are submitted within 2 days of the visit; later ones are flagged."""
    flag = engine.late_record_flag(visit_day, visit_day + dt.timedelta(days=after), POLICY)
    assert (flag is not None) == (after > 2)
    assert engine.record_due(visit_day, POLICY) == visit_day + dt.timedelta(days=2)
