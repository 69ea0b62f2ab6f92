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

import prcoords

__all__ = ["CRS", "EARTH_RADIUS_M", "Point", "haversine_m", "point_problem"]

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
