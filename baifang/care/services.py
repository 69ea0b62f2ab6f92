"""Care services: the daily job, batches and sending, gifts, opt-outs, feedback forms (R-CARE-1..4, R-INFO-1).

Views, the API and the huey tasks call these; every one is safe to run twice. The daily job
(:func:`run_daily`) turns the active care rules into

- **care tasks** for a person (gift, call, card, visit — or a message rule without a template), one
  per rule, contact and occasion (a unique constraint), appearing ``lead_days`` before the occasion;
- **messages** for a message rule with a template, built on the rule's day and sent through the
  gateway; one per contact and occasion across all batches (a unique constraint), so neither a
  second run nor a second worker nor a manual batch for the same festival greets anyone twice.
"""

from __future__ import annotations

import calendar as pycal
import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.care import gateway as gateways
from baifang.care import occasions
from baifang.care import quota as quota_engine
from baifang.care.choices import (
    MESSAGE_ACTIONS,
    CareResponsible,
    Delivery,
    MessageChannel,
    Occasion,
    TaskStatus,
)
from baifang.care.models import (
    CareRule,
    CareTask,
    FeedbackForm,
    FeedbackQuota,
    Message,
    MessageBatch,
    MessageTemplate,
    OptOut,
)
from baifang.core.models import Notification
from baifang.customers.choices import BirthdayCalendar, CustomerStatus
from baifang.customers.models import Anniversary, Contact, Customer
from baifang.org.choices import COMPANY_WIDE_KINDS, UNIT_MANAGER_KINDS, DataScope, PositionKind, UnitKind
from baifang.org.models import OrgUnit, PositionAssignment, User

logger = logging.getLogger(__name__)

CHUNK = 5000
# A message claimed by a worker that died is offered again after this long (same token: the
# provider can drop a duplicate by its Idempotency-Key).
STALE_CLAIM = dt.timedelta(minutes=15)
INACTIVE_CUSTOMER = (CustomerStatus.LOST, CustomerStatus.BLACKLISTED)


# --- who does it ------------------------------------------------------------------------------


class Resolver:
    """Resolves a rule's responsible position for a customer from a few queries made once (R-CARE-2)."""

    def __init__(self):
        units = list(OrgUnit.objects.values_list("pk", "path", "department_id"))
        self.path = {pk: path for pk, path, _d in units}
        self.department = {pk: dep or pk for pk, _p, dep in units}
        managers: dict[int, int] = {}
        dept_managers: dict[int, int] = {}
        rows = (
            PositionAssignment.objects.filter(position__kind__in=UNIT_MANAGER_KINDS, user__is_active=True)
            .order_by("user_id")
            .values_list("unit_id", "user_id", "position__kind")
        )
        for unit_id, user_id, kind in rows:
            managers.setdefault(unit_id, user_id)
            if kind == PositionKind.DEPT_MANAGER:
                dept_managers.setdefault(unit_id, user_id)
        self.managers, self.dept_managers = managers, dept_managers
        leaders = list(
            PositionAssignment.objects.filter(
                position__kind__in=(PositionKind.LEADER, PositionKind.DEPUTY_LEADER), user__is_active=True
            )
            .order_by(
                models.Case(models.When(position__kind=PositionKind.LEADER, then=0), default=1), "user_id"
            )
            .values_list("user_id", flat=True)
        )
        self.leader = leaders[0] if leaders else None
        self._supervisor: dict[int, int | None] = {}

    def supervisor_of_unit(self, unit_id: int) -> int | None:
        if unit_id not in self._supervisor:
            ids = [int(p) for p in self.path.get(unit_id, "").strip("/").split("/") if p]
            self._supervisor[unit_id] = next(
                (self.managers[u] for u in reversed(ids) if u in self.managers), None
            )
        return self._supervisor[unit_id]

    def resolve(self, responsible: str, owner_id: int, unit_id: int) -> int:
        """The user who does the task; the owner when the position is vacant."""
        if responsible == CareResponsible.SUPERVISOR:
            return self.supervisor_of_unit(unit_id) or owner_id
        if responsible == CareResponsible.DEPT_MANAGER:
            department = self.department.get(unit_id, unit_id)
            return self.dept_managers.get(department) or self.supervisor_of_unit(unit_id) or owner_id
        if responsible == CareResponsible.LEADER:
            return self.leader or owner_id
        return owner_id


