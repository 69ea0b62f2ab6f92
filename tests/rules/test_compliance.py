"""Obligations and compliance, set-based in SQL (R-FREQ-1..8, R-OBL-1, R-OBL-2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.rules import compliance, engine
from baifang.rules.compliance import Scope
from baifang.rules.models import Season, SeasonRange
from baifang.rules.services import revise_rule
from tests.factories import CustomerFactory
from tests.rules.conftest import make_rule, put_in_tier, touch

DAY = dt.date(2026, 11, 18)  # a Wednesday


def by_rule(rows):
    return {(o.rule.code, o.customer_id): o for o in rows}


def test_seed001_a_customer_three_positions_calls_and_visits(org, seed001):
    """R-FREQ-2 / R-OBL-1: an A customer owes rep, department manager and company leader different touches."""
    customer = CustomerFactory(owner=org.rep, name="甲公司")
    put_in_tier(customer, seed001.a)
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 17, 10))  # this week
    touch(customer, org.manager, "phone", dt.datetime(2026, 11, 16, 9))  # this week
    touch(customer, org.manager, "visit", dt.datetime(2026, 3, 3, 9))  # once this year: needs 2
    touch(customer, org.leader, "phone", dt.datetime(2026, 10, 20, 9))  # last month: not this month
    touch(
        customer, org.teammate, "visit", dt.datetime(2026, 11, 18, 9)
    )  # a teammate's visit is not the owner's

    rows = by_rule(compliance.obligations(DAY, scope=Scope(), today=DAY))
    rep = rows[("a-rep-visit", customer.pk)]
    assert (rep.done, rep.required, rep.status, rep.responsible_id) == (1, 1, engine.MET, org.rep.pk)
    assert rep.window == engine.Window(dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    mgr_call = rows[("a-mgr-call", customer.pk)]
    assert (mgr_call.done, mgr_call.status, mgr_call.responsible_id) == (1, engine.MET, org.manager.pk)
    mgr_visit = rows[("a-mgr-visit", customer.pk)]
    assert (mgr_visit.done, mgr_visit.required, mgr_visit.status) == (1, 2, engine.OPEN)
    assert mgr_visit.due == dt.date(2026, 12, 31)
    leader_call = rows[("a-leader-call", customer.pk)]
    assert (leader_call.done, leader_call.status, leader_call.responsible_id) == (
        0,
        engine.OPEN,
        org.leader.pk,
    )
    assert rows[("a-leader-visit", customer.pk)].done == 0
    assert ("b-rep-visit", customer.pk) not in rows  # B rules do not apply to an A customer


def test_closed_window_unmet_is_overdue(org, seed001):
    """R-OBL-2: looking back at last week, an unmet weekly visit is overdue."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.a)
    rows = by_rule(compliance.obligations(dt.date(2026, 11, 10), scope=Scope(), today=DAY))
    assert rows[("a-rep-visit", customer.pk)].status == engine.OVERDUE


def test_summary_counts_due_met_unmet_overdue(org, seed001):
    """R-OBL-2: per rule and per owner."""
    done, missed = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.teammate)
    for c in (done, missed):
        put_in_tier(c, seed001.c)
    touch(done, org.rep, "phone", dt.datetime(2026, 11, 2, 10))
    cells = [
        c
        for c in compliance.compliance(DAY, scope=Scope(), group_by="owner", today=DAY)
        if c.rule.code == "c-rep-call"
    ]
    by_owner = {c.key: c for c in cells}
    assert (by_owner[org.rep.pk].due, by_owner[org.rep.pk].met) == (1, 1)
    assert (
        by_owner[org.teammate.pk].due,
        by_owner[org.teammate.pk].met,
        by_owner[org.teammate.pk].unmet,
    ) == (1, 0, 1)
    past = compliance.compliance(
        dt.date(2026, 10, 15), scope=Scope(), today=DAY, rule_ids=[seed001.rules["c_rep_call"].pk]
    )
    assert past[0].due == 2 and past[0].overdue == 2


def test_scope_limits_compliance_to_visible_customers(org, seed001):
    """R-ORG-4: a manager's compliance covers only their units."""
    mine, theirs = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.outsider)
    for c in (mine, theirs):
        put_in_tier(c, seed001.c)
    assert {o.customer_id for o in compliance.obligations(DAY, scope=Scope(user=org.manager))} == {mine.pk}
    assert {o.customer_id for o in compliance.obligations(DAY, scope=Scope(user=org.market))} == {
        mine.pk,
        theirs.pk,
    }
    assert {o.customer_id for o in compliance.obligations(DAY, scope=Scope(unit_path=org.sales2.path))} == {
        theirs.pk
    }


