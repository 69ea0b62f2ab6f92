"""Touch channels, visit-record statuses, fake-visit flags and location-proposal statuses (SPEC vocabulary: a touch is any recorded contact; a visit is an on-site touch)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from baifang.visits import engine


class Channel(models.TextChoices):
    VISIT = "visit", _("On-site visit")
    INVITED = "invited", _("Invited visit at our office")
    PHONE = "phone", _("Phone call")
    ONLINE = "online", _("Online chat")
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")
    OTHER = "other", _("Other")


# Channels logged quickly, without check-in or record (R-VISIT-5).
QUICK_CHANNELS = (Channel.PHONE, Channel.ONLINE, Channel.SMS, Channel.EMAIL, Channel.OTHER)


class FlagKind(models.TextChoices):
    """Why a visit looks doubtful (R-VISIT-1, R-VISIT-2, R-VISIT-4); values are the engine's."""

    NO_LOCATION = engine.NO_LOCATION, _("No location")
    FAR = engine.FAR, _("Far from the customer")
    TOO_SHORT = engine.TOO_SHORT, _("Too short")
    SPEED = engine.SPEED, _("Impossible travel speed")
    REUSED = engine.REUSED, _("Coordinates reused")
    OUTSIDE_HOURS = engine.OUTSIDE_HOURS, _("Outside business hours")
    LATE_RECORD = engine.LATE_RECORD, _("Record late")
    OVERLAP = engine.OVERLAP, _("Another visit still open")
    CLOCK = engine.CLOCK, _("Phone clock wrong")


class CountState(models.TextChoices):
    """Whether a touch counts toward obligations (R-VISIT-8); values are the engine's."""

    COUNTED = engine.COUNTED, _("Counted")
    PENDING_REVIEW = engine.PENDING_REVIEW, _("Pending review")
    NOT_COUNTED = engine.NOT_COUNTED, _("Not counted")


class ReviewDecision(models.TextChoices):
    """A supervisor's decision on a visit held for review by a serious flag (R-VISIT-8)."""

    NONE = "", _("Not reviewed")
    ACCEPTED = engine.ACCEPTED, _("Accepted")
    REJECTED = engine.REJECTED, _("Rejected")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SIGNED = "signed", _("Signed by supervisor")
    RETURNED = "returned", _("Returned")


class Purpose(models.TextChoices):
    """Visit purposes (R-PLAN-1)."""

    NEEDS = "needs", _("Learn needs")
    SELL = "sell", _("Sell products")
    SOLVE = "solve", _("Solve problems")
    COLLECT = "collect", _("Collect payment")
    NEW_PRODUCT = "new_product", _("Promote new products")
    RELATIONSHIP = "relationship", _("Maintain the relationship")
    COMPLAINT = "complaint", _("Handle a complaint")
    OTHER = "other", _("Other")


class SignatureMethod(models.TextChoices):
    NONE = "", _("Not signed")
    DRAWN = "drawn", _("Signed on screen")
    TYPED = "typed", _("Typed confirmation")


class IdempotentAction(models.TextChoices):
    CHECK_IN = "check_in", _("Check-in")
    CHECK_OUT = "check_out", _("Check-out")
    RECORD = "record", _("Record submit")
    PHOTO = "photo", _("Photo upload")
    TOUCH = "touch", _("Touch logged")
    APPOINTMENT = "appointment", _("Appointment made")
    QUESTION = "question", _("Question recorded")
    COMMITMENT = "commitment", _("Commitment added")


class ProposalStatus(models.TextChoices):
    """A customer location proposed from a check-in, waiting for the supervisor (R-VISIT-1)."""

    PROPOSED = "proposed", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
