"""Kept compliance windows: trigger-maintained counters equal the live SQL (R-OBL-2, R-SCALE-1).

Every test runs on the suite's database, so `make test` checks the SQLite triggers and
`make test-pg` the PostgreSQL ones.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.org.models import PositionAssignment
from baifang.rules import compliance, engine, tallies
from baifang.rules.compliance import Scope
from baifang.rules.models import ComplianceTally, ComplianceWindow
from baifang.rules.services import revise_rule
from baifang.tiers.models import CustomerTier
from baifang.visits.models import Touch, VisitFlag
from tests.factories import CustomerFactory
from tests.rules.conftest import make_rule, put_in_tier, touch

DAY = dt.date(2026, 11, 18)  # a Wednesday
CHANNELS = ["visit", "phone", "sms", "invited"]
GROUPS = ["rule", "owner", "unit", "responsible"]
FLAG_KINDS = ["far", "speed", "reused", "no_location", "too_short", "outside_hours"]


def cells(day, *, use_tallies, group_by="rule", scope=None):
    return sorted(
        (c.rule.code, c.key or 0, c.due, c.met, c.overdue, c.pending)
        for c in compliance.compliance(
            day, scope=scope or Scope(), group_by=group_by, today=DAY, use_tallies=use_tallies
        )
    )


def rows(day, *, use_tallies, scope=None):
    return sorted(
        (o.rule.code, o.customer_id, o.done, o.pending, o.required, o.due, o.status, o.responsible_id)
        for o in compliance.obligations(day, scope=scope or Scope(), today=DAY, use_tallies=use_tallies)
    )


def assert_fast_equals_live(day, scope=None):
    assert rows(day, use_tallies=True, scope=scope) == rows(day, use_tallies=False, scope=scope)
    for group_by in GROUPS:
        assert cells(day, use_tallies=True, group_by=group_by, scope=scope) == cells(
            day, use_tallies=False, group_by=group_by, scope=scope
        )


def test_triggers_installed_on_this_database(db):
    """Vendor-guarded DDL: the same triggers exist on SQLite and on PostgreSQL."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'visit_rules_tally_%%'")
            names = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'customers_compliance_cover'")
            assert cursor.fetchone()
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            names = {row[0] for row in cursor.fetchall()}
    assert {
        "visit_rules_tally_touch_insert",
        "visit_rules_tally_touch_update",
        "visit_rules_tally_touch_delete",
        "visit_rules_tally_customer_moved",
        "visit_rules_tally_assignment_updated",
        "visit_rules_tally_position_kind",
        "visit_rules_tally_unit_department",
    } <= names


def test_refresh_keeps_the_current_window_of_every_rule_and_is_idempotent(org, seed001):
    """R-OBL-2: the nightly job builds once; a second run keeps everything."""
    first = tallies.refresh(DAY)
    assert (first.built, first.kept, first.dropped) == (len(seed001.rules), 0, 0)
    second = tallies.refresh(DAY)
    assert (second.built, second.kept, second.dropped) == (0, len(seed001.rules), 0)
    assert set(tallies.covered(compliance.rules_in_force(DAY), DAY)) == {r.pk for r in seed001.rules.values()}
    # A week later the weekly windows move on: new ones are built and the old ones dropped.
    later = tallies.refresh(DAY + dt.timedelta(days=7))
    weekly = sum(1 for r in seed001.rules.values() if r.period == "week")
    assert (later.built, later.dropped) == (weekly, weekly)


def test_every_write_path_keeps_the_counters_exact(org, seed001):
    """R-OBL-2: ORM save, bulk_create, queryset update/delete and raw SQL all go through the triggers."""
    a, b = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.teammate)
    put_in_tier(a, seed001.a)
    put_in_tier(b, seed001.b)
    tallies.refresh(DAY)
    start = timezone.make_aware(dt.datetime(2026, 11, 17, 10))
    one = touch(a, org.rep, "visit", dt.datetime(2026, 11, 17, 10))
    touch(a, org.manager, "phone", dt.datetime(2026, 11, 16, 9))
    touch(a, org.leader, "visit", dt.datetime(2026, 3, 3, 9))
    Touch.objects.bulk_create(
        [
            Touch(customer=b, user=org.teammate, channel="visit", started_at=start, duration_seconds=600),
            Touch(customer=b, user=org.teammate, channel="phone", started_at=start, duration_seconds=60),
        ]
    )
    assert_fast_equals_live(DAY)
    Touch.objects.filter(customer=b, channel="phone").update(channel="sms")
    one.channel = "phone"
    one.save()
    assert_fast_equals_live(DAY)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE visits_touch SET started_at = %s WHERE id = %s", [start - dt.timedelta(days=40), one.pk]
        )
    Touch.objects.filter(customer=b).delete()
    assert_fast_equals_live(DAY)
    assert tallies.drift(DAY) == []
    assert len(tallies.covered(compliance.rules_in_force(DAY), DAY)) == len(seed001.rules)


