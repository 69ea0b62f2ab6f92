"""The one adapter from the ORM to the plain routing engine (R-ROUTE-1): customers → stops, reps → bases,
a day's stops → a ``DayRouteRequest``. Maps and plans both build their route requests here (plans sit on
the floor of maps and lean on it; maps never imports plans). A customer's location is ``Customer.point``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _

from baifang.routing import (
    DayRoute,
    DayRouteRequest,
    HaversineTravel,
    OsrmTravel,
    Point,
    Stop,
    TimeWindow,
    TravelModel,
    solve_day_route,
)

DEFAULT_SERVICE_MINUTES = 15
MAX_STOPS = 60


def business_window(customer) -> tuple[TimeWindow, ...]:
    """Business hours as a service window (service must start by closing time minus a quarter hour)."""
    if customer.opens_at and customer.closes_at and customer.closes_at > customer.opens_at:
        start = customer.opens_at.hour * 3600 + customer.opens_at.minute * 60
        end = customer.closes_at.hour * 3600 + customer.closes_at.minute * 60 - 15 * 60
        if end > start:
            return (TimeWindow(start, end),)
    return ()


def rep_base(user, customers=()) -> tuple[Point | None, str]:
    """The rep's unit office, else the nearest ancestor's, else the centroid of their customers."""
    unit = user.unit
    chain = [unit, *reversed(unit.ancestors())] if unit else []
    for office in chain:
        if office.latitude is not None and office.longitude is not None:
            point = Point(float(office.latitude), float(office.longitude), office.coordinate_system)
            return point, _("Office of %(unit)s") % {"unit": office.name}
    points = [c.point.to_wgs84() for c in customers if c.point is not None]
    if not points:
        return None, ""
    centre = Point(
        sum(p.lat for p in points) / len(points), sum(p.lng for p in points) / len(points), "WGS84"
    )
    return centre, _("Centre of the customers (no office location set)")


def customer_stop(key: str, customer, service_s: int) -> Stop:
    """A stop at the customer, ``service_s`` seconds long, within its business hours."""
    return Stop(key, customer.point, service_s, business_window(customer))


@lru_cache(maxsize=4)
def _travel(url: str, profile: str, timeout: int) -> TravelModel:
    return OsrmTravel(url, profile=profile, timeout=timeout) if url else HaversineTravel()


def travel_model() -> TravelModel:
    """The travel model of the settings: road times from the intranet OSRM server when
    ``ROUTING_OSRM_URL`` is set (one instance per configuration, so its matrix cache is shared by every
    request of the process), else straight-line estimates. A server that fails falls back to the
    estimate and says so on the route (``DayRoute.travel_note``); docs/routing.md."""
    conf = settings.BAIFANG
    return _travel(
        conf.get("ROUTING_OSRM_URL", ""),
        conf.get("ROUTING_OSRM_PROFILE", "driving"),
        conf.get("ROUTING_OSRM_TIMEOUT_SECONDS", 5),
    )


def day_request(
    start: Point, stops: list[Stop], day: dt.date, *, max_visits: int | None = None, time_limit: float
) -> DayRouteRequest:
    """A day's route request from ``start`` over the working hours of the settings, seeded by ``day``."""
    return DayRouteRequest(
        start=start,
        stops=stops,
        max_visits=max_visits,
        time_limit=time_limit,
        seed=day.toordinal(),
        day_start=settings.BAIFANG["DAY_START_MINUTES"] * 60,
        day_end=settings.BAIFANG["DAY_END_MINUTES"] * 60,
        travel=travel_model(),
    )


@dataclass
class SuggestedDay:
    """Today's suggested route from the due list, with the customers it covers."""

    route: DayRoute | None
    customers: dict[str, object]
    base: Point | None
    base_label: str
    service_minutes: dict[str, int]


def suggested_day(
    user,
    day: dt.date,
    *,
    viewer=None,
    base: Point | None = None,
    max_visits: int = 15,
    time_limit: float = 0.5,
) -> SuggestedDay:
    """Route the rep's most urgent due customers for ``day`` from their base (R-ROUTE-1).

    Only customers the ``viewer`` (default: the rep) may see take part (R-SEC-1).
    """
    from baifang.rules.services import due_list

    due = due_list(user, day, limit=500, viewer=viewer)
    customers: dict[str, object] = {}
    service: dict[str, int] = {}
    for obligation in due:
        key = str(obligation.customer_id)
        if key in customers or len(customers) >= MAX_STOPS or obligation.rule.channel not in ("visit", "any"):
            continue
        customers[key] = obligation.customer
        service[key] = obligation.rule.min_duration_minutes or DEFAULT_SERVICE_MINUTES
    start, label = (base, _("Chosen start point")) if base else rep_base(user, customers.values())
    if start is None:
        return SuggestedDay(None, customers, None, "", service)
    stops = [customer_stop(key, c, service[key] * 60) for key, c in customers.items()]
    request = day_request(start, stops, day, max_visits=max_visits, time_limit=time_limit)
    return SuggestedDay(solve_day_route(request), customers, start, label, service)


def display_point(point: Point) -> tuple[float, float]:
    """Coordinates as the map draws them: in the tiles' datum (WGS-84 without tiles, as the bundled
    province boundaries are), docs/maps.md."""
    shown = point.to_crs(settings.BAIFANG["MAP_TILES"].crs)
    return round(shown.lat, 6), round(shown.lng, 6)
