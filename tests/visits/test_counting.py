"""What counts as done (R-VISIT-8, R-VISIT-1/2, R-OBL-2): one rule, applied by every count.

The first two tests are the sweep's findings: an unfinished, flagged check-in made its customer
"met" in obligations, the due list and the matrix.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from baifang.core.models import AuditLog, Notification
from baifang.rules import compliance, engine, tallies
from baifang.rules import services as rule_services
from baifang.rules.compliance import Scope
from baifang.rules.models import VisitRule
from baifang.visits import conf, counting, services
from baifang.visits import engine as visit_engine
from baifang.visits.exceptions import InvalidTransition
from baifang.visits.models import Touch, VisitFlag
from tests.conftest import client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW, WEST_LAKE

DAY = NOW.date()
FAR_AWAY = (WEST_LAKE[0] + 1.475, WEST_LAKE[1])  # ≈ 164 km north of the shop


def obligation(customer, code="core-visit", use_tallies=True):
    rows = compliance.obligations(
        DAY, scope=Scope(customer_id=customer.pk), today=DAY, use_tallies=use_tallies
    )
    return next(o for o in rows if o.rule.code == code)


def cell(code="core-visit", use_tallies=True, group_by="responsible"):
    cells = compliance.compliance(DAY, scope=Scope(), today=DAY, group_by=group_by, use_tallies=use_tallies)
    return next(c for c in cells if c.rule.code == code)


def due_customers(user):
    return {o.customer_id for o in rule_services.due_list(user, DAY)}


def both_ways(customer, code="core-visit"):
    """The obligation as the live SQL and the kept window count it: they must agree."""
    live, kept = obligation(customer, code, use_tallies=False), obligation(customer, code, use_tallies=True)
    assert (live.done, live.pending, live.status) == (kept.done, kept.pending, kept.status)
    live_cell, kept_cell = cell(code, use_tallies=False, group_by="rule"), cell(code, group_by="rule")
    assert (live_cell.met, live_cell.pending, live_cell.overdue) == (
        kept_cell.met,
        kept_cell.pending,
        kept_cell.overdue,
    )
    return kept


@pytest.fixture
def kept(shop, clock):
    """The sweep's rules: a visit rule without a minimum duration, its window kept (trigger-maintained)."""
    VisitRule.objects.filter(code="core-visit").update(min_duration_minutes=None)
    tallies.refresh(DAY)


@pytest.fixture
def corner_shop(org):
    return CustomerFactory(owner=org.rep, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1] + 0.001)


def _far_check_in(org, shop, corner_shop):
    """The sweep's check-in: 164 km from the customer, 30 minutes after one at West Lake."""
    earlier = services.check_in(
        org.rep,
        corner_shop,
        latitude=WEST_LAKE[0],
        longitude=WEST_LAKE[1] + 0.001,
        at=NOW - dt.timedelta(minutes=30),
    )
    services.check_out(org.rep, earlier, at=NOW - dt.timedelta(minutes=10))
    return services.check_in(org.rep, shop, latitude=FAR_AWAY[0], longitude=FAR_AWAY[1])


def test_r_visit_8_far_speed_flagged_open_check_in_is_not_done(org, shop, corner_shop, kept):
    """R-VISIT-8 (sweep): a check-in 164 km away, flagged 移动速度异常, never checked out, no record:
    the customer stays on the due list and the obligation is not met anywhere."""
    touch = _far_check_in(org, shop, corner_shop)
    assert {"far", "speed"} <= set(touch.flags.values_list("kind", flat=True))
    assert touch.count_state == "not_counted"
    ob = both_ways(shop)
    assert (ob.done, ob.status) == (0, engine.OPEN)
    assert shop.pk in due_customers(org.rep)
    assert cell().met == 0


def test_r_visit_8_open_check_in_without_location_is_not_done(org, shop, kept):
    """R-VISIT-8 (sweep): a check-in with no location, never checked out: not done, still due."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    assert touch.count_state == "not_counted"
    ob = both_ways(shop)
    assert (ob.done, ob.status) == (0, engine.OPEN)
    assert shop.pk in due_customers(org.rep)
    assert cell().met == 0


def test_r_visit_8_checked_out_flagged_visit_is_pending_review_not_met(org, shop, kept, clock):
    """R-VISIT-8: once checked out, a visit with a serious flag is shown 待核实 beside met/unmet."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    assert touch.count_state == "pending_review"
    ob = both_ways(shop)
    assert (ob.done, ob.pending, ob.status) == (0, 1, engine.PENDING)
    assert shop.pk in due_customers(org.rep)  # never silently met: still owed until accepted
    c = cell()
    assert (c.met, c.pending, c.unmet) == (0, 1, 0)


