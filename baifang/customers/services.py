"""Archive services: registration, duplicates, hand-over, access requests, merge, export."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from baifang.core import audit
from baifang.core.calendar import add_workdays
from baifang.core.choices import AuditAction
from baifang.core.models import Notification
from baifang.core.validators import normalize_phone
from baifang.customers import signals
from baifang.customers.choices import AccessScope, AccessStatus, RegistrationStatus
from baifang.customers.exceptions import AccessDecisionError, DuplicateCustomer, NearDuplicateCustomer
from baifang.customers.models import (
    BOUNDED_FIELDS,
    AccessRequest,
    Contact,
    Customer,
    Handover,
    HandoverNotice,
    MajorChange,
    RegionDistributionLimit,
)
from baifang.customers.normalize import base_name, normalize_address, normalize_name
from baifang.customers.predicates import assignable_people, may_hand_over
from baifang.customers.regions import REGION_FIELDS, apply_region
from baifang.org.choices import PositionKind
from baifang.org.models import User


def handover_only_message() -> str:
    """Why owner, co-owners and unit cannot be edited (translated when raised)."""
    return _(
        "Owner, co-owners and unit change only through a hand-over (reassign the customer), "
        "which is previewed, audited and can be undone."
    )


def registration_workdays() -> int:
    return settings.BAIFANG["REGISTRATION_WORKDAYS"]


# --- duplicates (R-ARCH-9) ------------------------------------------------------------------


def find_duplicate(
    *, name: str, credit_code: str = "", phone: str = "", exclude_pk=None
) -> tuple[Customer, str] | None:
    """The existing customer this one would duplicate and why, or None."""
    candidates = Customer.objects.filter(merged_into__isnull=True)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    checks = [("name", Q(normalized_name=normalize_name(name)))]
    if credit_code:
        checks.append(("credit_code", Q(credit_code=credit_code.strip().upper())))
    if phone:
        checks.append(("phone", Q(phone=normalize_phone(phone))))
    for reason, condition in checks:
        existing = candidates.filter(condition).order_by("pk").first()
        if existing is not None:
            return existing, reason
    return None


def _duplicate_error(existing: Customer, reason: str) -> DuplicateCustomer:
    messages = {
        "name": _("A customer with the same name is already registered (code %(code)s)."),
        "credit_code": _(
            "A customer with the same unified social credit code is already registered (code %(code)s)."
        ),
        "phone": _("A customer with the same phone number is already registered (code %(code)s)."),
    }
    return DuplicateCustomer(messages[reason] % {"code": existing.code}, existing)


def check_not_duplicate(customer: Customer) -> None:
    """Raise DuplicateCustomer when ``customer`` repeats an archived one."""
    found = find_duplicate(
        name=customer.name, credit_code=customer.credit_code, phone=customer.phone, exclude_pk=customer.pk
    )
    if found:
        raise _duplicate_error(*found)


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", normalize_phone(phone))


def find_near_duplicate(customer: Customer) -> tuple[Customer, str] | None:
    """An archived customer with the same name once a branch suffix is dropped, at the same address
    or phone: "西湖泰恒便利店（万塘路店）" beside "西湖泰恒便利店" (R-ARCH-9). Returns it and the reason."""
    base = base_name(customer.name)
    if not base:
        return None
    addresses = {normalize_address(a) for a in (customer.registered_address, customer.delivery_address)} - {
        ""
    }
    phone = _digits(customer.phone)
    # Same-base names share the normalised prefix; the index on normalized_name serves the prefix match.
    candidates = (
        Customer.objects.filter(merged_into__isnull=True, normalized_name__startswith=base)
        .exclude(pk=customer.pk)
        .only("pk", "code", "name", "phone", "registered_address", "delivery_address")
        .order_by("pk")[:200]
    )
    for existing in candidates:
        if base_name(existing.name) != base:
            continue
        theirs = {normalize_address(a) for a in (existing.registered_address, existing.delivery_address)} - {
            ""
        }
        if addresses & theirs:
            return existing, "address"
        if phone and _digits(existing.phone) == phone:
            return existing, "phone"
    return None


def check_not_near_duplicate(customer: Customer) -> None:
    """Raise NearDuplicateCustomer, with a link to the existing record, unless the user confirmed."""
    found = find_near_duplicate(customer)
    if found is None:
        return
    existing, reason = found
    messages = {
        "address": _(
            "%(name)s (code %(code)s, %(url)s) has a similar name and the same address. If this is a "
            "different customer (another branch), confirm to register it anyway."
        ),
        "phone": _(
            "%(name)s (code %(code)s, %(url)s) has a similar name and the same phone number. If this is "
            "a different customer (another branch), confirm to register it anyway."
        ),
    }
    words = {"name": existing.name, "code": existing.code, "url": existing.get_absolute_url()}
    raise NearDuplicateCustomer(messages[reason] % words, existing)


# --- regional distribution limits (R-TIER-5) -----------------------------------------------

ACTIVE_DISTRIBUTOR_STATUSES = ("prospect", "active", "dormant")


def distribution_limit_for(customer: Customer) -> RegionDistributionLimit | None:
    """The most specific limit for the customer's region: district, then city, then province."""
    if not customer.province:
        return None
    levels = [("", "")]
    if customer.city:
        levels.insert(0, (customer.city, ""))
        if customer.district:
            levels.insert(0, (customer.city, customer.district))
    limits = {
        (limit.city, limit.district): limit
        for limit in RegionDistributionLimit.objects.filter(
            province=customer.province, city__in=["", customer.city]
        )
    }
    return next((limits[level] for level in levels if level in limits), None)


