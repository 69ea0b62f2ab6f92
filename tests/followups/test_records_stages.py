"""Follow-up records and stage moves (R-FU-2), touch reminders (R-FU-3)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from baifang.commerce.models import Order
from baifang.core.models import Notification
from baifang.followups import recording, stages
from baifang.followups.choices import METHOD_CHANNEL, FollowUpMethod
from baifang.followups.models import FollowUpRecord, StageHint, StageMove, StageScheme, TouchReminderRule
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from baifang.visits import services as visits
from baifang.visits.models import Touch
from tests.factories import CustomerFactory


@pytest.fixture
def close_grade(db):
    scheme = ClassificationScheme.objects.create(code="close-grade", name="成交时间等级")
    tiers = [
        Tier.objects.create(scheme=scheme, code=c, name=c, rank=i) for i, c in enumerate("ABCDE", start=1)
    ]
    StageScheme.objects.create(scheme=scheme, moved_by_follower=True)
    StageHint.objects.create(tier=tiers[0], methods="direct_visit,phone")
    return scheme, tiers


# -- plain rules (hypothesis) ---------------------------------------------------------------------------

ranks = st.integers(min_value=1, max_value=6)


@given(ranks, ranks, st.booleans(), st.text(max_size=5))
def test_r_fu_2_backwards_move_needs_a_reason(from_rank, to_rank, forward_is_lower, reason):
    """R-FU-2: a follower's backwards move without a reason is refused; a forward one never needs one."""
    move = stages.Move(from_rank, to_rank, reason, forward_is_lower)
    code = stages.refusal(move, is_follower=True, follower_moved=True)
    if from_rank == to_rank:
        assert code == stages.SAME_STAGE
    elif stages.is_backward(move) and not reason.strip():
        assert code == stages.REASON_REQUIRED
    else:
        assert code is None
    # backwards is antisymmetric: a move and its reverse are never both backwards
    if from_rank != to_rank:
        back = stages.Move(to_rank, from_rank, reason, forward_is_lower)
        assert stages.is_backward(move) != stages.is_backward(back)


@given(ranks, ranks, st.booleans(), st.booleans(), st.text(max_size=3))
def test_r_fu_2_only_the_follower_or_market_staff_move(from_rank, to_rank, follower, follower_moved, reason):
    """R-FU-2: outside the follower of a follower-moved scheme, only market staff move (with a reason)."""
    move = stages.Move(from_rank, to_rank, reason)
    code = stages.refusal(move, is_follower=follower, follower_moved=follower_moved)
    if from_rank != to_rank and not follower_moved:
        assert code == stages.NOT_FOLLOWER_MOVED
    elif from_rank != to_rank and not follower:
        assert code == stages.NOT_FOLLOWER
    market = stages.refusal(move, is_follower=False, follower_moved=follower_moved, is_market_staff=True)
    if from_rank != to_rank:
        assert market == (None if reason.strip() else stages.REASON_REQUIRED)


@given(st.sampled_from([None, "target", "new", "long-term", "other"]), st.integers(0, 3), st.booleans())
def test_r_fu_2_lifecycle_never_moves_back_by_itself(current, orders, contract):
    """R-FU-2: the data moves the lifecycle only forward: first order → 新签, long-term contract → 长期."""
    target = stages.lifecycle_target(current, orders=orders, long_term_contract=contract)
    if contract:
        assert target == (None if current == "long-term" else "long-term")
    elif orders and current in (None, "target"):
        assert target == "new"
    else:
        assert target is None


@given(st.one_of(st.none(), st.integers(0, 400)), st.one_of(st.none(), st.integers(1, 365)))
def test_r_fu_3_reminder_kinds(days, threshold):
    """R-FU-3: never touched, or not touched for at least N days; no threshold, no reminder."""
    kind = stages.reminder_due(days, threshold)
    if threshold is None:
        assert kind is None
    elif days is None:
        assert kind == "never"
    else:
        assert (kind == "stale") == (days >= threshold)


