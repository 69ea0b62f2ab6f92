"""Visit models: touches and records (R-VISIT-1..5), appointments (R-VISIT-6), open questions
(R-VISIT-7), commitments (R-FU-1) and proposed customer locations."""

from baifang.visits.models.appointments import Appointment, AppointmentChange
from baifang.visits.models.followup import Commitment, OpenQuestion
from baifang.visits.models.locations import LocationProposal
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
    "Appointment",
    "AppointmentChange",
    "Commitment",
    "IdempotencyKey",
    "LocationProposal",
    "OpenQuestion",
    "RecordStatusChange",
    "Touch",
    "VisitChecklist",
    "VisitFlag",
    "VisitPhoto",
    "VisitRecord",
]
