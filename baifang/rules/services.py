"""Rule services: revising rules without rewriting history, special visits, due lists (R-FREQ-1, R-OBL-1..3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.rules import compliance, engine
from baifang.rules.choices import RULE_CHANNEL_TOUCHES, RuleChannel, SpecialTrigger
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
    Notification.objects.send(visit.responsible, **_notice(visit))
    return visit


def _notice(visit: SpecialVisit) -> dict:
    """What the responsible person is told of a new special visit, once per visit (both raise paths)."""
    return {
        "kind": "special_visit",
        "target": visit.customer.get_absolute_url() + "?tab=obligations",
        "text": _("Special visit to %(customer)s due by %(due)s: %(trigger)s")
        % {"customer": visit.customer.name, "due": visit.due_on, "trigger": visit.get_trigger_display()},
        "dedup_key": f"special-visit:{visit.pk}",
    }


@dataclass(frozen=True)
class SpecialVisitRequest:
    """One special visit a job wants raised (R-OBL-3): ``raise_special_visits`` takes many at once."""

    customer: object  # a Customer with its owner loaded
    trigger: str
    reference: str
    note: str = ""
    responsible: object = None  # the customer's owner when None


@dataclass
class RaisedSpecialVisits:
    created: list[SpecialVisit] = field(default_factory=list)
    existing: int = 0  # raised before under the same reference: nothing new
    refused: list[SpecialVisitRequest] = field(default_factory=list)  # nobody able to make the visit


def raise_special_visits(
    requests, *, by=None, workdays: int = 2, today: dt.date | None = None
) -> RaisedSpecialVisits:
    """``raise_special_visit`` for many requests, in a number of queries that does not grow with them.

    The same rules, set-based: a request whose (customer, trigger, reference) was raised before raises
    nothing; one whose responsible person is inactive or cannot work on the customer (R-ARCH-8) is
    refused; the rest are inserted in bulk (a concurrent run inserting the same reference loses
    nothing: the unique constraint keeps one) and each responsible person is notified once per visit.
    ``by`` is who raises them (None: each request's responsible person, as the nightly jobs do).
    """
    from baifang.core.sql import slices
    from baifang.customers.models import Customer

    requests = [r for r in requests]
    for request in requests:
        if request.trigger not in SpecialTrigger.values:
            raise ValidationError({"trigger": _("Unknown trigger.")})
        if not request.reference:
            raise ValueError("raise_special_visits needs a reference per request (its idempotency key)")
    result = RaisedSpecialVisits()
    seen = set()
    for part in slices({r.customer.pk for r in requests}):
        seen.update(
            SpecialVisit.objects.filter(customer__in=part)
            .exclude(dedup_key="")
            .values_list("customer_id", "trigger", "dedup_key")
        )
    fresh, keys = [], set()
    for request in requests:
        key = (request.customer.pk, request.trigger, request.reference)
        if key in seen or key in keys:
            result.existing += 1
            continue
        keys.add(key)
        fresh.append(request)
    by_person: dict[int, list[SpecialVisitRequest]] = {}
    people = {}
    for request in fresh:
        person = request.responsible or request.customer.owner
        people[person.pk] = person
        by_person.setdefault(person.pk, []).append(request)
    due_on = special_visit_due(today or timezone.localdate(), workdays)
    rows = []
    for pk, own in by_person.items():
        person = people[pk]
        workable = set()
        if person.is_active:
            for part in slices({r.customer.pk for r in own}):
                workable.update(
                    Customer.objects.workable_by(person).filter(pk__in=part).values_list("pk", flat=True)
                )
        for request in own:
            if request.customer.pk not in workable:
                result.refused.append(request)
                continue
            rows.append(
                SpecialVisit(
                    customer=request.customer,
                    trigger=request.trigger,
                    responsible=person,
                    raised_by=by or person,
                    note=request.note,
                    due_on=due_on,
                    dedup_key=request.reference,
                )
            )
    SpecialVisit.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    # Read back what this run inserted (ignore_conflicts returns no ids; a concurrent run's rows for
    # the same references are the same visits and get the same notification keys).
    wanted = {(v.customer_id, v.trigger, v.dedup_key) for v in rows}
    created = []
    for part in slices({v.customer_id for v in rows}):
        created.extend(
            v
            for v in SpecialVisit.objects.filter(customer__in=part, due_on=due_on)
            .exclude(dedup_key="")
            .select_related("customer")
            if (v.customer_id, v.trigger, v.dedup_key) in wanted
        )
    Notification.objects.send_many(
        Notification.objects.compose(people[v.responsible_id], **_notice(v)) for v in created
    )
    result.created = created
    return result


def cancel_special_visit(visit: SpecialVisit, *, by) -> SpecialVisit:
    """Withdraw a special visit: only whoever raised it, the market department or an admin (R-OBL-3)."""
    from baifang.customers.predicates import is_archive_admin

    if visit.raised_by_id != by.pk and not is_archive_admin(by):
        raise PermissionDenied
    visit.cancelled = True
    visit.save(update_fields=["cancelled", "updated_at"])
    return visit


# The touches that count (R-VISIT-8: checked out, no serious flag waiting or rejected), as a queryset
# with the fields ``customer_id``, ``user_id``, ``channel`` and ``started_at``. The visits app, which
# knows what a touch is and when it counts, registers it at ready(), so rules never imports visits
# (docs/architecture.md). Rules adds what a special visit asks: customer, person, channel, window.
_fulfilling_query: Callable[[], models.QuerySet] | None = None
_NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def fulfilled_by(query: Callable[[], models.QuerySet]) -> Callable[[], models.QuerySet]:
    """Register the query of touches that count toward special visits (R-OBL-3); usable as a decorator."""
    global _fulfilling_query
    _fulfilling_query = query
    return query


def _counted_touches() -> models.QuerySet:
    if _fulfilling_query is None:
        raise ImproperlyConfigured("No app registered the touches that fulfil a special visit (visits).")
    return _fulfilling_query()


def _fulfilling(channel: str) -> models.QuerySet:
    return _counted_touches().filter(
        customer_id=models.OuterRef("customer_id"),
        channel__in=RULE_CHANNEL_TOUCHES[channel],
    )


def _window_touches(channel: str) -> models.QuerySet:
    from django.db.models.functions import Coalesce

    return (
        _fulfilling(channel)
        .filter(
            started_at__gte=Coalesce(models.OuterRef("opens_at"), models.OuterRef("created_at")),
            started_at__lt=Coalesce(models.OuterRef("closes_at"), models.Value(_NEVER)),
        )
        .filter(
            models.Q(user_id=models.OuterRef("responsible_id"))
            | models.Q(models.lookups.Exact(models.OuterRef("anyone_counts"), True))
        )
    )


def _count_of(touches: models.QuerySet):
    return models.Subquery(
        touches.order_by().values("customer_id").annotate(n=models.Count("pk")).values("n")[:1],
        output_field=models.IntegerField(),
    )


def _channel_fulfilled(channel: str) -> models.Q:
    """True on a special visit of ``channel`` whose ``required`` touches are in its window."""
    from django.db.models.functions import Coalesce

    return models.Q(channel=channel) & models.Q(
        models.lookups.GreaterThanOrEqual(
            Coalesce(_count_of(_window_touches(channel)), 0), models.F("required")
        )
    )


def _fulfilled_condition() -> models.Q:
    """True on a special visit whose touches are there, whatever its channel (one SQL)."""
    condition = models.Q(pk__in=[])
    for channel in RuleChannel.values:
        condition |= _channel_fulfilled(channel)
    return condition


def fulfil_special_visits() -> int:
    """Mark open special visits fulfilled once their touches are there (set-based: two UPDATEs a channel).

    A visit is done when ``required`` touches of its channel that count (R-VISIT-8), by its responsible
    person (or anyone, if so), fall within its window. One touch needed: done at the first such touch
    (as before); more: done at the latest touch in the window so far.
    """
    done = 0
    for channel in RuleChannel.values:
        touches = _window_touches(channel)
        open_ones = SpecialVisit.objects.open().filter(channel=channel)
        for required_one, qs in (
            (True, open_ones.filter(required=1)),
            (False, open_ones.filter(required__gt=1)),
        ):
            ordered = touches.order_by("started_at") if required_one else touches.order_by("-started_at")
            done += qs.filter(_channel_fulfilled(channel)).update(
                fulfilled_at=models.Subquery(ordered.values("started_at")[:1]),
                fulfilled_by_touch=models.Subquery(ordered.values("pk")[:1]),
            )
    return done


def open_special_visits(user=None, *, responsible=None, opened_by=None):
    """Special visits still owed (their touches are not there yet), soonest due first.

    ``opened_by`` (a datetime, default now) leaves out return visits whose window has not opened.
    """
    qs = SpecialVisit.objects.open().opened_by(opened_by or timezone.now()).exclude(_fulfilled_condition())
    if user is not None:
        qs = qs.visible_to(user)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    return qs.select_related("customer", "responsible", "return_rule").order_by("due_on", "id")


def due_list(
    user, day: dt.date | None = None, *, limit: int = 200, viewer=None
) -> list[compliance.Obligation]:
    """The customers ``user`` owes a touch in the current windows, soonest due first (R-OBL-2).

    Only customers the ``viewer`` (default: ``user``) may see are listed (R-SEC-1).
    """
    day = day or timezone.localdate()
    scope = compliance.Scope(user=viewer or user, responsible_user=user)
    return compliance.obligations(day, scope=scope, only_unmet=True, limit=limit, today=day)


@dataclass
class SpecialCell:
    """Special and return visits of one kind (a return-visit rule, else a trigger) for one person, due in
    one window: how many were due, met and overdue (R-OBL-2 for R-OBL-3 and R-FREQ-9 obligations)."""

    responsible_id: int
    return_rule_id: int | None
    trigger: str
    window: engine.Window
    due: int = 0
    met: int = 0
    overdue: int = 0

    @property
    def unmet(self) -> int:
        return self.due - self.met

    @property
    def rate(self) -> float | None:
        return self.met / self.due if self.due else None


def special_compliance(
    day: dt.date, *, user, unit_path: str | None = None, responsible=None, today: dt.date | None = None
) -> list[SpecialCell]:
    """Special and return visits due in the month containing ``day``, per person and kind (one SQL).

    Met: fulfilled, or its touches are there (the fulfilment job may not have run yet); overdue: not
    met and due before ``today``. Cancelled ones are left out; only customers ``user`` may see count.
    """
    today = today or timezone.localdate()
    win = engine.window(engine.MONTH, day)
    qs = SpecialVisit.objects.visible_to(user).filter(cancelled=False, due_on__range=(win.start, win.end))
    if unit_path:
        qs = qs.filter(customer__unit__path__startswith=unit_path)
    if responsible is not None:
        qs = qs.filter(responsible=responsible)
    met = models.Q(fulfilled_at__isnull=False) | _fulfilled_condition()
    flagged = qs.annotate(
        is_met=models.Case(models.When(met, then=1), default=0, output_field=models.IntegerField()),
        is_late=models.Case(
            models.When(models.Q(due_on__lt=today) & ~met, then=1),
            default=0,
            output_field=models.IntegerField(),
        ),
    )
    rows = (
        flagged.values("responsible_id", "return_rule_id", "trigger")
        .annotate(due=models.Count("pk"), met=models.Sum("is_met"), overdue=models.Sum("is_late"))
        .order_by("responsible_id", "return_rule_id", "trigger")
    )
    return [
        SpecialCell(
            r["responsible_id"],
            r["return_rule_id"],
            r["trigger"],
            win,
            int(r["due"]),
            int(r["met"] or 0),
            int(r["overdue"] or 0),
        )
        for r in rows
    ]
