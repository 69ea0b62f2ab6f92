"""Day routes (R-ROUTE-1): ordering, time windows, day length, reasons."""

import itertools
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.routing import (
    CRS,
    DayRouteRequest,
    HaversineTravel,
    Point,
    Reason,
    Stop,
    TimeWindow,
    hhmm,
    schedule_route,
    solve_day_route,
)

BASE = Point(30.2741, 120.1551, CRS.GCJ02)
TRAVEL = HaversineTravel()


def _ring(n, radius_deg=0.03, service=900):
    return [
        Stop(
            f"s{i}",
            Point(
                BASE.lat + radius_deg * math.sin(2 * math.pi * i / n),
                BASE.lng + radius_deg * math.cos(2 * math.pi * i / n),
                CRS.GCJ02,
            ),
            service,
        )
        for i in range(n)
    ]


def assert_valid(request, route):
    """Shared checks: conservation, feasibility, times consistent with the travel model."""
    ids = [s.id for s in request.stops]
    visited = route.stop_ids
    missing = [u.stop_id for u in route.unassigned]
    assert sorted(visited + missing) == sorted(ids)  # every stop routed or unassigned, once
    assert all(u.message and u.reason in Reason for u in route.unassigned)
    by_id = {s.id: s for s in request.stops}
    end = request.end or request.start
    pts = [request.start, *[by_id[i].point for i in visited], end]
    m = request.travel.matrices(pts)
    t = route.depart
    assert route.depart >= request.day_start
    for k, v in enumerate(route.visits):
        assert v.sequence == k + 1
        assert v.arrival == t + m.durations[k, k + 1]  # starts from the base, then stop to stop
        assert v.start >= v.arrival
        assert v.departure == v.start + by_id[v.stop_id].service_s
        windows = by_id[v.stop_id].windows
        if windows:
            assert any(w.earliest <= v.start <= w.latest for w in windows)
        t = v.departure
    assert route.return_time == t + m.durations[len(visited), len(visited) + 1]  # ends at the end base
    assert route.return_time <= request.day_end
    if request.max_visits is not None:
        assert len(visited) <= request.max_visits


def test_no_windows_uses_sequencing_and_visits_all():  # R-ROUTE-1
    req = DayRouteRequest(BASE, _ring(12), travel=TRAVEL)
    route = solve_day_route(req)
    assert route.solver == "tsp"
    assert len(route.visits) == 12 and not route.unassigned
    assert_valid(req, route)
    # points on a ring: the optimal tour walks around it, so consecutive ids are neighbours
    order = [int(i[1:]) for i in route.stop_ids]
    steps = {(b - a) % 12 for a, b in itertools.pairwise(order)}
    assert steps in ({1}, {11})


def test_sequencing_is_optimal_on_small_day():  # R-ROUTE-1: minimise travel
    stops = [
        Stop(f"p{i}", Point(30.2741 + 0.01 * ((i * 7) % 5), 120.1551 + 0.013 * ((i * 3) % 4)), 600)
        for i in range(6)
    ]
    req = DayRouteRequest(BASE, stops, travel=TRAVEL)
    route = solve_day_route(req)
    best = min(schedule_route(req, [s.id for s in perm]).travel_s for perm in itertools.permutations(stops))
    assert route.travel_s == best


def test_invalid_locations_are_reported_not_raised():  # R-ROUTE-1
    stops = [
        *_ring(3),
        Stop("nan", Point(float("nan"), 120.0)),
        Stop("zero", Point(0, 0)),
        Stop("none", None),
    ]
    req = DayRouteRequest(BASE, stops, travel=TRAVEL)
    route = solve_day_route(req)
    reasons = {u.stop_id: u.reason for u in route.unassigned}
    assert reasons == {
        "nan": Reason.INVALID_LOCATION,
        "zero": Reason.INVALID_LOCATION,
        "none": Reason.NO_LOCATION,
    }
    assert_valid(req, route)


def test_invalid_base_marks_all_stops():  # R-ROUTE-1
    route = solve_day_route(DayRouteRequest(Point(0, 0), _ring(3), travel=TRAVEL))
    assert not route.visits
    assert {u.reason for u in route.unassigned} == {Reason.INVALID_BASE}
    assert len(route.unassigned) == 3


def test_short_day_drops_stops_from_end_with_reason():  # R-ROUTE-1: day length
    req = DayRouteRequest(
        BASE, _ring(12, service=1800), day_start=hhmm("09:00"), day_end=hhmm("13:00"), travel=TRAVEL
    )
    route = solve_day_route(req)
    assert 0 < len(route.visits) < 12
    assert {u.reason for u in route.unassigned} == {Reason.DAY_FULL}
    assert_valid(req, route)