def check_distribution_limit(customer: Customer) -> None:
    """Refuse a distributor beyond its region's limit, naming the region and the existing ones' codes."""
    if customer.customer_type != "distributor" or customer.status not in ACTIVE_DISTRIBUTOR_STATUSES:
        return
    limit = distribution_limit_for(customer)
    if limit is None:
        return
    region = {"province": limit.province}
    if limit.city:
        region["city"] = limit.city
    if limit.district:
        region["district"] = limit.district
    existing = (
        Customer.objects.filter(
            customer_type="distributor",
            status__in=ACTIVE_DISTRIBUTOR_STATUSES,
            merged_into__isnull=True,
            **region,
        )
        .exclude(pk=customer.pk)
        .order_by("code")
    )
    codes = list(existing.values_list("code", flat=True)[: limit.max_distributors + 1])
    if len(codes) >= limit.max_distributors:
        raise ValidationError(
            _(
                "%(region)s is a %(kind)s region with at most %(max)d distributors and already has %(codes)s. "
                "Change the region's distribution type first."
            )
            % {
                "region": limit.region_label,
                "kind": limit.get_kind_display(),
                "max": limit.max_distributors,
                "codes": "、".join(codes),
            },
            code="distribution_limit",
        )


# --- registration (R-ARCH-5) ----------------------------------------------------------------


def registration_deadline(first_contact_on: dt.date) -> dt.date:
    """First contact + N Chinese working days (R-ARCH-5, R-CAL-1)."""
    return add_workdays(first_contact_on, registration_workdays())


@transaction.atomic
def check_assignable(by: User, *, owner: User | None, co_owners=()) -> None:
    """A new customer's owner and co-owners are people ``by`` may assign (R-ARCH-7, R-SEC-1).

    The page, the API and any import share this check (``assignable_people``): a rep names only
    themself, a manager the people of their units, an archive admin anyone active.
    """
    co_owners = list(co_owners)
    if owner is None and not co_owners:
        return
    allowed = set(assignable_people(by).values_list("pk", flat=True))
    message = _("You may name only yourself or people of your own units here.")
    errors = {}
    if owner is not None and owner.pk not in allowed:
        errors["owner"] = [ValidationError(message, code="invalid")]
    if any(user.pk not in allowed for user in co_owners):
        errors["co_owners"] = [ValidationError(message, code="invalid")]
    if errors:
        raise ValidationError(errors)


