"""Visit records on core.workflow (R-VISIT-4): who moves a record from where, and what each move leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import AuditLog
from baifang.core.workflow import status_changed
from baifang.visits import services
from baifang.visits.models import VisitRecord
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
