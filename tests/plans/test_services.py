"""Plan services on the database: generation guarantees, approval flow, locking, deadlines, reminders, actuals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from baifang.core.models import AuditLog, Notification, WorkdayOverride
from baifang.plans import actuals, periods, reminders, services
from baifang.plans.choices import ItemSource, MonthlyDeadline, PlanKind, PlanStatus, RhythmWhen
from baifang.plans.models import (
    Plan,
    PlanItem,
    PlanPolicy,
    PlanStatusChange,
    RhythmReminder,
    StaleVersion,
    WorkPattern,
)
from baifang.visits.models import Touch
from tests.plans.territory import DECEMBER, SHANGHAI, make_territory
from tests.rules.conftest import touch

pytestmark = pytest.mark.django_db


def visits_of(plan, customer):
    return sorted(i.day for i in plan.items.filter(customer=customer, channel="visit"))


# --- generation (R-PLAN-4) -------------------------------------------------------------------------
def test_every_obligation_due_in_the_month_is_planned_before_its_due_date_R_PLAN_4(org, territory, december):
    for customer in territory.a_customers:  # weekly: one visit in each week window of December
        days = visits_of(december, customer)
        weeks = {periods.week_start(d) for d in days}
        assert len(weeks) == 5 and len(days) == 5
    for customer in territory.b_customers:
        assert len(visits_of(december, customer)) >= 1
        assert december.items.filter(customer=customer, channel="phone").count() == 1
    for customer in territory.c_customers:
        assert december.items.filter(customer=customer, channel="phone").count() == 1
    assert not december.unplanned.exists()
    assert december.items.exclude(source__in=[s.value for s in ItemSource]).count() == 0


def test_two_consecutive_months_cover_every_customer_R_PLAN_4(org, territory, december):
    """C customers only owe calls, but were not visited in November: December visits them."""
    november_visited = set()  # nobody was visited in November in this territory
    planned = set(december.items.filter(channel="visit").values_list("customer_id", flat=True))
    assert {c.pk for c in territory.customers} <= planned | november_visited
    coverage = december.items.filter(source=ItemSource.COVERAGE).values_list("customer_id", flat=True)
    assert set(coverage) == {c.pk for c in territory.c_customers}


def test_a_customer_visited_last_month_is_not_forced_into_this_month(org, territory):
    c = territory.c_customers[0]
    touch(c, org.rep, "visit", dt.datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI))
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    assert not plan.items.filter(customer=c, channel="visit").exists()


def test_a_visit_that_does_not_count_leaves_the_customer_to_be_covered_R_VISIT_8(org, territory):
    """R-VISIT-8, R-PLAN-4: last month's visit never checked out is no visit; coverage plans it again."""
    c = territory.c_customers[0]
    start = dt.datetime(2026, 11, 5, 10, 0, tzinfo=SHANGHAI)
    Touch.objects.create(customer=c, user=org.rep, channel="visit", started_at=start)  # never checked out
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    assert plan.items.filter(customer=c, channel="visit", source=ItemSource.COVERAGE).exists()


def test_no_visit_on_a_non_working_day_and_make_up_saturdays_count_R_CAL_1(org, territory):
    WorkdayOverride.objects.create(date=dt.date(2026, 12, 7), is_workday=False, note="test holiday")
    WorkdayOverride.objects.create(date=dt.date(2026, 12, 12), is_workday=True, note="调休")
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    days = set(plan.items.values_list("day", flat=True))
    assert dt.date(2026, 12, 7) not in days
    assert all(d.weekday() < 5 or d == dt.date(2026, 12, 12) for d in days)


def test_visit_days_of_the_rep_are_honoured_R_CAL_3(org, territory):
    WorkPattern.objects.create(user=org.rep, visit_weekdays="0,2,3")
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    assert {d.weekday() for d in plan.items.filter(channel="visit").values_list("day", flat=True)} <= {
        0,
        2,
        3,
    }


def test_first_visit_of_each_customer_by_the_tenth_when_the_company_asks_R_FREQ_3(org, territory):
    PlanPolicy.objects.create(first_visit_by_day=10)
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    for customer in territory.customers:
        days = visits_of(plan, customer)
        assert days and days[0] <= dt.date(2026, 12, 10), customer


