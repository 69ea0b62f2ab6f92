"""Complaint services: intake, routing, hand-on, the handling steps, the valid-complaint counts
(R-COMP-1..4, R-OBL-3). Views and the API call these; each locks the complaint row it changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.complaints.choices import VALID_COMPLAINTS_FLAG, VALID_STATUSES
from baifang.complaints.models import Complaint, ComplaintCategory, ComplaintHandOn
from baifang.complaints.querysets import is_complaint_desk, seeing_condition
from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.core.models import Notification
from baifang.rules import events
from baifang.rules.choices import EventKind, SpecialTrigger
from baifang.rules.services import raise_special_visit

# The steps a complaint's owner takes (the names of Complaint.workflow's transitions and their methods).
STEPS = ("investigate", "find_valid", "find_not_valid", "rectify", "recheck", "ask_satisfaction", "close")


# --- who may take, see and own complaints ----------------------------------------------------------


def intake_customers(user):
    """The customers ``user`` may register a complaint for: all for customer service, else those they see."""
    from baifang.customers.models import Customer

    if is_complaint_desk(user):
        return Customer.objects.filter(merged_into__isnull=True)
    return Customer.objects.visible_to(user)


def may_take_complaints(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def may_see_customer_of(user, complaint: Complaint) -> bool:
    """A hand-on's receiver must be able to see the complaint's customer (R-COMP-1): through the
    archive, as customer service (company-wide), or as the department the information goes to."""
    if user is None or not user.is_active:
        return False
    condition = seeing_condition(user, with_owner=False)
    qs = Complaint.objects.filter(pk=complaint.pk)
    return qs.exists() if condition is None else qs.filter(condition).exists()


# --- routing (R-COMP-4) -------------------------------------------------------------------------------


def route_for(category: ComplaintCategory, customer):
    """The unit a category's information goes to: the one set in the admin, else a unit named as the
    seed says (技术质检部 …), else (service categories) the department of the customer's unit."""
    from baifang.org.models import OrgUnit

    if category.unit_id:
        return category.unit
    names = [n.strip() for n in category.department_names.replace(",", "、").split("、") if n.strip()]
    if names:
        unit = OrgUnit.objects.filter(name__in=names).order_by("path").first()
        if unit is not None:
            return unit
    if category.to_customer_department and customer.unit_id:
        return customer.unit.get_department()
    return None


# --- intake (R-COMP-1, R-COMP-3 → R-OBL-3) ----------------------------------------------------------


@dataclass(frozen=True)
class Intake:
    customer: object
    channel: str
    category: ComplaintCategory
    subject: str
    description: str
    complainant: str = ""
    complainant_phone: str = ""
    received_at: dt.datetime | None = None
    touch: object = None


def receive(intake: Intake, *, by, key: str = "") -> Complaint:
    """Register a complaint: ``by`` is its first receiver and owner (首问负责制), the category routes its
    information (R-COMP-4), the customer's owner owes a special visit (R-OBL-3). A repeated ``key``
    (double submit, retried call) returns the complaint the first call registered."""
    if not may_take_complaints(by):
        raise PermissionDenied
    key = (key or "").strip()[:64]
    if key:
        existing = Complaint.objects.filter(intake_key=key).first()
        if existing is not None:
            if existing.received_by_id != by.pk:
                raise ValidationError(
                    {
                        "intake_key": ValidationError(
                            _("This key was used for another complaint."), code="duplicate"
                        )
                    }
                )
            return existing
    if not intake_customers(by).filter(pk=intake.customer.pk).exists():
        raise ValidationError(
            {"customer": ValidationError(_("Choose a customer you can see."), code="invalid")}
        )
    if not intake.category.is_active:
        raise ValidationError(
            {"category": ValidationError(_("This category is no longer used."), code="invalid")}
        )
    if intake.touch is not None and intake.touch.customer_id != intake.customer.pk:
        raise ValidationError(
            {"touch": ValidationError(_("The visit is not with this customer."), code="invalid")}
        )
    received_at = intake.received_at or timezone.now()
    if received_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError(
            {
                "received_at": ValidationError(
                    _("A complaint cannot be received in the future."), code="future"
                )
            }
        )
    if not intake.subject.strip() or not intake.description.strip():
        raise ValidationError(
            {
                name: ValidationError(_("This field is required."), code="required")
                for name in ("subject", "description")
                if not getattr(intake, name).strip()
            }
        )
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                customer=intake.customer,
                channel=intake.channel,
                category=intake.category,
                subject=intake.subject.strip(),
                description=intake.description.strip(),
                complainant=intake.complainant.strip(),
                complainant_phone=intake.complainant_phone.strip(),
                received_at=received_at,
                received_by=by,
                owner=by,
                touch=intake.touch,
                routed_unit=route_for(intake.category, intake.customer),
                intake_key=key or None,
            )
            complaint.special_visit = raise_special_visit(
                intake.customer,
                trigger=SpecialTrigger.COMPLAINT,
                by=by,
                note=f"{complaint.reference} {complaint.subject}"[:300],
                reference=f"complaint:{complaint.pk}",
            )
            complaint.save(update_fields=["special_visit", "updated_at"])
            audit.record(AuditAction.CREATE, complaint, user=by, after={"status": complaint.status})
    except IntegrityError:  # the same key won in a concurrent request
        if key:
            return Complaint.objects.get(intake_key=key)
        raise
    _tell_routed_unit(complaint)
    return complaint


