"""Opportunities (商机, R-FU-6) and lost orders (丢单报告, R-FU-5): the services pages and API call.

- ``create`` / ``update``: the rep (or someone who may edit the customer) follows a deal; a stage
  move goes through ``Opportunity.workflow`` and leaves a history row naming the visit record it
  came from. Won and lost are final.
- ``lose``: the opportunity becomes lost *and* its lost-order report is written, in one transaction;
  a report that does not validate leaves the opportunity as it was.
- ``record_lost_order``: a report on its own (an order lost with no opportunity followed).
- ``analysis``: the month's lost orders by reason, competitor, product and rep, aggregated in SQL.

Refusals raise ``ValidationError`` with a field and a code (``report_required``, ``required``,
``negative_amount``, ``date_in_future``, ``date_out_of_range``, ``does_not_exist``), ``InvalidTransition``
(``invalid_transition``) for a closed opportunity, ``PermissionDenied`` for the wrong person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.core.exceptions import InvalidTransition
from baifang.customers.access import check_can_work_on
from baifang.customers.models import Customer
from baifang.followups.choices import OPEN_OPPORTUNITY_STAGES, OpportunityStage
from baifang.followups.models import LostOrder, LostReason, Opportunity, OpportunityStageChange
from baifang.followups.signals import order_lost

# Seed 004 丢单报告 / 丢单汇总分析报告: the reasons a company starts with (data: edit them in the admin).
DEFAULT_LOST_REASONS = [
    ("price", "价格", 10),
    ("quality", "质量", 20),
    ("service", "服务", 30),
    ("delivery", "交期", 40),
    ("relationship", "关系", 50),
    ("payment", "付款条件", 60),
    ("no_demand", "客户需求取消", 70),
    ("other", "其他", 90),
]

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def ensure_default_reasons() -> int:
    """Create the default reasons that are missing (never changes an edited one); returns how many."""
    created = 0
    for code, name, order in DEFAULT_LOST_REASONS:
        _row, new = LostReason.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
        created += new
    return created


# -- checks -------------------------------------------------------------------------------------------


def _check_amount(field: str, amount) -> Decimal:
    amount = Decimal(0) if amount in (None, "") else Decimal(amount)
    if amount < 0:
        raise ValidationError(
            {field: ValidationError(_("The amount cannot be negative."), code="negative_amount")}
        )
    return amount


def _check_day(field: str, day: dt.date | None, *, not_future: bool = False) -> None:
    if day is None:
        raise ValidationError({field: ValidationError(_("Give the date."), code="required")})
    if not settings.DATE_MIN <= day <= settings.DATE_MAX:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Enter a date between %(min)s and %(max)s.")
                    % {"min": f"{settings.DATE_MIN:%Y-%m-%d}", "max": f"{settings.DATE_MAX:%Y-%m-%d}"},
                    code="date_out_of_range",
                )
            }
        )
    if not_future and day > timezone.localdate():
        raise ValidationError(
            {field: ValidationError(_("This date cannot be in the future."), code="date_in_future")}
        )


def _check_owner(customer, owner):
    """The rep must be active and see the customer."""
    if owner is None:
        return None
    if not owner.is_active or not Customer.objects.visible_to(owner).filter(pk=customer.pk).exists():
        raise ValidationError(
            {"owner": ValidationError(_("This person cannot see the customer."), code="does_not_exist")}
        )
    return owner


def _check_record(customer, record):
    """A visit record of this customer (the one the update came from)."""
    if record is not None and record.touch.customer_id != customer.pk:
        raise ValidationError(
            {"record": ValidationError(_("This visit record is of another customer."), code="does_not_exist")}
        )
    return record


def user_by_id(pk):
    """The active user with this id, or a field error on ``owner``."""
    if pk in (None, ""):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise ValidationError({"owner": ValidationError(_("Unknown user."), code="does_not_exist")})
    return user


def may_change(user, opportunity: Opportunity) -> bool:
    """Its owner, or someone who may edit the customer; read-only grants and the leader only read."""
    return opportunity.workflow.may(opportunity, "advance", user)


# -- opportunities (R-FU-6) ---------------------------------------------------------------------------


@transaction.atomic
def create(
    user,
    customer,
    *,
    title: str,
    expected_close_on: dt.date,
    expected_amount=Decimal(0),
    stage: str = OpportunityStage.CONTACT,
    owner=None,
    note: str = "",
    record=None,
) -> Opportunity:
    """A new opportunity at a customer one may work on; the rep defaults to the customer's owner."""
    check_can_work_on(user, customer)
    if stage not in OPEN_OPPORTUNITY_STAGES:
        raise ValidationError(
            {"stage": ValidationError(_("A new opportunity starts in an open stage."), code="invalid_choice")}
        )
    _check_day("expected_close_on", expected_close_on)
    owner = _check_owner(customer, owner) or customer.owner or user
    _check_owner(customer, owner)
    opportunity = Opportunity(
        customer=customer,
        title=(title or "").strip(),
        stage=stage,
        expected_amount=_check_amount("expected_amount", expected_amount),
        expected_close_on=expected_close_on,
        owner=owner,
        note=(note or "").strip(),
        source_record=_check_record(customer, record),
        created_by=user,
    )
    opportunity.full_clean(exclude=["customer", "owner", "source_record", "created_by"])
    opportunity.save()
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        old_status="",
        new_status=stage,
        transition="create",
        changed_by=user,
        record=opportunity.source_record,
    )
    audit.record(AuditAction.CREATE, opportunity, user=user, after={"stage": stage})
    return opportunity