def create_customer(
    customer: Customer,
    *,
    by: User,
    co_owners=(),
    register: bool = True,
    confirm_near_duplicate: bool = False,
) -> Customer:
    """Archive a new customer met at ``first_contact_on``; refuses duplicates (R-ARCH-1, 5, 9).

    The owner (``by`` when none is set) and ``co_owners`` must be people ``by`` may assign
    (``check_assignable``). ``register=False`` keeps a quick stub awaiting registration (备案), which
    the daily task flags when its deadline passes. A near duplicate (same name but for a branch
    suffix, same address or phone) is refused until ``confirm_near_duplicate`` says it is another
    customer.
    """
    co_owners = list(co_owners)
    check_assignable(by, owner=customer.owner if customer.owner_id else None, co_owners=co_owners)
    customer.phone = normalize_phone(customer.phone)
    customer.check_values()
    apply_region(customer)
    check_not_duplicate(customer)
    if not confirm_near_duplicate:
        check_not_near_duplicate(customer)
    check_distribution_limit(customer)
    if customer.owner_id is None:
        customer.owner = by
    if customer.unit_id is None:
        customer.unit = customer.owner.unit
    customer.created_by = by
    customer.registration_due = registration_deadline(customer.first_contact_on)
    if register:
        _mark_registered(customer)
    else:
        customer.registration_status = RegistrationStatus.PENDING
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as exc:  # a concurrent registration won the race
        found = find_duplicate(name=customer.name, credit_code=customer.credit_code, phone=customer.phone)
        if found:
            raise _duplicate_error(*found) from exc
        raise
    if co_owners:
        customer.co_owners.set(co_owners)
    return customer


def _mark_registered(customer: Customer) -> None:
    now = timezone.now()
    customer.registration_status = RegistrationStatus.REGISTERED
    customer.registered_at = now
    customer.registered_late = timezone.localdate(now) > customer.registration_due


@transaction.atomic
def complete_registration(customer: Customer, *, by: User) -> Customer:
    """Register a pending customer; late when after its deadline (R-ARCH-5)."""
    if customer.registration_status == RegistrationStatus.REGISTERED:
        return customer
    _mark_registered(customer)
    customer.save(update_fields=["registration_status", "registered_at", "registered_late", "updated_at"])
    return customer


@transaction.atomic
def update_customer(customer: Customer, *, by: User) -> Customer:
    """Save edits to a customer; its field history is kept by django-simple-history (R-ARCH-4)."""
    customer.phone = normalize_phone(customer.phone)
    saved = Customer.objects.filter(pk=customer.pk).values(*BOUNDED_FIELDS, *REGION_FIELDS).first()
    customer.check_values(stored=saved)
    apply_region(customer, saved)
    check_not_duplicate(customer)
    check_distribution_limit(customer)
    stored = Customer.objects.filter(pk=customer.pk).values_list("owner_id", "unit_id").first()
    if stored is not None and stored != (customer.owner_id, customer.unit_id):
        raise ValidationError({"owner": handover_only_message()}, code="use_handover")
    customer.save()
    return customer


def notify_overdue_registrations(today: dt.date | None = None) -> int:
    """Notify owners (and their supervisors) of registrations past due; idempotent (R-ARCH-5)."""
    today = today or timezone.localdate()
    created = 0
    supervisors: dict[int, User | None] = {}
    for customer in Customer.objects.registration_overdue(today).select_related("owner", "owner__unit"):
        recipients = [customer.owner]
        if customer.owner_id not in supervisors:
            supervisors[customer.owner_id] = customer.owner.supervisor
        supervisor = supervisors[customer.owner_id]
        if supervisor is not None:
            recipients.append(supervisor)
        for user in recipients:
            created += Notification.objects.send(
                user,
                "registration_overdue",
                customer,
                text=_("Registration of %(name)s was due on %(due)s.")
                % {"name": customer.name, "due": customer.registration_due},
                dedup_key=f"registration-overdue:{customer.pk}",
            )
    return created


# --- major changes (R-ARCH-4) ---------------------------------------------------------------


@transaction.atomic
def record_major_change(change: MajorChange, *, by: User) -> MajorChange:
    """Record a dated major change; reports after 5 working days are flagged late (R-ARCH-5)."""
    change.clean_fields(exclude=["customer", "recorded_by", "report_due"])
    change.recorded_by = by
    change.report_due = add_workdays(change.occurred_on, registration_workdays())
    change.reported_late = timezone.localdate() > change.report_due
    change.save()
    return change


# --- hand-over (R-ARCH-7) -------------------------------------------------------------------
# Ownership, co-ownership and the responsible unit change only here: planned, previewed, confirmed,
# applied in one transaction, audited, and reversible by whoever may hand over (R-ARCH-7, R-SEC-1).


