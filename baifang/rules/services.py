"""Rule services: revising rules without rewriting history, special visits, due lists (R-FREQ-1, R-OBL-1..3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.rules import compliance
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import SpecialVisit, VisitRule

# What a revision may change (code, scheme and tier identify the rule and stay).
REVISABLE_FIELDS = (
    "name",
    "responsible",
    "counted_by_anyone",
    "channel",
    "period",
    "min_count",
    "min_duration_minutes",
    "appointment_lead_hours",
    "first_due_day",
    "season",
    "geography",
    "source",
    "is_active",
)
RULE_FIELDS = (
    "name",
    "scheme",
    "tier",
    "responsible",
    "counted_by_anyone",
    "channel",
    "period",
    "min_count",
    "min_duration_minutes",
    "appointment_lead_hours",
    "first_due_day",
    "season",
    "geography",
    "source",
    "is_active",
)


@transaction.atomic
def revise_rule(rule: VisitRule, changes: dict, *, by, effective: dt.date | None = None) -> VisitRule:
    """Change a rule from ``effective`` on; earlier periods keep the version in force then.

    Only the current (open-ended) version can be revised. A version that has not started yet is
    edited in place; otherwise it is closed the day before ``effective`` and a new version starts
    then, so the past is never rewritten (R-FREQ-1, "rule history").
    """
    today = timezone.localdate()
    effective = effective or today
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown rule fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    rule = VisitRule.objects.select_for_update().get(pk=rule.pk)
    if rule.valid_to is not None:
        raise ValidationError(_("This rule version has already ended; revise the current version."))
    if rule.valid_from > today:
        if effective < today:
            raise ValidationError(_("A revision cannot take effect in the past."))
        for name, value in changes.items():
            setattr(rule, name, value)
        rule.valid_from = max(effective, today)
        rule.full_clean()
        rule.save()
        return rule
    if effective <= rule.valid_from:
        raise ValidationError(
            _("The revision must take effect after %(date)s, when the current version started.")
            % {"date": rule.valid_from}
        )
    new = VisitRule(
        **{name: getattr(rule, name) for name in RULE_FIELDS}, code=rule.code, valid_from=effective
    )
    for name, value in changes.items():
        setattr(new, name, value)
    new.full_clean(validate_constraints=False)
    rule.valid_to = effective - dt.timedelta(days=1)
    rule.save(update_fields=["valid_to", "updated_at"])
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError as exc:
        raise ValidationError(_("Another revision of this rule starts on the same day.")) from exc
    return new


def special_visit_due(raised_on: dt.date, workdays: int = 2) -> dt.date:
    """R-OBL-3: due within 2 Chinese working days by default."""
    return add_workdays(raised_on, workdays)


@transaction.atomic
def raise_special_visit(
    customer, *, trigger: str, by, note: str = "", responsible=None, workdays: int = 2, reference: str = ""
) -> SpecialVisit:
    """Create a special-visit obligation due now; a repeated ``reference`` returns the first one (R-OBL-3)."""
    from baifang.customers.models import Customer

    if trigger not in SpecialTrigger.values:
        raise ValidationError({"trigger": _("Unknown trigger.")})
    responsible = responsible or customer.owner
    if (
        not responsible.is_active
        or not Customer.objects.workable_by(responsible).filter(pk=customer.pk).exists()
    ):  # a reader through an archive grant could never make the visit (R-ARCH-8)
        raise ValidationError(
            {"responsible": _("The responsible person must be active and able to work on this customer.")}
        )
    if reference:
        existing = SpecialVisit.objects.filter(
            customer=customer, trigger=trigger, dedup_key=reference
        ).first()
        if existing is not None:
            return existing
    visit = SpecialVisit(
        customer=customer,
        trigger=trigger,
        responsible=responsible,
        raised_by=by,
        note=note,
        due_on=special_visit_due(timezone.localdate(), workdays),
        dedup_key=reference,
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:  # a concurrent retry with the same reference won
        return SpecialVisit.objects.get(customer=customer, trigger=trigger, dedup_key=reference)
    Notification.objects.send(
        visit.responsible,
        "special_visit",
        customer.get_absolute_url() + "?tab=obligations",
        text=_("Special visit to %(customer)s due by %(due)s: %(trigger)s")
        % {"customer": customer.name, "due": visit.due_on, "trigger": visit.get_trigger_display()},
        dedup_key=f"special-visit:{visit.pk}",
    )
    return visit


def cancel_special_visit(visit: SpecialVisit, *, by) -> SpecialVisit:
    """Withdraw a special visit: only whoever raised it, the market department or an admin (R-OBL-3)."""
    from baifang.customers.predicates import is_archive_admin

    if visit.raised_by_id != by.pk and not is_archive_admin(by):
        raise PermissionDenied
    visit.cancelled = True
    visit.save(update_fields=["cancelled", "updated_at"])
    return visit


# The touches that fulfil a special visit (R-OBL-3), as a queryset on the outer special visit
# (``OuterRef("customer_id")``, ``"responsible_id"``, ``"created_at"``). The visits app, which knows what
# a touch is, registers it at ready(), so rules never imports visits (docs/architecture.md).
_fulfilling_query: Callable[[], models.QuerySet] | None = None


def fulfilled_by(query: Callable[[], models.QuerySet]) -> Callable[[], models.QuerySet]:
    """Register the query of touches that fulfil a special visit (R-OBL-3); usable as a decorator."""
    global _fulfilling_query
    _fulfilling_query = query
    return query


def _fulfilling_visits() -> models.QuerySet:
    if _fulfilling_query is None:
        raise ImproperlyConfigured("No app registered the touches that fulfil a special visit (visits).")
    return _fulfilling_query()


def fulfil_special_visits() -> int:
    """Mark open special visits fulfilled by a later on-site visit of the responsible person (set-based)."""
    first_touch = _fulfilling_visits().order_by("started_at")
    return (
        SpecialVisit.objects.open()
        .filter(models.Exists(_fulfilling_visits()))
        .update(
            fulfilled_at=models.Subquery(first_touch.values("started_at")[:1]),
            fulfilled_by_touch=models.Subquery(first_touch.values("pk")[:1]),
        )
    )


def open_special_visits(user=None, *, responsible=None):
    qs = SpecialVisit.objects.open().exclude(models.Exists(_fulfilling_visits()))
    if user is not None:
        qs = qs.visible_to(user)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    return qs.select_related("customer", "responsible").order_by("due_on", "id")


def due_list(
    user, day: dt.date | None = None, *, limit: int = 200, viewer=None
) -> list[compliance.Obligation]:
    """The customers ``user`` owes a touch in the current windows, soonest due first (R-OBL-2).

    Only customers the ``viewer`` (default: ``user``) may see are listed (R-SEC-1).
    """
    day = day or timezone.localdate()
    scope = compliance.Scope(user=viewer or user, responsible_user=user)
    return compliance.obligations(day, scope=scope, only_unmet=True, limit=limit, today=day)
