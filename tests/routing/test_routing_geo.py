"""Geo, coordinate systems and travel matrices (R-ROUTE-1 foundations)."""

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.routing import CRS, HaversineTravel, MatrixTravel, Point, haversine_m, point_problem

# Mainland-China box where GCJ-02/BD-09 obfuscation applies.
china_lat = st.floats(min_value=22.0, max_value=45.0, allow_nan=False)
china_lng = st.floats(min_value=100.0, max_value=125.0, allow_nan=False)


def test_engine_has_no_django_imports():  # R-ROUTE-1: engine is plain Python
    root = Path(__file__).resolve().parents[2] / "baifang" / "routing"
    offenders = [
        p.name for p in root.glob("*.py") if "django" in p.read_text().lower().replace("no django", "")
    ]
    assert offenders == []


def test_haversine_hangzhou_shanghai_known_distance():  # R-ROUTE-1
    hz = Point(30.2741, 120.1551)
    sh = Point(31.2304, 121.4737)
    assert 160_000 < haversine_m(hz, sh) < 170_000


@pytest.mark.parametrize(
    ("point", "code"),
    [
        (None, "no_location"),
        (Point(float("nan"), 120.0), "invalid_location"),
        (Point(0.0, 0.0), "invalid_location"),
        (Point(91.0, 120.0), "invalid_location"),
        (Point(30.0, 181.0), "invalid_location"),
        (Point(30.0, float("inf")), "invalid_location"),
        (Point(30.27, 120.15, CRS.BD09), None),
    ],
)
def test_point_validation_reports_codes_never_raises(point, code):  # R-ROUTE-1
    assert point_problem(point) == code


@settings(max_examples=60, deadline=None)
@given(china_lat, china_lng)
def test_gcj02_round_trip_within_one_metre(lat, lng):  # R-ROUTE-1: CRS conversion
    wgs = Point(lat, lng)
    back = wgs.to_crs(CRS.GCJ02).to_wgs84()
    assert haversine_m(wgs, back) < 1.0
    # and the obfuscation itself is real (hundreds of metres), so the test can fail
    assert haversine_m(wgs, Point(*_latlng(wgs.to_crs(CRS.GCJ02)))) > 1.0


def _latlng(p):
    return p.lat, p.lng


@settings(max_examples=60, deadline=None)
@given(china_lat, china_lng)
def test_bd09_round_trip_within_one_metre(lat, lng):  # R-ROUTE-1
    wgs = Point(lat, lng)
    assert haversine_m(wgs, wgs.to_crs(CRS.BD09).to_wgs84()) < 1.0


def test_distance_uses_wgs84_conversion():  # R-ROUTE-1: GCJ point equals its WGS twin
    wgs = Point(30.2741, 120.1551)
    gcj = wgs.to_crs(CRS.GCJ02)
    assert haversine_m(wgs, gcj) < 1.0
    assert haversine_m(wgs, Point(gcj.lat, gcj.lng, CRS.WGS84)) > 100.0


points = st.builds(Point, st.floats(-80, 80), st.floats(-179, 179))


@settings(max_examples=80, deadline=None)
@given(points, points, points)
def test_haversine_symmetric_and_triangle(a, b, c):  # R-ROUTE-1
    ab, ba = haversine_m(a, b), haversine_m(b, a)
    assert math.isclose(ab, ba, rel_tol=1e-9, abs_tol=1e-6)
    assert ab <= haversine_m(a, c) + haversine_m(c, b) + 1e-6
    assert ab <= math.pi * 6_371_008.8 + 1


def test_haversine_travel_matrices():  # R-ROUTE-1
    pts = [Point(30.27, 120.15), Point(30.30, 120.20, CRS.GCJ02), Point(30.25, 120.10, CRS.BD09)]
    m = HaversineTravel(detour_factor=1.3, speed_kmh=30.0).matrices(pts)
    assert m.durations.dtype == np.int64 and m.distances.shape == (3, 3)
    assert (np.diag(m.durations) == 0).all() and (m.durations == m.durations.T).all()
    expected = haversine_m(pts[0], pts[1]) * 1.3
    assert abs(m.distances[0, 1] - expected) <= 1
    assert abs(m.durations[0, 1] - expected / (30 / 3.6)) <= 1


def test_matrix_travel_returns_sub_matrices_in_requested_order():  # R-ROUTE-1
    pts = [Point(30.0, 120.0), Point(30.1, 120.0), Point(30.2, 120.0)]
    dur = [[0, 5, 9], [6, 0, 4], [8, 3, 0]]
    sub = MatrixTravel(pts, dur).matrices([pts[2], pts[0]])
    assert sub.durations.tolist() == [[0, 8], [9, 0]]
    with pytest.raises(KeyError):
        MatrixTravel(pts, dur).matrices([Point(1.0, 1.0)])
