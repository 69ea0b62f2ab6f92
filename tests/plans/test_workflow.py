"""The plan's workflow on core.workflow (R-PLAN-2): who moves a plan from where, and what each move leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog, Notification
from baifang.core.workflow import status_changed
from baifang.plans import reminders, services
from baifang.plans.choices import PlanStatus
from baifang.plans.models import Plan

pytestmark = pytest.mark.django_db


def test_r_plan_2_each_move_is_refused_from_a_wrong_state(org, territory, december):
    """R-PLAN-2: a draft cannot be approved, returned or reopened; an approved plan cannot be submitted."""
    for name in ("approve", "return", "reopen"):
        with pytest.raises(InvalidTransition):
            december.workflow.check(december, name, by=org.manager if name != "reopen" else org.rep)
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    services.approve(december, by=org.manager, version=1)
    december.refresh_from_db()
    with pytest.raises(InvalidTransition):
        services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.status = PlanStatus.SUBMITTED
    with (
        translation.override("en"),
        pytest.raises(InvalidTransition, match="Only an approved plan can be reopened"),
    ):
        december.reopen(by=org.rep)


def test_r_plan_2_each_move_is_refused_to_the_wrong_person(org, territory, december):
    """R-PLAN-2: only the rep submits and reopens; only the supervisor chain approves and returns."""
    for person in (org.teammate, org.manager, org.outsider):
        with pytest.raises(PermissionDenied):
            services.submit(december, by=person, lock_version=december.lock_version)
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    for person in (org.rep, org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            services.return_plan(december, by=person, version=1, reason="再看看")
    services.approve(december, by=org.manager, version=1)
    december.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.reopen(december, by=org.manager, lock_version=december.lock_version)
    assert list(december.status_changes.values_list("transition", flat=True)) == ["submit", "approve"]


def test_r_plan_2_can_methods_come_from_the_workflow(org, territory, december):
    """R-PLAN-2: pages ask ``can_<move>``: the rep may submit a draft; the manager may approve it once submitted."""
    assert december.can_submit(org.rep) and not december.can_submit(org.manager)
    assert not december.can_approve(org.manager) and not december.can_return(org.manager)
    services.submit(december, by=org.rep, lock_version=december.lock_version)
    december.refresh_from_db()
    assert december.can_approve(org.manager) and december.can_return(org.manager)
    assert not december.can_approve(org.rep) and not december.can_reopen(org.rep)


def test_r_plan_2_a_move_leaves_history_audit_notification_and_signal(org, territory, december):
    """R-PLAN-2: returning writes the history row (with the version), the audit entry, tells the rep, and signals."""
    heard = []

    def hear(sender, **kwargs):
        heard.append((sender, kwargs["transition"], kwargs["old_status"], kwargs["new_status"]))

    status_changed.connect(hear, weak=False, dispatch_uid="test.plans.workflow")
    try:
        services.submit(december, by=org.rep, lock_version=december.lock_version)
        services.return_plan(december, by=org.manager, version=1, reason="周三太满")
    finally:
        status_changed.disconnect(dispatch_uid="test.plans.workflow")
    assert heard == [(Plan, "submit", "draft", "submitted"), (Plan, "return", "submitted", "returned")]
    row = december.status_changes.get(transition="return")
    assert (row.old_status, row.new_status, row.version, row.comment) == (
        "submitted",
        "returned",
        1,
        "周三太满",
    )
    assert (
        AuditLog.objects.filter(action="reject", object_id=str(december.pk), message="周三太满").count() == 1
    )
    told = Notification.objects.get(user=org.rep, kind="plan_returned")
    assert told.url == december.get_absolute_url() and "周三太满" in told.text


def test_r_plan_3_send_many_sends_each_reminder_once(org, territory, clock):
    """R-PLAN-3: the bulk reminders go through send_many; a re-run adds no second notification."""
    import datetime as dt

    today = dt.date(2026, 11, 27)
    reminders.deadline_reminders(today)
    first = Notification.objects.filter(kind__startswith="plan_").count()
    assert first > 0
    reminders.deadline_reminders(today)
    assert Notification.objects.filter(kind__startswith="plan_").count() == first
    assert Notification.objects.send_many([None]) == 0
