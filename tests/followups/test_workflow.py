"""Appointments (R-VISIT-6), commitments (R-FU-1) and open questions (R-VISIT-7) on core.workflow: who
moves each from where, and what each move leaves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from baifang.core.exceptions import InvalidTransition
from baifang.core.workflow import status_changed
from baifang.followups import services as followup
from baifang.followups.models import Commitment
from baifang.visits import services
from tests.followups.test_appointments import _make
from tests.followups.test_followup import _visit
from tests.visits.conftest import NOW

pytestmark = pytest.mark.django_db


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


# --- status history of commitments and open questions (core.workflow) ------------------------------
def _history(obj) -> list[tuple]:
    return list(
        obj.status_changes.values_list("transition", "old_status", "new_status", "changed_by", "comment")
    )


@pytest.mark.parametrize(
    ("closer", "move", "status"),
    [
        ("rep", "complete", "done"),
        ("manager", "complete", "done"),
        ("rep", "cancel", "cancelled"),
        ("manager", "cancel", "cancelled"),
    ],
)
def test_r_fu_1_each_close_by_the_right_person_leaves_one_history_row(org, shop, clock, closer, move, status):
    """R-FU-1: the owner or their manager keeps or withdraws a promise; the history names who, what, why."""
    record = services.record_for(_visit(org, shop, clock))
    commitment = followup.add_commitment(org.rep, record, text="送样品", due_on=dt.date(2026, 3, 12))
    person = getattr(org, closer)
    heard = []

    def hear(sender, **kwargs):
        heard.append((sender, kwargs["transition"], kwargs["old_status"], kwargs["new_status"]))

    status_changed.connect(hear, weak=False, dispatch_uid="test.followups.commitment")
    try:
        if move == "complete":
            followup.complete_commitment(person, commitment, note="已处理")
        else:
            followup.cancel_commitment(person, commitment, reason="已处理")
    finally:
        status_changed.disconnect(dispatch_uid="test.followups.commitment")
    assert _history(commitment) == [(move, "open", status, person.pk, "已处理")]
    assert heard == [(Commitment, move, "open", status)]


@pytest.mark.parametrize("stranger", ["teammate", "outsider", "manager2", "leader"])
def test_r_fu_1_the_wrong_person_leaves_no_history(org, shop, clock, stranger):
    """R-FU-1: a refused close (403) changes nothing and writes no history row."""
    record = services.record_for(_visit(org, shop, clock))
    commitment = followup.add_commitment(org.rep, record, text="送样品", due_on=dt.date(2026, 3, 12))
    for attempt in (
        lambda: followup.complete_commitment(getattr(org, stranger), commitment, note="x"),
        lambda: followup.cancel_commitment(getattr(org, stranger), commitment, reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    commitment.refresh_from_db()
    assert commitment.status == "open" and _history(commitment) == []


def test_r_fu_1_a_closed_commitment_keeps_its_one_row(org, shop, clock):
    """R-FU-1: closing again from done or cancelled is refused (InvalidTransition) and adds no row."""
    record = services.record_for(_visit(org, shop, clock))
    kept = followup.add_commitment(org.rep, record, text="送样品", due_on=dt.date(2026, 3, 12))
    dropped = followup.add_commitment(org.rep, record, text="报价", due_on=dt.date(2026, 3, 12))
    followup.complete_commitment(org.rep, kept, note="已送")
    followup.cancel_commitment(org.manager, dropped, reason="客户不要了")
    for commitment in (kept, dropped):
        with pytest.raises(InvalidTransition):
            followup.complete_commitment(org.rep, commitment)
        with pytest.raises(InvalidTransition):
            followup.cancel_commitment(org.manager, commitment, reason="再取消")
    assert _history(kept) == [("complete", "open", "done", org.rep.pk, "已送")]
    assert _history(dropped) == [("cancel", "open", "cancelled", org.manager.pk, "客户不要了")]


@pytest.mark.parametrize("answerer", ["rep", "manager"])
def test_r_visit_7_the_right_person_answers_once_and_the_history_says_so(org, shop, clock, answerer):
    """R-VISIT-7: the owner, or someone who may edit the customer, answers; one row; a second answer is refused."""
    question = followup.record_question(org.rep, _visit(org, shop, clock), text="能否月结？")
    person = getattr(org, answerer)
    followup.answer_question(person, question, text="可以月结")
    question.refresh_from_db()
    assert _history(question) == [("answer", "open", "answered", person.pk, "可以月结")]
    with pytest.raises(InvalidTransition):
        followup.answer_question(org.rep, question, text="不行")
    assert len(_history(question)) == 1


@pytest.mark.parametrize("stranger", ["teammate", "outsider", "leader"])
def test_r_visit_7_the_wrong_person_does_not_answer_and_leaves_no_history(org, shop, clock, stranger):
    """R-VISIT-7, R-ORG-4: a teammate, an outsider or the leader (a reader) cannot answer; no row."""
    question = followup.record_question(org.rep, _visit(org, shop, clock), text="能否月结？")
    with pytest.raises(PermissionDenied):
        followup.answer_question(getattr(org, stranger), question, text="可以")
    question.refresh_from_db()
    assert question.status == "open" and _history(question) == []


def test_the_question_and_commitment_pages_show_their_history(org, shop, clock):
    """R-VISIT-7, R-FU-1: who answered or closed, from which status to which, with the note."""
    from django.urls import reverse

    from tests.conftest import client_for

    touch = _visit(org, shop, clock)
    question = followup.record_question(org.rep, touch, text="能否月结？")
    commitment = followup.add_commitment(
        org.rep, services.record_for(touch), text="送货", due_on=dt.date(2026, 3, 12)
    )
    client = client_for(org.rep)
    assert (
        'id="history"' not in client.get(reverse("followups:question", args=[question.pk])).content.decode()
    )
    followup.answer_question(org.manager, question, text="可以月结")
    followup.cancel_commitment(org.rep, commitment, reason="客户改主意")
    page = client.get(reverse("followups:question", args=[question.pk])).content.decode()
    assert 'id="history"' in page and str(org.manager) in page and "可以月结" in page
    page = client.get(reverse("followups:commitment", args=[commitment.pk])).content.decode()
    assert 'id="history"' in page and "客户改主意" in page