def test_regenerating_keeps_hand_added_items(org, territory, december):
    extra = territory.c_customers[0]
    item = services.add_item(
        december,
        by=org.rep,
        lock_version=december.lock_version,
        customer=extra,
        day=dt.date(2026, 12, 15),
        channel="visit",
    )
    december.refresh_from_db()
    services.generate_month(december, by=org.rep, lock_version=december.lock_version)
    assert PlanItem.objects.filter(pk=item.pk).exists()
    assert december.items.filter(customer=extra, channel="visit").count() == 1  # the kept visit covers it


def test_a_first_visit_that_misses_the_tenth_is_planned_late_and_marked_not_unplaceable_R_FREQ_3(org, clock):
    """Issue 17: twelve monthly customers, one visit a day, first visits due by the 10th (8 working
    days): eight fit before it, four are planned later and marked late with the deadline, none is
    listed as could-not-fit; moving one onto an earlier day clears its mark."""
    from tests.conftest import client_for

    territory = make_territory(org, a=0, b=12, c=0)
    PlanPolicy.objects.create(first_visit_by_day=10)
    WorkPattern.objects.create(user=org.rep, max_visits_per_day=1, min_visits_per_day=0)
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    result = services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    deadline = dt.date(2026, 12, 10)
    firsts = {c.pk: visits_of(plan, c)[0] for c in territory.b_customers}
    assert sum(1 for day in firsts.values() if day <= deadline) == 8  # one a day, Dec 1–4 and 7–10
    late = plan.items.exclude(missed_deadline=None)  # the visit only, never the same day's call
    assert {i.customer_id: i.day for i in late} == {c: d for c, d in firsts.items() if d > deadline}
    assert late.count() == 4 == len(result.late)
    assert set(late.values_list("missed_deadline", flat=True)) == {deadline}
    assert not plan.unplanned.filter(customer__in=territory.b_customers).exists()

    page = client_for(org.rep).get(plan.get_absolute_url()).content.decode()
    assert page.count('class="badge badge-warn late-mark"') == 4
    assert '<div class="stat" id="late-count">4</div>' in page

    moved = late.order_by("day").first()
    plan.refresh_from_db()
    services.update_item(moved, by=org.rep, lock_version=plan.lock_version, day=dt.date(2026, 12, 9))
    moved.refresh_from_db()
    assert moved.missed_deadline is None
    assert plan.items.exclude(missed_deadline=None).count() == 3


def test_capacity_shortfall_is_listed_with_the_reason(org, clock):
    make_territory(org, a=6)  # six weekly visits, one visit a day: the 4-day first week cannot hold them
    WorkPattern.objects.create(user=org.rep, max_visits_per_day=1, min_visits_per_day=0)
    plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
    services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    assert plan.unplanned.filter(reason="capacity").exists()
    per_day = {}
    for day in plan.items.filter(channel="visit").values_list("day", flat=True):
        per_day[day] = per_day.get(day, 0) + 1
    assert max(per_day.values()) == 1


# --- deadlines (R-PLAN-3) ----------------------------------------------------------------------------
def test_monthly_deadline_is_a_company_setting_R_PLAN_3(org, clock):
    policy = PlanPolicy.objects.create(monthly_deadline=MonthlyDeadline.DAYS_BEFORE, monthly_days_before=7)
    assert periods.deadline(PlanKind.MONTH, DECEMBER, policy) == dt.date(2026, 11, 24)
    policy.monthly_deadline = MonthlyDeadline.LAST_WORKDAY
    assert periods.deadline(PlanKind.MONTH, DECEMBER, policy) == dt.date(2026, 11, 30)


def test_weekly_plan_is_due_on_friday_or_the_working_day_before_a_holiday_friday_R_PLAN_3(db):
    policy = PlanPolicy()
    assert periods.deadline(PlanKind.WEEK, dt.date(2026, 12, 7), policy) == dt.date(2026, 12, 4)
    WorkdayOverride.objects.create(date=dt.date(2026, 12, 4), is_workday=False)
    assert periods.deadline(PlanKind.WEEK, dt.date(2026, 12, 7), policy) == dt.date(2026, 12, 3)
    assert periods.deadline(PlanKind.DAY, dt.date(2026, 12, 7), policy) == dt.date(2026, 12, 3)