@dataclass(frozen=True)
class Ownership:
    """Who holds one customer: owner, responsible unit and co-owners."""

    owner_id: int
    unit_id: int | None
    co_owner_ids: tuple[int, ...]

    def as_dict(self) -> dict:
        return {"owner": self.owner_id, "unit": self.unit_id, "co_owners": list(self.co_owner_ids)}

    @classmethod
    def from_dict(cls, data: dict) -> Ownership:
        return cls(data["owner"], data["unit"], tuple(sorted(data["co_owners"])))


@dataclass
class CustomerMove:
    customer: Customer
    before: Ownership
    after: Ownership


@dataclass
class HandoverPlan:
    """What a hand-over would change, shown before it is confirmed; ``digest`` binds the confirmation."""

    from_user: User
    to_user: User
    moves: list[CustomerMove]
    special_visit_ids: list[int]
    approval_ids: list[int]
    screening_ids: list[int]
    customer: Customer | None = None
    deactivate: bool = False

    @property
    def digest(self) -> str:
        import hashlib
        import json

        payload = [
            self.from_user.pk,
            self.to_user.pk,
            [[m.customer.pk, m.before.as_dict(), m.after.as_dict()] for m in self.moves],
            self.special_visit_ids,
            self.approval_ids,
            self.screening_ids,
            self.deactivate,
        ]
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]

    def people(self) -> dict[int, User]:
        """Every person named in the moves, for showing names instead of ids."""
        ids = {i for m in self.moves for o in (m.before, m.after) for i in (o.owner_id, *o.co_owner_ids)}
        return User.objects.in_bulk(ids)

    def as_dict(self) -> dict:
        """The preview as the API returns it."""
        return {
            "from_user": self.from_user.pk,
            "to_user": self.to_user.pk,
            "customer": self.customer.pk if self.customer else None,
            "customers": [
                {
                    "id": m.customer.pk,
                    "code": m.customer.code,
                    "name": m.customer.name,
                    "before": m.before.as_dict(),
                    "after": m.after.as_dict(),
                }
                for m in self.moves
            ],
            "special_visits": self.special_visit_ids,
            "approvals": self.approval_ids,
            "draft_screenings": self.screening_ids,
            "deactivate": self.deactivate,
            "digest": self.digest,
        }


@dataclass
class HandoverResult:
    handover: Handover
    customers: int
    notices: int


def _ownerships(customers: list[Customer]) -> dict[int, Ownership]:
    through = Customer.co_owners.through
    co_owners: dict[int, list[int]] = {c.pk: [] for c in customers}
    for customer_id, user_id in through.objects.filter(customer_id__in=list(co_owners)).values_list(
        "customer_id", "user_id"
    ):
        co_owners[customer_id].append(user_id)
    return {c.pk: Ownership(c.owner_id, c.unit_id, tuple(sorted(co_owners[c.pk]))) for c in customers}


def _open_work(user: User, customers=None) -> tuple[list[int], list[int], list[int]]:
    """Open special visits, pending approvals and draft screenings that move with ``user``'s customers.

    Approvals are ours; the apps above list their own work on the ``open_work_to_hand_over`` signal.
    """
    approvals = AccessRequest.objects.filter(approver=user, status=AccessStatus.PENDING)
    if customers is not None:  # one customer's hand-over: that customer's work only, no approvals
        approvals = approvals.none()
    listed: dict[str, list[int]] = {}
    for _receiver, ids in signals.open_work_to_hand_over.send(
        sender=Handover, user=user, customers=customers
    ):
        listed.update(ids)
    return (
        sorted(listed.get("special_visits", [])),
        sorted(approvals.values_list("pk", flat=True)),
        sorted(listed.get("screenings", [])),
    )


def _check_successor(leaver: User, successor: User) -> None:
    if leaver.pk == successor.pk:
        raise AccessDecisionError(_("The successor must be a different person."))
    if not successor.is_active:
        raise AccessDecisionError(_("The successor's account is closed."))


