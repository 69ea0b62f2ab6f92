"""Access sweep, persona × endpoint: the holes found by the issue-10 sweep stay closed (R-SEC-1, R-ORG-4).

- A read-only archive-access grant is read-only everywhere (R-ARCH-8): no check-in, touch,
  appointment, answer, or plan item for the grantee.
- The company leader reads everything but does not answer reps' open questions (R-ORG-4).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from baifang.followups import services as followup
from baifang.followups.models import Appointment, OpenQuestion
from baifang.plans import services as plan_services
from baifang.plans.choices import PlanKind
from baifang.plans.models import PlanItem
from baifang.visits import services
from baifang.visits.models import Touch
from tests.conftest import api_for, client_for
from tests.factories import approved_grant
from tests.visits.conftest import NOW, WEST_LAKE


@pytest.fixture
def grantee(org, shop):
    """``outsider`` (another department) holds an approved, unexpired read grant on the rep's shop."""
    approved_grant(org.outsider, customer=shop, approver=org.leader)
    return org.outsider


@pytest.fixture
def question(org, shop, clock):
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    return followup.record_question(org.rep, touch, text="能否按季度结算？")


@pytest.fixture
def unit_grant(org):
    """manager2 (sales2) may read sales1's archive through an approved unit grant."""
    return approved_grant(org.manager2, unit=org.sales1, approver=org.leader)


TOMORROW_10 = (NOW + dt.timedelta(days=1)).isoformat()


def _api_writes(shop, question):
    """Every API write a grantee or a leader might try on the rep's customer, and its body."""
    return {
        "check-in": ("/api/v1/visits/check-in/", {"customer": shop.pk, "idempotency_key": "g-1"}),
        "touch": ("/api/v1/touches/", {"customer": shop.pk, "channel": "phone", "idempotency_key": "g-2"}),
        "appointment": (
            "/api/v1/appointments/",
            {"customer": shop.pk, "starts_at": TOMORROW_10, "purpose": "sell", "idempotency_key": "g-3"},
        ),
        "answer": (f"/api/v1/open-questions/{question.pk}/answer/", {"text": "可以"}),
    }


@pytest.mark.parametrize("endpoint", ["check-in", "touch", "appointment", "answer"])
def test_r_arch_8_read_only_grant_cannot_write_through_the_api(org, shop, question, grantee, endpoint):
    """R-ARCH-8, R-SEC-1: the grantee reads the customer but every write is refused (403) and changes nothing."""
    assert api_for(grantee).get(f"/api/v1/customers/{shop.pk}/").status_code == 200
    url, body = _api_writes(shop, question)[endpoint]
    before = (Touch.objects.count(), Appointment.objects.count())
    response = api_for(grantee).post(url, body, format="json")
    assert response.status_code == 403, response.content
    assert (Touch.objects.count(), Appointment.objects.count()) == before
    question.refresh_from_db()
    assert question.status == "open"


@pytest.mark.parametrize("page", ["visits:check_in", "visits:log_touch", "followups:appointment_new"])
def test_r_arch_8_read_only_grant_gets_403_on_work_pages(org, shop, grantee, clock, page):
    """R-ARCH-8: the check-in, touch and appointment pages refuse the grantee (GET and POST)."""
    client = client_for(grantee)
    url = reverse(page, args=[shop.pk])
    assert client.get(url).status_code == 403
    assert (
        client.post(url, {"channel": "phone", "purpose": "sell", "starts_at": TOMORROW_10}).status_code == 403
    )
    assert not Touch.objects.exists() and not Appointment.objects.exists()


def test_r_arch_8_read_only_grant_cannot_answer_on_the_page(org, question, grantee):
    """R-ARCH-8: the question page shows no answer form to the grantee, and a POST is refused."""
    client = client_for(grantee)
    url = reverse("followups:question", args=[question.pk])
    page = client.get(url)
    assert page.status_code == 200 and b'name="text"' not in page.content
    assert client.post(url, {"text": "可以"}).status_code == 403
    assert OpenQuestion.objects.get(pk=question.pk).status == "open"


