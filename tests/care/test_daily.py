"""The daily care job: tasks ahead of each occasion for the right person, greetings never twice
(R-CARE-1..4, R-CAL-2)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from baifang.care import services
from baifang.care.choices import Delivery
from baifang.care.models import CareRule, CareTask, Message, MessageBatch, MessageTemplate
from baifang.core.models import Notification
from baifang.customers.models import Anniversary
from tests.care.conftest import MID_AUTUMN
from tests.care.webhook_server import Provider
from tests.factories import ContactFactory

EVE = dt.date(2026, 9, 24)  # the day before 中秋节 2026 (25 Sep)


def _tasks(**filters):
    return sorted(
        (t.rule.code, t.contact.name, t.assignee.username, t.occasion_label, t.occasion_date)
        for t in CareTask.objects.filter(**filters).select_related("rule", "contact", "assignee")
    )


def test_seed_001_rules_are_loaded_as_data(book):
    """R-CARE-1..3: eleven seed rules, tiers and audience classes as the seed says."""
    gift = CareRule.objects.get(code="s001-festival-gift-ab")
    assert sorted(t.code for t in gift.tiers.all()) == ["A", "B"] and gift.audience_classes == ["I"]
    assert CareRule.objects.get(code="s001-festival-sms-c").template.name == "节日问候短信"
    assert CareRule.objects.filter(is_active=True).count() == 11
    assert services.load_seed() == 0  # idempotent


def test_festival_gifts_and_birthday_wishes_go_to_the_right_people(org, book):
    """R-CARE-1: festival gifts to A/B class-I contacts by the owner, 7 days ahead (中秋 and 国庆);
    R-CARE-2: an A customer's GM's birthday wished by the leader, the department manager and the rep."""
    result = services.generate(EVE)
    assert _tasks(rule__code="s001-festival-gift-ab") == sorted(
        [
            ("s001-festival-gift-ab", contact, owner, label, date)
            for contact, owner in (("王建国", "rep"), ("李老板", "rep"), ("周总", "outsider"))
            for label, date in (("中秋节", MID_AUTUMN), ("国庆节", dt.date(2026, 10, 1)))
        ]
    )
    birthday = dt.date(2026, 9, 27)
    assert _tasks(occasion="birthday") == [
        ("s001-birthday-a-leader", "王建国", "leader", "生日", birthday),
        ("s001-birthday-a-manager", "王建国", "manager", "生日", birthday),
        ("s001-birthday-a-rep", "王建国", "rep", "生日", birthday),
    ]
    # The outsider's A customer is in department 2: its manager, not department 1's.
    assert result.tasks == 9
    task = CareTask.objects.get(
        rule__code="s001-festival-gift-ab", contact=book.gm_a, occasion_date=MID_AUTUMN
    )
    assert task.remind_on == MID_AUTUMN - dt.timedelta(days=7)
    # Message rules send on the day itself: nothing yet on the eve.
    assert Message.objects.count() == 0


def test_department_manager_of_the_customers_own_department(org, book):
    Anniversary.objects.create(contact=book.other_gm, name="公司成立纪念日", date=dt.date(2001, 9, 26))
    services.generate(EVE)
    assert _tasks(occasion="anniversary") == [
        ("s001-anniv-a-leader", "周总", "leader", "公司成立纪念日", dt.date(2026, 9, 26)),
        ("s001-anniv-a-manager", "周总", "manager2", "公司成立纪念日", dt.date(2026, 9, 26)),
        ("s001-anniv-a-rep", "周总", "outsider", "公司成立纪念日", dt.date(2026, 9, 26)),
    ]


def test_lunar_birthday_falls_on_its_solar_date(org, book):
    """R-CARE-2: a 八月十五 lunar birthday is celebrated on 25 Sep 2026, found by the job on the eve."""
    ContactFactory(
        customer=book.cust_a,
        name="林董",
        title="董事长",
        audience_class="I",
        birthday_calendar="lunar",
        lunar_birth_month=8,
        lunar_birth_day=15,
    )
    services.generate(EVE)
    assert {(t[1], t[4]) for t in _tasks(occasion="birthday")} == {
        ("王建国", dt.date(2026, 9, 27)),
        ("林董", MID_AUTUMN),
    }


def test_lunar_fallbacks_in_the_job(org, book):
    """The two documented fallbacks reach the job: 腊月三十 in 2026's 29-day 腊月 → 5 Feb 2027;
    闰六月初一 in 2026 (no leap 6th month) → 六月初一, 14 Jul 2026."""
    ContactFactory(
        customer=book.cust_a,
        name="年三十",
        audience_class="I",
        birthday_calendar="lunar",
        lunar_birth_month=12,
        lunar_birth_day=30,
    )
    ContactFactory(
        customer=book.cust_a,
        name="闰六月",
        audience_class="I",
        birthday_calendar="lunar",
        lunar_birth_month=6,
        lunar_birth_day=1,
        lunar_birth_leap=True,
    )
    services.generate(dt.date(2027, 2, 3))
    services.generate(dt.date(2026, 7, 12))
    found = {(t[1], t[4]) for t in _tasks(rule__code="s001-birthday-a-rep")}
    assert found == {("年三十", dt.date(2027, 2, 5)), ("闰六月", dt.date(2026, 7, 14))}


def test_running_the_job_twice_changes_nothing(org, book):
    """R-CARE-4: idempotent — the second run makes no task, no message, no notification."""
    first = services.run_daily(EVE)
    first_day = services.run_daily(MID_AUTUMN)
    counts = (
        CareTask.objects.count(),
        Message.objects.count(),
        Notification.objects.count(),
        MessageBatch.objects.count(),
    )
    again = services.run_daily(EVE), services.run_daily(MID_AUTUMN)
    assert (
        CareTask.objects.count(),
        Message.objects.count(),
        Notification.objects.count(),
        MessageBatch.objects.count(),
    ) == counts
    assert first.tasks == 9 and first_day.messages == 3 and first_day.sent == 3
    assert [r.tasks + r.messages + r.sent for r in again] == [0, 0]


def test_festival_sms_reaches_ab_main_staff_and_c_customers_once(org, book):
    """R-CARE-1: the greeting SMS goes to A/B class II and to C customers' contacts, on the day."""
    services.run_daily(MID_AUTUMN)
    sent = {m.contact.name: m for m in Message.objects.select_related("contact")}
    assert set(sent) == {"陈采购", "赵店长", "孙经理"}
    assert all(m.delivery == Delivery.SENT and m.attempts == 1 for m in sent.values())
    assert sent["陈采购"].body.startswith("尊敬的陈采购采购主管：值此中秋节来临之际")
    assert MessageBatch.objects.filter(occasion_key="festival:mid_autumn:2026").count() == 2  # one per rule


