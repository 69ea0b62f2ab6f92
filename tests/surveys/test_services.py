"""Campaigns, links, answers, statistics and reminders (R-SURV-1..4)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import Notification
from baifang.surveys import engine, services
from baifang.surveys.choices import CampaignStatus, Channel, ResponseSource
from baifang.surveys.models import Answer, SurveyCampaign, SurveyResponse, SurveySettings, SurveyTemplate
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_shipped_templates_are_the_seeds(db):
    """R-SURV-1: seed 004's owner template (10 items) and the reply letter's 15 items ship as data."""
    owner = SurveyTemplate.objects.get(code="property-owner")
    assert [i.label for i in owner.items.all()] == [
        "安防管理",
        "供电管理",
        "供水管理",
        "消防治安管理",
        "卫生管理",
        "绿化管理",
        "公共设施管理",
        "维修服务",
        "服务态度",
        "其它服务",
    ]
    letter = SurveyTemplate.objects.get(code="property-building")
    assert [i.label for i in letter.items.all()] == [
        "供电工作",
        "供水工作",
        "治安管理",
        "卫生环境",
        "绿化环境",
        "维修工作",
        "车辆管理",
        "公共设施",
        "服务态度",
        "消防工作",
        "电梯服务",
        "邮件收发",
        "防盗系统",
        "电话服务",
        "空调服务",
    ]
    assert SurveyTemplate.objects.get(code="auto-repair-return").min_recipients == 10
    assert SurveyTemplate.objects.get(code="after-visit").satisfied_set == {"4", "5"}


def test_loading_templates_again_keeps_edits(db):
    from baifang.surveys.presets import load_templates

    SurveyTemplate.objects.filter(code="property-owner").update(name="改过的名字")
    assert load_templates() == 0
    assert SurveyTemplate.objects.get(code="property-owner").name == "改过的名字"


def test_target_rule_selects_households_of_a_building_within_scope(org, cs, households):
    """R-SURV-2: target by type and building; a rep only reaches their own customers (R-ORG-4)."""
    rule = {"customer_type": "household", "address": "永辉楼"}
    assert set(services.target_customers(rule, cs)) == set(households[:3])
    assert set(services.target_customers({"customer_type": "household"}, org.rep)) == set(households[:3])
    assert set(services.target_customers({"district": "上城区"}, cs)) == {households[3]}


def test_adding_twice_keeps_each_customer_once(campaign, cs, households):
    assert services.add_recipients(campaign, households, by=cs) == 4
    assert services.add_recipients(campaign, households, by=cs) == 0
    assert campaign.recipients.count() == 4


def test_a_stranger_cannot_change_recipients(campaign, org, households):
    with pytest.raises(PermissionDenied):
        services.add_recipients(campaign, households, by=org.outsider)
    assert not campaign.recipients.exists()


def test_workflow_moves_and_refusals(campaign, cs, org, households):
    """Campaign workflow: draft → running → closed → published; cancel with a reason; wrong person 403."""
    with pytest.raises(ValidationError) as exc:
        campaign.start(by=cs)
    assert exc.value.code == "no_recipients"
    services.add_recipients(campaign, households, by=cs)
    with pytest.raises(PermissionDenied):
        campaign.start(by=org.rep)
    campaign.start(by=cs)
    assert campaign.status == CampaignStatus.RUNNING
    with pytest.raises(InvalidTransition):
        campaign.publish(by=cs)
    campaign.close(by=cs)
    campaign.reopen(by=cs)
    campaign.close(by=cs)
    campaign.publish(by=cs)
    assert campaign.status == CampaignStatus.PUBLISHED and campaign.published_at is not None
    assert [c.new_status for c in campaign.status_changes.all()] == [
        "running",
        "closed",
        "running",
        "closed",
        "published",
    ]
    with pytest.raises(InvalidTransition):
        campaign.cancel(by=cs, reason="晚了")


def test_cancel_needs_a_reason(campaign, cs):
    with pytest.raises(ValidationError):
        campaign.cancel(by=cs, reason=" ")
    campaign.cancel(by=cs, reason="重复发起")
    assert campaign.status == CampaignStatus.CANCELLED


def test_a_sample_needs_its_minimum(cs, org):
    """Seed 004 汽修: the half-yearly sample has at least 10 customers."""
    template = SurveyTemplate.objects.get(code="auto-repair-return")
    today = timezone.localdate()
    campaign = SurveyCampaign.objects.create(
        template=template, title="回访", owner=cs, starts_on=today, ends_on=today
    )
    services.add_recipients(campaign, [CustomerFactory(owner=org.rep) for _ in range(9)], by=cs)
    with pytest.raises(ValidationError) as exc:
        campaign.start(by=cs)
    assert exc.value.code == "too_few_recipients"
    services.add_recipients(campaign, [CustomerFactory(owner=org.rep)], by=cs)
    campaign.start(by=cs)


def test_link_answers_once_and_counts(running):
    """R-SURV-2: the link needs no login, works once; a second use says so and records nothing."""
    recipient = running.recipients.order_by("pk").first()
    resolved = services.resolve_link(recipient.token)
    assert resolved.pk == recipient.pk
    services.submit_response(
        resolved, {"power": "satisfied", "water": "basic", "security": None}, opinion="电梯太慢"
    )
    recipient.refresh_from_db()
    assert recipient.channel == Channel.LINK and recipient.distributed_at is not None
    with pytest.raises(ValidationError) as exc:
        services.resolve_link(recipient.token)
    assert exc.value.code == "link_used"
    with pytest.raises(ValidationError) as exc:
        services.submit_response(recipient, {"power": "dissatisfied"})
    assert exc.value.code == "link_used"
    assert SurveyResponse.objects.count() == 1
    assert Answer.objects.count() == 2  # the blank is not stored


def test_a_tampered_link_is_refused(running):
    recipient = running.recipients.first()
    token = recipient.token
    key, signature = token.split(":")
    for bad in [f"{key}x:{signature}", f"{key}:{signature[:-2]}aa", "abc", f"{recipient.pk}"]:
        with pytest.raises(ValidationError) as exc:
            services.resolve_link(bad)
        assert exc.value.code == "link_tampered"
        assert "无效" in exc.value.messages[0]


def test_the_link_carries_no_guessable_id(running):
    recipient = running.recipients.first()
    key = recipient.token.split(":")[0]
    assert str(recipient.pk) != key and len(key) >= 20


def test_an_expired_link_is_refused(running):
    SurveyCampaign.objects.filter(pk=running.pk).update(
        starts_on=timezone.localdate() - dt.timedelta(days=10),
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    recipient = running.recipients.first()
    with pytest.raises(ValidationError) as exc:
        services.resolve_link(recipient.token)
    assert exc.value.code == "link_expired"
    assert "过期" in exc.value.messages[0]


def test_a_closed_campaign_takes_no_answers(running, cs):
    running.close(by=cs)
    recipient = running.recipients.first()
    with pytest.raises(ValidationError) as exc:
        services.submit_response(recipient, {"power": "satisfied"})
    assert exc.value.code == "link_closed"
    assert not SurveyResponse.objects.exists()


def test_an_answer_off_the_scale_is_refused(running):
    recipient = running.recipients.first()
    with pytest.raises(ValidationError) as exc:
        services.submit_response(recipient, {"power": "satisfied", "water": "5"})
    assert "不在" in str(exc.value) or "not" in str(exc.value)
    with pytest.raises(ValidationError):
        services.submit_response(recipient, {"nonsense": "satisfied"})
    assert not SurveyResponse.objects.exists()


def test_staff_enter_paper_answers_and_a_stranger_cannot(running, cs, org):
    recipients = list(running.recipients.select_related("customer").order_by("pk"))
    with pytest.raises(PermissionDenied):
        services.submit_response(
            recipients[0], {"power": "satisfied"}, source=ResponseSource.PAPER, by=org.outsider
        )
    services.submit_response(recipients[0], {"power": "satisfied"}, source=ResponseSource.PAPER, by=org.rep)
    response = SurveyResponse.objects.get()
    assert response.entered_by == org.rep and response.source == ResponseSource.PAPER
    recipients[0].refresh_from_db()
    assert recipients[0].channel == Channel.PAPER


def test_progress_and_statistics_from_the_database_match_the_engine(running, cs, org):
    """R-SURV-2 rates against targets; R-SURV-3 summary via SQL equals engine.summarise."""
    recipients = list(running.recipients.order_by("pk"))
    services.record_distribution(running, [r.pk for r in recipients[:3]], Channel.PAPER, by=cs)
    answers = [
        {"power": "satisfied", "water": "dissatisfied", "greening": None},
        {"power": "basic", "water": "satisfied", "greening": "dissatisfied"},
        {"power": "dissatisfied"},
    ]
    for recipient, row in zip(recipients, answers, strict=False):
        services.submit_response(recipient, row, source=ResponseSource.PAPER, by=cs)
    progress = services.progress(running, cs)
    assert (progress.targets, progress.distributed, progress.returned) == (4, 3, 3)
    assert progress.distribution_rate == 0.75 and not progress.distribution_met
    assert progress.return_rate == 0.75 and not progress.return_met
    summary = services.campaign_summary(running, cs)
    codes = [i.code for i in running.template.items.all()]
    assert summary == engine.summarise(answers, codes, {"satisfied", "basic"})
    assert summary == services.summary_in_python(running.responses.all(), running.template)
    assert (summary.items["power"].satisfied, summary.items["power"].answered) == (2, 3)
    assert (summary.items["greening"].satisfied, summary.items["greening"].answered) == (0, 1)
    assert (summary.overall.satisfied, summary.overall.answered) == (3, 6)
    # The rep sees only their own households' answers (R-ORG-4): all three answered ones are theirs.
    assert services.campaign_summary(running, org.rep).returned == 3
    assert services.campaign_summary(running, org.outsider).returned == 0


def test_breakdown_by_district(running, cs):
    recipients = list(running.recipients.select_related("customer").order_by("pk"))
    services.submit_response(recipients[0], {"power": "satisfied"}, source=ResponseSource.PAPER, by=cs)
    services.submit_response(recipients[3], {"power": "dissatisfied"}, source=ResponseSource.PAPER, by=cs)
    rows = dict(services.breakdown(running, cs, "district"))
    assert rows["西湖区"].overall.rate == 1.0 and rows["上城区"].overall.rate == 0.0
    assert rows["西湖区"].returned == 1


def test_reminders_are_sent_once_a_day(running, cs, org):
    """R-SURV-2: reminders about non-respondents go to the owner and to who distributed; dedup per day."""
    recipients = list(running.recipients.order_by("pk"))
    services.record_distribution(running, [recipients[0].pk], Channel.PAPER, by=org.market)
    services.remind_non_respondents(running, by=cs)
    assert set(
        Notification.objects.filter(kind="survey_outstanding").values_list("user__username", flat=True)
    ) == {
        "cs",
        "market",
    }
    services.remind_non_respondents(running, by=cs)
    assert Notification.objects.filter(kind="survey_outstanding").count() == 2
    with pytest.raises(PermissionDenied):
        services.remind_non_respondents(running, by=org.outsider)


def test_daily_job_reminds_when_overdue_and_is_idempotent(org, cs, owner_template):
    """R-SURV-2: a periodic survey at least every half year (a company setting); running twice sends nothing new."""
    today = timezone.localdate()
    services.daily_reminders(today)  # none ever ran: due now
    overdue = Notification.objects.filter(kind="survey_overdue")
    assert set(overdue.values_list("user__username", flat=True)) == {"cs", "market", "admin"}
    services.daily_reminders(today)
    assert overdue.count() == 3
    last = today - dt.timedelta(days=200)
    SurveyCampaign.objects.create(
        template=owner_template,
        title="上次",
        owner=cs,
        starts_on=last,
        ends_on=last,
        status=CampaignStatus.CLOSED,
    )
    assert services.next_survey_due(today) < today
    settings_row = SurveySettings.current()
    settings_row.interval_months = 12
    settings_row.save()
    assert services.next_survey_due(today) > today
    Notification.objects.all().delete()
    services.daily_reminders(today)
    assert not Notification.objects.exists()


def test_daily_job_reminds_campaigns_short_of_the_return_target(running, cs):
    SurveyCampaign.objects.filter(pk=running.pk).update(ends_on=timezone.localdate() + dt.timedelta(days=3))
    services.daily_reminders(timezone.localdate())
    assert Notification.objects.filter(kind="survey_outstanding", user=cs).count() == 1
    services.daily_reminders(timezone.localdate())
    assert Notification.objects.filter(kind="survey_outstanding", user=cs).count() == 1


def test_check_after_a_visit_feeds_the_statistics(org, customer):
    """R-SURV-4: a check after a visit uses the same templates and the same statistics."""
    template = SurveyTemplate.objects.get(code="after-visit")
    services.record_check(
        customer, template, {"punctual": "5", "expertise": "3"}, by=org.rep, source=ResponseSource.PHONE
    )
    summary = services.summary_from_db(SurveyResponse.objects.filter(template=template), template)
    assert (summary.overall.satisfied, summary.overall.answered) == (1, 2)
    with pytest.raises(ValidationError):
        services.record_check(customer, template, {"punctual": "6"}, by=org.rep, source=ResponseSource.PHONE)
    with pytest.raises(PermissionDenied):
        services.record_check(
            customer, template, {"punctual": "5"}, by=org.outsider, source=ResponseSource.PHONE
        )
    assert SurveyResponse.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent submissions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_racing_record_one_response(running):
    """R-SURV-2 on PostgreSQL: the same link submitted twice at the same moment (a double tap, a retry
    over a slow network) records one response with its answers; the other is told the link was used."""
    recipient = running.recipients.order_by("pk").first()
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def submit(answer):
        try:
            start.wait(5)
            services.submit_response(services.resolve_link(recipient.token), {"power": answer})
            outcomes.append("recorded")
        except ValidationError as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a,)) for a in ("satisfied", "dissatisfied")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(outcomes) == ["link_used", "recorded"]
    assert SurveyResponse.objects.filter(recipient=recipient).count() == 1
    assert Answer.objects.filter(response__recipient=recipient).count() == 1


def test_distribution_of_ten_thousand_ids_counts_each_real_recipient_once(running, cs):
    """R-SURV-2: the API's largest list (10,000 ids, most unknown) distributes only real recipients, once."""
    real = list(running.recipients.order_by("pk").values_list("pk", flat=True))
    ids = real + list(range(10**9, 10**9 + 10_000 - len(real)))
    assert services.record_distribution(running, ids, Channel.LINK, by=cs) == len(real)
    assert services.record_distribution(running, ids, Channel.LINK, by=cs) == 0
    assert running.recipients.filter(distributed_at__isnull=True).count() == 0