def test_r_visit_8_accepted_on_review_counts(org, shop, kept, clock):
    """R-VISIT-8: the supervisor accepts the flagged visit: it counts, audited."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    assert list(services.visits_to_review(org.manager)) == [touch]
    services.decide_visit(org.manager, touch, accept=True, comment="信号差，已电话核实")
    touch.refresh_from_db()
    assert (touch.count_state, touch.review_decision, touch.reviewed_by) == (
        "counted",
        "accepted",
        org.manager,
    )
    ob = both_ways(shop)
    assert (ob.done, ob.pending, ob.status) == (1, 0, engine.MET)
    assert shop.pk not in due_customers(org.rep)
    assert AuditLog.objects.filter(action="approve", object_id=str(touch.pk)).exists()
    assert list(services.visits_to_review(org.manager)) == []


def test_r_visit_8_rejected_never_counts(org, shop, corner_shop, kept, clock, settings):
    """R-VISIT-8: a rejected visit never counts — not after a recount, not when the settings relax."""
    touch = _far_check_in(org, shop, corner_shop)
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    with pytest.raises(ValidationError):
        services.decide_visit(org.manager, touch, accept=False, comment=" ")  # a rejection says why
    services.decide_visit(org.manager, touch, accept=False, comment="定位在164公里外")
    touch.refresh_from_db()
    assert touch.count_state == "not_counted"
    assert Notification.objects.filter(user=org.rep, kind="visit_rejected").exists()
    with pytest.raises((InvalidTransition, PermissionDenied)):
        services.decide_visit(org.manager, touch, accept=True)
    settings.BAIFANG = {**settings.BAIFANG, "VISIT_SERIOUS_FLAGS": []}
    Touch.objects.recount_states()
    touch.refresh_from_db()
    assert touch.count_state == "not_counted"
    ob = both_ways(shop)
    assert (ob.done, ob.pending) == (0, 0)
    assert shop.pk in due_customers(org.rep)


def test_r_visit_8_only_the_supervisor_decides(org, shop, clock):
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=20))
    for user in (org.rep, org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            services.decide_visit(user, touch, accept=True)
    clean = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    with pytest.raises(PermissionDenied):  # nothing to decide on a clean visit
        services.decide_visit(org.manager, clean, accept=True)


def test_r_visit_8_short_visit_counts_per_setting(org, shop, clock, settings):
    """R-VISIT-8: a visit shorter than the customer's rule minimum does not count by default (strict);
    a company setting lets it count toward rules without a minimum. A rule's own minimum still holds."""
    rule = VisitRule.objects.get(code="core-visit")
    VisitRule.objects.create(
        code="core-any",
        name="核心客户每月拜访",
        scheme=rule.scheme,
        tier=rule.tier,
        channel="visit",
        period="month",
        min_count=1,
        valid_from=dt.date(2020, 1, 1),
    )
    tallies.refresh(DAY)
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=5))
    assert set(touch.flags.values_list("kind", flat=True)) == {"too_short"}
    assert touch.count_state == "not_counted"
    assert both_ways(shop, "core-any").done == 0

    settings.BAIFANG = {**settings.BAIFANG, "VISIT_SHORT_VISITS_COUNT": True}
    assert Touch.objects.recount_states() == 1
    assert both_ways(shop, "core-any").done == 1
    assert both_ways(shop, "core-visit").done == 0  # the rule asks for 15 minutes


def test_r_visit_8_serious_flags_are_a_setting(org, shop, kept, settings):
    """R-VISIT-8: which flags hold a visit for review is a company setting (strict default)."""
    assert conf.counting_policy().serious_flags == {"far", "speed", "reused", "no_location"}
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0] + 0.01, longitude=WEST_LAKE[1])
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=20))
    assert touch.count_state == "pending_review"
    settings.BAIFANG = {**settings.BAIFANG, "VISIT_SERIOUS_FLAGS": ["speed", "reused", "no_location"]}
    Touch.objects.recount_states()
    assert both_ways(shop).done == 1
    settings.BAIFANG = {**settings.BAIFANG, "VISIT_SERIOUS_FLAGS": ["far", "typo"]}
    with pytest.raises(Exception, match="typo"):
        conf.counting_policy()


def test_r_visit_8_phone_touch_counts_when_recorded(org, shop, kept):
    """R-VISIT-5 / R-VISIT-8: remote touches count once recorded (no check-out, no review)."""
    VisitRule.objects.filter(code="core-visit").update(channel="any", min_duration_minutes=None)
    tallies.refresh(DAY)
    touch = services.log_touch(org.rep, shop, channel="phone")
    assert touch.count_state == "counted"
    assert both_ways(shop).done == 1