# -- records --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [m for m in FollowUpMethod if m != FollowUpMethod.DIRECT_VISIT])
def test_r_fu_2_each_method_counts_on_its_channel(org, customer, method):
    """R-FU-2: a follow-up from the phone stands on a counted touch of its method's channel."""
    record = recording.record_follow_up(
        org.rep, customer, method=method, topic="产品介绍", situation="有兴趣", next_step="寄样品"
    )
    touch = Touch.objects.get(pk=record.touch_id)
    assert touch.channel == METHOD_CHANNEL[method]
    assert Touch.objects.counted().filter(pk=touch.pk).exists()


def test_r_fu_2_direct_visit_links_the_checked_out_visit(org, shop, clock):
    """R-FU-2: 直接登门 stands on the on-site visit, counted by its own check-out — never a second touch."""
    with pytest.raises(ValidationError):
        recording.record_follow_up(org.rep, shop, method=FollowUpMethod.DIRECT_VISIT, topic="拜访")
    visit = visits.check_in(org.rep, shop)
    clock.shift(dt.timedelta(minutes=20))
    visits.check_out(org.rep, visit)
    before = Touch.objects.count()
    record = recording.record_follow_up(org.rep, shop, method=FollowUpMethod.DIRECT_VISIT, topic="拜访")
    assert record.touch_id == visit.pk and Touch.objects.count() == before


def test_r_fu_2_bad_input_changes_nothing(org, customer):
    for kwargs in (
        {"method": "fax", "topic": "x"},
        {"method": "phone", "topic": "  "},
        {"method": "phone", "topic": "x", "followed_on": dt.date.today() + dt.timedelta(days=2)},
        {"method": "phone", "topic": "x", "next_on": dt.date.today() - dt.timedelta(days=1)},
    ):
        with pytest.raises(ValidationError):
            recording.record_follow_up(org.rep, customer, **kwargs)
    assert not Touch.objects.exists() and not FollowUpRecord.objects.exists()


def test_r_fu_2_double_submit_records_once(org, customer):
    first = recording.record_follow_up(org.rep, customer, method="phone", topic="回访", client_token="t1")
    again = recording.record_follow_up(org.rep, customer, method="phone", topic="回访", client_token="t1")
    assert first.pk == again.pk and FollowUpRecord.objects.count() == 1 and Touch.objects.count() == 1


def test_r_fu_2_outsider_cannot_record(org, customer):
    with pytest.raises(PermissionDenied):
        recording.record_follow_up(org.outsider, customer, method="phone", topic="x")
    assert not Touch.objects.exists()


# -- stage moves ----------------------------------------------------------------------------------------


def test_r_fu_2_follower_moves_the_stage_with_history(org, customer, close_grade):
    scheme, (a, b, c, d, e) = close_grade
    recording.move_stage(org.rep, customer, c)
    recording.move_stage(org.rep, customer, a)  # forward: no reason needed
    with pytest.raises(ValidationError) as exc:
        recording.move_stage(org.rep, customer, d)  # backwards without a reason
    assert exc.value.error_dict["reason"][0].code == stages.REASON_REQUIRED
    assert CustomerTier.objects.get(customer=customer, scheme=scheme).tier == a
    recording.move_stage(org.rep, customer, d, reason="预算推迟到明年")
    history = list(StageMove.objects.filter(customer=customer).order_by("id"))
    assert [(m.from_tier, m.to_tier, m.backwards) for m in history] == [
        (None, c, False),
        (c, a, False),
        (a, d, True),
    ]
    assert history[-1].moved_by == org.rep and history[-1].reason == "预算推迟到明年"


def test_r_fu_2_only_the_follower_moves_market_overrides(org, customer, close_grade):
    scheme, tiers = close_grade
    with pytest.raises(PermissionDenied):
        recording.move_stage(org.teammate, customer, tiers[0])
    with pytest.raises(ValidationError):
        recording.move_stage(org.market, customer, tiers[0])  # an override needs a reason
    recording.move_stage(org.market, customer, tiers[0], reason="市场部核定")
    StageScheme.objects.filter(scheme=scheme).update(moved_by_follower=False)
    with pytest.raises(PermissionDenied):
        recording.move_stage(org.rep, customer, tiers[1], reason="x")
    assert StageMove.objects.count() == 1


