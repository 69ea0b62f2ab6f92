"""Archive access requests on core.workflow (R-ARCH-8): who decides, from which state, and what it leaves."""

from __future__ import annotations

import pytest

from baifang.core.models import AuditLog
from baifang.core.workflow import status_changed
from baifang.customers import services
from baifang.customers.exceptions import AccessDecisionError
from baifang.customers.models import AccessRequest
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_r_arch_8_only_the_designated_approver_may_decide_a_pending_request(org):
    """R-ARCH-8: the approver (or an administrator) may approve or reject a pending request; nobody else."""
    access = services.request_access(
        requester=org.rep, customer=CustomerFactory(owner=org.outsider), reason="合作"
    )
    assert access.approver == org.leader
    assert access.can_approve(org.leader) and access.can_reject(org.admin)
    for person in (org.rep, org.manager, org.manager2):
        assert not access.can_approve(person) and not access.can_reject(person)
        with pytest.raises(AccessDecisionError):
            services.reject_access(access, by=person, note="不行")
    access.refresh_from_db()
    assert access.status == "pending"


def test_r_arch_8_a_decided_request_is_not_decided_again(org):
    """R-ARCH-8: once rejected, neither approve nor reject moves it (the decision stands)."""
    access = services.request_access(
        requester=org.rep, customer=CustomerFactory(owner=org.outsider), reason="合作"
    )
    services.reject_access(access, by=org.leader, note="不必要")
    access.refresh_from_db()
    assert not access.can_approve(org.leader)
    for decide in (services.approve_access, services.reject_access):
        with pytest.raises(AccessDecisionError):
            decide(access, by=org.leader)
    access.refresh_from_db()
    assert (access.status, access.valid_until, access.decision_note) == ("rejected", None, "不必要")


def test_r_arch_8_approving_audits_and_signals_through_the_workflow(org):
    """R-ARCH-8: approval sets the grant's end, writes one audit entry (before/after status), sends status_changed."""
    heard = []

    def hear(sender, **kwargs):
        heard.append((sender, kwargs["transition"], kwargs["old_status"], kwargs["new_status"]))

    access = services.request_access(
        requester=org.rep, customer=CustomerFactory(owner=org.outsider), reason="合作"
    )
    status_changed.connect(hear, weak=False, dispatch_uid="test.customers.access")
    try:
        approved = services.approve_access(access, by=org.leader, note="同意")
    finally:
        status_changed.disconnect(dispatch_uid="test.customers.access")
    assert heard == [(AccessRequest, "approve", "pending", "approved")]
    assert approved.valid_until is not None and approved.decided_by == org.leader
    entry = AuditLog.objects.get(action="approve", object_id=str(access.pk))
    assert entry.user == org.leader and entry.message == "同意"
    assert (entry.before, entry.after) == ({"status": "pending"}, {"status": "approved"})
