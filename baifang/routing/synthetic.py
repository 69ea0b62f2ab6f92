"""Deterministic synthetic territories (clustered customers around a real Chinese city).

Used by the benchmarks, the tests and demo data. Coordinates are GCJ-02, as an AMap export would be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from .geo import CRS, Point

__all__ = ["CITY_CENTRES", "SyntheticCustomer", "generate_city_customers", "weekdays_from"]

#: City centres (GCJ-02): 杭州 West Lake area, 上海 People's Square, 成都 Tianfu Square.
CITY_CENTRES: dict[str, Point] = {
    "hangzhou": Point(30.2741, 120.1551, CRS.GCJ02),
    "shanghai": Point(31.2304, 121.4737, CRS.GCJ02),
    "chengdu": Point(30.6570, 104.0657, CRS.GCJ02),
}


@dataclass(frozen=True)
class SyntheticCustomer:
    """A generated customer: id, location, visits per month and service minutes."""

    id: str
    point: Point
    visits: int
    service_s: int


def generate_city_customers(
    n: int = 500,
    *,
    seed: int = 0,
    city: str = "hangzhou",
    clusters: int = 8,
    radius_km: float = 12.0,
    frequency_mix: tuple[tuple[int, float], ...] = ((1, 0.85), (2, 0.12), (4, 0.03)),
    service_minutes: tuple[int, int] = (5, 15),
) -> list[SyntheticCustomer]:
    """Return ``n`` customers in ``clusters`` districts within ``radius_km`` of the city centre.

    ``frequency_mix`` lists (visits per month, share) pairs: the default is 85% monthly, 12% twice
    a month and 3% weekly customers. Same arguments → same customers.
    """
    rng = np.random.default_rng(seed)
    centre = CITY_CENTRES[city]
    km_lat = 1 / 110.574
    km_lng = 1 / (111.320 * math.cos(math.radians(centre.lat)))
    ang = rng.uniform(0, 2 * math.pi, clusters)
    dist = radius_km * np.sqrt(rng.uniform(0.05, 1.0, clusters))
    sigma = rng.uniform(0.8, 2.5, clusters)
    weights = rng.uniform(0.5, 1.5, clusters)
    weights /= weights.sum()
    which = rng.choice(clusters, size=n, p=weights)
    dx = dist[which] * np.cos(ang[which]) + rng.normal(0, 1, n) * sigma[which]
    dy = dist[which] * np.sin(ang[which]) + rng.normal(0, 1, n) * sigma[which]
    freqs = [f for f, _ in frequency_mix]
    shares = np.array([s for _, s in frequency_mix], dtype=float)
    visits = rng.choice(freqs, size=n, p=shares / shares.sum())
    service = rng.integers(service_minutes[0], service_minutes[1] + 1, n) * 60
    return [
        SyntheticCustomer(
            id=f"C{i:04d}",
            point=Point(
                round(centre.lat + dy[i] * km_lat, 6), round(centre.lng + dx[i] * km_lng, 6), CRS.GCJ02
            ),
            visits=int(visits[i]),
            service_s=int(service[i]),
        )
        for i in range(n)
    ]


def weekdays_from(first: date, count: int) -> list[date]:
    """``count`` Monday–Friday dates from ``first`` (no holiday calendar: callers supply real days)."""
    days: list[date] = []
    d = first
    while len(days) < count:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days
