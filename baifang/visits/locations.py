"""Customer locations from the first precise check-in, confirmed by the supervisor (R-VISIT-1).

A customer without coordinates cannot be checked for distance; the first check-in there with a good
GPS reading (accuracy ≤ ``LOCATION_PROPOSAL_MAX_ACCURACY_M``, not flagged for speed or reused
coordinates) proposes its position. Only a confirmation writes the customer, through
``customers.services.update_customer`` so field history keeps it; both decisions are audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.core.models import Notification
from baifang.customers.models import Customer
from baifang.org.choices import UNIT_MANAGER_KINDS, PositionKind
from baifang.visits import conf, engine
from baifang.visits.choices import ProposalStatus
from baifang.visits.models import LocationProposal, Touch

# Check-ins with these flags may have a faked position: they never propose a location.
DOUBTFUL = frozenset({engine.SPEED, engine.REUSED})


def propose_from_check_in(touch: Touch, flag_kinds: set[str]) -> LocationProposal | None:
    """Propose the customer's location from this check-in when it is the first good one."""
    customer = touch.customer
    if customer.has_location or touch.point is None or flag_kinds & DOUBTFUL:
        return None
    if not engine.good_fix(touch.accuracy_m, int(conf.setting("LOCATION_PROPOSAL_MAX_ACCURACY_M"))):
        return None
    if LocationProposal.objects.pending().filter(customer=customer).exists():
        return None
    try:
        with transaction.atomic():
            proposal = LocationProposal.objects.create(
                customer=customer,
                touch=touch,
                latitude=touch.latitude,
                longitude=touch.longitude,
                coordinate_system=touch.coordinate_system,
                accuracy_m=touch.accuracy_m,
            )
    except IntegrityError:
        return None  # a concurrent check-in proposed first
    supervisor = touch.user.supervisor
    if supervisor is not None:
        Notification.objects.send(
            supervisor,
            "location_proposal",
            reverse("visits:locations"),
            text=_("Confirm the location of %(customer)s from a check-in by %(rep)s.")
            % {"customer": customer.name, "rep": touch.user},
            dedup_key=f"location-proposal:{proposal.pk}",
        )
    return proposal


def location_queue(user):
    """Pending proposals the user decides: reps they supervise, or a manager's scope.

    Deciding writes the customer's archive, so read-only grants never reach the queue (R-ARCH-8).
    """
    base = (
        LocationProposal.objects.visible_to(user)
        .filter(customer__in=Customer.objects.editable_by(user).values("pk"))
        .pending()
        .exclude(touch__user=user)
    )
    if not user.has_position(*UNIT_MANAGER_KINDS, PositionKind.ADMIN):
        base = base.filter(touch__user__supervisor_override=user)
    return base.for_lists().order_by("created_at", "pk")


def may_decide(user, proposal: LocationProposal) -> bool:
    """Whether the proposal is in the user's queue; a decided one says so instead of refusing."""
    if proposal.status != ProposalStatus.PROPOSED:
        raise ValidationError(_("This location was already decided."))
    return location_queue(user).filter(pk=proposal.pk).exists()


def _claim(proposal: LocationProposal, user, status: str, note: str) -> None:
    """Decide once: two supervisors pressing at the same time never both win."""
    updated = LocationProposal.objects.filter(pk=proposal.pk, status=ProposalStatus.PROPOSED).update(
        status=status, decided_by=user, decided_at=timezone.now(), note=note
    )
    if updated != 1:
        raise ValidationError(_("This location was already decided."))
    proposal.refresh_from_db()


def _coordinates(customer) -> dict:
    return {
        "latitude": None if customer.latitude is None else str(customer.latitude),
        "longitude": None if customer.longitude is None else str(customer.longitude),
        "coordinate_system": customer.coordinate_system,
    }


@transaction.atomic
def confirm_location(user, proposal: LocationProposal, *, note: str = "") -> LocationProposal:
    """Write the proposed coordinates to the customer, with field history and an audit entry."""
    from baifang.customers.services import update_customer

    if not may_decide(user, proposal):
        raise PermissionDenied
    customer = Customer.objects.select_for_update().get(pk=proposal.customer_id)
    if customer.has_location:
        raise ValidationError(_("The customer has a location already; reject the proposal instead."))
    _claim(proposal, user, ProposalStatus.CONFIRMED, (note or "").strip())
    before = _coordinates(customer)
    customer.latitude, customer.longitude = proposal.latitude, proposal.longitude
    customer.coordinate_system = proposal.coordinate_system
    update_customer(customer, by=user)
    audit.record(
        AuditAction.APPROVE,
        proposal,
        user=user,
        before=before,
        after=_coordinates(customer),
        message=_("Customer location confirmed from a check-in."),
    )
    return proposal


@transaction.atomic
def reject_location(user, proposal: LocationProposal, *, note: str) -> LocationProposal:
    """Refuse a proposed location with the reason; a later good check-in may propose again."""
    if not may_decide(user, proposal):
        raise PermissionDenied
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the location is rejected.")})
    _claim(proposal, user, ProposalStatus.REJECTED, note.strip())
    audit.record(AuditAction.REJECT, proposal, user=user, message=note.strip())
    return proposal