def test_owner_and_unit_changes_recount_the_customer(org, seed001):
    """A new owner's touches count, the old owner's stop counting, however the owner is changed."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 3, 10))
    touch(customer, org.outsider, "visit", dt.datetime(2026, 11, 4, 10))
    tallies.refresh(DAY)
    customer.owner, customer.unit = org.outsider, org.sales2
    customer.save()
    assert_fast_equals_live(DAY)
    type(customer).objects.filter(pk=customer.pk).update(owner=org.teammate, unit=org.team1)
    assert_fast_equals_live(DAY)
    assert tallies.drift(DAY) == []


def test_position_changes_invalidate_holder_windows_and_fall_back_to_live(org, seed001):
    """Supervisor / manager / leader windows become invalid; compliance reads them live until rebuilt."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.a)
    touch(customer, org.teammate, "phone", dt.datetime(2026, 11, 16, 9))
    tallies.refresh(DAY)
    PositionAssignment.objects.filter(user=org.manager).update(user=org.teammate)  # teammate now manages
    rules = compliance.rules_in_force(DAY)
    kept = tallies.covered(rules, DAY)
    assert {r.responsible for r in rules if r.pk in kept} == {"owner"}
    assert_fast_equals_live(DAY)
    assert tallies.refresh(DAY).built == sum(1 for r in rules if r.responsible != "owner")
    assert len(tallies.covered(rules, DAY)) == len(rules)
    assert_fast_equals_live(DAY)


def test_edited_and_revised_rules_fall_back_to_live(org, seed001):
    """A window whose copy no longer matches its rule is never used; a new version starts live."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.c)
    touch(customer, org.rep, "sms", dt.datetime(2026, 11, 5, 9))
    tallies.refresh(DAY)
    rule = seed001.rules["c_rep_call"]
    rule.channel = "remote"  # an in-place edit (admin), not a revision
    rule.save()
    assert rule.pk not in tallies.covered(compliance.rules_in_force(DAY), DAY)
    assert_fast_equals_live(DAY)
    new = revise_rule(
        seed001.rules["b_rep_visit"], {"min_count": 2}, by=org.market, effective=dt.date(2026, 11, 1)
    )
    assert new.pk not in tallies.covered(compliance.rules_in_force(DAY), DAY)
    assert_fast_equals_live(DAY)


def test_rebuild_command_and_nightly_task(org, seed001, time_machine):
    """`baifang compliance_rebuild` builds and checks; the huey task calls the same service."""
    from io import StringIO

    from baifang.rules.tasks import compliance_windows_refresh

    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 3, 10))
    out = StringIO()
    call_command("compliance_rebuild", "--date", DAY.isoformat(), "--check", stdout=out)
    assert ComplianceWindow.objects.count() == len(seed001.rules)
    # Corrupt one counter behind the triggers' back: --check notices.
    ComplianceTally.objects.filter(customer_id=customer.pk).update(done=7)
    with pytest.raises(CommandError):
        call_command("compliance_rebuild", "--date", DAY.isoformat(), "--check", stdout=StringIO())
    call_command("compliance_rebuild", "--date", DAY.isoformat(), "--force", "--check", stdout=StringIO())
    time_machine.move_to(dt.datetime(2026, 11, 18, 1, 0, tzinfo=dt.UTC))
    assert compliance_windows_refresh.call_local() == {"built": 0, "kept": len(seed001.rules), "dropped": 0}


def test_due_list_reads_the_counters(org, seed001):
    """(c) a rep's due list gives the same rows from kept windows as live."""
    from baifang.rules.services import due_list

    done, owed = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.rep)
    for c in (done, owed):
        put_in_tier(c, seed001.b)
    touch(done, org.rep, "visit", dt.datetime(2026, 11, 3, 10))
    live = [(o.rule.code, o.customer_id, o.done) for o in due_list(org.rep, DAY)]
    tallies.refresh(DAY)
    assert [(o.rule.code, o.customer_id, o.done) for o in due_list(org.rep, DAY)] == live
    assert ("b-rep-visit", owed.pk, 0) in live and ("b-rep-visit", done.pk, 1) not in live


