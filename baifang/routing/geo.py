"""Coordinates, Chinese coordinate reference systems and great-circle distance.

Chinese map providers publish coordinates in obfuscated systems: AMap/Tencent use GCJ-02 and Baidu
uses BD-09. Distances are only meaningful in WGS-84, so every :class:`Point` is converted with
``prcoords`` (CC0) before any distance is computed.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import prcoords

__all__ = ["CRS", "EARTH_RADIUS_M", "Point", "haversine_m", "point_problem", "wgs84_arrays"]

#: Mean Earth radius in metres (IUGG), used by :func:`haversine_m`.
EARTH_RADIUS_M = 6_371_008.8


class CRS(StrEnum):
    """Coordinate reference system of a :class:`Point`."""

    WGS84 = "WGS84"  # GPS, OpenStreetMap
    GCJ02 = "GCJ02"  # "Mars coordinates": AMap (高德), Tencent, Google China
    BD09 = "BD09"  # Baidu (百度)


@dataclass(frozen=True, slots=True)
class Point:
    """A geographic point: latitude and longitude in degrees, in the given CRS.

    >>> Point(30.2741, 120.1551, CRS.GCJ02).to_wgs84().crs
    <CRS.WGS84: 'WGS84'>
    """

    lat: float
    lng: float
    crs: CRS = CRS.WGS84

    def to_wgs84(self) -> Point:
        """Return this point in WGS-84 (exact inverse of GCJ-02/BD-09 to well below 1 m)."""
        if self.crs == CRS.WGS84:
            return self
        coords = prcoords.Coords(self.lat, self.lng)
        with warnings.catch_warnings():
            # prcoords warns (and returns the input) for points outside China: that is correct.
            warnings.simplefilter("ignore", UserWarning)
            if self.crs == CRS.GCJ02:
                out = prcoords.gcj_wgs_bored(coords)
            else:
                out = prcoords.bd_wgs_bored(coords)
        return Point(out.lat, out.lon, CRS.WGS84)

    def to_crs(self, crs: CRS | str) -> Point:
        """Return this point converted to ``crs`` (via WGS-84)."""
        crs = CRS(crs)
        if crs == self.crs:
            return self
        wgs = self.to_wgs84()
        if crs == CRS.WGS84:
            return wgs
        coords = prcoords.Coords(wgs.lat, wgs.lng)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            out = prcoords.wgs_gcj(coords) if crs == CRS.GCJ02 else prcoords.wgs_bd(coords)
        return Point(out.lat, out.lon, crs)


def point_problem(point: Point | None) -> str | None:
    """Return why ``point`` cannot be routed (a reason code), or ``None`` when it is usable.

    Codes: ``"no_location"`` (missing) and ``"invalid_location"`` (NaN/inf, out of range, or the
    (0, 0) placeholder that geocoders return on failure). Never raises.
    """
    if point is None:
        return "no_location"
    try:
        lat = float(point.lat)
        lng = float(point.lng)
        CRS(point.crs)
    except (TypeError, ValueError):
        return "invalid_location"
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return "invalid_location"
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lng <= 180.0):
        return "invalid_location"
    if lat == 0.0 and lng == 0.0:
        return "invalid_location"
    return None


def haversine_m(a: Point, b: Point) -> float:
    """Great-circle distance in metres between two points (converted to WGS-84 first)."""
    a = a.to_wgs84()
    b = b.to_wgs84()
    phi1 = math.radians(a.lat)
    phi2 = math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lng - a.lng)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


# Vectorised port of prcoords (CC0) for whole point lists: the same formulas and the same
# fixed-point iteration ("bored" inverse, Caijun 2014), ~100× faster than one Point at a time.
_GCJ_A, _GCJ_EE, _PRC_EPS = prcoords.GCJ_A, prcoords.GCJ_EE, prcoords.PRC_EPS
_BD_DLAT, _BD_DLON = prcoords.BD_DLAT, prcoords.BD_DLON


def _in_china(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    return (lat >= 0.8293) & (lat <= 55.8271) & (lng >= 72.004) & (lng <= 137.8347)


def _wgs_gcj(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lng - 105, lat - 35
    pi = math.pi
    dlat = (
        -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (2 * np.sin(x * 6 * pi) + 2 * np.sin(x * 2 * pi) + 2 * np.sin(y * pi) + 4 * np.sin(y / 3 * pi)
           + 16 * np.sin(y / 12 * pi) + 32 * np.sin(y / 30 * pi)) * 20 / 3
    )  # fmt: skip
    dlng = (
        300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (2 * np.sin(x * 6 * pi) + 2 * np.sin(x * 2 * pi) + 2 * np.sin(x * pi) + 4 * np.sin(x / 3 * pi)
           + 15 * np.sin(x / 12 * pi) + 30 * np.sin(x / 30 * pi)) * 20 / 3
    )  # fmt: skip
    rad = np.radians(lat)
    magic = 1 - _GCJ_EE * np.sin(rad) ** 2
    lat_arc = np.radians((_GCJ_A * (1 - _GCJ_EE)) / magic**1.5)
    lng_arc = np.radians(_GCJ_A * np.cos(rad) / np.sqrt(magic))
    return lat + dlat / lat_arc, lng + dlng / lng_arc


def _gcj_bd(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(np.radians(lat) * 3000)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(np.radians(lng) * 3000)
    return r * np.sin(theta) + _BD_DLAT, r * np.cos(theta) + _BD_DLON


def _bd_gcj(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lng - _BD_DLON, lat - _BD_DLAT
    r = np.sqrt(x * x + y * y) - 0.00002 * np.sin(np.radians(y) * 3000)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(np.radians(x) * 3000)
    return r * np.sin(theta), r * np.cos(theta)


def _gcj_wgs_rough(lat: np.ndarray, lng: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    glat, glng = _wgs_gcj(lat, lng)
    inside = _in_china(lat, lng)  # prcoords returns points outside China unchanged here
    return np.where(inside, 2 * lat - glat, lat), np.where(inside, 2 * lng - glng, lng)


def _bored(fwd, lat: np.ndarray, lng: np.ndarray, wlat: np.ndarray, wlng: np.ndarray):
    active = np.ones(len(lat), dtype=bool)
    for _ in range(10):
        if not active.any():
            break
        flat, flng = fwd(wlat, wlng)
        dlat, dlng = flat - lat, flng - lng
        wlat = np.where(active, wlat - dlat, wlat)
        wlng = np.where(active, wlng - dlng, wlng)
        active &= np.hypot(dlat, dlng) > _PRC_EPS
    return wlat, wlng


def wgs84_arrays(points) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 latitudes and longitudes of ``points``, converted all at once.

    Gives the same values as :meth:`Point.to_wgs84` one by one (a test compares them to 1e-9°).
    """
    lat = np.array([float(p.lat) for p in points], dtype=np.float64)
    lng = np.array([float(p.lng) for p in points], dtype=np.float64)
    crs = np.array([CRS(p.crs) for p in points], dtype=object)
    out_lat, out_lng = lat.copy(), lng.copy()
    gcj = crs == CRS.GCJ02
    if gcj.any():
        rlat, rlng = _gcj_wgs_rough(lat[gcj], lng[gcj])
        out_lat[gcj], out_lng[gcj] = _bored(_wgs_gcj, lat[gcj], lng[gcj], rlat, rlng)
    bd = crs == CRS.BD09
    if bd.any():
        rlat, rlng = _gcj_wgs_rough(*_bd_gcj(lat[bd], lng[bd]))

        def wgs_bd(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return _gcj_bd(*_wgs_gcj(a, b))

        out_lat[bd], out_lng[bd] = _bored(wgs_bd, lat[bd], lng[bd], rlat, rlng)
    return out_lat, out_lng
