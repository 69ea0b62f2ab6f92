"""Survey business rules: targets, distribution, links, answers, statistics, reminders (R-SURV-2..4).

Views and the API call these; each raises ``ValidationError`` (with a code) or ``PermissionDenied``
and changes nothing when it refuses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.models import Notification
from baifang.core.sql import slices
from baifang.customers.models import Customer
from baifang.surveys import engine
from baifang.surveys.access import is_survey_staff, survey_customers
from baifang.surveys.choices import CampaignStatus, Channel, ResponseSource, TemplatePurpose
from baifang.surveys.models import (
    LINK_SALT,
    Answer,
    OpinionGroup,
    Recipient,
    SurveyCampaign,
    SurveyResponse,
    SurveySettings,
    SurveyTemplate,
)

# The filters a target set may use (R-SURV-2): customers or households, a tier, an area or a building.
TARGET_KEYS = ("customer_type", "tier", "province", "city", "district", "address", "unit")


def visible_campaigns(user) -> models.QuerySet:
    """Campaigns ``user`` may open: company-wide survey readers all; others those they own or that
    include a customer they see."""
    from baifang.surveys.access import sees_company_wide

    campaigns = SurveyCampaign.objects.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return campaigns.none()
    if sees_company_wide(user):
        return campaigns
    mine = Recipient.objects.filter(customer__in=Customer.objects.visible_to(user).values("pk")).values(
        "campaign_id"
    )
    return campaigns.filter(Q(owner_id=user.pk) | Q(pk__in=mine))


def target_customers(rule: Mapping, user) -> models.QuerySet:
    """The customers a target rule selects, within what ``user`` may see (R-SURV-2, R-ORG-4)."""
    customers = survey_customers(user)
    if rule.get("customer_type"):
        customers = customers.filter(customer_type=rule["customer_type"])
    if rule.get("tier"):
        customers = customers.filter(tiers__tier_id=rule["tier"])
    for key in ("province", "city", "district"):
        if rule.get(key):
            customers = customers.filter(**{key: rule[key]})
    if rule.get("address"):
        # A building or an estate: its name appears in the address (e.g. 永辉楼).
        customers = customers.filter(
            Q(registered_address__contains=rule["address"]) | Q(delivery_address__contains=rule["address"])
        )
    if rule.get("unit"):
        from baifang.org.models import OrgUnit

        units = OrgUnit.objects.filter(pk=rule["unit"])
        customers = customers.filter(unit__in=OrgUnit.objects.subtree_of(units).values("pk"))
    return customers.distinct()


def _require_edit(campaign: SurveyCampaign, user) -> None:
    if not campaign.may_edit(user):
        if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.RUNNING):
            raise ValidationError(
                _("This campaign is over: its recipients no longer change."), code="campaign_over"
            )
        raise PermissionDenied(_("Only the campaign's owner or survey staff can do this."))


@transaction.atomic
def add_recipients(
    campaign: SurveyCampaign, customers: Iterable[Customer] | models.QuerySet, *, by, rule=None
) -> int:
    """Add customers to the target set (those already in it are kept once); returns how many were new."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _require_edit(campaign, by)
    allowed = survey_customers(by)
    ids = set(
        allowed.filter(
            pk__in=[c.pk for c in customers]
            if not isinstance(customers, models.QuerySet)
            else customers.values("pk")
        ).values_list("pk", flat=True)
    )
    existing = set(campaign.recipients.values_list("customer_id", flat=True))
    new = sorted(ids - existing)
    Recipient.objects.bulk_create(
        [Recipient(campaign=campaign, customer_id=pk) for pk in new], batch_size=1000
    )
    if rule:
        campaign.target_rule = {**campaign.target_rule, **{k: v for k, v in rule.items() if v}}
        campaign.save(update_fields=["target_rule", "updated_at"])
    return len(new)


@transaction.atomic
def remove_recipients(campaign: SurveyCampaign, recipient_ids: Iterable[int], *, by) -> int:
    """Take recipients out of the target set; one who answered stays (the answer is evidence)."""
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _require_edit(campaign, by)
    rows = campaign.recipients.filter(pk__in=list(recipient_ids), response__isnull=True)
    deleted, _detail = rows.delete()
    return deleted