def test_one_statement_read_matches_live_for_geography_status_and_scopes(org, seed001, settings):
    """R-FREQ-6 / R-SEC-1: the all-rules-at-once read gives the live numbers for every geography,
    status and scope (a viewer's visible customers, a unit subtree), grouped by rule, owner, unit."""
    settings.BAIFANG = {**settings.BAIFANG, "HOME_PROVINCE": "浙江省", "HOME_CITY": "杭州市"}
    for code, geography, period in (
        ("geo-city", "same_city", "month"),
        ("geo-prov", "same_province", "quarter"),
        ("geo-else", "elsewhere", "half_year"),
    ):
        make_rule(
            code, seed001.scheme, seed001.c, channel="visit", period=period, min_count=1, geography=geography
        )
    make_rule(
        "first-by-10",
        seed001.scheme,
        seed001.b,
        channel="visit",
        period="month",
        min_count=2,
        first_due_day=10,
    )
    places = [("浙江省", "杭州市"), ("浙江省", "宁波市"), ("上海市", "上海市"), ("江苏省", "杭州市")]
    customers = []
    for i, (province, city) in enumerate(places * 2):
        owner = [org.rep, org.teammate, org.outsider][i % 3]
        customer = CustomerFactory(
            owner=owner, province=province, city=city, status="lost" if i == 7 else "active"
        )
        put_in_tier(customer, [seed001.b, seed001.c][i % 2])
        customers.append(customer)
        if i % 3:
            touch(customer, owner, "visit", dt.datetime(2026, 11, 2 + i, 10))
    tallies.refresh(DAY)
    assert tallies.can_read_together(Scope(), "rule")
    for scope in (Scope(), Scope(user=org.manager), Scope(user=org.rep), Scope(unit_path=org.sales1.path)):
        for group_by in ("rule", "owner", "unit"):
            assert cells(DAY, use_tallies=True, group_by=group_by, scope=scope) == cells(
                DAY, use_tallies=False, group_by=group_by, scope=scope
            )
    rules = compliance.rules_in_force(DAY)
    assert len(tallies.covered(rules, DAY)) == len(rules)  # the kept path was the one compared


