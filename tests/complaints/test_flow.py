"""The complaint flow (R-COMP-1..4, R-OBL-3): every step by the right and the wrong person and from
every wrong state, the close conditions, hand-on (首问负责制), routing, the special visit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baifang.complaints import services
from baifang.complaints.choices import ComplaintStatus as S
from baifang.complaints.models import Complaint
from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog, Notification
from baifang.core.workflow import status_changed
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import SpecialVisit
from tests.complaints.conftest import NOT_VALID_PATH, STEP_ARGS, VALID_PATH, category, intake, receive, walk

pytestmark = pytest.mark.django_db

# For each step, the states it may start from (R-COMP-2).
ALLOWED_FROM = {
    "investigate": {S.RECEIVED},
    "find_valid": {S.INVESTIGATED},
    "find_not_valid": {S.INVESTIGATED},
    "rectify": {S.VALID},
    "recheck": {S.RECTIFIED},
    "ask_satisfaction": {S.RECHECKED, S.NOT_VALID},
    "close": {S.SATISFACTION_ASKED},
}


def complaint_in(state, customer, org, desk) -> Complaint:
    """A complaint owned by cs, walked along the flow to ``state``."""
    complaint = receive(customer, desk.cs)
    path = NOT_VALID_PATH if state == S.NOT_VALID else VALID_PATH
    targets = {
        S.RECEIVED: 0,
        S.INVESTIGATED: 1,
        S.VALID: 2,
        S.NOT_VALID: 2,
        S.RECTIFIED: 3,
        S.RECHECKED: 4,
        S.SATISFACTION_ASKED: 5,
        S.CLOSED: 6,
    }
    return walk(complaint, org, path[: targets[state]])


def test_r_comp_1_the_first_receiver_owns_it_and_a_special_visit_is_owed(org, desk, customer):
    """R-COMP-1, R-COMP-3/R-OBL-3: the receiver owns it; the customer's owner owes a special visit."""
    complaint = receive(customer, desk.cs)
    assert complaint.status == S.RECEIVED
    assert complaint.received_by == desk.cs and complaint.owner == desk.cs
    visit = SpecialVisit.objects.get(customer=customer, trigger=SpecialTrigger.COMPLAINT)
    assert visit.responsible == org.rep and visit.raised_by == desk.cs
    assert complaint.special_visit == visit and visit.dedup_key == f"complaint:{complaint.pk}"
    assert Notification.objects.filter(user=org.rep, kind="special_visit").count() == 1
    assert AuditLog.objects.filter(object_type="complaints.complaint", object_id=str(complaint.pk)).exists()


def test_a_repeated_intake_key_registers_one_complaint(org, desk, customer):
    """A double-submitted intake form (same key) registers one complaint and one special visit."""
    first = services.receive(intake(customer), by=desk.cs, key="abc-123")
    again = services.receive(intake(customer), by=desk.cs, key="abc-123")
    assert first.pk == again.pk
    assert Complaint.objects.count() == 1 and SpecialVisit.objects.count() == 1
    with pytest.raises(ValidationError) as exc:  # someone else's key is not theirs to replay
        services.receive(intake(customer), by=org.rep, key="abc-123")
    assert "intake_key" in exc.value.error_dict


def test_a_rep_registers_only_for_customers_they_see_customer_service_for_any(
    org, desk, customer, other_customer
):
    with pytest.raises(ValidationError) as exc:
        receive(other_customer, org.rep)
    assert "customer" in exc.value.error_dict
    assert Complaint.objects.count() == 0 and SpecialVisit.objects.count() == 0  # nothing half-written
    assert receive(other_customer, desk.cs).customer == other_customer  # cs: company-wide


def test_an_intake_without_subject_changes_nothing(desk, customer):
    with pytest.raises(ValidationError) as exc:
        services.receive(intake(customer, subject="  "), by=desk.cs)
    assert "subject" in exc.value.error_dict
    assert not Complaint.objects.exists() and not SpecialVisit.objects.exists()


def test_r_comp_4_product_quality_goes_to_the_quality_department(org, desk, customer):
    """R-COMP-4: product-quality information to the quality department (by the seed's name), service
    information to the customer's sales department; a unit set in the admin wins."""
    quality = receive(customer, desk.cs, code="product_quality", subject="水泥强度不够")
    service = receive(customer, desk.cs, code="service")
    assert quality.routed_unit == desk.quality
    assert service.routed_unit == org.sales1  # the department of the customer's unit (team1 → sales1)
    assert Notification.objects.filter(user=desk.quality_head, kind="complaint_routed").count() == 1
    assert Notification.objects.filter(user=org.manager, kind="complaint_routed").count() == 1
    c = category("service")
    c.unit = desk.cs_unit
    c.save()
    assert receive(customer, desk.cs, code="service").routed_unit == desk.cs_unit


