"""`baifang plan generate` and `baifang plan list` (R-PLAN-3, R-PLAN-4): the stable CLI entry point."""

from __future__ import annotations

import datetime as dt
import io
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from baifang.plans import services
from baifang.plans.choices import PlanKind, PlanStatus
from baifang.plans.models import Plan, PlanItem, PlanPolicy
from baifang.tiers.models import ClassificationScheme, Tier
from tests.factories import CustomerFactory
from tests.rules.conftest import make_rule, put_in_tier

NOW = dt.datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # after the December deadline


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def weekly_and_monthly(org):
    """Two A customers (a visit every week) and a B customer (a visit and a call a month) of the rep."""
    scheme = ClassificationScheme.objects.create(code="importance", name="客户重要性")
    a = Tier.objects.create(scheme=scheme, code="A", name="A类", rank=1, is_important=True)
    b = Tier.objects.create(scheme=scheme, code="B", name="B类", rank=2)
    make_rule("a-rep-visit", scheme, a, responsible="owner", channel="visit", period="week", min_count=1)
    make_rule("b-rep-visit", scheme, b, responsible="owner", channel="visit", period="month", min_count=1)
    make_rule("b-rep-call", scheme, b, responsible="owner", channel="phone", period="month", min_count=1)
    shops = [CustomerFactory(name=f"A店{i}", owner=org.rep) for i in range(2)]
    shops.append(CustomerFactory(name="B店", owner=org.rep))
    put_in_tier(shops[0], a)
    put_in_tier(shops[1], a)
    put_in_tier(shops[2], b)
    return shops


def run(*args) -> str:
    out = io.StringIO()
    call_command("plan", *args, stdout=out)
    return out.getvalue()


def test_r_plan_4_generate_drafts_the_reps_month(org, weekly_and_monthly):
    out = run("generate", "--user", "rep", "--month", "2027-01", "--today", "2026-12-04")
    plan = Plan.objects.get(owner=org.rep, kind=PlanKind.MONTH, period_start=dt.date(2027, 1, 1))
    items = PlanItem.objects.filter(plan=plan)
    assert plan.status == PlanStatus.DRAFT and plan.generated_at is not None
    weekly = [i for i in items if i.customer_id in (weekly_and_monthly[0].pk, weekly_and_monthly[1].pk)]
    assert len(weekly) >= 8  # every week of January, for each A customer
    assert {i.channel for i in items if i.customer_id == weekly_and_monthly[2].pk} == {"visit", "phone"}
    assert f"{items.count()} items generated" in out and "rule" in out
    assert f"on {len({i.day for i in items})} days" in out


def test_r_plan_4_regenerating_keeps_hand_added_items_and_json_summary(org, weekly_and_monthly):
    run("generate", "--user", "rep", "--month", "2027-01", "--today", "2026-12-04")
    plan = Plan.objects.get(owner=org.rep, kind=PlanKind.MONTH, period_start=dt.date(2027, 1, 1))
    extra = CustomerFactory(name="新店", owner=org.rep)
    services.add_item(plan, by=org.rep, lock_version=None, customer=extra, day=dt.date(2027, 1, 6))
    data = json.loads(
        run("generate", "--user", "rep", "--month", "2027-01", "--today", "2026-12-04", "--json")
    )
    assert data["plan"] == plan.pk and data["kept"] >= 1 and data["items_by_source"]["rule"] > 0
    assert PlanItem.objects.filter(plan=plan, customer=extra, source="manual").count() == 1
    assert data["items"] + data["kept"] >= PlanItem.objects.filter(plan=plan).count() - 1


def test_r_plan_4_generate_reports_what_cannot_fit(org, weekly_and_monthly):
    """One visit a day at most: eight weekly customers cannot all fit into a five-day week."""
    PlanPolicy.objects.create(max_visits_per_day=1, min_visits_per_day=0)
    a = Tier.objects.get(code="A")
    for i in range(6):
        put_in_tier(CustomerFactory(name=f"A店{i + 2}", owner=org.rep), a)
    out = run("generate", "--user", "rep", "--month", "2027-01", "--today", "2026-12-04")
    assert "Cannot fit:" in out and "capacity" in out
    plan = Plan.objects.get(owner=org.rep, kind=PlanKind.MONTH, period_start=dt.date(2027, 1, 1))
    assert plan.unplanned.filter(reason="capacity").exists()
    per_day = PlanItem.objects.filter(plan=plan, channel="visit").values_list("day", flat=True)
    assert len(per_day) == len(set(per_day))  # never two visits a day


def test_generate_refuses_an_approved_plan_and_bad_arguments(org, weekly_and_monthly):
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, dt.date(2027, 1, 1))
    PlanItem.objects.create(plan=plan, customer=weekly_and_monthly[0], day=dt.date(2027, 1, 5))
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.APPROVED, version=1, approved_version=1)
    with pytest.raises(CommandError, match="approved"):
        run("generate", "--user", "rep", "--month", "2027-01")
    assert PlanItem.objects.filter(plan=plan).count() == 1
    with pytest.raises(CommandError, match="nobody"):
        run("generate", "--user", "nobody", "--month", "2027-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        run("generate", "--user", "rep", "--month", "2027-13")


def test_r_plan_3_list_shows_status_and_lateness_per_rep(org, weekly_and_monthly):
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, dt.date(2026, 12, 1))
    services.add_item(
        plan, by=org.rep, lock_version=None, customer=weekly_and_monthly[0], day=dt.date(2026, 12, 7)
    )
    services.submit(plan, by=org.rep)  # on 12-04, after the 11-30 deadline: late
    services.get_or_create_plan(org.outsider, PlanKind.MONTH, dt.date(2026, 12, 1))
    out = run("list", "--month", "2026-12", "--unit", "sales1")
    lines = {line.split()[0]: line for line in out.splitlines()[2:-1]}
    assert set(lines) == {"rep", "teammate"}  # the outsider is in another department
    assert "submitted" in lines["rep"] and lines["rep"].rstrip().endswith("late")
    assert "none" in lines["teammate"]
    everyone = json.loads(run("list", "--month", "2026-12", "--json"))
    rows = {r["user"]: r for r in everyone["rows"]}
    assert rows["rep"]["items"] == 1 and rows["rep"]["late"] == "late" and rows["rep"]["version"] == 1
    assert rows["outsider"]["status"] == "draft" and rows["outsider"]["late"] == "overdue"
    with pytest.raises(CommandError, match="nowhere"):
        run("list", "--month", "2026-12", "--unit", "nowhere")