@transaction.atomic
def record_distribution(campaign: SurveyCampaign, recipient_ids: Iterable[int], channel: str, *, by) -> int:
    """Record that questionnaires were handed out on paper or their links sent (R-SURV-2).

    Recipients already distributed keep their first record; returns how many were newly distributed.
    """
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Choose how the questionnaire was distributed.")}, code="invalid_choice"
        )
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _require_edit(campaign, by)
    visible = survey_customers(by).values("pk")
    now = timezone.now()
    count = 0
    for part in slices(recipient_ids, 500):  # up to 10,000 ids: one IN (...) could pass SQLite's limit
        count += campaign.recipients.filter(
            pk__in=part, distributed_at__isnull=True, customer__in=visible
        ).update(channel=channel, distributed_at=now, distributed_by=by)
    return count


# --- the per-recipient link (no login, once, expires, nothing guessable) ----------------------------


def resolve_link(token: str) -> Recipient:
    """The recipient behind a link, or a Chinese refusal: tampered, used, expired, or not running."""
    try:
        key = signing.Signer(salt=LINK_SALT).unsign(token)
    except signing.BadSignature:
        raise ValidationError(
            _("This survey link is not valid: it may have been changed or copied incompletely."),
            code="link_tampered",
        ) from None
    recipient = (
        Recipient.objects.select_related("campaign__template", "customer").filter(link_key=key).first()
    )
    if recipient is None:
        raise ValidationError(_("This survey link is not valid any more."), code="link_tampered")
    check_link_open(recipient)
    return recipient


def check_link_open(recipient: Recipient) -> None:
    campaign = recipient.campaign
    if SurveyResponse.objects.filter(recipient=recipient).exists():
        raise ValidationError(
            _("This questionnaire has already been answered. Thank you: each link can be used once."),
            code="link_used",
        )
    if timezone.now() > campaign.link_expires_at():
        raise ValidationError(_("This survey link has expired."), code="link_expired")
    if not campaign.accepts_answers:
        raise ValidationError(_("This survey is not taking answers at the moment."), code="link_closed")


def clean_answers(template: SurveyTemplate, answers: Mapping[str, str | None]) -> dict[str, str]:
    """Answers keyed by item code, blanks dropped; an unknown item or an answer off the scale is refused."""
    items = {item.code for item in template.items.all()}
    values = set(template.scale_values)
    cleaned, errors = {}, []
    for code, value in answers.items():
        if value is None or str(value).strip() == "":
            continue
        value = str(value).strip()
        if code not in items:
            errors.append(ValidationError(_("Unknown item: %(item)s") % {"item": code}, code="unknown_item"))
        elif value not in values:
            errors.append(
                ValidationError(
                    _("%(value)s is not an answer on this scale (%(scale)s).")
                    % {
                        "value": value[:20],
                        "scale": "、".join(label for _v, label in template.scale_choices()),
                    },
                    code="not_on_scale",
                )
            )
        else:
            cleaned[code] = value
    if errors:
        raise ValidationError({"answers": errors})
    return cleaned


def _save_response(template, cleaned: Mapping[str, str], **fields) -> SurveyResponse:
    response = SurveyResponse.objects.create(template=template, **fields)
    items = {item.code: item for item in template.items.all()}
    Answer.objects.bulk_create(
        [Answer(response=response, item=items[code], value=v) for code, v in cleaned.items()]
    )
    return response


