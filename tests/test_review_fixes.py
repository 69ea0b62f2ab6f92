"""Regression tests for the access and correctness issues found in review (R-SEC-1, R-ORG-4, R-ARCH-6/7, R-TIER-3/4, R-FREQ-1)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from baifang.customers import services as customer_services
from baifang.customers.models import AccessRequest, Customer
from baifang.org.models import PositionAssignment
from baifang.presets import loader
from baifang.rules.models import SpecialVisit
from baifang.rules.services import raise_special_visit, revise_rule
from baifang.tiers import screening, services
from baifang.tiers.models import ClassificationScheme, ScreeningChecklist, Tier
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory, OrgUnitFactory, PositionFactory, UserFactory


def test_route_map_never_shows_customers_outside_the_viewers_scope(org):
    """R-SEC-1: a manager viewing the map of a deputy leader in their unit sees only their own scope."""
    loader.load("distribution")
    tier_a = Tier.objects.get(scheme__code="importance", code="A")
    deputy = UserFactory(username="deputy", unit=org.team1, position="deputy_leader")
    theirs = CustomerFactory(owner=org.outsider, name="二部的A客户", latitude=30.2, longitude=120.1)
    services.override_tier(theirs, tier_a, by=org.market, reason="x")
    data = client_for(org.manager).get(reverse("maps:map"), {"rep": deputy.pk, "format": "json"}).json()
    names = [v["name"] for v in (data["route"] or {}).get("visits", [])] + [
        c["name"] for c in data["customers"]
    ]
    assert "二部的A客户" not in str(data) and "二部的A客户" not in names


def test_attachments_are_served_only_through_scoped_views(org, customer, settings, tmp_path):
    """R-SEC-1: no public /media/; the download view checks visible_to()."""
    settings.MEDIA_ROOT = tmp_path
    rep = client_for(org.rep)
    rep.post(
        reverse("customers:correspondence_create", args=[customer.pk]),
        {
            "kind": "letter",
            "direction": "in",
            "occurred_on": "2026-11-01",
            "subject": "来函",
            "attachment": SimpleUploadedFile("letter.pdf", b"%PDF-1.4"),
        },
    )
    item = customer.correspondence.get()
    url = reverse("customers:correspondence_file", args=[customer.pk, item.pk])
    assert rep.get(url).status_code == 200
    assert client_for(org.outsider).get(url).status_code == 404
    assert client_for(org.rep).get("/media/" + item.attachment.name).status_code == 404


def test_correspondence_refuses_unsafe_uploads(org, customer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_for(org.rep).post(
        reverse("customers:correspondence_create", args=[customer.pk]),
        {
            "kind": "letter",
            "direction": "in",
            "occurred_on": "2026-11-01",
            "subject": "x",
            "attachment": SimpleUploadedFile("page.html", b"<script>alert(1)</script>"),
        },
    )
    assert response.status_code == 200 and not customer.correspondence.exists()


def test_screening_answers_cannot_be_changed_by_others_or_after_submission(org, customer):
    """R-TIER-4: only the submitter changes a draft; a refused request changes nothing."""
    loader.load("pharma-channel")
    case = screening.start(customer, ScreeningChecklist.objects.get(), by=org.rep)
    screening.submit(case, by=org.rep)
    response = api_for(org.manager).post(
        f"/api/v1/screenings/{case.pk}/submit/", [{"item_code": "pure-sales", "passed": True}], format="json"
    )
    assert response.status_code in (400, 403)
    assert not case.answers.get(item_code="pure-sales").passed


def test_customer_service_can_reach_the_stage_it_decides(org, customer):
    """R-TIER-4: the customer-service step is reachable by CS staff (page and API)."""
    loader.load("pharma-channel")
    cs_unit = OrgUnitFactory(name="客户服务部", code="cs", kind="customer_service", parent=org.company)
    cs = UserFactory(username="cs", unit=cs_unit, position="cs_assistant")
    case = screening.submit(
        screening.start(customer, ScreeningChecklist.objects.get(), by=org.rep), by=org.rep
    )
    screening.decide(case, by=org.manager, approved=True)
    screening.decide(case, by=org.market, approved=True)
    assert client_for(cs).get(reverse("tiers:screening", args=[case.pk])).status_code == 200
    assert (
        api_for(cs)
        .post(f"/api/v1/screenings/{case.pk}/decide/", {"approved": True}, format="json")
        .json()["stage"]
        == "final"
    )


def test_changing_the_owner_moves_the_customer_to_the_new_owners_unit(org, customer):
    """R-ORG-4: the new owner's manager sees the customer, the old one no longer does."""
    customer_services.reassign_customer(
        customer, owner=org.outsider, co_owners=[], by=org.market, reason="调整"
    )
    customer.refresh_from_db()
    assert customer.unit == org.sales2
    assert Customer.objects.visible_to(org.manager2).filter(pk=customer.pk).exists()
    assert not Customer.objects.visible_to(org.manager).filter(pk=customer.pk).exists()


