"""Visit records on core.workflow (R-VISIT-4): who moves a record from where, and what each move leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog
from baifang.core.workflow import status_changed
from baifang.visits import followup, services
from baifang.visits.models import VisitRecord
from tests.visits.conftest import NOW
from tests.visits.test_appointments import _make
from tests.visits.test_followup import _visit
from tests.visits.test_services import FULL, _visited

pytestmark = pytest.mark.django_db


def test_r_visit_4_the_wrong_person_is_refused_even_on_the_model(org, shop, clock):
    """R-VISIT-4: only the rep submits; only the reviewer signs or returns; the rep never reviews their own."""
    record = services.save_record(org.rep, _visited(org, shop, clock), FULL)
    for person in (org.teammate, org.manager):
        with pytest.raises(PermissionDenied):
            record.submit(by=person)
    services.submit_record(org.rep, record)
    for person in (org.rep, org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            record.sign(by=person)
        with pytest.raises(PermissionDenied):
            record.return_(by=person, reason="补充")
        assert not record.can_sign(person) and not record.can_return(person)
    assert record.can_sign(org.manager) and record.can_return(org.manager)


def test_r_visit_4_a_signed_record_moves_no_more(org, shop, clock):
    """R-VISIT-4: a signed record cannot be submitted, signed or returned again (InvalidTransition)."""
    record = services.submit_record(org.rep, services.save_record(org.rep, _visited(org, shop, clock), FULL))
    services.sign_record(org.manager, record, comment="好")
    with pytest.raises(InvalidTransition):
        record.submit(by=org.rep)
    with pytest.raises(InvalidTransition):
        record.sign(by=org.manager)
    assert record.workflow.available(record, org.manager) == []


def test_r_visit_4_each_move_writes_history_audit_and_signal(org, shop, clock):
    """R-VISIT-4: the history row names the move; signing is audited once; status_changed is sent."""
    heard = []

    def hear(sender, **kwargs):
        heard.append((sender, kwargs["transition"], kwargs["new_status"]))

    status_changed.connect(hear, weak=False, dispatch_uid="test.visits.workflow")
    try:
        record = services.submit_record(
            org.rep, services.save_record(org.rep, _visited(org, shop, clock), FULL)
        )
        services.sign_record(org.manager, record, comment="好")
    finally:
        status_changed.disconnect(dispatch_uid="test.visits.workflow")
    assert heard == [(VisitRecord, "submit", "submitted"), (VisitRecord, "sign", "signed")]
    assert list(record.status_changes.values_list("transition", "changed_by")) == [
        ("submit", org.rep.pk),
        ("sign", org.manager.pk),
    ]
    assert AuditLog.objects.filter(action="approve", object_id=str(record.pk)).count() == 1


# --- appointments (R-VISIT-6) -------------------------------------------------------------------
def test_r_visit_6_only_the_rep_moves_or_cancels_an_appointment(org, shop, clock):
    """R-VISIT-6: a teammate or manager may not move or call off the rep's appointment (PermissionDenied)."""
    appointment = _make(org, shop)
    told = {"reason": "客户出差", "told_at": NOW}
    for person in (org.teammate, org.manager):
        with pytest.raises(PermissionDenied):
            appointment.cancel(by=person, **told)
        assert not appointment.can_reschedule(person) and not appointment.can_cancel(person)
    assert appointment.can_cancel(org.rep)
    assert not appointment.changes.exists()


def test_r_visit_6_a_cancelled_appointment_moves_no_more(org, shop, clock):
    """R-VISIT-6: a cancelled appointment cannot be moved, cancelled again or done (InvalidTransition)."""
    appointment = _make(org, shop)
    told = {"reason": "客户出差", "told_at": NOW}
    appointment.cancel(by=org.rep, **told)
    with pytest.raises(InvalidTransition):
        appointment.cancel(by=org.rep, **told)
    with pytest.raises(InvalidTransition):
        appointment.reschedule(
            by=org.rep,
            starts_at=NOW + dt.timedelta(days=2),
            ends_at=NOW + dt.timedelta(days=2, hours=1),
            place="",
            **told,
        )
    with pytest.raises(InvalidTransition):
        appointment.mark_done(by=org.rep, touch=None)
    row = appointment.changes.get()
    assert (row.transition, row.old_status, row.new_status, row.reason) == (
        "cancel",
        "planned",
        "cancelled",
        "客户出差",
    )


def test_r_visit_6_a_move_keeps_old_and_new_time(org, shop, clock):
    """R-VISIT-6: the history row of a reschedule keeps where the appointment was and where it went."""
    appointment = _make(org, shop)
    old_start = appointment.starts_at
    new_start = NOW + dt.timedelta(days=2)
    appointment.reschedule(
        by=org.rep,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
        place="总部",
        reason="改期",
        told_at=NOW,
    )
    appointment.refresh_from_db()
    row = appointment.changes.get()
    assert (row.old_starts_at, row.new_starts_at, row.new_place) == (old_start, new_start, "总部")
    assert appointment.starts_at == new_start and appointment.status == "changed"


# --- commitments (R-FU-1) and open questions (R-VISIT-7) ------------------------------------------
def test_r_fu_1_a_closed_commitment_is_not_closed_again_and_strangers_never_close(org, shop, clock):
    """R-FU-1: done or cancelled stays so (InvalidTransition); a teammate or outsider may not close (PermissionDenied)."""
    record = services.record_for(_visit(org, shop, clock))
    commitment = followup.add_commitment(org.rep, record, text="送样品", due_on=dt.date(2026, 3, 12))
    for person in (org.teammate, org.outsider, org.manager2):
        with pytest.raises(PermissionDenied):
            commitment.complete(by=person)
        assert not commitment.can_complete(person) and not commitment.can_cancel(person)
    commitment.complete(by=org.rep, note="已送")
    with pytest.raises(InvalidTransition):
        commitment.cancel(by=org.manager, reason="不要了")
    with pytest.raises(InvalidTransition):
        commitment.complete(by=org.rep)
    commitment.refresh_from_db()
    assert (commitment.status, commitment.close_note, commitment.closed_by) == ("done", "已送", org.rep)


def test_r_visit_7_an_answered_question_is_not_answered_again(org, shop, clock):
    """R-VISIT-7: a second answer is refused (InvalidTransition); an outsider may not answer (PermissionDenied)."""
    question = followup.record_question(
        org.rep, _visit(org, shop, clock), text="能否月结？", asked_by_name="王老板"
    )
    with pytest.raises(PermissionDenied):
        question.mark_answered(by=org.outsider, text="可以")
    question.mark_answered(by=org.rep, text="可以")
    assert not question.can_answer(org.rep)
    with pytest.raises(InvalidTransition):
        question.mark_answered(by=org.rep, text="不行")
