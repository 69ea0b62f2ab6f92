"""Travel-cost models: integer duration (s) and distance (m) matrices between points.

The engine never talks to a map service itself. :class:`HaversineTravel` works offline;
:class:`MatrixTravel` wraps matrices computed elsewhere (an intranet AMap/OSRM provider).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .geo import EARTH_RADIUS_M, Point

__all__ = ["HaversineTravel", "MatrixTravel", "TravelMatrices", "TravelModel"]


@dataclass(frozen=True)
class TravelMatrices:
    """Square integer matrices for a list of points: ``durations`` in seconds, ``distances`` in metres.

    Entry ``[i][j]`` is the cost of travelling from point ``i`` to point ``j``; the diagonal is 0.
    Matrices need not be symmetric.
    """

    durations: np.ndarray
    distances: np.ndarray

    def __post_init__(self) -> None:
        dur = np.asarray(self.durations, dtype=np.int64)
        dist = np.asarray(self.distances, dtype=np.int64)
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


class TravelModel(ABC):
    """Computes travel matrices for a list of (valid) points."""

    @abstractmethod
    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        """Return duration (s) and distance (m) matrices for ``points``, in the given order."""


def _haversine_matrix(points: Sequence[Point]) -> np.ndarray:
    wgs = [p.to_wgs84() for p in points]
    lat = np.radians(np.array([p.lat for p in wgs], dtype=float))
    lng = np.radians(np.array([p.lng for p in wgs], dtype=float))
    dphi = lat[:, None] - lat[None, :]
    dlmb = lng[:, None] - lng[None, :]
    h = np.sin(dphi / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.minimum(1.0, np.sqrt(h)))


@dataclass(frozen=True)
class HaversineTravel(TravelModel):
    """Offline estimate: great-circle distance × ``detour_factor`` driven at ``speed_kmh``.

    The default (×1.3 at 30 km/h) is a typical Chinese city-centre driving estimate.
    """

    detour_factor: float = 1.3
    speed_kmh: float = 30.0

    def __post_init__(self) -> None:
        if not (self.detour_factor >= 1.0 and math.isfinite(self.detour_factor)):
            raise ValueError("detour_factor must be a finite number >= 1")
        if not (self.speed_kmh > 0 and math.isfinite(self.speed_kmh)):
            raise ValueError("speed_kmh must be a positive finite number")

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
