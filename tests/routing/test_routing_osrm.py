"""Road travel times from an OSRM-compatible table service (issue 16, R-ROUTE-1).

The server is a stub started by the test on 127.0.0.1 that speaks the OSRM ``table`` API: it
answers one-way road times computed from the coordinates it is sent, so the engine's use of
the answer (order of points, asymmetry, nulls, caching, fallback) is checked end to end.
"""

import json
import math
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from baifang.routing import (
    CRS,
    OSRM_FALLBACK_NOTE,
    DayRouteRequest,
    HaversineTravel,
    OsrmTravel,
    Point,
    Stop,
    haversine_m,
    solve_day_route,
)

BASE = Point(30.2741, 120.1551, CRS.WGS84)


def _road(a, b):
    """The stub's road network: 1.5 × straight line, and going north costs double (a one-way river crossing)."""
    metres = haversine_m(Point(a[1], a[0]), Point(b[1], b[0])) * 1.5
    north = b[1] > a[1]
    return metres / (10.0 if not north else 5.0), metres * (2 if north else 1)


class _Handler(BaseHTTPRequestHandler):
    mode = "ok"
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server API)
        type(self).seen.append(self.path)
        path, _, query = self.path.partition("?")
        parts = path.split("/")
        if self.mode == "error":
            self.send_response(500)
            self.end_headers()
            return
        if parts[1:4] != ["table", "v1", "driving"] or "annotations=duration,distance" not in query:
            self._send({"code": "InvalidUrl"}, 400)
            return
        coords = [tuple(float(x) for x in c.split(",")) for c in parts[4].split(";")]
        dur = [[0.0] * len(coords) for _ in coords]
        dist = [[0.0] * len(coords) for _ in coords]
        for i, a in enumerate(coords):
            for j, b in enumerate(coords):
                if i != j:
                    dur[i][j], dist[i][j] = _road(a, b)
        if self.mode == "null":
            dur[0][1] = dist[0][1] = None
        self._send({"code": "Ok", "durations": dur, "distances": dist})

    def _send(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def osrm():
    _Handler.mode = "ok"
    _Handler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Handler
    server.shutdown()
    server.server_close()


def _points(n=5):
    return [Point(BASE.lat + 0.01 * math.sin(i), BASE.lng + 0.012 * math.cos(i)) for i in range(n)]


def test_road_matrices_come_from_the_server_in_point_order(osrm):  # R-ROUTE-1
    url, handler = osrm
    pts = _points()
    travel = OsrmTravel(url)
    m = travel.matrices(pts)
    assert not m.note
    for i, a in enumerate(pts):
        for j, b in enumerate(pts):
            if i != j:
                dur, dist = _road((a.lng, a.lat), (b.lng, b.lat))
                assert m.durations[i, j] == round(dur) and m.distances[i, j] == round(dist)
    assert not np.array_equal(m.durations, m.durations.T)  # one-way costs survive
    travel.matrices(pts)
    assert travel.requests == 1 and len(handler.seen) == 1  # cached per point list


def test_points_in_chinese_datums_are_sent_in_wgs84(osrm):  # R-ROUTE-1
    url, handler = osrm
    gcj = Point(30.2741, 120.1551, CRS.GCJ02)
    OsrmTravel(url).matrices([gcj, BASE])
    sent = handler.seen[0].split("/")[4].split("?")[0].split(";")[0]
    wgs = gcj.to_wgs84()
    assert sent == f"{wgs.lng:.6f},{wgs.lat:.6f}"


def test_day_route_uses_road_times(osrm):  # R-ROUTE-1
    url, _ = osrm
    pts = _points(6)
    req = DayRouteRequest(BASE, [Stop(f"c{i}", p, 600) for i, p in enumerate(pts)], travel=OsrmTravel(url))
    route = solve_day_route(req)
    assert len(route.visits) == 6 and not route.travel_note
    m = req.travel.matrices([BASE, *[pts[int(v.stop_id[1:])] for v in route.visits], BASE])
    assert route.travel_s == sum(int(m.durations[k, k + 1]) for k in range(7))


def test_missing_road_pairs_cost_more_than_any_estimate(osrm):  # R-ROUTE-1
    url, handler = osrm
    handler.mode = "null"
    pts = _points(3)
    m = OsrmTravel(url, unreachable_factor=3.0).matrices(pts)
    est = HaversineTravel().matrices(pts)
    assert m.durations[0, 1] == est.durations[0, 1] * 3 and not m.note


def test_unreachable_server_falls_back_with_a_note(osrm):  # R-ROUTE-1
    url, handler = osrm
    handler.mode = "error"
    pts = _points(4)
    m = OsrmTravel(url).matrices(pts)
    assert m.note == OSRM_FALLBACK_NOTE
    assert np.array_equal(m.durations, HaversineTravel().matrices(pts).durations)
    closed = OsrmTravel("http://127.0.0.1:9", timeout=0.5)  # nothing listens on the discard port
    req = DayRouteRequest(BASE, [Stop(f"c{i}", p, 600) for i, p in enumerate(pts)], travel=closed)
    route = solve_day_route(req)
    assert route.travel_note == OSRM_FALLBACK_NOTE and len(route.visits) == 4


@pytest.mark.parametrize(
    "kwargs",
    [
        {"base_url": "osrm:5000"},
        {"base_url": "ftp://x"},
        {"timeout": 0},
        {"timeout": float("nan")},
        {"timeout": True},
        {"cache_size": -1},
        {"unreachable_factor": float("nan")},
        {"unreachable_factor": 0.5},
        {"fallback": "haversine"},
        {"profile": "a/b"},
    ],
)
def test_bad_settings_are_refused(kwargs):  # R-ROUTE-1
    args = {"base_url": "http://127.0.0.1:5000", **kwargs}
    with pytest.raises(ValueError):
        OsrmTravel(args.pop("base_url"), **args)