def test_r_fu_2_record_moves_stage_and_hints(org, customer, close_grade):
    scheme, tiers = close_grade
    assert len(recording.hints_for(tiers[0])) == 2 and recording.hints_for(tiers[1]) == []
    record = recording.record_follow_up(org.rep, customer, method="phone", topic="报价", stage=tiers[1])
    assert StageMove.objects.get().record == record


def test_r_fu_2_first_order_makes_the_lifecycle_new(org, customer, django_capture_on_commit_callbacks):
    scheme = ClassificationScheme.objects.create(code="lifecycle", name="客户生命周期")
    target = Tier.objects.create(scheme=scheme, code="target", name="目标", rank=1)
    new = Tier.objects.create(scheme=scheme, code="new", name="新签", rank=3)
    StageScheme.objects.create(
        scheme=scheme, is_lifecycle=True, moved_by_follower=False, forward_is_lower=False
    )
    CustomerTier.objects.create(
        customer=customer, scheme=scheme, tier=target, source="rule", assigned_at="2026-01-01T00:00Z"
    )
    with django_capture_on_commit_callbacks(execute=True):
        Order.objects.create(customer=customer, number="SO-1", ordered_on=dt.date(2026, 3, 1))
    move = StageMove.objects.get(customer=customer)
    assert move.automatic and move.from_tier == target and move.to_tier == new
    with django_capture_on_commit_callbacks(execute=True):
        Order.objects.create(customer=customer, number="SO-2", ordered_on=dt.date(2026, 3, 2))
    assert StageMove.objects.count() == 1


# -- reminders (R-FU-3) ---------------------------------------------------------------------------------


@pytest.fixture
def stale_setup(org, close_grade):
    scheme, tiers = close_grade
    TouchReminderRule.objects.create(tier=tiers[0], days=7)
    never = CustomerFactory(name="从未联系", owner=org.rep)
    stale = CustomerFactory(name="久未联系", owner=org.rep)
    fresh = CustomerFactory(name="刚联系", owner=org.rep)
    for c in (never, stale, fresh):
        CustomerTier.objects.create(
            customer=c, scheme=scheme, tier=tiers[0], source="manual", assigned_at="2026-01-01T00:00Z"
        )
    from django.utils import timezone

    now = timezone.now()
    Touch.objects.create(
        customer=stale, user=org.rep, channel="phone", started_at=now - dt.timedelta(days=10)
    )
    Touch.objects.create(customer=fresh, user=org.rep, channel="phone", started_at=now - dt.timedelta(days=1))
    return never, stale, fresh


def test_r_fu_3_never_and_stale_reminded_once(org, stale_setup):
    never, stale, fresh = stale_setup
    from baifang.followups.tasks import touch_reminders

    touch_reminders.call_local()
    recording.send_touch_reminders()  # a re-run notifies nobody twice
    assert Notification.objects.filter(kind="touch_reminder").count() == 2
    texts = set(
        Notification.objects.filter(user=org.rep, kind="touch_reminder").values_list("text", flat=True)
    )
    assert any("从未联系" in t for t in texts) and any("久未联系" in t for t in texts)
    assert not any("刚联系" in t for t in texts)