def submit_response(
    recipient: Recipient,
    answers: Mapping[str, str | None],
    *,
    opinion: str = "",
    respondent: str = "",
    source: str = ResponseSource.ONLINE,
    by=None,
    answered_on: dt.date | None = None,
) -> SurveyResponse:
    """Record one recipient's answers, once (R-SURV-2): online through the link (``by`` None) or entered
    by staff from paper or a call. A second submission, an expired link or a closed campaign is refused
    and records nothing."""
    if source not in ResponseSource.values:
        raise ValidationError({"source": _("Choose how the answers came back.")}, code="invalid_choice")
    with transaction.atomic():
        recipient = (
            Recipient.objects.select_for_update()
            .select_related("campaign__template", "customer")
            .get(pk=recipient.pk)
        )
        campaign = recipient.campaign
        if by is not None and not may_enter_for(recipient, by):
            raise PermissionDenied(_("You cannot enter answers for this customer."))
        if by is None and source != ResponseSource.ONLINE:
            raise ValueError("answers without a person entering them come through the link")
        check_link_open(recipient)
        if by is not None and answered_on is not None and answered_on > timezone.localdate():
            raise ValidationError(
                {"answered_on": _("The answers cannot come from the future.")}, code="date_in_future"
            )
        cleaned = clean_answers(campaign.template, answers)
        try:
            with transaction.atomic():
                response = _save_response(
                    campaign.template,
                    cleaned,
                    campaign=campaign,
                    recipient=recipient,
                    customer=recipient.customer,
                    source=source,
                    entered_by=by,
                    answered_on=answered_on or timezone.localdate(),
                    respondent=respondent.strip()[:60],
                    opinion=opinion.strip(),
                )
        except IntegrityError:  # a second submission that raced past the check (the one-to-one holds)
            raise ValidationError(
                _("This questionnaire has already been answered. Thank you: each link can be used once."),
                code="link_used",
            ) from None
        if not recipient.is_distributed:
            recipient.channel = Channel.LINK if source == ResponseSource.ONLINE else Channel.PAPER
            recipient.distributed_at = timezone.now()
            recipient.distributed_by = by
            recipient.save(update_fields=["channel", "distributed_at", "distributed_by"])
    return response


def may_enter_for(recipient: Recipient, user) -> bool:
    """Survey staff and the campaign's owner enter any recipient's answers; others those of customers
    they work on (a rep brings back a household's paper form)."""
    if recipient.campaign.owner_id == user.pk or is_survey_staff(user):
        return True
    return Customer.objects.workable_by(user).filter(pk=recipient.customer_id).exists()


@transaction.atomic
def record_check(
    customer: Customer,
    template: SurveyTemplate,
    answers: Mapping[str, str | None],
    *,
    by,
    source: str,
    opinion: str = "",
    respondent: str = "",
    touch=None,
    answered_on: dt.date | None = None,
) -> SurveyResponse:
    """A satisfaction check after a visit, a repair or a complaint (R-SURV-4): same templates, same
    statistics, no campaign."""
    if not Customer.objects.workable_by(by).filter(pk=customer.pk).exists() and not is_survey_staff(by):
        raise PermissionDenied(_("You cannot enter answers for this customer."))
    if template.purpose == TemplatePurpose.PERIODIC or not template.is_active:
        raise ValidationError(
            {"template": _("Choose a template for checks after a visit, repair or complaint.")},
            code="invalid_choice",
        )
    if source not in ResponseSource.values or source == ResponseSource.ONLINE:
        raise ValidationError({"source": _("Choose how the answers came back.")}, code="invalid_choice")
    if touch is not None and touch.customer_id != customer.pk:
        raise ValidationError({"touch": _("This visit was with another customer.")}, code="invalid_choice")
    answered_on = answered_on or timezone.localdate()
    if answered_on > timezone.localdate():
        raise ValidationError(
            {"answered_on": _("The answers cannot come from the future.")}, code="date_in_future"
        )
    cleaned = clean_answers(template, answers)
    if not cleaned:
        raise ValidationError({"answers": _("Answer at least one item.")}, code="required")
    return _save_response(
        template,
        cleaned,
        customer=customer,
        source=source,
        entered_by=by,
        touch=touch,
        answered_on=answered_on,
        respondent=respondent.strip()[:60],
        opinion=opinion.strip(),
    )


# --- progress and statistics ------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """Distribution and return against the target set (R-SURV-2)."""

    targets: int
    distributed: int
    returned: int
    distribution_target: int
    return_target: int

    @property
    def distribution_rate(self) -> float | None:
        return engine.rate_against(self.distributed, self.targets)

    @property
    def return_rate(self) -> float | None:
        return engine.rate_against(self.returned, self.targets)

    @property
    def distribution_met(self) -> bool:
        return engine.meets(self.distribution_rate, self.distribution_target)

    @property
    def return_met(self) -> bool:
        return engine.meets(self.return_rate, self.return_target)

    @property
    def outstanding(self) -> int:
        return self.targets - self.returned


