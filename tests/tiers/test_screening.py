"""Admission screening with evidence and a multi-step approval chain (R-TIER-4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from baifang.presets import loader
from baifang.tiers import screening
from baifang.tiers.models import ScreeningChecklist
from tests.conftest import api_for, client_for
from tests.factories import UserFactory


@pytest.fixture
def checklist(db):
    loader.load("pharma-channel")
    return ScreeningChecklist.objects.get(code="channel-admission")


@pytest.fixture
def cs_user(org):
    from tests.factories import OrgUnitFactory

    cs = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    return UserFactory(username="cs", unit=cs, position="cs_assistant")


def test_full_chain_with_evidence(org, customer, checklist, cs_user):
    """R-TIER-4: rep → regional manager → commerce → customer service → final decision."""
    case = screening.start(customer, checklist, by=org.rep)
    gsp = case.answers.get(item_code="gsp")
    gsp.passed = True
    gsp.save()
    with pytest.raises(ValidationError) as info:
        screening.submit(case, by=org.rep)
    assert "GSP" in str(info.value)
    gsp.evidence = SimpleUploadedFile("gsp.pdf", b"%PDF-1.4 test")
    gsp.save()
    screening.submit(case, by=org.rep)
    order = [
        (org.manager, "regional"),
        (org.market, "commerce"),
        (cs_user, "customer_service"),
        (org.leader, "final"),
    ]
    for user, stage in order:
        case.refresh_from_db()
        assert case.stage == stage
        with pytest.raises(PermissionDenied):
            screening.decide(case, by=org.outsider, approved=True)
        screening.decide(case, by=user, approved=True, note="同意")
    case.refresh_from_db()
    assert case.status == "approved"
    assert [d.stage for d in case.decisions.all()] == ["regional", "commerce", "customer_service", "final"]


def test_rejection_needs_a_reason_and_ends_the_chain(org, customer, checklist):
    case = screening.submit(screening.start(customer, checklist, by=org.rep), by=org.rep)
    with pytest.raises(ValidationError):
        screening.decide(case, by=org.manager, approved=False)
    case = screening.decide(case, by=org.manager, approved=False, note="资质不全")
    assert case.status == "rejected"
    with pytest.raises(PermissionDenied):
        screening.decide(case, by=org.market, approved=True)


def test_screening_pages(org, customer, checklist):
    client = client_for(org.rep)
    response = client.post(reverse("tiers:screening_create", args=[customer.pk]), {"checklist": checklist.pk})
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    client.post(reverse("tiers:screening", args=[pk]), {"action": "submit", "passed_pure-sales": "on"})
    assert client_for(org.manager).get(reverse("tiers:screenings")).content.decode().count(customer.name) >= 1
    client_for(org.manager).post(reverse("tiers:screening", args=[pk]), {"action": "approve"})
    assert client_for(org.rep).get(reverse("tiers:screening", args=[pk])).status_code == 200
    assert client_for(org.outsider).get(reverse("tiers:screening", args=[pk])).status_code == 404


def test_bad_evidence_upload_is_refused(org, customer, checklist):
    client = client_for(org.rep)
    response = client.post(reverse("tiers:screening_create", args=[customer.pk]), {"checklist": checklist.pk})
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    bad = SimpleUploadedFile("virus.exe", b"MZ")
    client.post(
        reverse("tiers:screening", args=[pk]), {"action": "save", "passed_gsp": "on", "evidence_gsp": bad}
    )
    from baifang.tiers.models import ScreeningAnswer

    assert not ScreeningAnswer.objects.get(screening_id=pk, item_code="gsp").evidence


def test_screening_api(org, customer, checklist):
    created = api_for(org.rep).post(
        "/api/v1/screenings/", {"customer": customer.pk, "checklist": checklist.pk}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api_for(org.outsider).get(f"/api/v1/screenings/{pk}/").status_code == 404
    submitted = api_for(org.rep).post(
        f"/api/v1/screenings/{pk}/submit/", [{"item_code": "pure-sales", "passed": True}], format="json"
    )
    assert submitted.json()["stage"] == "regional"
    assert (
        api_for(org.market)
        .post(f"/api/v1/screenings/{pk}/decide/", {"approved": True}, format="json")
        .status_code
        == 403
    )
    assert (
        api_for(org.manager)
        .post(f"/api/v1/screenings/{pk}/decide/", {"approved": True}, format="json")
        .json()["stage"]
        == "commerce"
    )