def test_opted_out_contact_is_never_sent(org, book):
    services.set_opt_out(book.staff_b, by=org.rep, opted_out=True, reason="客户要求")
    services.run_daily(MID_AUTUMN)
    message = Message.objects.get(contact=book.staff_b)
    assert message.delivery == Delivery.OPTED_OUT and message.attempts == 0


def test_a_manual_batch_for_the_same_festival_skips_who_was_greeted(org, book):
    """R-CARE-4: never two greetings for one contact and occasion, whichever batch sends."""
    services.run_daily(MID_AUTUMN)
    template = MessageTemplate.objects.get(name="节日问候短信")
    key, label, date = services.festival_occasion("mid_autumn", MID_AUTUMN)
    assert (key, label, date) == ("festival:mid_autumn:2026", "中秋节", MID_AUTUMN)
    result = services.create_batch(
        by=org.rep,
        template=template,
        occasion_key=key,
        occasion_label=label,
        contacts=services.batch_audience(org.rep, customer_ids=[book.cust_a.pk]),
    )
    assert (result.added, result.already) == (1, 1)  # 王建国 new, 陈采购 already greeted
    assert Message.objects.filter(contact=book.staff_a).count() == 1


def test_the_unique_constraint_refuses_a_second_greeting(org, book):
    services.run_daily(MID_AUTUMN)
    existing = Message.objects.get(contact=book.staff_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            batch=existing.batch,
            customer=book.cust_a,
            contact=book.staff_a,
            occasion_key=existing.occasion_key,
            channel="sms",
            body="again",
        )