def test_submitting_after_the_deadline_is_flagged_late_R_PLAN_3(org, territory, december):
    assert december.deadline == dt.date(2026, 11, 30)
    with time_machine.travel(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI), tick=False):
        services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    assert december.is_late and december.status == PlanStatus.SUBMITTED


# --- approval (R-PLAN-2) ------------------------------------------------------------------------------
def test_submit_return_edit_resubmit_approve_with_history_and_diff_R_PLAN_2(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    assert not december.is_late
    assert services.approval_queue(org.manager).filter(pk=december.pk).exists()
    assert Notification.objects.filter(user=org.manager, kind="plan_submitted").count() == 1
    with pytest.raises(ValidationError):
        services.return_plan(december, by=org.manager, version=1, reason="  ")
    services.return_plan(december, by=org.manager, version=1, reason="A类客户请安排在周三")
    december.refresh_from_db()
    assert december.status == PlanStatus.RETURNED
    item = december.items.filter(channel="visit").order_by("day").first()
    target = dt.date(2026, 12, 30) if item.day != dt.date(2026, 12, 30) else dt.date(2026, 12, 29)
    # The rep moves an item within the plan; the approver sees it as moved in version 2.
    services.move_item(item, target, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    assert december.version == 2
    change = services.diff(december)
    assert change["base"] == 1
    assert [(m["customer"], m["from_day"], m["day"]) for m in change["moved"]] == [
        (item.customer_id, item.day.isoformat(), target.isoformat())
    ]
    assert not change["added"] and not change["removed"]
    services.approve(december, by=org.manager, version=2, comment="同意")
    services.approve(december, by=org.manager, version=2, comment="同意")  # a double click
    december.refresh_from_db()
    assert december.status == PlanStatus.APPROVED and december.approved_by == org.manager
    statuses = list(december.status_changes.values_list("new_status", flat=True))
    assert statuses == ["submitted", "returned", "submitted", "approved"]
    assert AuditLog.objects.filter(object_id=str(december.pk), action="approve").count() == 1


def test_approving_a_stale_version_is_refused(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    with pytest.raises(StaleVersion):
        services.approve(december, by=org.manager, version=0)
    december.refresh_from_db()
    assert december.status == PlanStatus.SUBMITTED


def test_only_the_supervisor_side_may_approve_R_PLAN_2(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    for person in (org.rep, org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            services.approve(december, by=person, version=1)
    assert PlanStatusChange.objects.filter(plan=december, new_status="approved").count() == 0


def test_approver_may_edit_a_submitted_plan_and_the_edit_is_a_version_of_its_own_R_PLAN_2(
    org, territory, december
):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    day = dt.date(2026, 12, 9)
    # A customer the generator did not put on that day (its solvers run on a clock: not always the same)
    on_day = set(december.items.filter(day=day).values_list("customer_id", flat=True))
    customer = next(c for c in territory.c_customers if c.pk not in on_day)
    with pytest.raises(PermissionDenied):
        services.add_item(
            december,
            by=org.rep,
            lock_version=december.lock_version,
            customer=customer,
            day=day,
        )
    services.add_item(
        december,
        by=org.manager,
        lock_version=december.lock_version,
        customer=customer,
        day=day,
    )
    services.approve(december, by=org.manager, version=1)
    december.refresh_from_db()
    submitted, edited = december.versions.get(number=1), december.versions.get(number=2)
    assert not any(  # the rep's submitted version is left as submitted
        i["day"] == day.isoformat() and i["customer"] == customer.pk for i in submitted.items
    )
    assert any(i["day"] == day.isoformat() and i["customer"] == customer.pk for i in edited.items)
    assert edited.created_by == org.manager and edited.based_on == 1
    assert december.approved_version == 2 and december.status == PlanStatus.APPROVED
    services.approve(december, by=org.manager, version=1)  # a double click decides nothing again
    assert PlanStatusChange.objects.filter(plan=december, new_status="approved").count() == 1


def test_two_tabs_editing_the_same_version_never_lose_an_update(org, territory, december):
    """Optimistic locking: the second save with the old counter is refused and changes nothing."""
    first, second = list(december.items.filter(channel="visit").exclude(day=dt.date(2026, 12, 29))[:2])
    before = second.day
    stale = december.lock_version
    services.move_item(first, dt.date(2026, 12, 28), by=org.rep, lock_version=stale)
    with pytest.raises(StaleVersion):
        services.move_item(second, dt.date(2026, 12, 29), by=org.rep, lock_version=stale)
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.day == before and first.day == dt.date(2026, 12, 28)


def test_bad_edits_are_refused_with_a_reason_and_change_nothing_R_PLAN_1(org, territory, december):
    count = december.items.count()
    lock = december.lock_version
    outsider_customer = territory.a_customers[0].__class__.objects.create(
        name="别人的客户", owner=org.outsider, unit=org.sales2
    )
    cases = [
        {"customer": territory.a_customers[0], "day": dt.date(2027, 1, 4)},  # outside the month
        {"customer": territory.a_customers[0], "day": dt.date(2026, 12, 5)},  # a Saturday
        {"customer": outsider_customer, "day": dt.date(2026, 12, 8)},  # not the rep's customer
    ]
    for values in cases:
        with pytest.raises(ValidationError):
            services.add_item(december, by=org.rep, lock_version=lock, **values)
    december.refresh_from_db()
    assert december.items.count() == count and december.lock_version == lock


def test_reopening_an_approved_plan_needs_a_new_approval(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    services.approve(december, by=org.manager, version=1)
    december.refresh_from_db()
    services.reopen(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    assert december.status == PlanStatus.DRAFT and december.approved_by is None


# --- refining (R-PLAN-3) ------------------------------------------------------------------------------
def test_week_and_day_plans_refine_the_month(org, territory, december):
    day = dt.date(2026, 12, 9)
    day_plan = services.refine(org.rep, PlanKind.DAY, day, by=org.rep)
    week = Plan.objects.get(owner=org.rep, kind=PlanKind.WEEK, period_start=dt.date(2026, 12, 7))
    assert day_plan.parent == week and week.parent == december
    month_week = december.items.filter(day__range=(week.period_start, week.period_end))
    assert week.items.count() == month_week.count()
    assert day_plan.items.count() == december.items.filter(day=day).count()
    assert set(day_plan.items.values_list("source", flat=True)) <= {ItemSource.REFINED}


# --- plan vs. actual (R-PLAN-2, R-PLAN-3) -------------------------------------------------------------
def test_plan_vs_actual_and_execution_before_approval(org, territory, december):
    visit = december.items.filter(channel="visit").order_by("day", "sequence").first()
    other = december.items.filter(channel="visit").exclude(customer=visit.customer).order_by("day").first()
    at = dt.datetime.combine(visit.day, dt.time(10, 0), tzinfo=SHANGHAI)
    touch(visit.customer, org.rep, "visit", at)  # done on its day, before approval
    touch(
        other.customer,
        org.rep,
        "visit",
        dt.datetime.combine(other.day + dt.timedelta(days=1), dt.time(15, 0), tzinfo=SHANGHAI),
    )
    unplanned = touch(territory.c_customers[0], org.rep, "sms", at)
    with time_machine.travel(dt.datetime(2026, 12, 31, 20, 0, tzinfo=SHANGHAI), tick=False):
        result = actuals.plan_actuals(december)
        rows = actuals.report(Plan.objects.filter(pk=december.pk))
    outcome = {o.item.pk: o for o in result.outcomes}
    assert outcome[visit.pk].status == actuals.DONE and outcome[visit.pk].before_approval
    assert result.count(actuals.DONE) == 1
    assert unplanned.pk in {t.pk for t in result.unplanned} or any(
        o.touch_id == unplanned.pk for o in result.outcomes
    )
    assert rows[0].planned == december.items.count() and rows[0].done == 1 and rows[0].touches == 3


# --- reminders (R-PLAN-3, R-PLAN-5) --------------------------------------------------------------------
def test_deadline_reminders_are_sent_once_and_late_plans_reach_the_supervisor(org, clock):
    PlanPolicy.objects.create(reminder_workdays=1)
    with time_machine.travel(dt.datetime(2026, 11, 27, 8, 0, tzinfo=SHANGHAI), tick=False):
        reminders.deadline_reminders(dt.date(2026, 11, 27))  # Friday: the month plan is due Monday 30th
        reminders.deadline_reminders(dt.date(2026, 11, 27))
    due = Notification.objects.filter(user=org.rep, kind="plan_due")
    assert due.count() == 2  # next week's plan (due today) and next month's (due Monday)
    reminders.deadline_reminders(dt.date(2026, 12, 1))
    once = Notification.objects.count()
    reminders.deadline_reminders(dt.date(2026, 12, 1))
    assert Notification.objects.count() == once  # a re-run notifies nobody twice
    late = Notification.objects.filter(
        user=org.manager, kind="plan_late", dedup_key__endswith=f":{org.rep.pk}"
    )
    assert late.filter(dedup_key__startswith="plan-late:month:2026-12-01").count() == 1
    assert not Notification.objects.filter(
        user=org.outsider, kind="plan_late", text__contains=str(org.rep)
    ).exists()


def test_month_rhythm_reminders_fire_on_their_days_R_PLAN_5(org):
    policy = PlanPolicy.objects.create()
    RhythmReminder.objects.create(
        policy=policy, when=RhythmWhen.MONTH_DAY, day=1, text="月度总结", link="report"
    )
    RhythmReminder.objects.create(policy=policy, when=RhythmWhen.WEEKDAY, day=0, text="周总结")
    RhythmReminder.objects.create(
        policy=policy, when=RhythmWhen.LAST_WORKDAY, text="制定下月计划", link="month"
    )
    reminders.rhythm_reminders(dt.date(2026, 12, 1))  # a Tuesday, the 1st
    assert list(Notification.objects.filter(user=org.rep).values_list("text", flat=True)) == ["月度总结"]
    reminders.rhythm_reminders(dt.date(2026, 12, 7))  # Monday
    reminders.rhythm_reminders(dt.date(2026, 12, 31))  # Thursday, the last working day
    reminders.rhythm_reminders(dt.date(2026, 12, 31))
    texts = sorted(Notification.objects.filter(user=org.rep).values_list("text", flat=True))
    assert texts == sorted(["月度总结", "周总结", "制定下月计划"])


def test_tobacco_preset_ships_the_plan_policy_and_month_rhythm_R_PRESET_1_R_PLAN_5(db):
    from baifang.presets import loader

    first = loader.load("tobacco")
    again = loader.load("tobacco")
    policy = PlanPolicy.objects.get(unit=None)
    assert policy.visit_days == frozenset({0, 2, 3}) and policy.first_visit_by_day == 10
    assert first.plan_policies == 1 and first.rhythm_steps == 6
    assert again.plan_policies == 0 and again.rhythm_steps == 0  # existing data kept
    assert policy.rhythm.filter(when=RhythmWhen.LAST_WORKDAY).count() == 1


def test_the_approver_edits_items_but_never_redrafts_the_plan_R_PLAN_2(org, territory, december):
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    count = december.items.count()
    with pytest.raises(PermissionDenied):
        services.generate_month(december, by=org.manager, lock_version=december.lock_version)
    assert december.items.count() == count


def test_rep_writes_the_period_summary_once_it_has_begun_R_PLAN_5(org, territory, december):
    with pytest.raises(ValidationError):
        services.write_summary(december, by=org.rep, text="还没开始")
    with time_machine.travel(dt.datetime(2027, 1, 1, 15, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(PermissionDenied):
            services.write_summary(december, by=org.manager, text="不是本人")
        services.write_summary(december, by=org.rep, text="  12月完成率 92%，A类客户全部覆盖。 ")
    december.refresh_from_db()
    assert december.summary == "12月完成率 92%，A类客户全部覆盖。" and december.summary_at is not None


def test_reminders_follow_the_plan_levels_the_company_uses_R_PLAN_3(org, clock):
    PlanPolicy.objects.create(reminder_workdays=1, weekly_plans=False, daily_plans=True)
    friday = dt.date(2026, 11, 27)
    reminders.deadline_reminders(friday)
    keys = set(Notification.objects.filter(user=org.rep, kind="plan_due").values_list("dedup_key", flat=True))
    # Monday's day plan is due today (the working day before); no weekly plan is asked for.
    assert "plan-due:day:2026-11-30:2026-11-27" in keys
    assert not any(k.startswith("plan-due:week:") for k in keys)
    assert any(k.startswith("plan-due:month:2026-12-01") for k in keys)