def _locked(opportunity: Opportunity) -> Opportunity:
    return Opportunity.objects.select_for_update().select_related("customer", "owner").get(pk=opportunity.pk)


def _check_open(opportunity: Opportunity) -> None:
    if not opportunity.is_open:
        raise InvalidTransition(
            _("A %(stage)s opportunity cannot be changed any more.")
            % {"stage": opportunity.get_stage_display()},
            code="invalid_transition",
        )


@transaction.atomic
def update(
    user,
    opportunity: Opportunity,
    *,
    stage: str | None = None,
    title: str | None = None,
    expected_amount=None,
    expected_close_on: dt.date | None = None,
    owner=None,
    note: str | None = None,
    comment: str = "",
    record=None,
) -> Opportunity:
    """Change an open opportunity; a new stage is a workflow move with its history row (R-FU-6).

    ``lost`` is refused here (code ``report_required``): losing needs the report, through ``lose``.
    """
    if not may_change(user, opportunity):
        raise PermissionDenied
    opportunity = _locked(opportunity)
    _check_open(opportunity)
    if stage == OpportunityStage.LOST:
        raise ValidationError(
            {
                "stage": ValidationError(
                    _("A lost opportunity needs its lost-order report: use “Lost”."), code="report_required"
                )
            }
        )
    changes: dict = {}
    if title is not None:
        changes["title"] = title.strip()
    if expected_amount is not None:
        changes["expected_amount"] = _check_amount("expected_amount", expected_amount)
    if expected_close_on is not None:
        _check_day("expected_close_on", expected_close_on)
        changes["expected_close_on"] = expected_close_on
    if owner is not None:
        changes["owner"] = _check_owner(opportunity.customer, owner)
    if note is not None:
        changes["note"] = note.strip()
    record = _check_record(opportunity.customer, record)
    for name, value in changes.items():
        setattr(opportunity, name, value)
    opportunity.full_clean(exclude=["customer", "owner", "source_record", "created_by"])
    if stage is not None and stage != opportunity.stage:
        name = "win" if stage == OpportunityStage.WON else "advance"
        if name == "win":
            changes["closed_at"] = timezone.now()
        opportunity.workflow.run(
            opportunity,
            name,
            by=user,
            to=stage,
            comment=(comment or "").strip(),
            changes=changes,
            record=record,
        )
    elif changes:
        opportunity.save(update_fields=[*changes, "updated_at"])
    return opportunity


def build_report(
    user, customer, *, lost_on, reason, lessons, competitor="", product=None, amount=None, rep=None
):
    """An unsaved, checked lost-order report (everything ``full_clean`` and the rules say)."""
    _check_day("lost_on", lost_on, not_future=True)
    if reason is None or not reason.is_active:
        raise ValidationError(
            {"reason": ValidationError(_("Choose why the order was lost."), code="required")}
        )
    if not (lessons or "").strip():
        raise ValidationError({"lessons": ValidationError(_("Write the lessons learned."), code="required")})
    report = LostOrder(
        customer=customer,
        lost_on=lost_on,
        competitor=(competitor or "").strip(),
        reason=reason,
        product=product,
        amount=_check_amount("amount", amount),
        lessons=lessons.strip(),
        rep=rep or customer.owner or user,
        recorded_by=user,
    )
    report.full_clean(exclude=["customer", "opportunity", "reason", "product", "rep", "recorded_by"])
    return report


def _announce(report: LostOrder) -> None:
    transaction.on_commit(lambda: order_lost.send(sender=LostOrder, instance=report))