def test_r_visit_8_a_flag_added_later_moves_the_counters(org, shop, kept):
    """R-VISIT-8: any path that adds or removes a serious flag decides again (kept counters follow)."""
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=20))
    assert both_ways(shop).done == 1
    flag = VisitFlag.objects.create(touch=touch, kind="reused", detail={"customers": 2})
    assert both_ways(shop).pending == 1
    flag.delete()
    assert both_ways(shop).done == 1


def test_r_visit_8_set_based_recount_equals_the_rule(org, shop, settings):
    """R-VISIT-8: ``counting.recount`` (set-based) decides exactly as ``engine.count_state`` for every
    combination of channel, check-out, flags, review decision and settings."""
    flag_sets = [(), ("far",), ("too_short",), ("far", "too_short"), ("outside_hours",)]
    facts = list(
        itertools.product(["visit", "phone"], [True, False], flag_sets, ["", "accepted", "rejected"])
    )
    touches = []
    for channel, checked_out, flags, decision in facts:
        start = NOW - dt.timedelta(hours=2)
        t = Touch.objects.create(
            customer=shop,
            user=org.rep,
            channel=channel,
            started_at=start,
            ended_at=start + dt.timedelta(minutes=20) if checked_out else None,
            # many open visits of one rep at once: each with the reason R-VISIT-1 asks for
            overlap_reason="" if checked_out or channel != "visit" else "test",
        )
        for kind in flags:
            VisitFlag.objects.create(touch=t, kind=kind)
        Touch.objects.filter(pk=t.pk).update(review_decision=decision)
        touches.append(t)
    for serious, short in itertools.product([("far",), ()], [False, True]):
        policy = visit_engine.CountingPolicy(frozenset(serious), short)
        Touch.objects.update(count_state="counted")
        counting.recount(Touch.objects.all(), VisitFlag, policy)
        for (channel, checked_out, flags, decision), t in zip(facts, touches, strict=True):
            expected = visit_engine.count_state(
                on_site=channel == "visit",
                checked_out=checked_out,
                flags=flags,
                decision=decision,
                policy=policy,
            )
            assert Touch.objects.get(pk=t.pk).count_state == expected, (channel, checked_out, flags, decision)


def test_r_visit_8_pages_decide_a_flagged_visit(org, shop, kept, clock):
    """R-VISIT-8: the supervisor sees the visit in the review queue and decides on its page; the rep,
    a teammate and an outsider cannot (outsider: 404, it does not exist for them)."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=20))
    url = reverse("visits:decide", args=[touch.pk])
    assert client_for(org.outsider).post(url, {"decision": "accept"}).status_code == 404
    assert client_for(org.rep).post(url, {"decision": "accept"}).status_code == 403
    assert client_for(org.teammate).post(url, {"decision": "accept"}).status_code in (403, 404)
    assert 'name="decision"' not in client_for(org.rep).get(touch.get_absolute_url()).content.decode()

    manager = client_for(org.manager)
    queue = manager.get(reverse("visits:review_queue")).content.decode()
    assert reverse("visits:detail", args=[touch.pk]) in queue
    assert 'name="decision"' in manager.get(touch.get_absolute_url()).content.decode()
    response = manager.post(url, {"decision": "reject", "comment": ""})  # a rejection says why
    assert response.status_code == 302
    touch.refresh_from_db()
    assert touch.count_state == "pending_review"
    assert manager.post(url, {"decision": "accept", "comment": "已核实"}).status_code == 302
    touch.refresh_from_db()
    assert touch.count_state == "counted"
    assert both_ways(shop).status == engine.MET


def test_r_visit_8_pending_shown_beside_met_on_pages(org, shop, kept, clock):
    """R-OBL-2 / R-VISIT-8: the matrix, the due list and the customer's obligations tab show the pending
    visit as pending review, never as met."""
    touch = services.check_in(org.rep, shop, location_error="permission denied")
    services.check_out(org.rep, touch, at=NOW + dt.timedelta(minutes=20))
    with translation.override("en"):
        date = {"date": DAY.isoformat()}
        manager, rep = client_for(org.manager), client_for(org.rep)
        for client in (manager, rep):  # the page's language is the user's choice, not the test's
            client.cookies["django_language"] = "en"
        matrix = manager.get(reverse("rules:matrix"), date).content.decode()
        assert "1 pending review" in matrix and ">0/1<" in matrix
        due = rep.get(reverse("rules:due"), date).content.decode()
        assert shop.name in due and "badge-pending" in due and "1 visit pending review" in due
        tab = client_for(org.rep).get(shop.get_absolute_url(), {"tab": "obligations"}).content.decode()
        assert "badge-pending" in tab