def progress(campaign: SurveyCampaign, user) -> Progress:
    """One query: targets, distributed and returned among the recipients ``user`` may see."""
    counts = campaign.recipients.filter(customer__in=survey_customers(user).values("pk")).aggregate(
        targets=Count("pk"),
        distributed=Count("pk", filter=Q(distributed_at__isnull=False)),
        returned=Count("response"),
    )
    settings_row = SurveySettings.current()
    return Progress(
        counts["targets"],
        counts["distributed"],
        counts["returned"],
        settings_row.distribution_target,
        settings_row.return_target,
    )


def responses_of(campaign: SurveyCampaign, user) -> models.QuerySet:
    return campaign.responses.filter(customer__in=survey_customers(user).values("pk"))


def summary_from_db(responses: models.QuerySet, template: SurveyTemplate) -> engine.Summary:
    """The statistics of R-SURV-3, counted by the database (one query for the items, one for the
    returned count) and put together by ``engine.Summary.from_counts``."""
    codes = [item.code for item in template.items.all()]
    satisfied = sorted(template.satisfied_set)
    rows = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .values("item__code")
        .annotate(answered=Count("pk"), satisfied=Count("pk", filter=Q(value__in=satisfied)))
        .order_by()
    )
    counts = {row["item__code"]: (row["satisfied"], row["answered"]) for row in rows}
    return engine.Summary.from_counts(responses.count(), counts, codes)


def summary_in_python(responses: models.QuerySet, template: SurveyTemplate) -> engine.Summary:
    """The same statistics from the answers themselves through ``engine.summarise`` (the benchmark's floor)."""
    codes = [item.code for item in template.items.all()]
    by_response: dict[int, dict[str, str]] = {pk: {} for pk in responses.values_list("pk", flat=True)}
    answers = Answer.objects.filter(response__in=responses.values("pk")).values_list(
        "response_id", "item__code", "value"
    )
    for response_id, code, value in answers.iterator(chunk_size=5000):
        by_response[response_id][code] = value
    return engine.summarise(by_response.values(), codes, template.satisfied_set)


def campaign_summary(campaign: SurveyCampaign, user) -> engine.Summary:
    return summary_from_db(responses_of(campaign, user), campaign.template)


def breakdown(campaign: SurveyCampaign, user, by: str) -> list[tuple[str, engine.Summary]]:
    """Statistics per district or per tier (R-SURV-3), in one grouped query each for answers and returns."""
    template = campaign.template
    responses = responses_of(campaign, user)
    if by == "tier":
        key = "customer__tiers__tier__name"
    elif by == "district":
        key = "customer__district"
    else:
        raise ValueError(by)
    satisfied = sorted(template.satisfied_set)
    codes = [item.code for item in template.items.all()]
    returned = dict(responses.values_list(key).annotate(n=Count("pk", distinct=True)).order_by())
    rows = (
        Answer.objects.filter(response__in=responses.values("pk"))
        .values(f"response__{key}", "item__code")
        .annotate(answered=Count("pk"), satisfied=Count("pk", filter=Q(value__in=satisfied)))
        .order_by()
    )
    counts: dict[str, dict[str, tuple[int, int]]] = {}
    for row in rows:
        counts.setdefault(row[f"response__{key}"] or "", {})[row["item__code"]] = (
            row["satisfied"],
            row["answered"],
        )
    groups = sorted({*(k or "" for k in returned), *counts})
    totals: dict[str, int] = {}
    for k, n in returned.items():
        totals[k or ""] = totals.get(k or "", 0) + n
    return [(g, engine.Summary.from_counts(totals.get(g, 0), counts.get(g, {}), codes)) for g in groups]