def plan_hand_over(*, leaver: User, successor: User, deactivate: bool = False) -> HandoverPlan:
    """Every customer the leaver owns or co-owns goes to the successor, with the leaver's open work."""
    _check_successor(leaver, successor)
    through = Customer.co_owners.through
    co_owned_ids = through.objects.filter(user=leaver).values_list("customer_id", flat=True)
    customers = list(
        Customer.objects.filter(Q(owner=leaver) | Q(pk__in=co_owned_ids), merged_into__isnull=True).order_by(
            "code"
        )
    )
    before = _ownerships(customers)
    moves = []
    for customer in customers:
        was = before[customer.pk]
        if was.owner_id == leaver.pk:
            owner, unit = successor.pk, successor.unit_id or was.unit_id
            co_owners = set(was.co_owner_ids) - {successor.pk}
        else:
            owner, unit = was.owner_id, was.unit_id
            co_owners = set(was.co_owner_ids) - {leaver.pk}
            if successor.pk != owner:
                co_owners.add(successor.pk)
        moves.append(CustomerMove(customer, was, Ownership(owner, unit, tuple(sorted(co_owners)))))
    specials, approvals, screenings = _open_work(leaver)
    return HandoverPlan(leaver, successor, moves, specials, approvals, screenings, deactivate=deactivate)


def plan_reassignment(customer: Customer, *, owner: User, co_owners) -> HandoverPlan:
    """One customer's owner and co-owners change; the unit follows the owner (R-ORG-4, R-ARCH-6)."""
    if not owner.is_active:
        raise AccessDecisionError(_("The new owner's account is closed."))
    if any(not user.is_active for user in co_owners):
        raise AccessDecisionError(_("A co-owner's account is closed."))
    customer = Customer.objects.select_related("owner").get(pk=customer.pk)  # as stored, not as edited
    was = _ownerships([customer])[customer.pk]
    unit = (owner.unit_id or was.unit_id) if owner.pk != was.owner_id else was.unit_id
    after = Ownership(owner.pk, unit, tuple(sorted({u.pk for u in co_owners} - {owner.pk})))
    if after == was:
        raise AccessDecisionError(_("Nothing would change: choose another owner or other co-owners."))
    old_owner = customer.owner
    if owner.pk != was.owner_id:
        specials, _approvals, screenings = _open_work(old_owner, customers=[customer])
    else:
        specials, screenings = [], []
    return HandoverPlan(
        old_owner, owner, [CustomerMove(customer, was, after)], specials, [], screenings, customer
    )


def check_may_hand_over(by: User, plan_or_handover) -> None:
    """Whoever may hand over the person the customers come from may do it, and undo it (R-ARCH-7)."""
    if not may_hand_over(by, plan_or_handover.from_user):
        raise PermissionDenied


def _move_ownership(moves: list[tuple[int, Ownership, Ownership]]) -> list[int]:
    """Apply before → after to each customer still as it was; returns the ids that moved."""
    through = Customer.co_owners.through
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[m[0] for m in moves])}
    current = _ownerships(list(locked.values()))
    moved = []
    for customer_id, before, after in moves:
        if current.get(customer_id) != before:
            continue  # changed since: leave it as it is now
        customer = locked[customer_id]
        if (customer.owner_id, customer.unit_id) != (after.owner_id, after.unit_id):
            customer.owner_id, customer.unit_id = after.owner_id, after.unit_id
            customer.save(update_fields=["owner", "unit", "updated_at"])  # one save each: field history
        through.objects.filter(customer_id=customer_id).exclude(user_id__in=after.co_owner_ids).delete()
        through.objects.bulk_create(
            [
                through(customer_id=customer_id, user_id=user_id)
                for user_id in sorted(set(after.co_owner_ids) - set(before.co_owner_ids))
            ]
        )
        moved.append(customer_id)
    return moved


def _move_open_work(ids: dict[str, list[int]], *, from_user: User, to_user: User) -> dict[str, list[int]]:
    """Move the listed open work still held by ``from_user``; returns what actually moved.

    Approvals move here; special visits (rules) and draft screenings (tiers) move in the receivers of
    ``open_work_handed_over``, inside this transaction.
    """
    selected = AccessRequest.objects.filter(
        approver=from_user, status=AccessStatus.PENDING, pk__in=ids.get("approvals", [])
    )
    moved = {
        "special_visits": [],
        "approvals": sorted(selected.values_list("pk", flat=True)),
        "screenings": [],
    }
    selected.update(approver=to_user)
    for _receiver, done in signals.open_work_handed_over.send(
        sender=Handover, ids=ids, from_user=from_user, to_user=to_user
    ):
        moved.update(done)
    return moved