def test_minimum_duration(org, seed001):
    """R-FREQ-4: a visit shorter than the rule's minimum does not count."""
    rule = seed001.rules["a_rep_visit"]
    rule.min_duration_minutes = 15
    rule.save()
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.a)
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 16, 10), minutes=5)
    assert (
        by_rule(compliance.obligations(DAY, scope=Scope(), today=DAY))[("a-rep-visit", customer.pk)].done == 0
    )
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 17, 10), minutes=16)
    assert (
        by_rule(compliance.obligations(DAY, scope=Scope(), today=DAY))[("a-rep-visit", customer.pk)].done == 1
    )


def test_first_visit_of_the_month_by_the_10th(org, seed001):
    """R-FREQ-3: the first visit of each month is due by the 10th; after it, unmet is overdue."""
    rule = seed001.rules["b_rep_visit"]
    rule.first_due_day = 10
    rule.save()
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    early = by_rule(compliance.obligations(dt.date(2026, 11, 5), scope=Scope(), today=dt.date(2026, 11, 5)))
    assert early[("b-rep-visit", customer.pk)].due == dt.date(2026, 11, 10)
    assert early[("b-rep-visit", customer.pk)].status == engine.OPEN
    late = by_rule(compliance.obligations(DAY, scope=Scope(), today=DAY))
    assert late[("b-rep-visit", customer.pk)].status == engine.OVERDUE


def test_anyone_may_count_when_the_rule_says_so(org, seed001):
    """R-FREQ-1: "or anyone, where the rule says so"."""
    rule = seed001.rules["c_rep_call"]
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.c)
    touch(customer, org.teammate, "phone", dt.datetime(2026, 11, 3, 10))
    assert by_rule(compliance.obligations(DAY, scope=Scope()))[("c-rep-call", customer.pk)].done == 0
    rule.counted_by_anyone = True
    rule.save()
    assert by_rule(compliance.obligations(DAY, scope=Scope()))[("c-rep-call", customer.pk)].done == 1


def test_seasons(org, seed001):
    """R-FREQ-5: a peak-season rule applies only inside its date ranges (ranges may wrap the year end)."""
    peak = Season.objects.create(code="peak", name="旺季")
    SeasonRange.objects.create(season=peak, start_month=3, start_day=1, end_month=6, end_day=30)
    SeasonRange.objects.create(season=peak, start_month=9, start_day=1, end_month=11, end_day=30)
    rule = make_rule(
        "peak-visit", seed001.scheme, seed001.b, channel="visit", period="two_weeks", min_count=1, season=peak
    )
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    assert ("peak-visit", customer.pk) in by_rule(compliance.obligations(DAY, scope=Scope()))
    assert ("peak-visit", customer.pk) not in by_rule(
        compliance.obligations(dt.date(2026, 12, 10), scope=Scope())
    )
    assert rule.season.engine_ranges()[0].contains(dt.date(2026, 4, 1))


def test_geography(org, seed001, settings):
    """R-FREQ-6: same city monthly, same province quarterly, elsewhere half-yearly."""
    settings.BAIFANG = {**settings.BAIFANG, "HOME_PROVINCE": "浙江省", "HOME_CITY": "杭州市"}
    make_rule(
        "geo-city",
        seed001.scheme,
        seed001.c,
        channel="visit",
        period="month",
        min_count=1,
        geography="same_city",
    )
    make_rule(
        "geo-prov",
        seed001.scheme,
        seed001.c,
        channel="visit",
        period="quarter",
        min_count=1,
        geography="same_province",
    )
    make_rule(
        "geo-else",
        seed001.scheme,
        seed001.c,
        channel="visit",
        period="half_year",
        min_count=1,
        geography="elsewhere",
    )
    local = CustomerFactory(owner=org.rep, province="浙江省", city="杭州市")
    ningbo = CustomerFactory(owner=org.rep, province="浙江省", city="宁波市")
    shanghai = CustomerFactory(owner=org.rep, province="上海市", city="上海市")
    for c in (local, ningbo, shanghai):
        put_in_tier(c, seed001.c)
    rows = by_rule(compliance.obligations(DAY, scope=Scope()))
    assert {code for code, cid in rows if code.startswith("geo") and cid == local.pk} == {"geo-city"}
    assert {code for code, cid in rows if code.startswith("geo") and cid == ningbo.pk} == {"geo-prov"}
    assert {code for code, cid in rows if code.startswith("geo") and cid == shanghai.pk} == {"geo-else"}