def _tell_routed_unit(complaint: Complaint) -> None:
    """The managers of the department the information goes to hear of it (R-COMP-4)."""
    if complaint.routed_unit is None:
        return
    text = _("Complaint %(ref)s (%(category)s) from %(customer)s: %(subject)s") % {
        "ref": complaint.reference,
        "category": complaint.category.name,
        "customer": complaint.customer.name,
        "subject": complaint.subject,
    }
    Notification.objects.send_many(
        Notification.objects.compose(
            manager, "complaint_routed", complaint, text=text, dedup_key=f"complaint-routed:{complaint.pk}"
        )
        for manager in complaint.routed_unit.managers()
        if manager.pk != complaint.owner_id
    )


# --- hand-on (首问负责制, R-COMP-1) --------------------------------------------------------------------


@transaction.atomic
def hand_on(complaint: Complaint, *, by, to, note: str) -> ComplaintHandOn:
    """The owner hands the complaint on; the receiver must exist, be active and able to see the
    customer; the hand-on is history and the new owner is told."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.owner_id != by.pk:
        raise PermissionDenied(_("Only the complaint's current owner can hand it on."))
    if not complaint.is_open:
        raise ValidationError(_("A closed complaint is not handed on."), code="invalid_transition")
    errors = {}
    if to is None:
        errors["to_user"] = ValidationError(_("Choose who takes the complaint over."), code="required")
    elif to.pk == by.pk:
        errors["to_user"] = ValidationError(_("You already own this complaint."), code="invalid")
    elif not to.is_active or not may_see_customer_of(to, complaint):
        errors["to_user"] = ValidationError(
            _("%(person)s cannot see this customer and cannot take the complaint over.") % {"person": to},
            code="invalid",
        )
    if not note.strip():
        errors["note"] = ValidationError(_("Say why you hand the complaint on."), code="required")
    if errors:
        raise ValidationError(errors)
    row = ComplaintHandOn.objects.create(complaint=complaint, from_user=by, to_user=to, note=note.strip())
    complaint.owner = to
    complaint.save(update_fields=["owner", "updated_at"])
    audit.record(
        AuditAction.HANDOVER,
        complaint,
        user=by,
        before={"owner": by.pk},
        after={"owner": to.pk},
        message=note,
    )
    Notification.objects.send(
        to,
        "complaint_handed_on",
        complaint,
        text=_("%(person)s handed complaint %(ref)s of %(customer)s on to you: %(note)s")
        % {"person": by, "ref": complaint.reference, "customer": complaint.customer.name, "note": note},
        dedup_key=f"complaint-hand-on:{row.pk}",
    )
    return row


# --- the handling steps (R-COMP-2) ------------------------------------------------------------------


@transaction.atomic
def advance(complaint: Complaint, step: str, *, by, **data) -> Complaint:
    """Take one step of the flow (``step`` one of STEPS) on the locked row; the model checks who and
    from which state, and that the step's record is there."""
    if step not in STEPS:
        raise ValueError(step)
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    getattr(locked, step)(by=by, **data)
    if step == "close":  # the complaint return visit (R-FREQ-9, seed 004 投诉回访)
        events.happened(
            locked.customer,
            EventKind.COMPLAINT_CLOSED,
            ref=f"complaint:{locked.pk}",
            on=timezone.localdate(locked.closed_at),
            by=by,
        )
    return locked