def _new_contact(move: CustomerMove, user: User) -> bool:
    if move.after.owner_id != move.before.owner_id:
        return True
    return user.pk in move.after.co_owner_ids and user.pk not in move.before.co_owner_ids


@transaction.atomic
def confirm_hand_over(
    plan: HandoverPlan, *, by: User, reason: str, digest: str | None = None
) -> HandoverResult:
    """Apply a previewed plan in one transaction; refused when the preview is no longer true."""
    check_may_hand_over(by, plan)
    stale = AccessDecisionError(
        _("Something changed since the preview was shown. Look at the new preview and confirm again.")
    )
    if digest is not None and digest != plan.digest:
        raise stale
    moved_ids = _move_ownership([(m.customer.pk, m.before, m.after) for m in plan.moves])
    if len(moved_ids) != len(plan.moves):
        raise stale  # the whole transaction rolls back: all or nothing
    work = _move_open_work(
        {
            "special_visits": plan.special_visit_ids,
            "approvals": plan.approval_ids,
            "screenings": plan.screening_ids,
        },
        from_user=plan.from_user,
        to_user=plan.to_user,
    )
    handover = Handover.objects.create(
        from_user=plan.from_user,
        to_user=plan.to_user,
        performed_by=by,
        reason=reason,
        deactivated_leaver=plan.deactivate,
        customer=plan.customer,
        customer_count=len(moved_ids),
        moves={
            "customers": {
                str(m.customer.pk): {"before": m.before.as_dict(), "after": m.after.as_dict()}
                for m in plan.moves
                if m.customer.pk in moved_ids
            },
            **work,
        },
    )
    # The successor tells each customer who their new contact is, when there is a new contact.
    told = [m for m in plan.moves if m.customer.pk in moved_ids and _new_contact(m, plan.to_user)]
    due = add_workdays(timezone.localdate(), 5)
    notices = HandoverNotice.objects.bulk_create(
        [
            HandoverNotice(handover=handover, customer=m.customer, assignee=plan.to_user, due_on=due)
            for m in told
        ]
    )
    if plan.deactivate:
        plan.from_user.is_active = False
        plan.from_user.save(update_fields=["is_active"])
        # A leaver takes nothing with them: API tokens die with the account.
        Token.objects.filter(user=plan.from_user).delete()
    audit.record(
        AuditAction.HANDOVER,
        handover,
        user=by,
        before={pk: move["before"] for pk, move in handover.moves["customers"].items()},
        after={
            "customers": sorted(moved_ids),
            "to": plan.to_user.pk,
            "deactivated": plan.deactivate,
            **work,
        },
        message=reason,
    )
    if plan.to_user.pk != by.pk and moved_ids:
        Notification.objects.send(
            plan.to_user,
            "handover",
            f"/customers/?owner={plan.to_user.pk}",
            text=_("%(count)d customers were handed over to you from %(leaver)s.")
            % {"count": len(moved_ids), "leaver": plan.from_user},
            dedup_key=f"handover:{handover.pk}",
        )
    return HandoverResult(handover, len(moved_ids), len(notices))


def hand_over(
    *, leaver: User, successor: User, by: User, reason: str, deactivate: bool = False
) -> HandoverResult:
    """Move every customer the leaver owns or co-owns, and their open work, to the successor (R-ARCH-7).

    Each affected customer gets a "tell the customer their new contact" task for the successor;
    nothing stays orphaned, and the operation is audited (R-ARCH-7, R-SEC-1).
    """
    plan = plan_hand_over(leaver=leaver, successor=successor, deactivate=deactivate)
    return confirm_hand_over(plan, by=by, reason=reason)


def reassign_customer(customer: Customer, *, owner: User, co_owners, by: User, reason: str) -> HandoverResult:
    """Change one customer's owner and co-owners as a hand-over: audited and reversible (R-ARCH-7)."""
    return confirm_hand_over(
        plan_reassignment(customer, owner=owner, co_owners=co_owners), by=by, reason=reason
    )