def test_closed_periods_keep_the_rules_of_their_time(org, seed001):
    """Bad input/history: revising a rule never rewrites past obligations."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    old = seed001.rules["b_rep_visit"]
    new = revise_rule(old, {"min_count": 3}, by=org.market, effective=dt.date(2026, 11, 1))
    old.refresh_from_db()
    assert old.valid_to == dt.date(2026, 10, 31) and new.valid_from == dt.date(2026, 11, 1)
    october = by_rule(compliance.obligations(dt.date(2026, 10, 15), scope=Scope()))
    november = by_rule(compliance.obligations(DAY, scope=Scope()))
    assert october[("b-rep-visit", customer.pk)].required == 1
    assert november[("b-rep-visit", customer.pk)].required == 3


def test_lost_and_merged_customers_owe_nothing(org, seed001):
    lost = CustomerFactory(owner=org.rep, status="lost")
    put_in_tier(lost, seed001.c)
    assert not compliance.obligations(DAY, scope=Scope())


# --- the SQL against a naive Python reference ---------------------------------------------------

CHANNELS = ["visit", "phone", "sms", "invited"]


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    day=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)),
)
def test_sql_matches_the_naive_reference(org, seed001, data, day):
    """R-OBL-2: for random customers, tiers and touches, the set-based SQL equals a per-customer loop."""
    people = [org.rep, org.teammate, org.outsider]
    tiers = [seed001.a, seed001.b, seed001.c]
    with transaction.atomic():
        customers = []
        for i in range(data.draw(st.integers(1, 6), label="customers")):
            owner = data.draw(st.sampled_from(people))
            customer = CustomerFactory(owner=owner, name=f"随机客户{i}")
            tier = data.draw(st.sampled_from(tiers))
            put_in_tier(customer, tier)
            customers.append((customer, tier))
        touches = []
        for _ in range(data.draw(st.integers(0, 15), label="touches")):
            customer, _tier = data.draw(st.sampled_from(customers))
            user = data.draw(st.sampled_from(people))
            when = dt.datetime.combine(
                day + dt.timedelta(days=data.draw(st.integers(-40, 40))),
                dt.time(data.draw(st.integers(0, 23))),
            )
            touches.append(
                touch(
                    customer, user, data.draw(st.sampled_from(CHANNELS)), when, data.draw(st.integers(1, 40))
                )
            )
        owner_rules = [r for r in seed001.rules.values() if r.responsible == "owner"]
        specs = [
            engine.RuleSpec(
                r.pk, r.tier_id, frozenset(r.touch_channels), r.period, r.min_count, not r.counted_by_anyone
            )
            for r in owner_rules
        ]
        facts = [
            engine.TouchFact(
                t.customer_id, t.user_id, t.channel, t.started_at.astimezone().date(), t.duration_seconds
            )
            for t in touches
        ]
        from django.utils import timezone

        facts = [
            engine.TouchFact(
                t.customer_id,
                t.user_id,
                t.channel,
                timezone.localtime(t.started_at).date(),
                t.duration_seconds,
            )
            for t in touches
        ]
        expected = engine.naive_obligations(
            [(c.pk, tier.pk, c.owner_id) for c, tier in customers], specs, facts, day, DAY
        )
        actual = compliance.obligations(day, scope=Scope(), today=DAY, rule_ids=[r.pk for r in owner_rules])
        key = lambda o: (o.rule_id if hasattr(o, "rule_id") else o.rule.pk, o.customer_id)  # noqa: E731
        assert sorted((key(o), o.done, o.status, o.due) for o in expected) == sorted(
            (key(o), o.done, o.status, o.due) for o in actual
        )
        transaction.set_rollback(True)


def test_covering_indexes_per_database(db):
    """R-SCALE-1: PostgreSQL gets index-only window scans; SQLite has no such indexes and needs none."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'visits_touch'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"visits_touch_window_cover", "visits_touch_user_window_cover"} <= names
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'visits_touch'"
            )
            assert "visits_touch_window_cover" not in {row[0] for row in cursor.fetchall()}