def test_stop_that_cannot_fit_alone_gets_precise_reason():  # R-ROUTE-1
    far = Stop("far", Point(31.2304, 121.4737), 600)  # Shanghai from Hangzhou: > 4 h each way at 30 km/h
    early = Stop("early", _ring(1)[0].point, 600, (TimeWindow(hhmm("06:00"), hhmm("07:00")),))
    tight = Stop("tight", _ring(2)[1].point, 600, (TimeWindow(hhmm("08:30"), hhmm("08:31")),))
    long = Stop("long", _ring(3)[2].point, 11 * 3600)
    req = DayRouteRequest(BASE, [far, early, tight, long, *_ring(4)[3:]], travel=TRAVEL)
    route = solve_day_route(req)
    reasons = {u.stop_id: u.reason for u in route.unassigned}
    assert reasons == {
        "far": Reason.DAY_TOO_SHORT,
        "early": Reason.WINDOW_OUTSIDE_DAY,
        "tight": Reason.WINDOW_UNREACHABLE,
        "long": Reason.DAY_TOO_SHORT,
    }
    assert_valid(req, route)


def test_time_windows_respected_and_conflicts_reported():  # R-ROUTE-1: appointments
    stops = _ring(8, service=1800)
    ten = (TimeWindow(hhmm("10:00"), hhmm("10:05")),)
    stops[0] = Stop("s0", stops[0].point, 1800, ten)
    stops[4] = Stop("s4", stops[4].point, 1800, ten)  # same appointment time, other side of town
    stops[2] = Stop(
        "s2",
        stops[2].point,
        1800,
        (TimeWindow(hhmm("09:00"), hhmm("09:30")), TimeWindow(hhmm("15:00"), hhmm("16:00"))),
    )
    req = DayRouteRequest(BASE, stops, travel=TRAVEL, time_limit=0.3)
    route = solve_day_route(req)
    assert route.solver == "pyvrp"
    assert_valid(req, route)
    reasons = {u.stop_id: u.reason for u in route.unassigned}
    assert len({"s0", "s4"} & set(reasons)) == 1
    assert set(reasons.values()) == {Reason.WINDOW_CONFLICT}
    assert len(route.visits) == 7


def test_end_base_may_differ_from_start():  # R-ROUTE-1
    home = Point(30.33, 120.10, CRS.GCJ02)
    req = DayRouteRequest(BASE, _ring(6), end=home, travel=TRAVEL)
    route = solve_day_route(req)
    assert_valid(req, route)
    with_windows = DayRouteRequest(
        BASE,
        [*_ring(5), Stop("w", _ring(6)[5].point, 900, (TimeWindow(hhmm("11:00"), hhmm("12:00")),))],
        end=home,
        travel=TRAVEL,
        time_limit=0.2,
    )
    assert_valid(with_windows, solve_day_route(with_windows))


def test_max_visits_cap():  # R-ROUTE-1
    req = DayRouteRequest(BASE, _ring(10), max_visits=4, travel=TRAVEL)
    route = solve_day_route(req)
    assert len(route.visits) == 4
    assert {u.reason for u in route.unassigned} == {Reason.MAX_VISITS}
    assert_valid(req, route)


def test_deterministic_for_seed():  # R-ROUTE-1
    stops = _ring(10)
    stops[3] = Stop("s3", stops[3].point, 900, (TimeWindow(hhmm("13:00"), hhmm("14:00")),))
    req = DayRouteRequest(BASE, stops, travel=TRAVEL, time_limit=0.5, seed=7)
    assert solve_day_route(req) == solve_day_route(req)


@st.composite
def day_requests(draw):
    n = draw(st.integers(0, 7))
    stops = []
    for i in range(n):
        lat = BASE.lat + draw(st.floats(-0.06, 0.06))
        lng = BASE.lng + draw(st.floats(-0.06, 0.06))
        service = draw(st.integers(0, 3600))
        windows = ()
        if draw(st.booleans()):
            a = draw(st.integers(hhmm("08:00"), hhmm("18:00")))
            windows = (TimeWindow(a, a + draw(st.integers(0, 4 * 3600))),)
        bad = draw(st.sampled_from([None, "ok", "ok", "ok", "zero"]))
        point = Point(lat, lng, CRS.GCJ02) if bad == "ok" else (Point(0, 0) if bad == "zero" else None)
        stops.append(Stop(f"x{i}", point, service, windows))
    day_start = draw(st.integers(hhmm("07:00"), hhmm("10:00")))
    day_end = day_start + draw(st.integers(3600, 11 * 3600))
    cap = draw(st.one_of(st.none(), st.integers(1, 6)))
    return DayRouteRequest(
        BASE, stops, day_start=day_start, day_end=day_end, max_visits=cap, travel=TRAVEL, time_limit=0.1
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_requests())
def test_property_random_days_are_feasible_and_conserve_stops(req):  # R-ROUTE-1
    assert_valid(req, solve_day_route(req))


def test_duplicate_stop_ids_rejected():  # R-ROUTE-1
    with pytest.raises(ValueError):
        DayRouteRequest(BASE, [Stop("a", BASE), Stop("a", BASE)])