@transaction.atomic
def undo_hand_over(handover: Handover, *, by: User, reason: str = "") -> HandoverResult:
    """Put back what a hand-over moved, where nothing changed since; audited (R-ARCH-7, R-SEC-1)."""
    check_may_hand_over(by, handover)
    handover = Handover.objects.select_for_update().get(pk=handover.pk)
    if handover.undone_at is not None:
        raise AccessDecisionError(_("This hand-over was already undone."))
    customers = handover.moves.get("customers", {})
    restored = _move_ownership(
        [
            (int(pk), Ownership.from_dict(move["after"]), Ownership.from_dict(move["before"]))
            for pk, move in customers.items()
        ]
    )
    work = _move_open_work(handover.moves, from_user=handover.to_user, to_user=handover.from_user)
    handover.notices.filter(done_at__isnull=True).delete()
    if handover.deactivated_leaver and not handover.from_user.is_active:
        handover.from_user.is_active = True
        handover.from_user.save(update_fields=["is_active"])
    handover.undone_at, handover.undone_by = timezone.now(), by
    handover.save(update_fields=["undone_at", "undone_by"])
    skipped = sorted(int(pk) for pk in customers if int(pk) not in restored)
    audit.record(
        AuditAction.HANDOVER,
        handover,
        user=by,
        after={"undone": True, "customers": sorted(restored), "skipped": skipped, **work},
        message=reason or _("Hand-over undone."),
    )
    return HandoverResult(handover, len(restored), 0)


# --- archive access (R-ARCH-8) --------------------------------------------------------------