def test_failed_messages_stay_failed_and_can_be_retried(org, book, settings):
    """A webhook that answers 5xx is retried, then marked failed with its error — never lost; a retry
    sends it with the same token."""
    with Provider(script=[500, 500, 500] * 3) as provider:
        settings.BAIFANG_CARE = {
            "GATEWAYS": {"sms": "webhook"},
            "WEBHOOK_URL": provider.url,
            "WEBHOOK_RETRIES": 2,
            "WEBHOOK_BACKOFF": 0,
            "WEBHOOK_SECRET": "k",
        }
        result = services.run_daily(MID_AUTUMN)
        assert (result.sent, result.failed) == (0, 3)
        failed = Message.objects.get(contact=book.staff_a)
        assert failed.delivery == Delivery.FAILED and failed.last_error == "HTTP 500" and failed.attempts == 1
        assert len(provider.requests) == 9  # 3 messages × (1 + 2 retries)
        # The provider is back: retry the batch.
        assert services.retry_failed(failed.batch, by=org.rep) == 2  # 陈采购 and 赵店长 share the A/B batch
        assert services.send_pending(failed.batch).sent == 2
    failed.refresh_from_db()
    assert failed.delivery == Delivery.SENT and failed.attempts == 2
    tokens = [
        r["headers"]["Idempotency-Key"]
        for r in provider.requests
        if r["json"]["address"] == book.staff_a.mobile
    ]
    assert len(tokens) == 4 and set(tokens) == {str(failed.token)}


def test_a_stale_claim_is_offered_again(org, book):
    services.generate(MID_AUTUMN)
    from django.utils import timezone

    Message.objects.update(delivery=Delivery.SENDING, claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert services.send_pending().sent == 3


def test_assignees_get_one_notification_a_day(org, book):
    services.generate(EVE)
    services.generate(EVE)
    rep = Notification.objects.filter(user=org.rep, kind="care_tasks")
    assert rep.count() == 1 and "5" in rep.get().text  # 4 festival gifts + 1 birthday card


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_greet_each_contact_once(org, book, settings):
    """R-CARE-4: two daily jobs started at the same moment on PostgreSQL — one task per rule, contact
    and occasion, one message per contact and occasion, one request per contact at the provider."""
    more = [
        ContactFactory(customer=book.cust_c, name=f"店员{i}", audience_class="III", mobile=f"1370000{i:04d}")
        for i in range(60)
    ]
    with Provider() as provider:
        settings.BAIFANG_CARE = {
            "GATEWAYS": {"sms": "webhook"},
            "WEBHOOK_URL": provider.url,
            "WEBHOOK_RETRIES": 0,
        }
        start = threading.Barrier(2)
        errors = []

        def worker():
            try:
                start.wait(5)
                services.run_daily(MID_AUTUMN)
                services.run_daily(EVE)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert errors == []
    greeted = 3 + len(more)
    assert Message.objects.count() == greeted
    assert Message.objects.filter(delivery=Delivery.SENT).count() == greeted
    addresses = provider.addresses()
    assert len(addresses) == greeted == len(set(addresses))
    assert (
        CareTask.objects.count()
        == CareTask.objects.values("rule", "contact", "occasion_key").distinct().count()
    )
    assert CareTask.objects.filter(occasion="birthday").count() == 3