# --- random writes against the live SQL ----------------------------------------------------------


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), day=st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2026, 12, 31)))
def test_kept_windows_equal_live_sql_under_random_writes(org, seed001, data, day):
    """R-OBL-2: random touches, owner changes, tier changes, position changes and rule revisions,
    through ORM and bulk paths; after each step the kept windows give what the live SQL gives,
    for obligations and every grouping, and owner rules match the naive reference."""
    people = [org.rep, org.teammate, org.outsider, org.manager, org.leader]
    owners = [org.rep, org.teammate, org.outsider]
    tiers = [seed001.a, seed001.b, seed001.c]
    draw = data.draw
    with transaction.atomic():
        customers = []
        for i in range(draw(st.integers(1, 5), label="customers")):
            owner = draw(st.sampled_from(owners))
            customer = CustomerFactory(owner=owner, name=f"随机客户{i}")
            put_in_tier(customer, draw(st.sampled_from(tiers)))
            customers.append(customer)
        built_before = draw(st.booleans(), label="windows built before the touches")
        if built_before:
            tallies.refresh(day)

        def when():
            return timezone.make_aware(
                dt.datetime.combine(
                    day + dt.timedelta(days=draw(st.integers(-40, 40))), dt.time(draw(st.integers(0, 23)))
                )
            )

        def new_touch():
            start = when()
            minutes = draw(st.integers(1, 40))
            return Touch(
                customer=draw(st.sampled_from(customers)),
                user=draw(st.sampled_from(people)),
                channel=draw(st.sampled_from(CHANNELS)),
                started_at=start,
                ended_at=start + dt.timedelta(minutes=minutes),
                duration_seconds=minutes * 60,
            )

        for _ in range(draw(st.integers(1, 12), label="steps")):
            step = draw(
                st.sampled_from(
                    ["save", "bulk", "move", "retime", "delete", "bulk_delete", "owner", "owner_bulk", "tier"]
                    + ["position", "revise", "rebuild"]
                    # What counts as done (R-VISIT-8): open visits, check-out, flags, review decisions.
                    + ["open_visit", "check_out", "flag", "unflag", "accept", "reject", "decide_bulk"]
                ),
                label="step",
            )
            existing = list(Touch.objects.filter(customer__in=customers))
            if step == "save":
                new_touch().save()
            elif step == "bulk":
                Touch.objects.bulk_create([new_touch() for _ in range(draw(st.integers(1, 4)))])
            elif step == "move" and existing:
                t = draw(st.sampled_from(existing))
                t.channel, t.user = draw(st.sampled_from(CHANNELS)), draw(st.sampled_from(people))
                t.save()
            elif step == "retime" and existing:
                t = draw(st.sampled_from(existing))
                Touch.objects.filter(pk=t.pk).update(
                    started_at=when(),
                    ended_at=None,
                    duration_seconds=draw(st.integers(0, 2400)),
                    overlap_reason="property test",  # several open visits of one rep at once (R-VISIT-1)
                )
                if t.channel == "visit":  # a bulk write of the facts: the nightly recount decides again
                    Touch.objects.recount_states()
            elif step == "delete" and existing:
                draw(st.sampled_from(existing)).delete()
            elif step == "bulk_delete" and existing:
                Touch.objects.filter(customer=draw(st.sampled_from(customers))).delete()
            elif step == "owner":
                customer = draw(st.sampled_from(customers))
                customer.owner = draw(st.sampled_from(owners))
                customer.unit = customer.owner.unit
                customer.save()
            elif step == "owner_bulk":
                owner = draw(st.sampled_from(owners))
                type(customers[0]).objects.filter(pk__in=[c.pk for c in customers]).update(
                    owner=owner, unit=owner.unit
                )
            elif step == "tier":
                customer = draw(st.sampled_from(customers))
                CustomerTier.objects.filter(customer=customer, scheme=seed001.scheme).update(
                    tier=draw(st.sampled_from(tiers))
                )
            elif step == "position":
                PositionAssignment.objects.filter(user=org.manager).update(
                    unit=draw(st.sampled_from([org.sales1, org.sales2]))
                )
            elif step == "revise":
                rule = draw(st.sampled_from(sorted(compliance.rules_in_force(day), key=lambda r: r.pk)))
                if rule.valid_from < day:
                    revise_rule(rule, {"min_count": draw(st.integers(1, 3))}, by=org.market, effective=day)
            elif step == "rebuild":
                tallies.refresh(day)
            elif step == "open_visit":
                t = new_touch()
                t.channel, t.ended_at = "visit", None
                t.overlap_reason = "property test"  # several open visits of one rep at once (R-VISIT-1)
                t.save()
            elif step == "check_out":
                open_visits = [t for t in existing if t.channel == "visit" and t.ended_at is None]
                if open_visits:
                    t = draw(st.sampled_from(open_visits))
                    t.ended_at = t.started_at + dt.timedelta(minutes=draw(st.integers(1, 40)))
                    t.save()
            elif step == "flag" and existing:
                t = draw(st.sampled_from(existing))
                VisitFlag.objects.get_or_create(touch=t, kind=draw(st.sampled_from(FLAG_KINDS)))
            elif step == "unflag":
                flags = list(VisitFlag.objects.filter(touch__customer__in=customers))
                if flags:
                    draw(st.sampled_from(flags)).delete()
            elif step in ("accept", "reject"):
                pending = [t for t in existing if t.count_state == "pending_review"]
                if pending:
                    t = draw(st.sampled_from(pending))
                    t.decide_review("accepted" if step == "accept" else "rejected", by=org.manager)
            elif step == "decide_bulk" and existing:
                # A queryset update of the decision, then the set-based recount (the nightly path).
                Touch.objects.filter(pk=draw(st.sampled_from(existing)).pk).update(
                    review_decision=draw(st.sampled_from(["", "accepted", "rejected"]))
                )
                Touch.objects.recount_states()
            assert rows(day, use_tallies=True) == rows(day, use_tallies=False)
        assert_fast_equals_live(day)
        assert_fast_equals_live(day, Scope(user=org.manager))
        assert_fast_equals_live(day, Scope(unit_path=org.sales1.path))
        assert tallies.drift(day) == []

        # The owner rules against the naive reference, through the fast path.
        owner_rules = [r for r in compliance.rules_in_force(day) if r.responsible == "owner"]
        specs = [
            engine.RuleSpec(r.pk, r.tier_id, frozenset(r.touch_channels), r.period, r.min_count, True)
            for r in owner_rules
        ]
        facts = [
            engine.TouchFact(
                t.customer_id,
                t.user_id,
                t.channel,
                timezone.localtime(t.started_at).date(),
                t.duration_seconds,
                t.count_state,
            )
            for t in Touch.objects.filter(customer__in=customers)
        ]
        # Every stored decision is the rule's (R-VISIT-8).
        for t in Touch.objects.filter(customer__in=customers):
            assert t.count_state == t.decide_count_state(), t
        fresh = type(customers[0]).objects.filter(pk__in=[c.pk for c in customers])
        tier_of = dict(
            CustomerTier.objects.filter(scheme=seed001.scheme).values_list("customer_id", "tier_id")
        )
        expected = engine.naive_obligations(
            [(c.pk, tier_of[c.pk], c.owner_id) for c in fresh], specs, facts, day, DAY
        )
        actual = compliance.obligations(day, scope=Scope(), today=DAY, rule_ids=[r.pk for r in owner_rules])
        assert sorted(
            (o.rule_id, o.customer_id, o.done, o.pending, o.status, o.due) for o in expected
        ) == sorted((o.rule.pk, o.customer_id, o.done, o.pending, o.status, o.due) for o in actual)
        transaction.set_rollback(True)


