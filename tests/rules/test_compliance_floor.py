"""The benchmark's compliance floor gives the app's numbers, rule by rule (R-OBL-2, R-VISIT-8, issue 17).

``benchmarks/compliance_floor.py`` is one hand-written statement, written apart from the app's SQL
builders; ``bench-compliance`` refuses to quote a ratio when the two differ. Here the same check at
small scale, on SQLite and PostgreSQL, over data that exercises every rule the app applies: whose
touches count, minimum durations, count states, merged / lost customers, geography, first-touch
deadlines, windows.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from baifang.org.choices import PositionKind
from baifang.org.models import Position, PositionAssignment
from baifang.rules import compliance, tallies
from baifang.rules.compliance import Scope
from baifang.visits.models import Touch
from benchmarks.compliance_floor import app_numbers, differences, floor_numbers
from tests.factories import CustomerFactory, UserFactory
from tests.rules.conftest import make_rule, put_in_tier

DAY = dt.date(2026, 11, 18)


def _extra_rules(seed001):
    a, b, c = seed001.a, seed001.b, seed001.c
    return [
        make_rule(
            "b-long-visit",
            seed001.scheme,
            b,
            channel="visit",
            period="month",
            min_count=1,
            min_duration_minutes=15,
        ),
        make_rule(
            "b-first-by-10", seed001.scheme, b, channel="visit", period="month", min_count=2, first_due_day=10
        ),
        make_rule(
            "c-anyone-visit",
            seed001.scheme,
            c,
            channel="visit",
            period="quarter",
            min_count=1,
            counted_by_anyone=True,
        ),
        make_rule(
            "a-sup-call",
            seed001.scheme,
            a,
            responsible="supervisor",
            channel="phone",
            period="month",
            min_count=1,
        ),
        make_rule(
            "c-city-visit",
            seed001.scheme,
            c,
            channel="visit",
            period="two_weeks",
            min_count=1,
            geography="same_city",
        ),
    ]


def _archive(org, seed001, rng: random.Random):
    supervisor = UserFactory(username="sup", unit=org.team1, position="supervisor")
    deputy = UserFactory(username="deputy", unit=org.leadership, position="deputy_leader")
    # A second assignment of the manager's position kind elsewhere: holders must not be double-counted.
    PositionAssignment.objects.create(
        user=org.manager,
        position=Position.objects.filter(kind=PositionKind.DEPT_MANAGER).first(),
        unit=org.sales2,
    )
    people = [org.rep, org.teammate, org.manager, org.manager2, org.leader, org.outsider, supervisor, deputy]
    tiers = [seed001.a, seed001.b, seed001.c]
    customers = []
    for i in range(60):
        owner = rng.choice([org.rep, org.teammate, org.outsider])
        customer = CustomerFactory(
            owner=owner,
            name=f"底线客户{i:02d}",
            status=rng.choice(["active", "active", "active", "prospect", "lost", "blacklisted"]),
            city=rng.choice(["杭州市", "杭州市", "宁波市", "上海市"]),
            province=rng.choice(["浙江省", "浙江省", "上海市"]),
        )
        put_in_tier(customer, rng.choice(tiers))
        customers.append(customer)
    for merged in customers[:3]:
        merged.merged_into = customers[-1]
        merged.save(update_fields=["merged_into"])
    start = timezone.make_aware(dt.datetime(2026, 1, 1, 9))
    touches = []
    for _ in range(700):
        customer = rng.choice(customers)
        user = customer.owner if rng.random() < 0.6 else rng.choice(people)
        begin = start + dt.timedelta(days=rng.randrange(330), hours=rng.randrange(9))
        minutes = rng.randint(3, 35)
        touches.append(
            Touch(
                customer=customer,
                user=user,
                channel=rng.choice(["visit", "visit", "phone", "sms"]),
                started_at=begin,
                ended_at=begin + dt.timedelta(minutes=minutes),
            )
        )
    for t in touches:
        t.save()  # one by one, as the app records them (the kept windows' triggers see each)
    for state in ("pending_review", "not_counted"):  # what review decides later (R-VISIT-8)
        picked = [t.pk for t in touches if rng.random() < 0.15]
        Touch.objects.filter(pk__in=picked).update(count_state=state)
    return customers


def test_the_floor_gives_the_apps_numbers_on_every_rule(org, seed001, settings):
    settings.BAIFANG = {**settings.BAIFANG, "HOME_PROVINCE": "浙江省", "HOME_CITY": "杭州市"}
    _extra_rules(seed001)
    _archive(org, seed001, random.Random(17))
    rules = compliance.rules_in_force(DAY)
    assert len(rules) == 13
    live = app_numbers(compliance.compliance(DAY, scope=Scope(), today=DAY, use_tallies=False))
    floor = floor_numbers(rules, DAY, DAY)
    assert differences(rules, floor, live) == []
    tallies.refresh(DAY, force=True)
    kept = app_numbers(compliance.compliance(DAY, scope=Scope(), today=DAY))
    assert differences(rules, floor, kept) == []
    # The data is not trivial: every column takes several values across the rules.
    due, met, overdue, pending = zip(*floor.values(), strict=True)
    assert min(due) > 0 and len(set(met)) > 3 and max(overdue) > 0 and max(pending) > 0
    assert any(0 < m < d for d, m, _o, _p in floor.values())


def test_the_check_notices_numbers_that_differ(org, seed001):
    """The comparison is not vacuous: once the touches stop counting, floor and app numbers differ."""
    _archive(org, seed001, random.Random(3))
    rules = compliance.rules_in_force(DAY)
    app = app_numbers(compliance.compliance(DAY, scope=Scope(), today=DAY, use_tallies=False))
    assert any(met for _due, met, _overdue, _pending in app.values())
    Touch.objects.update(count_state="not_counted")
    wrong = floor_numbers(rules, DAY, DAY)
    assert all(met == 0 for _due, met, _overdue, _pending in wrong.values())
    assert differences(rules, wrong, app)
