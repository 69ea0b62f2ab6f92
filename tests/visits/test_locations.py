"""Customer coordinates from the first precise check-in, confirmed by the supervisor: field history,
audit, scope, API and query counts (R-VISIT-1, R-SEC-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from baifang.core.models import AuditLog, Notification
from baifang.visits import engine, locations, services
from baifang.visits.models import LocationProposal
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.visits.test_pages import _queries

POINT = (30.274100, 120.155100)


@given(
    st.one_of(st.none(), st.integers(min_value=0, max_value=5000)), st.integers(min_value=1, max_value=500)
)
def test_good_fix_needs_a_known_small_accuracy(accuracy, limit):
    assert engine.good_fix(accuracy, limit) == (accuracy is not None and accuracy <= limit)


@pytest.fixture
def unlocated(org):
    return CustomerFactory(name="无坐标小店", owner=org.rep, latitude=None, longitude=None)


def _check_in(user, customer, accuracy=30, point=POINT):
    """Check in and out again: one open visit per rep (R-VISIT-1) is not what these tests are about."""
    touch = services.check_in(user, customer, latitude=point[0], longitude=point[1], accuracy_m=accuracy)
    return services.check_out(user, touch)


def test_first_precise_check_in_proposes_the_location(org, unlocated, shop, clock):
    """Only a reading of ≤ 100 m at a customer without coordinates proposes; one pending at a time."""
    assert _check_in(org.rep, unlocated, accuracy=150) and not LocationProposal.objects.exists()
    services.check_out(org.rep, services.check_in(org.rep, unlocated))  # no location at all
    assert not LocationProposal.objects.exists()
    touch = _check_in(org.rep, unlocated, accuracy=40)
    proposal = LocationProposal.objects.get()
    assert proposal.touch == touch and proposal.latitude == Decimal("30.274100") and proposal.accuracy_m == 40
    _check_in(org.rep, unlocated, accuracy=10)
    _check_in(org.rep, shop, accuracy=5, point=(shop.latitude, shop.longitude))  # located already
    assert LocationProposal.objects.count() == 1
    assert Notification.objects.filter(user=org.manager, kind="location_proposal").count() == 1


def test_supervisor_confirms_on_the_queue_page(org, unlocated, clock):
    """Confirming writes the customer through update_customer (field history) and is audited."""
    _check_in(org.rep, unlocated)
    proposal = LocationProposal.objects.get()
    history_before = unlocated.history.count()
    client = client_for(org.manager)
    assert unlocated.name in client.get(reverse("visits:locations")).content.decode()
    client.post(reverse("visits:location_decide", args=[proposal.pk]), {"action": "confirm"})
    unlocated.refresh_from_db()
    proposal.refresh_from_db()
    assert (unlocated.latitude, unlocated.longitude, unlocated.coordinate_system) == (
        Decimal("30.274100"),
        Decimal("120.155100"),
        "WGS84",
    )
    assert proposal.status == "confirmed" and proposal.decided_by == org.manager
    assert unlocated.history.count() == history_before + 1
    entry = AuditLog.objects.get(object_type="visits.locationproposal", object_id=str(proposal.pk))
    assert (
        entry.action == "approve"
        and entry.before["latitude"] is None
        and entry.after["latitude"] == "30.274100"
    )
    with pytest.raises(ValidationError):  # decided once only
        locations.reject_location(org.admin, proposal, note="x")


def test_reject_needs_a_reason_and_a_later_check_in_proposes_again(org, unlocated, clock):
    _check_in(org.rep, unlocated)
    proposal = LocationProposal.objects.get()
    with pytest.raises(ValidationError):
        locations.reject_location(org.manager, proposal, note=" ")
    locations.reject_location(org.manager, proposal, note="位置在马路对面")
    assert AuditLog.objects.filter(action="reject", object_id=str(proposal.pk)).exists()
    _check_in(org.rep, unlocated, point=(30.274200, 120.155200))
    assert LocationProposal.objects.filter(status="proposed").count() == 1


def test_rep_cannot_confirm_their_own_proposal(org, unlocated, clock):
    _check_in(org.rep, unlocated)
    proposal = LocationProposal.objects.get()
    with pytest.raises(PermissionDenied):
        locations.confirm_location(org.rep, proposal)
    assert client_for(org.rep).post(reverse("visits:location_decide", args=[proposal.pk])).status_code == 403
    assert unlocated.name not in client_for(org.rep).get(reverse("visits:locations")).content.decode()


def test_outsider_gets_404_on_location_pages_and_api(org, unlocated, clock):
    """R-SEC-1: another department's proposal cannot be seen or decided."""
    _check_in(org.rep, unlocated)
    proposal = LocationProposal.objects.get()
    client = client_for(org.manager2)
    assert (
        client.post(reverse("visits:location_decide", args=[proposal.pk]), {"action": "confirm"}).status_code
        == 404
    )
    assert unlocated.name not in client.get(reverse("visits:locations")).content.decode()
    api = api_for(org.manager2)
    assert api.get(f"/api/v1/location-proposals/{proposal.pk}/").status_code == 404
    assert api.post(f"/api/v1/location-proposals/{proposal.pk}/confirm/", {}).status_code == 404
    assert api.get("/api/v1/location-proposals/").json()["count"] == 0
    unlocated.refresh_from_db()
    assert unlocated.latitude is None


def test_api_confirm(org, unlocated, clock):
    _check_in(org.rep, unlocated)
    proposal = LocationProposal.objects.get()
    api = api_for(org.manager)
    assert api.get("/api/v1/location-proposals/?status=proposed").json()["count"] == 1
    assert api_for(org.rep).post(f"/api/v1/location-proposals/{proposal.pk}/confirm/", {}).status_code == 403
    response = api.post(f"/api/v1/location-proposals/{proposal.pk}/confirm/", {}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert api.post(f"/api/v1/location-proposals/{proposal.pk}/reject/", {"note": "x"}).status_code in (
        400,
        403,
    )


def _propose(org, n):
    for i in range(n):
        customer = CustomerFactory(owner=org.rep, latitude=None, longitude=None)
        _check_in(org.rep, customer, point=(30.2 + i / 100, 120.1 + len(customer.name) / 1000))


def test_location_lists_query_count_does_not_grow(org, clock):
    client, api = client_for(org.manager), api_for(org.manager)
    _propose(org, 2)
    few = (_queries(client, reverse("visits:locations")), _queries(api, "/api/v1/location-proposals/"))
    _propose(org, 8)
    assert (
        _queries(client, reverse("visits:locations")),
        _queries(api, "/api/v1/location-proposals/"),
    ) == few