def test_r_arch_8_read_only_grant_cannot_put_the_customer_in_the_grantees_plan(org, shop, grantee, clock):
    """R-ARCH-8, R-PLAN-1: a granted customer is not one the grantee looks after."""
    plan = plan_services.get_or_create_plan(grantee, PlanKind.MONTH, dt.date(2026, 3, 1))
    body = {"plan": plan.pk, "lock_version": plan.lock_version, "customer": shop.pk, "day": "2026-03-12"}
    response = api_for(grantee).post("/api/v1/plan-items/", body, format="json")
    assert response.status_code == 400
    assert not PlanItem.objects.exists()


@pytest.mark.parametrize("persona", ["leader", "outsider", "teammate"])
def test_r_org_4_readers_do_not_answer_reps_open_questions(org, question, persona):
    """R-ORG-4: the leader reads the question (200) but cannot answer it; others do not even see it (404)."""
    user = getattr(org, persona)
    url = f"/api/v1/open-questions/{question.pk}/answer/"
    response = api_for(user).post(url, {"text": "可以"}, format="json")
    assert response.status_code == (403 if persona == "leader" else 404)
    assert OpenQuestion.objects.get(pk=question.pk).status == "open"


@pytest.mark.parametrize("persona", ["rep", "manager", "market"])
def test_r_visit_7_the_customers_people_still_answer(org, question, persona):
    """R-VISIT-7: the owner, the owner's manager and the market department answer."""
    response = api_for(getattr(org, persona)).post(
        f"/api/v1/open-questions/{question.pk}/answer/", {"text": "可以"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "answered"


def test_r_freq_1_the_leader_still_visits_and_calls_customers_themselves(org, shop, clock):
    """R-FREQ-1: leaders carry visit rules of their own (A-tier visits and calls), so they check in."""
    api = api_for(org.leader)
    response = api.post("/api/v1/visits/check-in/", {"customer": shop.pk}, format="json")
    assert response.status_code == 201
    touch = api.post("/api/v1/touches/", {"customer": shop.pk, "channel": "phone"}, format="json")
    assert touch.status_code == 201


def test_r_arch_8_a_unit_grant_does_not_let_a_manager_confirm_locations(org, clock, unit_grant):
    """R-ARCH-8: manager2 may read sales1's archive through a grant, but not write coordinates into it."""
    from baifang.visits.models import LocationProposal
    from tests.factories import CustomerFactory

    unlocated = CustomerFactory(owner=org.rep, latitude=None, longitude=None)
    services.check_in(org.rep, unlocated, latitude=30.2741, longitude=120.1551, accuracy_m=20)
    proposal = LocationProposal.objects.get()
    api = api_for(org.manager2)
    assert api.get(f"/api/v1/customers/{unlocated.pk}/").status_code == 200
    assert api.post(f"/api/v1/location-proposals/{proposal.pk}/confirm/", {}).status_code in (403, 404)
    unlocated.refresh_from_db()
    assert unlocated.latitude is None


def test_r_arch_8_a_unit_grant_does_not_let_a_manager_review_records(org, shop, clock, unit_grant):
    """R-ARCH-8, R-VISIT-4: reviewing is deciding on the rep's work; a grant only reads."""
    touch = services.check_in(org.rep, shop, latitude=WEST_LAKE[0], longitude=WEST_LAKE[1])
    clock.shift(dt.timedelta(minutes=30))
    services.check_out(org.rep, touch)
    record = services.save_record(
        org.rep, touch, {"purpose": "sell", "content": "介绍新品", "rep_signed_name": "张三"}
    )
    services.submit_record(org.rep, record)
    assert not services.review_queue(org.manager2).exists()
    assert services.review_queue(org.manager).filter(pk=record.pk).exists()


def test_r_arch_8_a_grantee_cannot_be_made_responsible_for_a_special_visit(org, shop, grantee):
    """R-OBL-3: the responsible person must be able to make the visit, not only read the customer."""
    from django.core.exceptions import ValidationError

    from baifang.rules.services import raise_special_visit

    with pytest.raises(ValidationError):
        raise_special_visit(shop, trigger="customer_request", by=org.rep, responsible=grantee)