# --- what falls when --------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One contact's occasion under one rule."""

    contact_id: int
    customer_id: int
    owner_id: int
    unit_id: int
    key: str
    label: str
    date: dt.date


CONTACT_COLUMNS = ("pk", "customer_id", "customer__owner_id", "customer__unit_id")


def rule_contacts(rule: CareRule):
    """The contacts a rule reaches: its tiers (empty: all) and audience classes (empty: all)."""
    qs = Contact.objects.filter(customer__merged_into__isnull=True).exclude(
        customer__status__in=INACTIVE_CUSTOMER
    )
    tier_ids = [t.pk for t in rule.tiers.all()]
    if tier_ids:
        qs = qs.filter(customer__tiers__tier_id__in=tier_ids)
    if rule.audience_classes:
        qs = qs.filter(audience_class__in=rule.audience_classes)
    return qs


def _month_day_q(prefix: str, pairs: set[tuple[int, int]]) -> models.Q:
    by_month: dict[int, list[int]] = defaultdict(list)
    for month, day in pairs:
        by_month[month].append(day)
    condition = models.Q(pk__in=[])
    for month, days in by_month.items():
        condition |= models.Q(**{f"{prefix}__month": month, f"{prefix}__day__in": sorted(days)})
    return condition


def occasions_of(rule: CareRule, today: dt.date) -> Iterator[Hit]:
    """Every (contact, occasion) of ``rule`` whose date lies between today and today + lead days."""
    win = occasions.window(today, rule.lead_days)
    contacts = rule_contacts(rule)
    if rule.occasion in (Occasion.FESTIVAL, Occasion.COMPANY_DATE):
        if rule.occasion == Occasion.FESTIVAL:
            found = [
                (f"festival:{f.code}:{f.date.year}", f.name_zh, f.date)
                for f in occasions.festivals_in(win, [rule.festival] if rule.festival else None)
            ]
        else:
            cd = rule.company_date
            found = [
                (f"company:{cd.pk}:{d.year}", cd.name, d) for d in occasions.solar_in(cd.month, cd.day, win)
            ]
        if not found:
            return
        rows = contacts.values_list(*CONTACT_COLUMNS).order_by("pk").iterator(chunk_size=CHUNK)
        for contact_id, customer_id, owner_id, unit_id in rows:
            for key, label, date in found:
                yield Hit(contact_id, customer_id, owner_id, unit_id, key, label, date)
    elif rule.occasion == Occasion.BIRTHDAY:
        label = _("Birthday")
        pairs = occasions.month_days_in(win)
        solar = contacts.filter(birthday_calendar=BirthdayCalendar.SOLAR, birthday__isnull=False).filter(
            _month_day_q("birthday", pairs)
        )
        for *ids, birthday in solar.values_list(*CONTACT_COLUMNS, "birthday").iterator(chunk_size=CHUNK):
            for date in occasions.solar_in(birthday.month, birthday.day, win):
                yield Hit(*ids, f"birthday:{date.year}", label, date)
        lunar = contacts.filter(
            birthday_calendar=BirthdayCalendar.LUNAR,
            lunar_birth_month__isnull=False,
            lunar_birth_day__isnull=False,
        )
        triples = set(
            lunar.values_list("lunar_birth_month", "lunar_birth_day", "lunar_birth_leap")
            .order_by()
            .distinct()
        )
        dates = {t: occasions.lunar_in(*t, win) for t in triples}
        hit = [t for t, ds in dates.items() if ds]
        if hit:
            condition = models.Q(pk__in=[])
            for month, day, leap in hit:
                condition |= models.Q(lunar_birth_month=month, lunar_birth_day=day, lunar_birth_leap=leap)
            rows = lunar.filter(condition).values_list(
                *CONTACT_COLUMNS, "lunar_birth_month", "lunar_birth_day", "lunar_birth_leap"
            )
            for *ids, month, day, leap in rows.iterator(chunk_size=CHUNK):
                for date in dates[(month, day, leap)]:
                    yield Hit(*ids, f"birthday:{date.year}", label, date)
    elif rule.occasion == Occasion.ANNIVERSARY:
        pairs = occasions.month_days_in(win)
        rows = (
            Anniversary.objects.filter(contact__in=contacts.values("pk"))
            .filter(_month_day_q("date", pairs))
            .values_list(
                "pk",
                "name",
                "date",
                "contact_id",
                "contact__customer_id",
                "contact__customer__owner_id",
                "contact__customer__unit_id",
            )
        )
        for pk, name, date, *ids in rows.iterator(chunk_size=CHUNK):
            for day in occasions.solar_in(date.month, date.day, win):
                yield Hit(*ids, f"anniversary:{pk}:{day.year}", name, day)


