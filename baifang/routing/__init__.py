"""Baifang route engine (R-ROUTE-1..4): day routes, visits to days, call load, channel width; no Django.

Dataclasses in, dataclasses out. See ``docs/routing.md`` for the API, solver choice and benchmarks.
"""

from .call_load import (
    WEEKS_PER_PERIOD,
    CallLoad,
    ChannelWidth,
    ContactFrequency,
    DayCalls,
    Period,
    TierFrequency,
    call_load,
    channel_width_cap,
)
from .day_route import schedule_route, solve_day_route
from .geo import CRS, Point, haversine_m, point_problem
from .models import DayRoute, DayRouteRequest, Objective, Stop, TimeWindow, Visit, hhmm
from .reasons import REASON_TEXT, Reason, Unassigned
from .sequencing import path_cost, solve_tsp
from .territory import assign_days
from .travel import OSRM_FALLBACK_NOTE, HaversineTravel, MatrixTravel, OsrmTravel, TravelMatrices, TravelModel
from .vrp import UNBOUNDED, VrpClient, VrpProblem, VrpRoute, VrpSolution, VrpVehicleType, solve_vrp

__all__ = [
    "CRS",
    "REASON_TEXT",
    "UNBOUNDED",
    "WEEKS_PER_PERIOD",
    "CallLoad",
    "ChannelWidth",
    "ContactFrequency",
    "DayCalls",
    "DayRoute",
    "DayRouteRequest",
    "HaversineTravel",
    "MatrixTravel",
    "OSRM_FALLBACK_NOTE",
    "OsrmTravel",
    "Objective",
    "Period",
    "Point",
    "Reason",
    "Stop",
    "TierFrequency",
    "TimeWindow",
    "TravelMatrices",
    "TravelModel",
    "Unassigned",
    "Visit",
    "VrpClient",
    "VrpProblem",
    "VrpRoute",
    "VrpSolution",
    "VrpVehicleType",
    "assign_days",
    "call_load",
    "channel_width_cap",
    "haversine_m",
    "hhmm",
    "path_cost",
    "point_problem",
    "schedule_route",
    "solve_day_route",
    "solve_tsp",
    "solve_vrp",
]