@transaction.atomic
def lose(
    user,
    opportunity: Opportunity,
    *,
    lost_on: dt.date,
    reason: LostReason | None,
    lessons: str,
    competitor: str = "",
    product=None,
    amount=None,
    comment: str = "",
    record=None,
) -> LostOrder:
    """The opportunity is lost: its stage becomes 丢单 and the report is written, all or nothing (R-FU-5).

    The amount defaults to the expected amount; the rep is the opportunity's. ``order_lost`` is sent
    once the transaction commits.
    """
    if not may_change(user, opportunity):
        raise PermissionDenied
    opportunity = _locked(opportunity)
    opportunity.workflow.check(opportunity, "lose", by=user)
    report = build_report(
        user,
        opportunity.customer,
        lost_on=lost_on,
        reason=reason,
        lessons=lessons,
        competitor=competitor,
        product=product,
        amount=opportunity.expected_amount if amount in (None, "") else amount,
        rep=opportunity.owner,
    )
    report.opportunity = opportunity
    record = _check_record(opportunity.customer, record)
    opportunity.workflow.run(
        opportunity,
        "lose",
        by=user,
        comment=(comment or "").strip() or report.lessons,
        changes={"closed_at": timezone.now()},
        record=record,
    )
    report.save()
    _announce(report)
    return report


@transaction.atomic
def record_lost_order(user, customer, **fields) -> LostOrder:
    """A lost-order report with no opportunity (R-FU-5); the rep is the customer's owner."""
    check_can_work_on(user, customer)
    report = build_report(user, customer, **fields)
    report.save()
    audit.record(AuditAction.CREATE, report, user=user)
    _announce(report)
    return report


def competitor_suggestions(user, customer=None, limit: int = 50) -> list[str]:
    """Earlier competitor names (the customer's competitors first, then lost-order ones) for autocomplete."""
    names: list[str] = []
    if customer is not None:
        names += list(customer.competitors.values_list("name", flat=True)[:limit])
    names += list(
        LostOrder.objects.visible_to(user)
        .exclude(competitor="")
        .values_list("competitor", flat=True)
        .distinct()
        .order_by("competitor")[:limit]
    )
    return list(dict.fromkeys(names))[:limit]


# -- the monthly analysis (R-FU-5: 丢单汇总分析报告) ----------------------------------------------------


def lost_orders_in(user, first: dt.date, last: dt.date, unit=None):
    """The lost orders of a period the user may see; ``unit``: of reps in that unit or below it."""
    rows = LostOrder.objects.visible_to(user).filter(lost_on__gte=first, lost_on__lte=last)
    if unit is not None:
        rows = rows.filter(rep__unit__path__startswith=unit.path)
    return rows


def _grouped(rows, key: str, label: str) -> list[dict]:
    zero = Value(Decimal(0), output_field=_MONEY)
    grouped = (
        rows.order_by()
        .values(key, label)
        .annotate(count=Count("id"), amount=Coalesce(Sum("amount"), zero, output_field=_MONEY))
        .order_by("-count", "-amount", label)
    )
    return [{"key": g[key], "label": g[label], "count": g["count"], "amount": g["amount"]} for g in grouped]


def analysis(user, first: dt.date, last: dt.date, unit=None) -> dict:
    """Counts and amounts of the period's lost orders in total and by reason, competitor, product and rep.

    Five aggregate queries whatever the number of rows; a blank competitor or no product shows as
    "not given"; reps by their display name.
    """
    rows = lost_orders_in(user, first, last, unit)
    zero = Value(Decimal(0), output_field=_MONEY)
    total = rows.order_by().aggregate(
        count=Count("id"), amount=Coalesce(Sum("amount"), zero, output_field=_MONEY)
    )
    not_given = _("Not given")
    by_competitor = _grouped(rows, "competitor", "competitor")
    for group in by_competitor:
        group["label"] = group["label"] or not_given
        group["key"] = group["key"] or ""
    by_product = _grouped(rows, "product_id", "product__name")
    for group in by_product:
        group["label"] = group["label"] or not_given
    named = rows.annotate(rep_name=Coalesce(NullIf("rep__display_name", Value("")), "rep__username"))
    by_rep = _grouped(named, "rep_id", "rep_name")
    return {
        "first": first,
        "last": last,
        "count": total["count"],
        "amount": total["amount"],
        "by_reason": _grouped(rows, "reason_id", "reason__name"),
        "by_competitor": by_competitor,
        "by_product": by_product,
        "by_rep": by_rep,
    }


def export_rows(user, first, last, unit=None) -> list[LostOrder]:
    """The period's lost orders for the Excel export; the export is audited with its filter (R-SEC-1)."""
    rows = list(lost_orders_in(user, first, last, unit).for_lists().order_by("lost_on", "pk"))
    audit.record(
        AuditAction.EXPORT,
        user=user,
        object_type="followups.lostorder",
        after={
            "filter": {"from": first.isoformat(), "to": last.isoformat(), "unit": unit.pk if unit else None},
            "personal_fields": [],
            "rows": len(rows),
        },
        message=f"{len(rows)} lost orders exported",
    )
    return rows
