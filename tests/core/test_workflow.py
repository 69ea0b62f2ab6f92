"""The one transition helper (core.workflow): allowed-from states, actor check, status-history row, audit,
signal (STYLE.md; issue 11). The worked example is the admission screening (R-TIER-4)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.template import Context, Template
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from baifang.core.choices import AuditAction
from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog
from baifang.core.workflow import Transition, Workflow, status_changed
from baifang.presets import loader
from baifang.tiers import screening
from baifang.tiers.choices import ScreeningStatus
from baifang.tiers.models import Screening, ScreeningChecklist

STATES = ["draft", "open", "done", "void"]


@dataclass
class Person:
    pk: int
    is_active: bool = True


@dataclass
class Thing:
    status: str
    owner_pk: int = 1


def owner_only(thing, user) -> bool:
    return thing.owner_pk == user.pk


@given(
    status=st.sampled_from(STATES),
    source=st.sets(st.sampled_from(STATES), min_size=1),
    target=st.sampled_from(STATES),
    user_pk=st.integers(1, 3),
    active=st.booleans(),
)
def test_can_is_exactly_state_allowed_and_right_person(status, source, target, user_pk, active):
    """can() is true iff the state is an allowed-from state and an active user passes the actor check;
    check() says which of the two failed, the actor first (a stranger learns nothing of the state)."""
    flow = Workflow(Transition("close", source=source, targets=[target], may=owner_only))
    thing, user = Thing(status), Person(user_pk, active)
    right_person = active and user_pk == thing.owner_pk
    assert flow.can(thing, "close", user) == (status in source and right_person)
    if not right_person:
        with pytest.raises(PermissionDenied):
            flow.check(thing, "close", by=user)
    elif status not in source:
        with pytest.raises(InvalidTransition) as info:
            flow.check(thing, "close", by=user)
        assert isinstance(info.value, ValidationError)  # forms and the API show it as a 400
    else:
        assert flow.check(thing, "close", by=user) == target
    assert flow.available(thing, user) == (["close"] if flow.can(thing, "close", user) else [])


def test_a_transition_leads_only_to_its_declared_targets():
    flow = Workflow(Transition("close", source=["open"], targets=["done", "void"]))
    thing, user = Thing("open"), Person(1)
    with pytest.raises(ValueError):
        flow.check(thing, "close", by=user)  # two targets: the caller must say which
    with pytest.raises(ValueError):
        flow.check(thing, "close", by=user, to="draft")
    assert flow.check(thing, "close", by=user, to="void") == "void"


def test_a_workflow_refuses_bad_declarations():
    with pytest.raises(ValueError):
        Transition("close", source=[], targets=["done"])
    with pytest.raises(ValueError):
        Workflow(Transition("a", source=["x"], targets=["y"]), Transition("a", source=["y"], targets=["x"]))
    with pytest.raises(ValueError):
        Workflow().transition("missing")


def test_the_model_gets_a_can_method_per_transition():
    assert {"can_submit", "can_approve", "can_reject"} <= set(vars(Screening))


@pytest.fixture
def draft(org, customer):
    loader.load("pharma-channel")
    return screening.start(customer, ScreeningChecklist.objects.get(), by=org.rep)


def test_a_transition_writes_history_audit_and_signal(org, draft):
    """R-TIER-4: submit and each stage's approval leave a status-history row; approvals an audit entry."""
    heard = []

    def hear(sender, **kwargs):
        heard.append((sender, kwargs["transition"], kwargs["old_status"], kwargs["new_status"], kwargs["by"]))

    status_changed.connect(hear, weak=False, dispatch_uid="test.workflow")
    try:
        screening.submit(draft, by=org.rep)
        screening.decide(draft, by=org.manager, approved=True, note="同意")
    finally:
        status_changed.disconnect(dispatch_uid="test.workflow")
    draft.refresh_from_db()
    assert (draft.status, draft.stage) == (ScreeningStatus.IN_REVIEW, "commerce")
    rows = list(
        draft.status_changes.values_list("transition", "old_status", "new_status", "stage", "changed_by")
    )
    assert rows == [
        ("submit", "draft", "in_review", "regional", org.rep.pk),
        ("approve", "in_review", "in_review", "regional", org.manager.pk),
    ]
    assert heard == [
        (Screening, "submit", "draft", "in_review", org.rep),
        (Screening, "approve", "in_review", "in_review", org.manager),
    ]
    entry = AuditLog.objects.get(object_type="tiers.screening", object_id=str(draft.pk))
    assert (entry.action, entry.user, entry.message) == (AuditAction.APPROVE, org.manager, "同意")


def test_a_refused_transition_changes_and_records_nothing(org, draft):
    """The wrong person gets a 403 and the wrong state an InvalidTransition; neither leaves a trace."""
    with pytest.raises(PermissionDenied):
        screening.submit(draft, by=org.teammate)
    screening.submit(draft, by=org.rep)
    with pytest.raises(InvalidTransition):
        screening.submit(draft, by=org.rep)
    with pytest.raises(PermissionDenied):
        screening.decide(draft, by=org.outsider, approved=False, note="不行")
    draft.refresh_from_db()
    assert draft.status == ScreeningStatus.IN_REVIEW
    assert draft.status_changes.count() == 1
    assert not AuditLog.objects.filter(object_type="tiers.screening").exists()


def test_templates_ask_the_model(org, draft):
    """{% can obj "action" as x %} is obj.can_<action>(request.user): no status strings in templates."""
    template = Template('{% load workflow %}{% can s "submit" as ok %}{{ ok }}')
    request = RequestFactory().get("/")
    for user, expected in [(org.rep, "True"), (org.teammate, "False")]:
        request.user = user
        assert template.render(Context({"s": draft, "request": request})) == expected
    screening.submit(draft, by=org.rep)
    request.user = org.rep
    assert template.render(Context({"s": draft, "request": request})) == "False"
