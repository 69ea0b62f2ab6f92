"""Archive services: registration, duplicates, hand-over, access requests, merge, export."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
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
from baifang.org.choices import PositionKind
from baifang.org.models import User


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
def create_customer(
    customer: Customer, *, by: User, register: bool = True, confirm_near_duplicate: bool = False
) -> Customer:
    """Archive a new customer met at ``first_contact_on``; refuses duplicates (R-ARCH-1, 5, 9).

    ``register=False`` keeps a quick stub awaiting registration (备案), which the daily task
    flags when its deadline passes. A near duplicate (same name but for a branch suffix, same
    address or phone) is refused until ``confirm_near_duplicate`` says it is another customer.
    """
    customer.phone = normalize_phone(customer.phone)
    customer.check_values()
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
    customer.check_values(stored=Customer.objects.filter(pk=customer.pk).values(*BOUNDED_FIELDS).first())
    check_not_duplicate(customer)
    check_distribution_limit(customer)
    stored_owner = Customer.objects.filter(pk=customer.pk).values_list("owner_id", flat=True).first()
    if customer.unit_id is None or stored_owner != customer.owner_id:
        # The responsible unit follows the owner, so the new owner's managers see the customer (R-ORG-4).
        customer.unit = customer.owner.unit or customer.unit
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


@dataclass
class HandoverResult:
    handover: Handover
    customers: int
    notices: int


@transaction.atomic
def hand_over(
    *, leaver: User, successor: User, by: User, reason: str, deactivate: bool = False
) -> HandoverResult:
    """Move every customer the leaver owns or co-owns to the successor in one transaction.

    Each affected customer gets a "tell the customer their new contact" task for the successor;
    nothing stays orphaned, and the operation is audited (R-ARCH-7, R-SEC-1).
    """
    if leaver.pk == successor.pk:
        raise AccessDecisionError(_("The successor must be a different person."))
    if not successor.is_active:
        raise AccessDecisionError(_("The successor's account is closed."))
    owned = list(Customer.objects.select_for_update().filter(owner=leaver, merged_into__isnull=True))
    through = Customer.co_owners.through
    co_owned_ids = set(through.objects.filter(user=leaver).values_list("customer_id", flat=True))
    handover = Handover.objects.create(
        from_user=leaver, to_user=successor, performed_by=by, reason=reason, deactivated_leaver=deactivate
    )
    affected: dict[int, Customer] = {c.pk: c for c in owned}
    for customer in owned:
        customer.owner = successor
        customer.unit = successor.unit or customer.unit
        customer.save(update_fields=["owner", "unit", "updated_at"])  # one save each: field history
    # The successor may already have been a co-owner of some: they are the owner now.
    through.objects.filter(customer_id__in=[c.pk for c in owned], user=successor).delete()
    if co_owned_ids:
        through.objects.filter(user=leaver).delete()
        already = set(
            through.objects.filter(user=successor, customer_id__in=co_owned_ids).values_list(
                "customer_id", flat=True
            )
        )
        owners = dict(Customer.objects.filter(pk__in=co_owned_ids).values_list("pk", "owner_id"))
        through.objects.bulk_create(
            [
                through(customer_id=cid, user_id=successor.pk)
                for cid in co_owned_ids
                if cid not in already and owners.get(cid) != successor.pk
            ]
        )
        affected.update(Customer.objects.in_bulk(co_owned_ids - affected.keys()))
    _hand_over_open_work(leaver, successor, handover)
    due = add_workdays(timezone.localdate(), 5)
    notices = HandoverNotice.objects.bulk_create(
        [
            HandoverNotice(handover=handover, customer=c, assignee=successor, due_on=due)
            for c in affected.values()
        ]
    )
    handover.customer_count = len(affected)
    handover.save(update_fields=["customer_count"])
    if deactivate:
        leaver.is_active = False
        leaver.save(update_fields=["is_active"])
        # A leaver takes nothing with them: API tokens die with the account.
        Token.objects.filter(user=leaver).delete()
    audit.record(
        AuditAction.HANDOVER,
        handover,
        user=by,
        after={"customers": sorted(affected), "to": successor.pk, "deactivated": deactivate},
        message=reason,
    )
    Notification.objects.send(
        successor,
        "handover",
        f"/customers/?owner={successor.pk}",
        text=_("%(count)d customers were handed over to you from %(leaver)s.")
        % {"count": len(affected), "leaver": leaver},
        dedup_key=f"handover:{handover.pk}",
    )
    return HandoverResult(handover, len(affected), len(notices))


def _hand_over_open_work(leaver: User, successor: User, handover: Handover) -> None:
    """Nothing stays orphaned: pending approvals move here; the apps above move their own open work
    (special visits, draft screenings) on the ``work_handed_over`` signal."""
    AccessRequest.objects.filter(approver=leaver, status=AccessStatus.PENDING).update(approver=successor)
    signals.work_handed_over.send(sender=Handover, leaver=leaver, successor=successor, handover=handover)


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


def _decide(access: AccessRequest, *, by: User, status: str, note: str) -> AccessRequest:
    # Conditional update: two approvers clicking at once never decide twice.
    locked = AccessRequest.objects.select_for_update().get(pk=access.pk)
    if locked.approver_id != by.pk and not by.is_superuser:
        raise AccessDecisionError(_("Only the designated approver can decide this request."))
    if locked.status != AccessStatus.PENDING:
        raise AccessDecisionError(_("This request has already been decided."))
    locked.status = status
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.decision_note = note
    if status == AccessStatus.APPROVED:
        locked.valid_until = locked.decided_at + dt.timedelta(days=locked.days)
    locked.save()
    audit.record(
        AuditAction.APPROVE if status == AccessStatus.APPROVED else AuditAction.REJECT,
        locked,
        user=by,
        after={
            "status": status,
            "valid_until": locked.valid_until.isoformat() if locked.valid_until else None,
        },
        message=note,
    )
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
    return _decide(access, by=by, status=AccessStatus.APPROVED, note=note)


@transaction.atomic
def reject_access(access: AccessRequest, *, by: User, note: str = "") -> AccessRequest:
    return _decide(access, by=by, status=AccessStatus.REJECTED, note=note)


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


def export_rows(user: User, queryset) -> list[list]:
    """Rows of the visible customers for an Excel export; the export itself is audited."""
    rows = list(queryset.values_list(*EXPORT_FIELDS, "owner__display_name", "unit__name"))
    audit.record(
        AuditAction.EXPORT,
        user=user,
        object_type="customers.customer",
        message=f"{len(rows)} customers exported",
    )
    return rows