def test_a_window_dropped_while_it_is_read_is_read_again_live(org, seed001, monkeypatch):
    """Staleness never shows: counts read from a window that vanished meanwhile are discarded."""
    customer = CustomerFactory(owner=org.rep)
    put_in_tier(customer, seed001.b)
    touch(customer, org.rep, "visit", dt.datetime(2026, 11, 3, 10))
    tallies.refresh(DAY)
    live = rows(DAY, use_tallies=False), cells(DAY, use_tallies=False)
    ComplianceTally.objects.update(done=0)  # what a reader would see of a window being dropped
    monkeypatch.setattr(tallies, "still_kept", lambda ids: set())
    assert (rows(DAY, use_tallies=True), cells(DAY, use_tallies=True)) == live


# --- concurrency (PostgreSQL: SQLite has one writer) ---------------------------------------------


def _in_thread(work, ready: threading.Event, hold: float = 0.5) -> threading.Thread:
    """Run ``work`` in its own connection and transaction, keep it open ``hold`` seconds, commit."""

    def run():
        try:
            with transaction.atomic():
                work()
                ready.set()
                time.sleep(hold)
        finally:
            ready.set()
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(10)
    return thread


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_touch_and_owner_change_in_concurrent_transactions_stay_exact(org, seed001):
    """A touch recorded while the owner changes in another transaction is counted for the right owner."""
    from baifang.customers.models import Customer

    first, second = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.rep)
    for customer in (first, second):
        put_in_tier(customer, seed001.b)
    tallies.refresh(DAY)
    # The touch's transaction first: the owner change waits for it, then recounts with it.
    writer = _in_thread(
        lambda: touch(first, org.rep, "visit", dt.datetime(2026, 11, 3, 10)), threading.Event()
    )
    Customer.objects.filter(pk=first.pk).update(owner=org.teammate, unit=org.team1)
    writer.join()
    # The owner change's transaction first: the touch's count waits for it, then sees the new owner.
    changer = _in_thread(
        lambda: Customer.objects.filter(pk=second.pk).update(owner=org.teammate), threading.Event()
    )
    touch(second, org.rep, "visit", dt.datetime(2026, 11, 4, 10))
    changer.join()
    assert tallies.drift(DAY) == []
    assert_fast_equals_live(DAY)


def test_generated_trigger_sql_is_the_installed_one(db):
    """R-OBL-2 / R-VISIT-8: the database holds exactly the triggers ``trigger_sql`` generates (SQLite:
    every CREATE TRIGGER verbatim; PostgreSQL: every function body and every trigger name)."""
    from django.apps import apps

    from baifang.rules import trigger_sql

    generator = trigger_sql.TriggerSQL(trigger_sql.Tables.of(apps))
    installed = trigger_sql.installed(connection)
    if connection.vendor == "sqlite":
        assert installed == generator.sqlite_triggers()
    else:
        expected = {name: trigger_sql.function_body(sql) for name, sql in generator.pg_functions().items()}
        assert installed == expected
        assert trigger_sql.installed_pg_triggers(connection) == set(trigger_sql.TRIGGER_NAMES["postgresql"])
    assert "count_state" in "".join(installed.values())