# --- the daily job ----------------------------------------------------------------------------


@dataclass
class DailyResult:
    tasks: int = 0
    messages: int = 0
    sent: int = 0
    failed: int = 0
    notified: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def generate(today: dt.date | None = None) -> DailyResult:
    """Make the care tasks and build the messages the active rules owe up to their lead days (R-CARE-4).

    Idempotent: tasks and messages that exist are skipped (and the unique constraints make a racing
    second worker's inserts no-ops).
    """
    today = today or timezone.localdate()
    result = DailyResult()
    resolver = Resolver()
    rules = CareRule.objects.active().select_related("company_date", "template").prefetch_related("tiers")
    for rule in rules:
        if rule.action in MESSAGE_ACTIONS and rule.template_id and rule.template.is_active:
            made = _build_rule_messages(rule, today)
            result.messages += made
        else:
            made = _make_tasks(rule, today, resolver)
            result.tasks += made
        result.by_rule[rule.code] = made
    result.notified = notify_assignees(today)
    return result


def _make_tasks(rule: CareRule, today: dt.date, resolver: Resolver) -> int:
    made = 0
    seen: dict[str, set[int]] = {}
    for chunk in _chunks(occasions_of(rule, today)):
        keys = {h.key for h in chunk} - set(seen)
        for key in keys:
            seen[key] = set(
                CareTask.objects.filter(rule=rule, occasion_key=key).values_list("contact_id", flat=True)
            )
        rows = []
        for hit in chunk:
            if hit.contact_id in seen[hit.key]:
                continue
            seen[hit.key].add(hit.contact_id)
            rows.append(
                CareTask(
                    rule=rule,
                    customer_id=hit.customer_id,
                    contact_id=hit.contact_id,
                    assignee_id=resolver.resolve(rule.responsible, hit.owner_id, hit.unit_id),
                    action=rule.action,
                    occasion=rule.occasion,
                    occasion_key=hit.key,
                    occasion_label=hit.label,
                    occasion_date=hit.date,
                    remind_on=hit.date - dt.timedelta(days=rule.lead_days),
                )
            )
        if rows:
            CareTask.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            made += len(rows)
    return made


def _batch_for(rule: CareRule, key: str, label: str) -> MessageBatch:
    """The one batch of a rule and occasion (a racing worker's batch is the same row)."""
    try:
        with transaction.atomic():
            return MessageBatch.objects.get_or_create(
                rule=rule,
                occasion_key=key,
                defaults={
                    "name": f"{label} · {rule.name}"[:120],
                    "template": rule.template,
                    "occasion_label": label,
                },
            )[0]
    except IntegrityError:
        return MessageBatch.objects.get(rule=rule, occasion_key=key)