def opinion_summary(campaign: SurveyCampaign, user) -> tuple[list[tuple[OpinionGroup, int]], int]:
    """The common opinions with how many responses each gathers, and how many opinions are ungrouped."""
    responses = responses_of(campaign, user).exclude(opinion="")
    counted = dict(
        responses.filter(opinion_group__isnull=False)
        .values_list("opinion_group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    groups = list(campaign.opinion_groups.select_related("item"))
    ungrouped = responses.filter(opinion_group__isnull=True).count()
    return [(g, counted.get(g.pk, 0)) for g in groups], ungrouped


@transaction.atomic
def group_opinion(response: SurveyResponse, group: OpinionGroup | None, *, by) -> None:
    """File one free-text opinion under a common opinion (or take it out)."""
    campaign = response.campaign
    if campaign is None or not campaign.may_edit_letter(by):
        raise PermissionDenied(_("Only the campaign's owner or survey staff can do this."))
    if group is not None and group.campaign_id != campaign.pk:
        raise ValidationError({"group": _("This group belongs to another campaign.")}, code="invalid_choice")
    response.opinion_group = group
    response.save(update_fields=["opinion_group", "updated_at"])


# --- reminders --------------------------------------------------------------------------------------


def remind_non_respondents(campaign: SurveyCampaign, *, by=None, today: dt.date | None = None) -> int:
    """Tell whoever distributed to recipients who have not answered (and the owner) how many are
    outstanding; once a day per campaign and person (dedup). Returns how many messages were offered (those
    already sent today are skipped by their dedup key)."""
    today = today or timezone.localdate()
    if by is not None and not campaign.may_edit(by):
        raise PermissionDenied(_("Only the campaign's owner or survey staff can do this."))
    if not campaign.accepts_answers:
        raise ValidationError(_("Only a running campaign sends reminders."), code="invalid_transition")
    from baifang.org.models import User

    open_rows = campaign.recipients.filter(response__isnull=True)
    per_person = dict(
        open_rows.filter(distributed_by__isnull=False)
        .values_list("distributed_by")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = open_rows.count()
    if not total:
        return 0
    people = {campaign.owner_id: total, **{pk: n for pk, n in per_person.items() if pk != campaign.owner_id}}
    users = User.objects.in_bulk(list(people))
    rows = [
        Notification.objects.compose(
            users.get(pk),
            "survey_outstanding",
            campaign,
            text=_("%(campaign)s: %(count)s questionnaires not returned yet, ends %(end)s.")
            % {"campaign": campaign.title, "count": n, "end": campaign.ends_on.isoformat()},
            dedup_key=f"surveys:outstanding:{campaign.pk}:{today.isoformat()}",
        )
        for pk, n in people.items()
        if users.get(pk) is not None and users[pk].is_active
    ]
    sent = Notification.objects.send_many(rows)
    open_rows.update(reminded_at=timezone.now())
    return sent


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_survey_due(today: dt.date) -> dt.date | None:
    """When the next periodic campaign is due: the last one's start plus the company's interval
    (R-SURV-2, "at least every half year"); None when none has ever run (due now)."""
    interval = SurveySettings.current().interval_months
    last = (
        SurveyCampaign.objects.filter(template__purpose=TemplatePurpose.PERIODIC)
        .exclude(status__in=[CampaignStatus.CANCELLED, CampaignStatus.DRAFT])
        .aggregate(last=models.Max("starts_on"))["last"]
    )
    return None if last is None else _add_months(last, interval)


def daily_reminders(today: dt.date) -> int:
    """The daily job (idempotent; every message has a dedup key, so a second run sends nothing):
    a survey overdue by the company's cadence, and running campaigns in their last week below the
    return target. Returns how many messages were offered (send_many skips those already sent)."""
    from baifang.org.models import User

    sent = 0
    due = next_survey_due(today)
    if due is None or due <= today:
        settings_row = SurveySettings.current()
        people = list(settings_row.remind.filter(is_active=True))
        if not people:
            people = [
                u for u in User.objects.filter(is_active=True).select_related("unit") if is_survey_staff(u)
            ]
        text = (
            _("No owner survey has run yet: the company surveys at least every %(months)s months.")
            if due is None
            else _("The periodic survey was due on %(due)s (at least every %(months)s months).")
        ) % {"months": settings_row.interval_months, "due": due.isoformat() if due else ""}
        from django.urls import reverse

        sent += Notification.objects.send_many(
            Notification.objects.compose(
                u,
                "survey_overdue",
                reverse("surveys:campaigns"),
                text=text,
                dedup_key=f"surveys:overdue:{(due or today).isoformat()}:{today:%Y-%m}",
            )
            for u in people
        )
    closing = SurveyCampaign.objects.filter(
        status=CampaignStatus.RUNNING, ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=7)
    ).select_related("owner")
    for campaign in closing:
        counts = campaign.recipients.aggregate(t=Count("pk"), r=Count("response"))
        rate = engine.rate_against(counts["r"], counts["t"])
        if not engine.meets(rate, SurveySettings.current().return_target):
            sent += remind_non_respondents(campaign, today=today)
    return sent
