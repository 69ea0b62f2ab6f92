"""Follow-up models: appointments (R-VISIT-6), open questions (R-VISIT-7) and commitments (R-FU-1).

Their tables keep the names they had in visits (``visits_appointment`` …): the split moved no data.
"""

from baifang.followups.models.appointments import Appointment, AppointmentChange
from baifang.followups.models.followup import (
    Commitment,
    CommitmentStatusChange,
    OpenQuestion,
    QuestionStatusChange,
)
from baifang.followups.models.opportunities import (
    LostOrder,
    LostReason,
    Opportunity,
    OpportunityStageChange,
)
from baifang.followups.models.records import (
    FollowUpRecord,
    StageHint,
    StageMove,
    StageScheme,
    TouchReminderRule,
)
from baifang.followups.models.showroom import DutySlot, Registration, Showroom

__all__ = [
    "Appointment",
    "AppointmentChange",
    "Commitment",
    "CommitmentStatusChange",
    "DutySlot",
    "LostOrder",
    "LostReason",
    "Opportunity",
    "OpportunityStageChange",
    "OpenQuestion",
    "QuestionStatusChange",
    "Registration",
    "Showroom",
    "FollowUpRecord",
    "StageHint",
    "StageMove",
    "StageScheme",
    "TouchReminderRule",
]