def _company_name() -> str:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").values_list("name", flat=True).first()
    return root or ""


def _build_rule_messages(rule: CareRule, today: dt.date) -> int:
    # A message rule sends on the day it falls due (occasion − lead days), never earlier.
    batches: dict[str, MessageBatch] = {}
    made = 0
    company = _company_name()
    for chunk in _chunks(
        h for h in occasions_of(rule, today) if h.date - dt.timedelta(days=rule.lead_days) <= today
    ):
        for hit in chunk:
            if hit.key not in batches:
                batches[hit.key] = _batch_for(rule, hit.key, hit.label)
        made += _add_messages(
            rule.template,
            [(batches[h.key], h.contact_id, h.key, h.label) for h in chunk],
            company=company,
        )
    return made


def _add_messages(
    template: MessageTemplate, targets: list[tuple[MessageBatch, int, str, str]], *, company: str
) -> int:
    """Insert one message per (batch, contact, occasion key, label) not greeted yet; returns how many were new."""
    contact_ids = {t[1] for t in targets}
    keys = {t[2] for t in targets}
    taken = set(
        Message.objects.filter(contact_id__in=contact_ids, occasion_key__in=keys).values_list(
            "contact_id", "occasion_key"
        )
    )
    info = {
        row[0]: row
        for row in Contact.objects.filter(pk__in=contact_ids).values_list(
            "pk",
            "name",
            "title",
            "mobile",
            "email",
            "customer_id",
            "customer__name",
            "customer__owner__display_name",
            "care_opt_out__pk",
        )
    }
    rows = []
    for batch, contact_id, key, label in targets:
        if (contact_id, key) in taken or contact_id not in info:
            continue
        taken.add((contact_id, key))
        _pk, name, title, mobile, email, customer_id, customer_name, sender, opted_out = info[contact_id]
        values = {
            "name": name,
            "title": title,
            "festival": label,
            "customer": customer_name,
            "sender": sender or company,
            "company": company,
        }
        subject, body = template.render(values)
        address = email if template.channel == MessageChannel.EMAIL else mobile
        delivery = Delivery.PENDING
        if opted_out:
            delivery = Delivery.OPTED_OUT
        elif not address:
            delivery = Delivery.NO_ADDRESS
        rows.append(
            Message(
                batch=batch,
                customer_id=customer_id,
                contact_id=contact_id,
                occasion_key=key,
                channel=template.channel,
                address=address,
                subject=subject[:200],
                body=body,
                delivery=delivery,
            )
        )
    if rows:
        Message.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def notify_assignees(today: dt.date) -> int:
    """One notification a day per person with open care tasks showing today (dedup per person and day)."""
    rows = (
        CareTask.objects.filter(status=TaskStatus.OPEN, remind_on__lte=today, occasion_date__gte=today)
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    users = User.objects.in_bulk([r["assignee_id"] for r in rows])
    from django.urls import reverse

    composed = [
        Notification.objects.compose(
            users.get(r["assignee_id"]),
            "care_tasks",
            reverse("care:tasks"),
            text=_("%(n)s customer care tasks are due (festivals, birthdays, anniversaries).")
            % {"n": r["n"]},
            dedup_key=f"care-tasks:{r['assignee_id']}:{today.isoformat()}",
        )
        for r in rows
    ]
    return Notification.objects.send_many(composed)


def run_daily(today: dt.date | None = None) -> DailyResult:
    """The daily care job: generate tasks and messages, then send what waits (R-CARE-4)."""
    result = generate(today)
    sent = send_pending()
    result.sent, result.failed = sent.sent, sent.failed
    return result


# --- sending ----------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: int = 0
    failed: int = 0


def _claim(limit: int, batch: MessageBatch | None) -> list[Message]:
    """Mark up to ``limit`` pending messages as ours; no other worker gets them (R-CARE-4)."""
    claim = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        Message.objects.filter(delivery=Delivery.SENDING, claimed_at__lt=now - STALE_CLAIM).update(
            delivery=Delivery.PENDING
        )
        queue = Message.objects.filter(delivery=Delivery.PENDING)
        if batch is not None:
            queue = queue.filter(batch=batch)
        ids = list(
            queue.order_by("id").select_for_update(skip_locked=True).values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        # The state test in the UPDATE makes the claim safe where row locks are absent (SQLite).
        Message.objects.filter(pk__in=ids, delivery=Delivery.PENDING).update(
            delivery=Delivery.SENDING, claim=claim, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(Message.objects.filter(claim=claim, delivery=Delivery.SENDING).select_related("contact"))


def send_pending(batch: MessageBatch | None = None, *, chunk: int = 50) -> SendResult:
    """Send every pending message through its channel's gateway, recording each outcome."""
    result = SendResult()
    backends: dict[str, gateways.Gateway] = {}
    while True:
        claimed = _claim(chunk, batch)
        if not claimed:
            return result
        for message in claimed:
            backend = backends.get(message.channel) or backends.setdefault(
                message.channel, gateways.gateway_for(message.channel)
            )
            outcome = backend.send(
                gateways.Outgoing(
                    token=str(message.token),
                    channel=message.channel,
                    address=message.address,
                    subject=message.subject,
                    body=message.body,
                    recipient=message.contact.name,
                )
            )
            if outcome.ok:
                Message.objects.filter(pk=message.pk, claim=message.claim).update(
                    delivery=Delivery.SENT, sent_at=timezone.now(), last_error=""
                )
                result.sent += 1
            else:
                Message.objects.filter(pk=message.pk, claim=message.claim).update(
                    delivery=Delivery.FAILED, last_error=outcome.error[:300]
                )
                result.failed += 1
                logger.warning("care message %s failed: %s", message.token, outcome.error)


def retry_failed(batch: MessageBatch, *, by, message_ids: Iterable[int] | None = None) -> int:
    """Put failed messages of a batch back in the queue (the same token: never a second greeting)."""
    if not MessageBatch.objects.visible_to(by).filter(pk=batch.pk).exists():
        raise PermissionDenied
    qs = Message.objects.visible_to(by).filter(batch=batch, delivery=Delivery.FAILED)
    if message_ids is not None:
        qs = qs.filter(pk__in=list(message_ids))
    return qs.update(delivery=Delivery.PENDING, claim=None)


# --- manual batches ---------------------------------------------------------------------------


def festival_occasion(code: str, today: dt.date) -> tuple[str, str, dt.date]:
    """Key, name and date of the next occurrence of a festival (this year's, or next year's once past)."""
    for year in (today.year, today.year + 1):
        for f in occasions.festivals_in(occasions.Window(dt.date(year, 1, 1), dt.date(year, 12, 31)), [code]):
            if f.date >= today:
                return f"festival:{f.code}:{f.date.year}", f.name_zh, f.date
    raise ValidationError(_("Unknown festival."), code="unknown_festival")


def batch_audience(by, *, tiers=(), audience_classes=(), customer_ids=()):
    """Contacts of customers in ``by``'s scope, narrowed by tier and audience class."""
    customers = Customer.objects.visible_to(by).exclude(status__in=INACTIVE_CUSTOMER)
    if customer_ids:
        customers = customers.filter(pk__in=list(customer_ids))
    qs = Contact.objects.filter(customer__in=customers.values("pk"))
    if tiers:
        qs = qs.filter(customer__tiers__tier__in=list(tiers))
    if audience_classes:
        qs = qs.filter(audience_class__in=list(audience_classes))
    return qs.distinct()


def preview(template: MessageTemplate, contacts, *, occasion_label: str, limit: int = 5) -> list[dict]:
    """The first few messages as they would go out, with the name of each recipient."""
    company = _company_name()
    out = []
    for contact in contacts.select_related("customer", "customer__owner")[:limit]:
        values = {
            "name": contact.name,
            "title": contact.title,
            "festival": occasion_label,
            "customer": contact.customer.name,
            "sender": str(contact.customer.owner) or company,
            "company": company,
        }
        subject, body = template.render(values)
        out.append({"contact": contact, "subject": subject, "body": body})
    return out


@dataclass
class BatchResult:
    batch: MessageBatch
    added: int
    already: int


def create_batch(
    *, by, template: MessageTemplate, occasion_key: str, occasion_label: str, contacts, name: str = ""
) -> BatchResult:
    """A batch of ``template`` to ``contacts`` (within ``by``'s scope) for one occasion; contacts already
    greeted for it — by any batch — are left out and counted (R-CARE-4)."""
    if not template.is_active:
        raise ValidationError(_("This template is not active."), code="inactive_template")
    scoped = Contact.objects.filter(
        pk__in=contacts.values("pk"), customer__in=Customer.objects.visible_to(by).values("pk")
    )
    ids = list(scoped.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("Nobody to send to: choose customers or contacts."), code="empty_batch")
    with transaction.atomic():
        batch = MessageBatch.objects.create(
            name=(name or f"{occasion_label} · {template.name}")[:120],
            template=template,
            occasion_key=occasion_key,
            occasion_label=occasion_label,
            created_by=by,
        )
        added = 0
        company = _company_name()
        for chunk in _chunks(ids, 1000):
            added += _add_messages(
                template, [(batch, c, occasion_key, occasion_label) for c in chunk], company=company
            )
    return BatchResult(batch, added, len(ids) - added)


def batch_counts(batches) -> dict[int, dict[str, int]]:
    """Delivery counts per batch, in one query."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Delivery.values, 0))
    rows = Message.objects.filter(batch__in=batches).values("batch_id", "delivery").annotate(n=Count("pk"))
    for row in rows:
        counts[row["batch_id"]][row["delivery"]] = row["n"]
    return counts


# --- opt-out ----------------------------------------------------------------------------------


def set_opt_out(contact: Contact, *, by, opted_out: bool, reason: str = "") -> bool:
    """Record or lift a contact's opt-out from greetings; only someone who may work on the customer."""
    if not Customer.objects.workable_by(by).filter(pk=contact.customer_id).exists():
        raise PermissionDenied
    if opted_out:
        OptOut.objects.get_or_create(contact=contact, defaults={"reason": reason[:200], "recorded_by": by})
    else:
        OptOut.objects.filter(contact=contact).delete()
        Message.objects.filter(contact=contact, delivery=Delivery.OPTED_OUT).delete()
    return opted_out


# --- tasks ------------------------------------------------------------------------------------


def change_task(task_id: int, transition: str, *, by, note: str = "") -> CareTask:
    with transaction.atomic():
        task = CareTask.objects.visible_to(by).select_for_update().get(pk=task_id)
        if transition == "complete":
            task.complete(by=by, note=note)
        elif transition == "skip":
            task.skip(by=by, note=note)
        elif transition == "reopen":
            task.reopen(by=by)
        else:  # pragma: no cover - the views pass known names
            raise ValueError(transition)
    return task


def record_gift(*, by, customer: Customer, **fields):
    from baifang.care.models import Gift

    if not Customer.objects.workable_by(by).filter(pk=customer.pk).exists():
        raise PermissionDenied
    gift = Gift(customer=customer, given_by=by, **fields)
    gift.full_clean()
    gift.save()
    return gift


# --- feedback forms and the quota (R-INFO-1) ---------------------------------------------------


def active_quota() -> FeedbackQuota | None:
    return FeedbackQuota.objects.filter(is_active=True).select_related("scheme").order_by("-id").first()


def grade_of(customer_id: int, quota: FeedbackQuota | None) -> str:
    if quota is None or quota.scheme_id is None:
        return ""
    from baifang.tiers.models import CustomerTier

    return (
        CustomerTier.objects.filter(customer_id=customer_id, scheme_id=quota.scheme_id)
        .values_list("tier__code", flat=True)
        .first()
        or ""
    )


def file_feedback(*, by, customer: Customer, **fields) -> FeedbackForm:
    """File a 客户信息反馈表 for the filer's department; the grade is the customer's tier now (R-INFO-1)."""
    if not Customer.objects.visible_to(by).filter(pk=customer.pk).exists():
        raise PermissionDenied
    if by.unit is None:
        raise ValidationError(
            _("You belong to no department, so the form would count for nobody."), code="no_department"
        )
    form = FeedbackForm(
        customer=customer,
        filed_by=by,
        department=by.unit.get_department(),
        grade=grade_of(customer.pk, active_quota()),
        **fields,
    )
    form.full_clean()
    form.save()
    return form


def mark_read(form: FeedbackForm, *, by) -> None:
    """The market department acknowledges a form (R-INFO-1: filed *to* the market department)."""
    if not by.has_position(PositionKind.MARKET_STAFF, PositionKind.ADMIN):
        raise PermissionDenied(_("Only the market department acknowledges feedback forms."))
    FeedbackForm.objects.filter(pk=form.pk, read_at__isnull=True).update(read_by=by, read_at=timezone.now())


def month_span(day: dt.date) -> tuple[dt.date, dt.date]:
    last = pycal.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def field_departments():
    """The departments that owe the quota: field-sales units directly under the company."""
    return OrgUnit.objects.filter(kind=UnitKind.FIELD_SALES, department_id=F("pk")).order_by(
        "sort_order", "path"
    )


def departments_for(user):
    """The field departments whose quota ``user`` may watch: all for company-wide positions, else
    those the user manages or belongs to."""
    if user is None or not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    qs = field_departments()
    if user.data_scope == DataScope.ALL or user.position_kinds & COMPANY_WIDE_KINDS:
        return qs
    ids = {u.get_department().pk for u in user.managed_units}
    if user.unit_id:
        ids.add(user.unit.get_department().pk)
    return qs.filter(pk__in=ids)


@dataclass(frozen=True)
class DepartmentProgress:
    department: OrgUnit
    progress: quota_engine.QuotaProgress
    month: dt.date
    days_left: int


def quota_progress(departments, day: dt.date, quota: FeedbackQuota | None = None) -> list[DepartmentProgress]:
    """Each department's forms this month against the quota, in one query (R-INFO-1)."""
    quota = quota or active_quota()
    departments = list(departments)
    first, last = month_span(day)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        FeedbackForm.objects.filter(department__in=departments, filed_on__range=(first, last))
        .values("department_id", "grade")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counts[row["department_id"]][row["grade"]] = row["n"]
    total, minimums = (quota.total, quota.minimums) if quota else (0, {})
    return [
        DepartmentProgress(d, quota_engine.progress(counts[d.pk], total, minimums), first, (last - day).days)
        for d in departments
    ]


def quota_panel(user, day: dt.date | None = None) -> list[DepartmentProgress]:
    """The data for a manager's home panel: their departments' progress this month (desk renders it)."""
    if active_quota() is None:
        return []
    return quota_progress(departments_for(user), day or timezone.localdate())


def quota_reminders(today: dt.date | None = None) -> int:
    """From ``remind_days`` before month end, tell the managers of each short department, once a month."""
    today = today or timezone.localdate()
    quota = active_quota()
    if quota is None:
        return 0
    _first, last = month_span(today)
    if (last - today).days >= quota.remind_days:
        return 0
    from django.urls import reverse

    short = [p for p in quota_progress(field_departments(), today, quota) if not p.progress.met]
    managers: dict[int, list[int]] = defaultdict(list)
    for unit_id, user_id in PositionAssignment.objects.filter(
        unit__in=[p.department for p in short], position__kind=PositionKind.DEPT_MANAGER, user__is_active=True
    ).values_list("unit_id", "user_id"):
        managers[unit_id].append(user_id)
    users = User.objects.in_bulk([u for ids in managers.values() for u in ids])
    composed = []
    for p in short:
        text = _(
            "%(dept)s has filed %(filed)s customer information feedback forms this month; %(needed)s more are "
            "needed by %(last)s."
        ) % {
            "dept": p.department.name,
            "filed": p.progress.filed,
            "needed": p.progress.still_needed,
            "last": last.isoformat(),
        }
        for user_id in managers[p.department.pk]:
            composed.append(
                Notification.objects.compose(
                    users[user_id],
                    "care_feedback_quota",
                    reverse("care:quota") + f"?month={today:%Y-%m}",
                    text=text,
                    dedup_key=f"care-feedback-quota:{p.department.pk}:{today:%Y-%m}",
                )
            )
    return Notification.objects.send_many(composed)


# --- seed rules -------------------------------------------------------------------------------


def seed_path(name: str):
    """The file of a care seed shipped in ``care/data`` (``seed001`` → ``data/seed001.json``)."""
    from pathlib import Path

    path = Path(__file__).parent / "data" / f"{name}.json"
    if not path.is_file() or not name.replace("-", "").isalnum():
        raise KeyError(f"no care seed named {name!r}")
    return path


def load_seed(path=None) -> int:
    """Load the seed-001 care rules, templates and quota (``data/seed001.json``); idempotent by code.

    Tier codes are looked up in the named scheme; a rule whose scheme is missing is still created,
    inactive, so an administrator sees what to fix.
    """
    import json
    from pathlib import Path

    from baifang.tiers.models import ClassificationScheme, Tier

    data = json.loads(
        Path(path or Path(__file__).parent / "data" / "seed001.json").read_text(encoding="utf-8")
    )
    created = 0
    with transaction.atomic():
        templates = {}
        for row in data.get("templates", []):
            templates[row["name"]], made = MessageTemplate.objects.get_or_create(
                name=row["name"], defaults={"body": row["body"], "channel": row.get("channel", "sms")}
            )
            created += made
        from baifang.care.models import CompanyDate

        dates = {}
        for row in data.get("company_dates", []):
            dates[row["name"]], made = CompanyDate.objects.get_or_create(
                name=row["name"], defaults={"month": row["month"], "day": row["day"]}
            )
            created += made
        for row in data.get("rules", []):
            if CareRule.objects.filter(code=row["code"]).exists():
                continue
            scheme = ClassificationScheme.objects.filter(code=row.get("scheme", "")).first()
            rule = CareRule.objects.create(
                code=row["code"],
                name=row["name"],
                occasion=row["occasion"],
                festival=row.get("festival", ""),
                company_date=dates.get(row.get("company_date")),
                scheme=scheme,
                audience_classes=row.get("audience_classes", []),
                action=row["action"],
                responsible=row.get("responsible", CareResponsible.OWNER),
                lead_days=row.get("lead_days", 3),
                template=templates.get(row.get("template")),
                source=row.get("source", ""),
                is_active=scheme is not None or not row.get("tiers"),
            )
            if scheme is not None and row.get("tiers"):
                rule.tiers.set(Tier.objects.filter(scheme=scheme, code__in=row["tiers"]))
            created += 1
        quota = data.get("quota")
        if quota and not FeedbackQuota.objects.filter(name=quota["name"]).exists():
            FeedbackQuota.objects.create(
                name=quota["name"],
                scheme=ClassificationScheme.objects.filter(code=quota.get("scheme", "")).first(),
                total=quota["total"],
                minimums=quota["minimums"],
                remind_days=quota.get("remind_days", 7),
            )
            created += 1
    return created