@pytest.mark.parametrize("step", list(ALLOWED_FROM))
@pytest.mark.parametrize("state", [s for s in S.values])
def test_r_comp_2_each_step_from_each_state(step, state, org, desk, customer):
    """R-COMP-2: a step runs only from its states (no skipping), and only for the owner."""
    complaint = complaint_in(state, customer, org, desk)
    args = STEP_ARGS[step](org)
    with pytest.raises(PermissionDenied):  # the wrong person first: they learn nothing of the state
        services.advance(complaint, step, by=org.manager, **args)
    if state in ALLOWED_FROM[step]:
        assert complaint.workflow.can(complaint, step, desk.cs)
        services.advance(complaint, step, by=desk.cs, **args)
        complaint.refresh_from_db()
        assert complaint.status != state
        assert complaint.status_changes.last().transition == step
    else:
        assert not complaint.workflow.can(complaint, step, desk.cs)
        before = complaint.status_changes.count()
        with pytest.raises(InvalidTransition):
            services.advance(complaint, step, by=desk.cs, **args)
        complaint.refresh_from_db()
        assert complaint.status == state and complaint.status_changes.count() == before


def test_an_inactive_owner_cannot_move_it(org, desk, customer):
    complaint = receive(customer, desk.cs)
    desk.cs.is_active = False
    desk.cs.save()
    with pytest.raises(PermissionDenied):
        services.advance(complaint, "investigate", by=desk.cs, findings="x")


@pytest.mark.parametrize(
    ("step", "args", "field"),
    [
        ("investigate", {"findings": " "}, "investigation"),
        ("find_valid", {"responsible_unit": None, "customer_told": "已告知"}, "responsible_unit"),
        ("find_valid", {"responsible_unit": "sales1", "customer_told": ""}, "customer_told"),
        ("find_valid", {"responsible_unit": "sales1", "customer_told": "已告知", "compensation_due": True},
         "compensation_amount"),
        ("find_valid", {"responsible_unit": "sales2", "responsible_person": "rep", "customer_told": "已告知"},
         "responsible_person"),
        ("find_not_valid", {"explanation": ""}, "customer_told"),
    ],
)  # fmt: skip
def test_each_step_needs_its_record(step, args, field, org, desk, customer):
    """A valid finding names the responsible unit (and a person of it), records what the customer was
    told and the compensation where due; a step missing its record changes nothing."""
    args = {
        k: getattr(org, v) if k in ("responsible_unit", "responsible_person") and v else v
        for k, v in args.items()
    }
    complaint = complaint_in(S.RECEIVED if step == "investigate" else S.INVESTIGATED, customer, org, desk)
    status = complaint.status
    with pytest.raises(ValidationError) as exc:
        services.advance(complaint, step, by=desk.cs, **args)
    assert field in exc.value.error_dict
    complaint.refresh_from_db()
    assert complaint.status == status and complaint.is_valid is None


def test_the_valid_path_keeps_every_record_and_closes_with_the_signal(org, desk, customer):
    """R-COMP-2 end to end; closing sends the workflow's status_changed (the event-driven return visit,
    R-FREQ-9, will hear it)."""
    heard = []

    def hear(sender, obj, transition, old_status, new_status, by, **kwargs):
        if sender is Complaint:
            heard.append((transition, new_status))

    status_changed.connect(hear)
    try:
        complaint = walk(receive(customer, desk.cs), org, VALID_PATH)
    finally:
        status_changed.disconnect(hear)
    assert complaint.status == S.CLOSED and complaint.closed_at is not None
    assert (
        complaint.is_valid
        and complaint.responsible_unit == org.sales1
        and complaint.responsible_person == org.rep
    )
    assert complaint.compensation_amount == 200 and complaint.rechecked_by == desk.cs
    assert complaint.satisfaction == "satisfied"
    assert [t for t, _ in heard] == VALID_PATH and heard[-1] == ("close", S.CLOSED)
    assert list(complaint.status_changes.values_list("transition", flat=True)) == VALID_PATH
    assert (
        AuditLog.objects.filter(object_type="complaints.complaint", object_id=str(complaint.pk)).count() >= 7
    )


def test_the_not_valid_path_explains_then_asks_then_closes(org, desk, customer):
    complaint = walk(receive(customer, desk.cs), org, NOT_VALID_PATH)
    assert complaint.status == S.CLOSED and complaint.is_valid is False
    assert complaint.customer_told.startswith("经核实") and complaint.recheck_record == ""