def test_pending_access_requests_show_the_code_not_the_name(org, customer):
    """R-SEC-1: codes are sequential; names stay hidden until access is granted."""
    client_for(org.outsider).post(
        reverse("customers:access_create", args=[customer.pk]), {"reason": "合作", "days": 2}
    )
    html = client_for(org.outsider).get(reverse("customers:access")).content.decode()
    assert customer.code in html and customer.name not in html


def test_special_visit_responsible_must_see_the_customer(org, customer):
    with pytest.raises(ValidationError):
        raise_special_visit(customer, trigger="customer_request", by=org.rep, responsible=org.outsider)
    response = api_for(org.rep).post(
        "/api/v1/special-visits/",
        {"customer": customer.pk, "trigger": "customer_request", "responsible": org.outsider.pk},
        format="json",
    )
    assert response.status_code == 400 and not SpecialVisit.objects.exists()


def test_read_only_grants_cannot_raise_special_visits_or_start_screenings(org, customer):
    """R-ARCH-8: archive grants are read-only."""
    loader.load("pharma-channel")
    AccessRequest.objects.create(
        requester=org.outsider,
        customer=customer,
        reason="r",
        approver=org.leader,
        status="approved",
        valid_until=timezone.now() + dt.timedelta(days=1),
    )
    client = client_for(org.outsider)
    assert client.get(reverse("rules:special_create", args=[customer.pk])).status_code == 403
    assert client.get(reverse("tiers:screening_create", args=[customer.pk])).status_code == 403
    body = {"customer": customer.pk, "checklist": ScreeningChecklist.objects.get().pk}
    assert api_for(org.outsider).post("/api/v1/screenings/", body, format="json").status_code == 400


def test_rule_revisions_never_overlap_or_rewrite_the_past(org):
    """R-FREQ-1: only the open version is revised, and never in place once in force."""
    loader.load("distribution")
    from baifang.rules.models import VisitRule

    rule = VisitRule.objects.get(code="s001-b-rep-visit")
    with pytest.raises(ValidationError):
        revise_rule(rule, {"min_count": 2}, by=org.market, effective=rule.valid_from)
    v2 = revise_rule(rule, {"min_count": 2}, by=org.market, effective=dt.date(2026, 11, 1))
    rule.refresh_from_db()
    with pytest.raises(ValidationError):
        revise_rule(rule, {"min_count": 5}, by=org.market, effective=dt.date(2026, 10, 1))
    assert VisitRule.objects.filter(code=rule.code, valid_to__isnull=True).get() == v2


def test_hand_scored_schemes_are_not_rerated(org, customer):
    """R-TIER-3: a scheme without criteria is rated by hand; a batch would put everyone in the first tier."""
    loader.load("b2b-sales")
    with pytest.raises(ValidationError):
        services.propose_rerating(
            ClassificationScheme.objects.get(code="close-grade"), Customer.objects.all(), by=org.market
        )


def test_only_the_last_tier_may_be_the_default(db):
    loader.load("logistics")
    tier = Tier.objects.get(scheme__code="value", code="B")
    tier.criteria = ""
    with pytest.raises(ValidationError):
        tier.full_clean()


def test_important_tier_needs_two_knowers(org, customer):
    """R-ARCH-6: a customer in a tier marked important is flagged when one person knows it."""
    loader.load("distribution")
    services.override_tier(
        customer, Tier.objects.get(scheme__code="importance", code="A"), by=org.market, reason="x"
    )
    assert Customer.objects.needing_second_knower().filter(pk=customer.pk).exists()
    html = client_for(org.rep).get(reverse("customers:list")).content.decode()
    assert "仅一人知情" in html or "One knower" in html
    customer.co_owners.add(org.teammate)
    assert not Customer.objects.needing_second_knower().filter(pk=customer.pk).exists()


def test_hand_over_moves_open_work_too(org, customer):
    """R-ARCH-7: nothing stays orphaned."""
    visit = raise_special_visit(customer, trigger="customer_request", by=org.rep)
    pending = AccessRequest.objects.create(
        requester=org.teammate, customer=CustomerFactory(owner=org.outsider), reason="r", approver=org.manager
    )
    successor = UserFactory(unit=org.sales1)
    PositionAssignment.objects.create(
        user=successor, position=PositionFactory(kind="dept_manager"), unit=org.sales1
    )
    customer_services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="离职")
    customer_services.hand_over(leaver=org.manager, successor=successor, by=org.market, reason="调岗")
    visit.refresh_from_db()
    pending.refresh_from_db()
    assert visit.responsible == org.teammate and pending.approver == successor


def test_batch_apply_is_set_based(org, django_assert_max_num_queries):
    """R-TIER-3 at scale: applying a batch costs a fixed number of queries, not several per customer."""
    loader.load("logistics")
    scheme = ClassificationScheme.objects.get(code="value")
    for i in range(40):
        CustomerFactory(owner=org.rep, annual_value=3_000_000 if i % 2 else 300_000)
    batch = services.propose_rerating(scheme, Customer.objects.all(), by=org.market)
    with django_assert_max_num_queries(15):
        assert services.apply_batch(batch, by=org.market) == 40
