"""Plan vs. actual counts only what counts as done (R-VISIT-8, R-PLAN-3)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from baifang.plans import actuals, services
from baifang.plans.choices import PlanKind
from baifang.plans.models import Plan
from baifang.visits.models import Touch, VisitFlag
from tests.plans.territory import DECEMBER, NOW, SHANGHAI, make_territory

pytestmark = pytest.mark.django_db


@pytest.fixture
def december(org):
    with time_machine.travel(NOW, tick=False):
        make_territory(org)
        plan = services.get_or_create_plan(org.rep, PlanKind.MONTH, DECEMBER)
        services.generate_month(plan, by=org.rep, lock_version=plan.lock_version)
    plan.refresh_from_db()
    return plan


def test_r_visit_8_plan_vs_actual_ignores_open_and_unreviewed_visits(org, december):
    """R-VISIT-8: a never checked-out visit and a flagged one waiting for review do not make an item done;
    the flagged one marks it pending review. Accepted, it is done."""
    first, second = list(december.items.filter(channel="visit").order_by("day", "sequence"))[:2]
    at = dt.datetime.combine(first.day, dt.time(10, 0), tzinfo=SHANGHAI)
    Touch.objects.create(customer=first.customer, user=org.rep, channel="visit", started_at=at)  # open
    at2 = dt.datetime.combine(second.day, dt.time(10, 0), tzinfo=SHANGHAI)
    flagged = Touch.objects.create(
        customer=second.customer,
        user=org.rep,
        channel="visit",
        started_at=at2,
        ended_at=at2 + dt.timedelta(minutes=20),
    )
    VisitFlag.objects.create(touch=flagged, kind="no_location")
    flagged.refresh_from_db()
    assert flagged.count_state == "pending_review"

    def outcomes():
        with time_machine.travel(dt.datetime(2026, 12, 31, 20, 0, tzinfo=SHANGHAI), tick=False):
            result = actuals.plan_actuals(december)
            row = actuals.report(Plan.objects.filter(pk=december.pk))[0]
        return {o.item.pk: o for o in result.outcomes}, result, row

    by_item, result, row = outcomes()
    assert by_item[first.pk].status == actuals.MISSED and not by_item[first.pk].pending_review
    assert by_item[second.pk].status == actuals.MISSED and by_item[second.pk].pending_review
    assert (row.done, row.touches, result.pending_review) == (0, 0, 1)

    Touch.objects.filter(pk=flagged.pk).update(review_decision="accepted")
    Touch.objects.recount_states()
    by_item, result, row = outcomes()
    assert by_item[second.pk].status == actuals.DONE
    assert (row.done, row.touches) == (1, 1)
