"""Care pages: scope (outsider 404/403), query counts, template refusal, batches, feedback, quota
(R-CARE-1..4, R-INFO-1, R-SEC-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from baifang.care import services
from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate
from tests.care.conftest import MID_AUTUMN
from tests.conftest import client_for
from tests.factories import ContactFactory, CustomerFactory

EVE = dt.date(2026, 9, 24)


@pytest.fixture
def ran(book):
    services.run_daily(EVE)
    services.run_daily(MID_AUTUMN)
    return book


def test_task_list_shows_mine_and_hides_others(org, ran):
    page = client_for(org.rep).get(reverse("care:tasks")).content.decode()
    assert "王建国" in page and "李老板" in page and "周总" not in page
    outsider = client_for(org.outsider).get(reverse("care:tasks") + "?mine=&status=").content.decode()
    assert "周总" in outsider and "王建国" not in outsider


def test_task_list_query_count_does_not_grow_with_rows(org, ran, django_assert_max_num_queries):
    for i in range(30):
        ContactFactory(customer=ran.cust_a, name=f"副总{i}", audience_class="I")
    services.generate(EVE)
    assert CareTask.objects.filter(assignee=org.rep).count() > 60
    client = client_for(org.rep)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("care:tasks"))
    assert response.status_code == 200


def test_completing_and_skipping_a_task(org, ran):
    task = CareTask.objects.filter(assignee=org.rep).first()
    client = client_for(org.rep)
    client.post(reverse("care:task_change", args=[task.pk, "skip"]), {"note": ""})
    task.refresh_from_db()
    assert task.status == "open"  # a skip needs a reason
    client.post(reverse("care:task_change", args=[task.pk, "complete"]), {"next": "https://evil.example/"})
    task.refresh_from_db()
    assert task.status == "done" and task.status_changes.get().changed_by == org.rep


def test_outsider_cannot_touch_a_task_or_see_its_customer(org, ran):
    task = CareTask.objects.filter(assignee=org.rep).first()
    response = client_for(org.outsider).post(reverse("care:task_change", args=[task.pk, "complete"]))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "open"
    # A teammate sees no task of rep's customers (own scope), a manager may do them.
    assert (
        client_for(org.teammate).post(reverse("care:task_change", args=[task.pk, "complete"])).status_code
        == 404
    )
    client_for(org.manager).post(reverse("care:task_change", args=[task.pk, "complete"]))
    task.refresh_from_db()
    assert task.status == "done"


def test_gift_register_records_and_scopes(org, ran):
    task = CareTask.objects.filter(assignee=org.rep, action="gift").first()
    client = client_for(org.rep)
    response = client.post(
        reverse("care:gift_new") + f"?task={task.pk}",
        {
            "customer": ran.cust_a.pk,
            "contact": ran.gm_a.pk,
            "item": "月饼礼盒",
            "quantity": 2,
            "cost": "376.00",
            "given_on": "2026-09-20",
            "occasion_label": "中秋节",
        },
    )
    assert response.status_code == 302
    gift = Gift.objects.get()
    assert (gift.task, gift.given_by, str(gift.cost)) == (task, org.rep, "376.00")
    assert "月饼礼盒" in client.get(reverse("care:gifts")).content.decode()
    assert "月饼礼盒" not in client_for(org.outsider).get(reverse("care:gifts")).content.decode()
    # The outsider cannot record a gift on rep's customer: not a valid choice, nothing saved.
    response = client_for(org.outsider).post(
        reverse("care:gift_new"),
        {"customer": ran.cust_a.pk, "item": "茶叶", "quantity": 1, "cost": "100", "given_on": "2026-09-20"},
    )
    assert response.status_code == 200 and Gift.objects.count() == 1


def test_negative_gift_cost_is_refused(org, ran):
    response = client_for(org.rep).post(
        reverse("care:gift_new"),
        {"customer": ran.cust_a.pk, "item": "茶叶", "quantity": 1, "cost": "-5", "given_on": "2026-09-20"},
    )
    assert response.status_code == 200 and Gift.objects.count() == 0


def test_template_with_unknown_placeholder_is_refused_on_save(org, book):
    """R-CARE-4: refused on save, in Chinese, naming the placeholder; nothing saved."""
    client = client_for(org.market)
    response = client.post(
        reverse("care:template_new"), {"name": "错模板", "channel": "sms", "body": "{姓名}您好"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "{姓名}" in page and "未知占位符" in page
    assert not MessageTemplate.objects.filter(name="错模板").exists()
    response = client.post(
        reverse("care:template_new"),
        {"name": "好模板", "channel": "sms", "body": "{name}您好", "preview": "1"},
    )
    assert (
        "王建国您好" in response.content.decode()
        and not MessageTemplate.objects.filter(name="好模板").exists()
    )
    client.post(
        reverse("care:template_new"),
        {"name": "好模板", "channel": "sms", "body": "{name}您好", "is_active": "on"},
    )
    assert MessageTemplate.objects.filter(name="好模板").exists()


def test_only_the_market_department_edits_templates(org, book):
    assert client_for(org.rep).get(reverse("care:template_new")).status_code == 403
    assert client_for(org.rep).get(reverse("care:templates")).status_code == 200


def test_orm_save_of_a_bad_template_is_refused(book):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        MessageTemplate.objects.create(name="x", body="{festval}快乐")
    assert caught.value.error_dict["body"][0].code == "placeholder_unknown"


def test_batch_pages_scope_and_counts(org, ran, django_assert_max_num_queries):
    batch = MessageBatch.objects.filter(messages__contact=ran.staff_a).get()
    client = client_for(org.rep)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("care:batches")).status_code == 200
    with django_assert_max_num_queries(16):
        page = client.get(reverse("care:batch", args=[batch.pk])).content.decode()
    assert "陈采购" in page
    # The teammate sees the batch (孙经理 of its C customer is in the other batch) only for its own customers.
    c_batch = MessageBatch.objects.filter(messages__contact=ran.buyer_c).get()
    assert client_for(org.teammate).get(reverse("care:batch", args=[batch.pk])).status_code == 404
    assert client_for(org.teammate).get(reverse("care:batch", args=[c_batch.pk])).status_code == 200
    assert client_for(org.outsider).get(reverse("care:batch", args=[batch.pk])).status_code == 404
    assert client_for(org.outsider).post(reverse("care:batch_retry", args=[batch.pk])).status_code == 404


def test_new_batch_preview_then_send_skips_already_greeted(org, ran):
    client = client_for(org.rep)
    template = MessageTemplate.objects.get(name="节日问候短信")
    data = {"template": template.pk, "festival": "national", "audience_classes": ["I", "II"]}
    response = client.post(reverse("care:batch_new"), {**data, "preview": "1"})
    page = response.content.decode()
    assert (
        "尊敬的王建国总经理：值此国庆节来临之际" in page
        and MessageBatch.objects.filter(created_by=org.rep).count() == 0
    )
    response = client.post(reverse("care:batch_new"), data)
    batch = MessageBatch.objects.get(created_by=org.rep)
    # The next National Day from today (the page always greets the coming one).
    year = timezone.localdate().year + (timezone.localdate() > dt.date(timezone.localdate().year, 10, 1))
    assert response.status_code == 302 and batch.occasion_key == f"festival:national:{year}"
    assert set(batch.messages.values_list("contact__name", flat=True)) == {
        "王建国",
        "陈采购",
        "李老板",
        "赵店长",
    }
    assert batch.messages.filter(delivery="sent").count() == 4
    client.post(reverse("care:batch_new"), data)  # again: nobody left to greet
    assert Message.objects.filter(occasion_key=f"festival:national:{year}").count() == 4


def test_opt_out_from_the_batch_page(org, ran):
    client = client_for(org.rep)
    client.post(reverse("care:opt_out", args=[ran.gm_a.pk]), {"opt_out": "1"})
    assert ran.gm_a.care_opt_out
    assert (
        client_for(org.outsider)
        .post(reverse("care:opt_out", args=[ran.gm_a.pk]), {"opt_out": "0"})
        .status_code
        == 404
    )


def test_feedback_pages(org, book, django_assert_max_num_queries):
    client = client_for(org.rep)
    response = client.post(
        reverse("care:feedback_new"),
        {
            "customer": book.cust_a.pk,
            "filed_on": timezone.localdate().isoformat(),
            "competitors": "某品牌在本区域降价",
            "source": "visit",
        },
    )
    form = FeedbackForm.objects.get()
    assert response.status_code == 302 and form.grade == "A"
    empty = client.post(
        reverse("care:feedback_new"),
        {"customer": book.cust_a.pk, "filed_on": timezone.localdate().isoformat(), "source": "visit"},
    )
    assert empty.status_code == 200 and FeedbackForm.objects.count() == 1
    for _ in range(20):
        services.file_feedback(by=org.rep, customer=book.cust_b, needs="要求账期60天")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("care:feedback")).status_code == 200
    assert client_for(org.outsider).get(reverse("care:feedback_detail", args=[form.pk])).status_code == 404
    assert "某品牌" not in client_for(org.outsider).get(reverse("care:feedback")).content.decode()
    market = client_for(org.market)
    market.post(reverse("care:feedback_detail", args=[form.pk]))
    form.refresh_from_db()
    assert form.read_by == org.market
    client.post(reverse("care:feedback_detail", args=[form.pk]))  # rep cannot mark read: 403


def test_quota_page_shows_progress_per_department(org, book, django_assert_max_num_queries):
    services.file_feedback(by=org.rep, customer=book.cust_a, market="x")
    client = client_for(org.manager)
    with django_assert_max_num_queries(14):
        page = client.get(reverse("care:quota")).content.decode()
    assert "营销一部" in page and "营销二部" not in page and "还差 4 份" in page
    leader = client_for(org.leader).get(reverse("care:quota") + "?month=2026-01").content.decode()
    assert "营销一部" in leader and "营销二部" in leader
    assert client_for(org.rep).get(reverse("care:quota") + "?month=garbage").status_code == 200


def test_managers_home_shows_their_departments_quota_during_the_month(org, book):
    """R-INFO-1: "progress during the month on … the manager's home" — the manager sees their field
    department's progress on the home page; the rep's home has no panel; the outsider's department is
    not the manager's."""
    services.file_feedback(by=org.rep, customer=book.cust_a, market="x")
    home = client_for(org.manager).get(reverse("home")).content.decode()
    assert 'id="feedback-quota"' in home and "营销一部" in home and "还差 4 份" in home
    assert "营销二部" not in home.split('id="feedback-quota"')[1].split("</section>")[0]
    assert 'id="feedback-quota"' not in client_for(org.rep).get(reverse("home")).content.decode()
    leader = client_for(org.leader).get(reverse("home")).content.decode()
    assert "营销二部" in leader.split('id="feedback-quota"')[1].split("</section>")[0]


def test_anonymous_is_sent_to_sign_in(db):
    for name in ("care:tasks", "care:gifts", "care:batches", "care:templates", "care:feedback", "care:quota"):
        assert client_for_anonymous(name) == 302


def client_for_anonymous(name):
    from django.test import Client

    return Client().get(reverse(name)).status_code


def test_merged_customer_contacts_are_not_greeted(org, book):
    target = CustomerFactory(owner=org.rep)
    book.cust_b.merged_into = target
    book.cust_b.save(update_fields=["merged_into"])
    services.run_daily(MID_AUTUMN)
    assert not Message.objects.filter(contact=book.staff_b).exists()