def access_approver(requester: User, *, customer: Customer | None = None, unit=None) -> User | None:
    """Own department's archive → the department manager; another department's → a company leader."""
    target_unit = customer.unit if customer is not None else unit
    same_department = (
        requester.unit is not None
        and target_unit is not None
        and requester.unit.get_department().pk == target_unit.get_department().pk
    )
    if same_department:
        manager = requester.department_manager()
        if manager is not None and manager.pk != requester.pk:
            return manager
    leader = (
        User.objects.filter(is_active=True, assignments__position__kind=PositionKind.LEADER)
        .exclude(pk=requester.pk)
        .order_by("pk")
        .first()
    )
    return (
        leader
        or User.objects.filter(is_active=True, is_superuser=True)
        .exclude(pk=requester.pk)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def request_access(
    *, requester: User, reason: str, customer: Customer | None = None, unit=None, days: int | None = None
) -> AccessRequest:
    """File a request to read a customer or a unit's archive outside one's scope (R-ARCH-8)."""
    if (customer is None) == (unit is None):
        raise AccessDecisionError(_("Name either one customer or one unit."))
    if customer is not None and Customer.objects.visible_to(requester).filter(pk=customer.pk).exists():
        raise AccessDecisionError(_("You can already read this customer."))
    approver = access_approver(requester, customer=customer, unit=unit)
    if approver is None:
        raise AccessDecisionError(
            _("No one can approve this request: the company has no leader or administrator.")
        )
    access = AccessRequest.objects.create(
        requester=requester,
        scope=AccessScope.CUSTOMER if customer is not None else AccessScope.UNIT,
        customer=customer,
        unit=unit,
        reason=reason,
        days=days or settings.BAIFANG["ACCESS_GRANT_DAYS"],
        approver=approver,
    )
    Notification.objects.send(
        approver,
        "access_request",
        "/customers/access/",
        text=_("%(user)s asks to read %(target)s.") % {"user": requester, "target": customer or unit},
        dedup_key=f"access-request:{access.pk}",
    )
    return access


def _decide(access: AccessRequest, *, by: User, decision: str, note: str) -> AccessRequest:
    """``decision`` is the workflow's "approve" or "reject"; the workflow saves, audits and signals."""
    # The row lock: two approvers clicking at once never decide twice.
    locked = AccessRequest.objects.select_for_update().get(pk=access.pk)
    # A refusal here is a 400 with the reason (the request is visible to whoever may try), not a 403.
    if not locked.workflow.may(locked, decision, by):
        raise AccessDecisionError(_("Only the designated approver can decide this request."))
    if not locked.workflow.allows_from(locked, decision):
        raise AccessDecisionError(_("This request has already been decided."))
    decided_at = timezone.now()
    changes = {"decided_by": by, "decided_at": decided_at, "decision_note": note}
    if decision == "approve":
        changes["valid_until"] = decided_at + dt.timedelta(days=locked.days)
    locked.workflow.run(locked, decision, by=by, comment=note, changes=changes)
    Notification.objects.send(
        locked.requester,
        "access_decision",
        locked.customer or "/customers/",
        text=_("Your request to read %(target)s was %(status)s.")
        % {
            "target": locked.customer.code if locked.customer else locked.unit,
            "status": locked.get_status_display(),
        },
        dedup_key=f"access-decision:{locked.pk}",
    )
    return locked


@transaction.atomic
def approve_access(access: AccessRequest, *, by: User, note: str = "") -> AccessRequest:
    """Grant read access until now + the requested days; logged (R-ARCH-8, R-SEC-1)."""
    return _decide(access, by=by, decision="approve", note=note)


@transaction.atomic
def reject_access(access: AccessRequest, *, by: User, note: str = "") -> AccessRequest:
    return _decide(access, by=by, decision="reject", note=note)


# --- merge (R-ARCH-9) -----------------------------------------------------------------------


@transaction.atomic
def merge_customers(*, survivor: Customer, duplicate: Customer, by: User) -> Customer:
    """Fold a duplicate into the survivor: contacts, changes, correspondence and co-owners move."""
    if survivor.pk == duplicate.pk:
        raise AccessDecisionError(_("A customer cannot be merged into itself."))
    before = audit.snapshot(duplicate)
    for model in (Contact, MajorChange):
        model.objects.filter(customer=duplicate).update(customer=survivor)
    duplicate.competitors.update(customer=survivor)
    duplicate.correspondence.update(customer=survivor)
    duplicate.access_requests.update(customer=survivor)
    knowers = {duplicate.owner_id, *duplicate.co_owners.values_list("pk", flat=True)} - {survivor.owner_id}
    survivor.co_owners.add(*knowers)
    duplicate.merged_into = survivor
    suffix = f"#merged-{duplicate.pk}"
    duplicate.name = duplicate.name[: Customer._meta.get_field("name").max_length - len(suffix)] + suffix
    duplicate.credit_code = ""
    duplicate.phone = ""
    duplicate.save()
    audit.record(AuditAction.MERGE, survivor, user=by, before=before, message=f"merged {duplicate.code}")
    return survivor


# --- export (R-ARCH-7, R-SEC-1) -------------------------------------------------------------


EXPORT_FIELDS = (
    "code",
    "name",
    "short_name",
    "customer_type",
    "status",
    "province",
    "city",
    "district",
    "registered_address",
    "phone",
    "credit_code",
    "annual_value",
    "cooperation_since",
)


# Columns of EXPORT_FIELDS that hold personal information: only with ``customers.export_personal``.
PERSONAL_EXPORT_FIELDS = ("phone",)


def export_columns(user: User) -> tuple[str, ...]:
    """The fields ``user`` may export: personal ones only with the export permission (PIPL)."""
    if user.has_perm("customers.export_personal"):
        return EXPORT_FIELDS
    return tuple(f for f in EXPORT_FIELDS if f not in PERSONAL_EXPORT_FIELDS)


def export_rows(user: User, queryset, *, filters: dict | None = None) -> tuple[tuple[str, ...], list[list]]:
    """The columns and rows of the visible customers for an Excel export.

    The export is audited with its filter and whether personal fields went out (R-SEC-1, PIPL).
    """
    columns = export_columns(user)
    rows = list(queryset.values_list(*columns, "owner__display_name", "unit__name"))
    personal = [f for f in columns if f in PERSONAL_EXPORT_FIELDS]
    used = {k: v for k, v in (filters or {}).items() if v not in ("", None, [])}
    audit.record(
        AuditAction.EXPORT,
        user=user,
        object_type="customers.customer",
        after={"filter": used, "personal_fields": personal, "rows": len(rows)},
        message=f"{len(rows)} customers exported"
        + (f"; filter {used}" if used else "; no filter")
        + (f"; personal fields: {', '.join(personal)}" if personal else ""),
    )
    return columns, rows
