"""Tile presets, the datum points are drawn in, the CSP that follows the tiles, the bundled boundaries
(docs/maps.md; R-SEC-2: nothing from another host unless configured; R-UX-1). No network: nothing here
fetches a tile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from baifang.core.tiles import PRESETS, resolve_tiles
from baifang.customers import divisions
from baifang.maps.adapters import display_point
from baifang.routing import Point
from tests.conftest import client_for
from tests.factories import CustomerFactory

ROOT = Path(__file__).resolve().parents[2]


def test_each_preset_names_its_datum_and_its_hosts_exactly():
    """AMap and Tencent draw in GCJ-02, 天地图 (CGCS2000) and OSM in WGS-84; the CSP lists each host."""
    assert {name: p.crs for name, p in PRESETS.items()} == {
        "amap": "GCJ02",
        "amap-satellite": "GCJ02",
        "tencent": "GCJ02",
        "tianditu": "WGS84",
        "tianditu-satellite": "WGS84",
        "osm": "WGS84",
    }
    amap = resolve_tiles("amap")
    assert amap.crs == "GCJ02" and amap.subdomains == "1234"
    assert amap.csp_sources() == [f"https://webrd0{i}.is.autonavi.com" for i in "1234"]
    assert resolve_tiles("osm").csp_sources() == ["https://tile.openstreetmap.org"]
    tianditu = resolve_tiles("tianditu", key="k123")
    assert tianditu.csp_sources() == [f"https://t{i}.tianditu.gov.cn" for i in "01234567"]
    assert "tk=k123" in tianditu.url and len(tianditu.overlays) == 1 and "T=cva_w" in tianditu.overlays[0]
    assert all("*" not in source for p in PRESETS for source in resolve_tiles(p, key="k").csp_sources())


def test_a_companys_own_tile_server_keeps_its_datum_setting():
    own = resolve_tiles("https://{s}.tiles.corp.example:8443/{z}/{x}/{y}.png", crs="wgs84", subdomains="ab")
    assert (own.name, own.crs) == ("custom", "WGS84")
    assert own.csp_sources() == ["https://a.tiles.corp.example:8443", "https://b.tiles.corp.example:8443"]
    assert resolve_tiles("http://tiles.intranet/{z}/{x}/{y}.png").crs == "GCJ02"  # the default before presets


def test_bad_tile_settings_stop_the_start():
    with pytest.raises(ImproperlyConfigured, match="preset"):
        resolve_tiles("gaode-typo")
    with pytest.raises(ImproperlyConfigured, match="misplace"):
        resolve_tiles("amap", crs="WGS84")  # AMap tiles are GCJ-02: points would be ~500 m off
    with pytest.raises(ImproperlyConfigured, match="KEY"):
        resolve_tiles("tianditu")
    with pytest.raises(ImproperlyConfigured, match="BAIFANG_MAP_TILES_CRS"):
        resolve_tiles("osm", crs="EPSG3857")
    with pytest.raises(ImproperlyConfigured):
        resolve_tiles("ftp://tiles.example/{z}/{x}/{y}.png")
    assert not resolve_tiles("").enabled and resolve_tiles("").csp_sources() == []


def test_wgs84_to_gcj02_and_bd09_match_published_reference_values():
    """prcoords (via Point.to_crs) against coordtransform's published pair for 116.404, 39.915:
    wgs84togcj02 → (116.41024449916938, 39.91640428150164), gcj02tobd09 → (116.41036949371029,
    39.92133699351021); and the inverse is exact to a centimetre (a plain one-step inverse is off by
    about a metre)."""
    gcj = Point(39.915, 116.404, "WGS84").to_crs("GCJ02")
    assert gcj.lat == pytest.approx(39.91640428150164, abs=1e-9)
    assert gcj.lng == pytest.approx(116.41024449916938, abs=1e-9)
    bd = Point(39.915, 116.404, "GCJ02").to_crs("BD09")
    assert bd.lat == pytest.approx(39.92133699351021, abs=1e-9)
    assert bd.lng == pytest.approx(116.41036949371029, abs=1e-9)
    back = gcj.to_crs("WGS84")
    assert back.lat == pytest.approx(39.915, abs=1e-7) and back.lng == pytest.approx(116.404, abs=1e-7)


@pytest.mark.parametrize(
    ("preset", "shifted"), [("amap", True), ("tencent", True), ("osm", False), ("", False)]
)
def test_points_are_drawn_in_the_tiles_datum(settings, preset, shifted):
    """A WGS-84 point (a phone's GPS) moves onto GCJ-02 tiles, stays put on WGS-84 ones and without tiles."""
    settings.BAIFANG = {**settings.BAIFANG, "MAP_TILES": resolve_tiles(preset)}
    lat, lng = display_point(Point(30.27, 120.15, "WGS84"))
    assert ((lat, lng) != (30.27, 120.15)) is shifted
    if shifted:  # GCJ-02 in 杭州: a few hundred metres north-east-ish, never more than a kilometre
        assert 0.0005 < abs(lng - 120.15) + abs(lat - 30.27) < 0.01


def _settings_in_a_fresh_process(**env) -> dict:
    """The settings module as a new process reads it from its environment (the CSP is fixed at start)."""
    code = (
        "import json, baifang.settings as s; "
        "print(json.dumps({'img': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'], "
        "'tiles': s.BAIFANG['MAP_TILES'].as_json()}))"
    )
    keep = {k: v for k, v in os.environ.items() if not k.startswith("BAIFANG_MAP_TILES")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**keep, **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_r_sec_2_csp_follows_the_preset():
    plain = _settings_in_a_fresh_process()
    assert plain["img"] == ["'self'", "data:"] and plain["tiles"]["url"] == ""
    amap = _settings_in_a_fresh_process(BAIFANG_MAP_TILES="amap")
    assert amap["img"] == ["'self'", "data:", *(f"https://webrd0{i}.is.autonavi.com" for i in "1234")]
    assert amap["tiles"]["crs"] == "GCJ02"
    legacy = _settings_in_a_fresh_process(
        BAIFANG_MAP_TILES_URL="https://tiles.corp.example/{z}/{x}/{y}.png", BAIFANG_MAP_TILES_CRS="WGS84"
    )
    assert legacy["img"][-1] == "https://tiles.corp.example" and legacy["tiles"]["crs"] == "WGS84"


def test_bundled_boundaries_are_small_licensed_and_match_the_division_codes():
    """34 province-level units (31 of the division dataset + 台湾, 香港, 澳门) with their GB codes, WGS-84,
    small enough to ship (< 1.5 MB), with the licence beside them."""
    path = Path(finders.find("vendor/china-boundaries/provinces.geojson"))
    assert path.stat().st_size < 1_500_000
    licence = " ".join((path.parent / "LICENSE").read_text().split())
    assert "Natural Earth" in licence and "in the public domain" in licence and "(ISC)" in licence
    features = json.loads(path.read_text())["features"]
    codes = {f["properties"]["code"]: f["properties"]["name"] for f in features}
    provinces = {p.code: p.name for p in divisions.load().provinces}
    assert len(codes) == 34 and {"71", "81", "82"} <= set(codes)
    assert {c: n for c, n in codes.items() if c in provinces} == provinces  # same codes, same names
    for f in features:
        for lng, lat in _coordinates(f["geometry"]):
            assert 73 < lng < 136 and 3 < lat < 54


def _coordinates(geometry):
    rings = (
        geometry["coordinates"]
        if geometry["type"] == "Polygon"
        else [r for p in geometry["coordinates"] for r in p]
    )
    for ring in rings:
        yield from ring


def test_map_page_draws_boundaries_without_tiles_and_tiles_with_a_preset(org, settings):
    CustomerFactory(owner=org.rep, latitude=30.27, longitude=120.15, coordinate_system="WGS84")
    client = client_for(org.rep)
    html = client.get(reverse("maps:map")).content.decode()
    assert "vendor/china-boundaries/provinces.geojson" in html and "leaflet.markercluster.js" in html
    assert 'data-label-legend="' in html
    settings.BAIFANG = {**settings.BAIFANG, "MAP_TILES": resolve_tiles("amap")}
    html = client.get(reverse("maps:map")).content.decode()
    assert "provinces.geojson" not in html
    data = client.get(reverse("maps:map"), {"format": "json"}).json()
    assert data["tiles"]["name"] == "amap" and data["tiles"]["subdomains"] == "1234"
    (point,) = data["customers"]
    assert (point["lat"], point["lng"]) == display_point(Point(30.27, 120.15, "WGS84")) != (30.27, 120.15)


def test_outsider_gets_neither_the_map_nor_its_json(org):
    """R-SEC-1: another department's rep asking for this rep's map (page, JSON, API) gets a 404, and
    anonymous callers are sent to log in / refused."""
    CustomerFactory(owner=org.rep, latitude=30.27, longitude=120.15)
    outsider = client_for(org.outsider)
    assert outsider.get(reverse("maps:map"), {"rep": org.rep.pk}).status_code == 404
    assert outsider.get(reverse("maps:map"), {"rep": org.rep.pk, "format": "json"}).status_code == 404
    own = outsider.get(reverse("maps:map"), {"format": "json"}).json()
    assert own["customers"] == []  # their own map has none of the rep's customers
    from django.test import Client

    assert Client().get(reverse("maps:map"), {"format": "json"}).status_code == 302
    assert Client().get("/api/v1/routes/day/").status_code in (401, 403)