@pytest.mark.django_db(transaction=True)
def test_r_fu_3_two_concurrent_runs_notify_once(org, stale_setup):
    """R-FU-3: two runs at once (threads, real database) write each reminder once."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is checked on PostgreSQL")
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            barrier.wait()
            recording.send_touch_reminders()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Notification.objects.filter(kind="touch_reminder").count() == 2


# -- pages and API --------------------------------------------------------------------------------------


def test_r_fu_2_pages_record_and_move(org, customer, close_grade, django_assert_max_num_queries):
    from django.urls import reverse

    from tests.conftest import client_for

    scheme, tiers = close_grade
    rep = client_for(org.rep)
    url = reverse("followups:record_new", args=[customer.pk])
    assert rep.get(url).status_code == 200
    answer = rep.post(url, {"method": "phone", "topic": "报价", "client_token": "abc", "stage": tiers[2].pk})
    assert answer.status_code == 302
    rep.post(url, {"method": "phone", "topic": "报价", "client_token": "abc"})  # double submit
    assert FollowUpRecord.objects.count() == 1
    record = FollowUpRecord.objects.get()
    assert rep.get(record.get_absolute_url()).status_code == 200
    move = reverse("followups:stage_move", args=[customer.pk])
    refused = rep.post(move, {"tier": tiers[4].pk, "reason": ""})
    assert refused.status_code == 200 and "需要说明原因" in refused.content.decode()
    assert rep.post(move, {"tier": tiers[4].pk, "reason": "客户预算取消"}).status_code == 302
    with django_assert_max_num_queries(40):
        page = rep.get(reverse("customers:detail", args=[customer.pk]))
    assert "客户预算取消" in page.content.decode() and "报价" in page.content.decode()
    outsider = client_for(org.outsider)
    assert outsider.get(url).status_code == 404
    assert outsider.get(move).status_code == 404
    assert outsider.get(record.get_absolute_url()).status_code == 404


def test_r_fu_2_api_list_create_move(org, customer, close_grade, django_assert_max_num_queries):
    from tests.conftest import api_for

    scheme, tiers = close_grade
    api = api_for(org.rep)
    made = api.post(
        "/api/v1/follow-ups/", {"customer": customer.pk, "method": "sms", "topic": "节日问候"}, format="json"
    )
    assert made.status_code == 201, made.content
    assert made.json()["channel"] == "sms" and made.json()["counts"] == "counted"
    for i in range(5):
        recording.record_follow_up(org.rep, customer, method="phone", topic=f"跟进{i}")
    with django_assert_max_num_queries(8):
        listed = api.get("/api/v1/follow-ups/")
    assert listed.status_code == 200 and listed.json()["count"] == 6
    assert (
        api.post("/api/v1/stage-moves/move/", {"customer": customer.pk, "tier": tiers[1].pk}).status_code
        == 201
    )
    back = api.post(
        "/api/v1/stage-moves/move/", {"customer": customer.pk, "tier": tiers[3].pk}, format="json"
    )
    assert back.status_code == 400 and "reason_required" in back.content.decode()
    assert api_for(org.teammate).post(
        "/api/v1/stage-moves/move/", {"customer": customer.pk, "tier": tiers[0].pk, "reason": "x"}
    ).status_code in (403, 404)
    outsider = api_for(org.outsider)
    assert outsider.get("/api/v1/follow-ups/").json()["count"] == 0
    assert outsider.get("/api/v1/stage-moves/").json()["count"] == 0
    assert (
        outsider.post(
            "/api/v1/follow-ups/", {"customer": customer.pk, "method": "sms", "topic": "x"}
        ).status_code
        == 404
    )
    assert (
        outsider.post("/api/v1/stage-moves/move/", {"customer": customer.pk, "tier": tiers[0].pk}).status_code
        == 404
    )
    assert StageMove.objects.count() == 1


def test_r_fu_2_api_filters_by_method(org, customer):
    from baifang.followups.api.records import FollowUpRecordViewSet
    from baifang.followups.filtersets import FollowUpRecordFilterSet
    from tests.conftest import api_for

    assert FollowUpRecordViewSet.filterset_class is FollowUpRecordFilterSet
    recording.record_follow_up(org.rep, customer, method="phone", topic="电话")
    recording.record_follow_up(org.rep, customer, method="sms", topic="短信")
    api = api_for(org.rep)
    listed = api.get("/api/v1/follow-ups/", {"method": "sms"}).json()["results"]
    assert [r["topic"] for r in listed] == ["短信"]
    assert api.get("/api/v1/follow-ups/", {"method": "fax"}).status_code == 400