# --- R-COMP-3: valid complaints per unit and person and year ------------------------------------------


@dataclass(frozen=True)
class ValidCount:
    kind: str  # "unit" or "person"
    id: int
    name: str
    year: int
    count: int

    @property
    def flagged(self) -> bool:
        """R-COMP-3: 3 or more valid complaints in a year — no award that year (R-KPI-4)."""
        return self.count >= VALID_COMPLAINTS_FLAG


def valid_complaints(qs):
    return qs.filter(is_valid=True, status__in=VALID_STATUSES, decided_at__isnull=False)


def valid_counts(user, year: int, *, flagged_only: bool = False) -> list[ValidCount]:
    """Per responsible unit and per responsible person, the complaints found valid in ``year`` (by the
    date of the finding), among the complaints ``user`` sees; most first. One query per kind."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    base = valid_complaints(Complaint.objects.visible_to(user)).filter(
        decided_at__gte=start, decided_at__lt=end
    )
    rows: list[ValidCount] = []
    for kind, field, names in (
        ("unit", "responsible_unit", ("responsible_unit__name",)),
        (
            "person",
            "responsible_person",
            ("responsible_person__display_name", "responsible_person__username"),
        ),
    ):
        grouped = (
            base.filter(**{f"{field}__isnull": False})
            .values(f"{field}_id", *names)
            .annotate(n=models.Count("pk"))
            .order_by("-n", *names)
        )
        if flagged_only:
            grouped = grouped.filter(n__gte=VALID_COMPLAINTS_FLAG)
        for row in grouped:
            label = next((row[n] for n in names if row[n]), "")
            rows.append(ValidCount(kind, row[f"{field}_id"], label, year, row["n"]))
    return rows


OWNER_CHOICES = 20  # matches shown while typing in the owner filter


def owners_matching(user, term: str, *, chosen: int | None = None) -> list:
    """The owner filter's choices for a typed name or username: active people who own a complaint
    ``user`` sees, and ``user`` (at most OWNER_CHOICES, by username; an empty term lists the first).
    ``chosen`` (the owner filtered by now) comes first when it is one of them, matching or not."""
    from baifang.org.models import User

    owners = Complaint.objects.visible_to(user).order_by().values("owner_id")
    people = User.objects.filter(is_active=True).filter(models.Q(pk__in=owners) | models.Q(pk=user.pk))
    if term:
        named = models.Q(display_name__icontains=term) | models.Q(username__icontains=term)
        people = people.filter(named | models.Q(pk=chosen) if chosen else named)
    found = list(people.order_by("username")[: OWNER_CHOICES + 1])
    first = [p for p in found if p.pk == chosen]
    return (first + [p for p in found if p.pk != chosen])[:OWNER_CHOICES]


def years_with_complaints(user) -> list[int]:
    years = (
        valid_complaints(Complaint.objects.visible_to(user))
        .annotate(y=ExtractYear("decided_at"))
        .values_list("y", flat=True)
        .distinct()
    )
    return sorted({*years, timezone.localdate().year}, reverse=True)


# --- export ---------------------------------------------------------------------------------------


def export_rows(user, queryset, *, filters: dict | None = None) -> list[Complaint]:
    """The complaints of the list for the Excel export; the export is audited with its filter (R-SEC-1).

    No column holds a contact's personal fields (customers.PERSONAL_FIELDS), so no export permission
    beyond seeing the complaints is needed (docs/admin-guide.md).
    """
    rows = list(queryset.for_list().select_related("responsible_person"))
    used = {k: v for k, v in (filters or {}).items() if v not in ("", None, [])}
    audit.record(
        AuditAction.EXPORT,
        user=user,
        object_type="complaints.complaint",
        after={"filter": used, "personal_fields": [], "rows": len(rows)},
        message=f"{len(rows)} complaints exported" + (f"; filter {used}" if used else "; no filter"),
    )
    return rows
