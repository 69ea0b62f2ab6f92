"""Visit models: touches and records (R-VISIT-1..5) and proposed customer locations.

Appointments, open questions and commitments live in ``baifang.followups``."""

from baifang.visits.models.locations import LocationProposal
from baifang.visits.models.stock import StockCount
from baifang.visits.models.touches import (
    IdempotencyKey,
    RecordStatusChange,
    Touch,
    VisitChecklist,
    VisitFlag,
    VisitPhoto,
    VisitRecord,
)

__all__ = [
    "IdempotencyKey",
    "LocationProposal",
    "RecordStatusChange",
    "StockCount",
    "Touch",
    "VisitChecklist",
    "VisitFlag",
    "VisitPhoto",
    "VisitRecord",
]