def test_a_refusal_to_answer_is_an_answer(org, desk, customer):
    complaint = complaint_in(S.RECHECKED, customer, org, desk)
    services.advance(complaint, "ask_satisfaction", by=desk.cs, satisfaction="refused", note="客户不愿评价")
    services.advance(complaint, "close", by=desk.cs)
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED and complaint.get_satisfaction_display()


def test_no_answer_no_satisfaction_step(org, desk, customer):
    complaint = complaint_in(S.RECHECKED, customer, org, desk)
    with pytest.raises(ValidationError) as exc:
        services.advance(complaint, "ask_satisfaction", by=desk.cs, satisfaction="")
    assert "satisfaction" in exc.value.error_dict


def test_close_refuses_a_complaint_without_recheck_or_answer(org, desk, customer):
    """The model's own guard: even a row put in 'satisfaction asked' by hand does not close without the
    customer's answer, nor (valid) without the re-check record."""
    complaint = complaint_in(S.SATISFACTION_ASKED, customer, org, desk)
    Complaint.objects.filter(pk=complaint.pk).update(recheck_record="")
    with pytest.raises(ValidationError, match="复查|re-check"):
        services.advance(complaint, "close", by=desk.cs)
    Complaint.objects.filter(pk=complaint.pk).update(recheck_record="ok", satisfaction="")
    with pytest.raises(ValidationError):
        services.advance(complaint, "close", by=desk.cs)
    complaint.refresh_from_db()
    assert complaint.status == S.SATISFACTION_ASKED


# --- hand-on (首问负责制) ---------------------------------------------------------------------------


def test_r_comp_1_hand_on_moves_ownership_keeps_history_and_tells_the_new_owner(org, desk, customer):
    complaint = receive(customer, desk.cs)
    services.hand_on(complaint, by=desk.cs, to=org.rep, note="请营销员上门核实")
    complaint.refresh_from_db()
    assert complaint.owner == org.rep and complaint.received_by == desk.cs
    assert list(complaint.hand_ons.values_list("from_user__username", "to_user__username")) == [("cs", "rep")]
    note = Notification.objects.get(user=org.rep, kind="complaint_handed_on")
    assert note.url == complaint.get_absolute_url()
    with pytest.raises(PermissionDenied):  # the old owner no longer moves it
        services.advance(complaint, "investigate", by=desk.cs, findings="x")
    services.advance(complaint, "investigate", by=org.rep, findings="属实")
    services.hand_on(complaint, by=org.rep, to=org.manager, note="需经理处理")
    assert complaint.hand_ons.count() == 2


def test_hand_on_needs_an_active_receiver_who_may_see_the_customer(org, desk, customer):
    complaint = receive(customer, desk.cs)
    with pytest.raises(ValidationError) as exc:
        services.hand_on(complaint, by=desk.cs, to=org.outsider, note="转给他")
    assert "to_user" in exc.value.error_dict
    org.teammate.is_active = False
    org.teammate.save()
    with pytest.raises(ValidationError):
        services.hand_on(complaint, by=desk.cs, to=org.teammate, note="转给他")
    with pytest.raises(ValidationError) as exc:
        services.hand_on(complaint, by=desk.cs, to=None, note="")
    assert {"to_user", "note"} <= set(exc.value.error_dict)
    with pytest.raises(ValidationError):
        services.hand_on(complaint, by=desk.cs, to=desk.cs, note="给自己")
    complaint.refresh_from_db()
    assert complaint.owner == desk.cs and not complaint.hand_ons.exists()
    assert not Notification.objects.filter(kind="complaint_handed_on").exists()


def test_hand_on_to_the_department_the_information_goes_to(org, desk, customer):
    """The quality department sees the product-quality complaints routed to it (R-COMP-4), so its
    inspector may take one over although the archive hides the customer from them."""
    complaint = receive(customer, desk.cs, code="product_quality", subject="强度不足")
    services.hand_on(complaint, by=desk.cs, to=desk.inspector, note="质检部核查")
    assert Complaint.objects.visible_to(desk.inspector).filter(pk=complaint.pk).exists()
    service = receive(customer, desk.cs, code="service")
    with pytest.raises(ValidationError):
        services.hand_on(service, by=desk.cs, to=desk.inspector, note="不该给质检")


def test_only_the_owner_hands_on_and_never_a_closed_complaint(org, desk, customer):
    complaint = receive(customer, desk.cs)
    with pytest.raises(PermissionDenied):
        services.hand_on(complaint, by=org.manager, to=org.rep, note="抢过来")
    closed = walk(complaint, org, NOT_VALID_PATH)
    with pytest.raises(ValidationError):
        services.hand_on(closed, by=desk.cs, to=org.rep, note="已关闭")
    assert not closed.can_hand_on(desk.cs)
