"""Travel-cost models (providers): integer duration (s) and distance (m) matrices between points.

:class:`TravelModel` is the provider interface. :class:`HaversineTravel` (the default) works
offline: straight line × a detour factor. :class:`MatrixTravel` wraps matrices computed elsewhere.
:class:`OsrmTravel` asks a road-network server on the intranet that speaks the OSRM ``table`` API
(OSRM itself, or Valhalla/other engines behind an OSRM-compatible endpoint) and falls back to
haversine, saying so in ``TravelMatrices.note``, when the server cannot be reached.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geo import EARTH_RADIUS_M, Point, wgs84_arrays
from .validation import check_count, check_real, check_time_limit

__all__ = [
    "OSRM_FALLBACK_NOTE",
    "HaversineTravel",
    "MatrixTravel",
    "OsrmTravel",
    "TravelMatrices",
    "TravelModel",
]


@dataclass(frozen=True)
class TravelMatrices:
    """Square integer matrices for a list of points: ``durations`` in seconds, ``distances`` in metres.

    Entry ``[i][j]`` is the cost of travelling from point ``i`` to point ``j``; the diagonal is 0.
    Matrices need not be symmetric. ``note`` is empty, or says (in Chinese, for the user) why the
    figures are estimates, e.g. the road-network server could not be reached.
    """

    durations: np.ndarray
    distances: np.ndarray
    note: str = ""

    def __post_init__(self) -> None:
        dur = _int_matrix("durations", self.durations)
        dist = _int_matrix("distances", self.distances)
        if dur.ndim != 2 or dur.shape[0] != dur.shape[1] or dur.shape != dist.shape:
            raise ValueError("durations and distances must be square matrices of the same shape")
        if (dur < 0).any() or (dist < 0).any():
            raise ValueError("travel matrices must be non-negative")
        object.__setattr__(self, "durations", dur)
        object.__setattr__(self, "distances", dist)

    @property
    def size(self) -> int:
        """Number of points covered by the matrices."""
        return int(self.durations.shape[0])


def _int_matrix(name: str, raw: object) -> np.ndarray:
    """``raw`` as an int64 array; NaN, infinities and non-numbers are refused (not cast to garbage)."""
    try:
        arr = np.asarray(raw)
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            arr = np.asarray(raw, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a matrix of numbers") from None
    if arr.size and not np.issubdtype(arr.dtype, np.integer) and not np.isfinite(arr).all():
        raise ValueError(f"{name} must hold finite numbers (no NaN or infinity)")
    return arr.astype(np.int64)


class TravelModel(ABC):
    """Computes travel matrices for a list of (valid) points."""

    @abstractmethod
    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        """Return duration (s) and distance (m) matrices for ``points``, in the given order."""


def _haversine_matrix(points: Sequence[Point]) -> np.ndarray:
    lat_deg, lng_deg = wgs84_arrays(points)
    lat, lng = np.radians(lat_deg), np.radians(lng_deg)
    # sin((a - b) / 2) = sin(a/2) cos(b/2) - cos(a/2) sin(b/2): outer products instead of n² sines
    # (1,000 points: 45 ms instead of 115 ms; the time-limit budget counts building the matrix).
    s_lat, c_lat = np.sin(lat / 2), np.cos(lat / 2)
    s_lng, c_lng = np.sin(lng / 2), np.cos(lng / 2)
    half_dphi = s_lat[:, None] * c_lat[None, :] - c_lat[:, None] * s_lat[None, :]
    half_dlmb = s_lng[:, None] * c_lng[None, :] - c_lng[:, None] * s_lng[None, :]
    cos_lat = np.cos(lat)
    h = half_dphi * half_dphi + np.outer(cos_lat, cos_lat) * (half_dlmb * half_dlmb)
    np.sqrt(h, out=h)
    np.minimum(h, 1.0, out=h)
    return (2 * EARTH_RADIUS_M) * np.arcsin(h, out=h)


@dataclass(frozen=True)
class HaversineTravel(TravelModel):
    """Offline estimate: great-circle distance × ``detour_factor`` driven at ``speed_kmh``.

    The default (×1.3 at 30 km/h) is a typical Chinese city-centre driving estimate.
    """

    detour_factor: float = 1.3
    speed_kmh: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "detour_factor", check_real("detour_factor", self.detour_factor, 1.0))
        object.__setattr__(self, "speed_kmh", check_time_limit("speed_kmh", self.speed_kmh))  # finite, > 0

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        """Return symmetric matrices from great-circle distances."""
        if not points:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrices(empty, empty)
        road = _haversine_matrix(points) * self.detour_factor
        distances = np.rint(road).astype(np.int64)
        durations = np.rint(road / (self.speed_kmh / 3.6)).astype(np.int64)
        np.fill_diagonal(distances, 0)
        np.fill_diagonal(durations, 0)
        return TravelMatrices(durations, distances)


class MatrixTravel(TravelModel):
    """Travel costs precomputed elsewhere (e.g. an intranet AMap/OSRM matrix service).

    ``points`` lists every point the matrices cover; :meth:`matrices` looks each requested point up
    (by equality) and returns the sub-matrices. Requesting an unknown point raises ``KeyError``.
    """

    def __init__(
        self,
        points: Sequence[Point],
        durations: Sequence[Sequence[int]] | np.ndarray,
        distances: Sequence[Sequence[int]] | np.ndarray | None = None,
    ) -> None:
        full = TravelMatrices(durations, durations if distances is None else distances)
        if full.size != len(points):
            raise ValueError("matrix size does not match the number of points")
        self._full = full
        self._index: dict[Point, int] = {}
        for i, p in enumerate(points):
            self._index.setdefault(p, i)

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        """Return the sub-matrices for ``points`` (in the requested order)."""
        idx = np.array([self._index[p] for p in points], dtype=np.int64)
        sub = np.ix_(idx, idx)
        return TravelMatrices(self._full.durations[sub], self._full.distances[sub])


#: Shown when the road-network server fails and straight-line estimates are used instead.
OSRM_FALLBACK_NOTE = "路网服务暂不可用,本路线的行驶时间按直线距离估算"


class OsrmTravel(TravelModel):
    """Road travel times from an OSRM-compatible ``table`` service on the intranet.

    ``base_url`` is the server root (e.g. ``http://osrm.intranet:5000``); the request is
    ``GET {base_url}/table/v1/{profile}/{lng,lat;...}?annotations=duration,distance`` with WGS-84
    coordinates, the answer ``{"code": "Ok", "durations": [[s]], "distances": [[m]]}``. A missing
    pair (``null``: no road between them) costs as much as the haversine estimate ×
    ``unreachable_factor``. Answers are cached per point list (a day's route asks once, however
    often it is re-planned), at most ``cache_size`` lists. When the server does not answer within
    ``timeout`` seconds, answers an error or nonsense, the matrices come from ``fallback`` and
    carry :data:`OSRM_FALLBACK_NOTE`; nothing raises. Thread-safe.
    """

    def __init__(
        self,
        base_url: str,
        *,
        profile: str = "driving",
        timeout: float = 5.0,
        cache_size: int = 256,
        fallback: TravelModel | None = None,
        unreachable_factor: float = 3.0,
    ) -> None:
        parsed = urllib.parse.urlparse(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError(f"base_url must be an http(s) URL, got {base_url!r}")
        timeout = check_time_limit("timeout", timeout)
        cache_size = check_count("cache_size", cache_size)
        unreachable_factor = check_real("unreachable_factor", unreachable_factor, 1.0)
        if fallback is not None and not isinstance(fallback, TravelModel):
            raise ValueError(f"fallback must be a TravelModel, got {type(fallback).__name__}")
        if not profile or "/" in profile:
            raise ValueError(f"profile must be a plain name such as 'driving', got {profile!r}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.timeout = float(timeout)
        self.cache_size = cache_size
        self.fallback = fallback if fallback is not None else HaversineTravel()
        self.unreachable_factor = float(unreachable_factor)
        self._cache: OrderedDict[tuple[tuple[float, float], ...], TravelMatrices] = OrderedDict()
        self._lock = threading.Lock()
        self.requests = 0  # HTTP requests made (observability, tests)

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        """Road matrices for ``points`` (cached), or the fallback's with a note when the server fails."""
        if not points:
            empty = np.zeros((0, 0), dtype=np.int64)
            return TravelMatrices(empty, empty)
        lat, lng = wgs84_arrays(points)
        key = tuple(zip(np.round(lat, 6).tolist(), np.round(lng, 6).tolist(), strict=True))
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        result = self._fetch(points, key)
        if result is None:
            estimate = self.fallback.matrices(points)
            return TravelMatrices(estimate.durations, estimate.distances, OSRM_FALLBACK_NOTE)
        with self._lock:
            if self.cache_size:
                self._cache[key] = result
                while len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return result

    def _fetch(self, points: Sequence[Point], key: tuple[tuple[float, float], ...]) -> TravelMatrices | None:
        coords = ";".join(f"{b:.6f},{a:.6f}" for a, b in key)
        url = f"{self.base_url}/table/v1/{self.profile}/{coords}?annotations=duration,distance"
        self.requests += 1
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310 (http(s) only)
                body = json.loads(response.read().decode("utf-8"))
        except (OSError, ValueError, urllib.error.URLError):
            return None
        n = len(points)
        try:
            if body.get("code") != "Ok":
                return None
            raw_dur = np.array(body["durations"], dtype=np.float64)
            raw_dist = np.array(body.get("distances") or body["durations"], dtype=np.float64)
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        if raw_dur.shape != (n, n) or raw_dist.shape != (n, n):
            return None
        if "distances" not in body:  # duration-only servers: distances estimated from the fallback
            raw_dist = self.fallback.matrices(points).distances.astype(np.float64)
        if np.isnan(raw_dur).any() or np.isnan(raw_dist).any():  # JSON null: no route between them
            estimate = self.fallback.matrices(points)
            raw_dur = np.where(np.isnan(raw_dur), estimate.durations * self.unreachable_factor, raw_dur)
            raw_dist = np.where(np.isnan(raw_dist), estimate.distances * self.unreachable_factor, raw_dist)
        if (raw_dur < 0).any() or (raw_dist < 0).any() or not np.isfinite(raw_dur).all():
            return None
        dur = np.rint(raw_dur).astype(np.int64)
        dist = np.rint(raw_dist).astype(np.int64)
        np.fill_diagonal(dur, 0)
        np.fill_diagonal(dist, 0)
        return TravelMatrices(dur, dist)
