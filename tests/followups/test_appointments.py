"""Appointments: lead time (plain engine + hypothesis), change/cancel told to the customer, fulfilled by
check-in; pages, API, scope and query counts (R-VISIT-6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from baifang.followups import appointments, engine
from baifang.followups.models import Appointment, AppointmentChange
from baifang.rules.models import VisitRule
from baifang.visits import services
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW
from tests.visits.test_pages import _queries

lead_hours = st.one_of(st.none(), st.integers(min_value=0, max_value=24 * 14))


@given(st.integers(min_value=0, max_value=72), st.lists(lead_hours, max_size=6))
def test_required_lead_is_the_strictest_of_default_and_rules(default, rules):
    """R-VISIT-6: half a day by default, a tier rule's lead time only when it is stricter."""
    required = engine.required_lead_hours(default, rules)
    assert required >= default and all(required >= h for h in rules if h is not None)
    assert required in [default, *(h for h in rules if h is not None)]


@given(
    st.integers(min_value=0, max_value=24 * 14), st.integers(min_value=-3 * 24 * 60, max_value=30 * 24 * 60)
)
def test_lead_time_boundary(lead, minutes_ahead):
    """R-VISIT-6: a start at or after made_at + lead is accepted, anything earlier refused."""
    made_at = NOW
    starts_at = made_at + dt.timedelta(minutes=minutes_ahead)
    assert engine.lead_time_ok(made_at, starts_at, lead) == (minutes_ahead >= lead * 60)
    assert engine.lead_time_ok(made_at, engine.earliest_start(made_at, lead), lead)


def _make(org, shop, hours=24, **extra):
    return appointments.make_appointment(
        org.rep, shop, starts_at=NOW + dt.timedelta(hours=hours), purpose="sell", place="门店", **extra
    )


def test_appointment_needs_half_a_day_by_default(org, shop, clock):
    """R-VISIT-6: 11 h ahead is refused, 12 h accepted; a rule lead time shorter than 12 h does not loosen it."""
    with pytest.raises(ValidationError) as refused:
        _make(org, shop, hours=11)
    assert "starts_at" in refused.value.message_dict
    appointment = _make(org, shop, hours=12)
    assert appointment.lead_hours == 12 and appointment.ends_at == appointment.starts_at + dt.timedelta(
        minutes=30
    )


def test_tier_rule_lead_time_applies_when_stricter(org, shop, clock):
    """R-VISIT-6 / R-FREQ-4: a core customer's rule asks one day ahead."""
    VisitRule.objects.filter(code="core-visit").update(appointment_lead_hours=24)
    with pytest.raises(ValidationError):
        _make(org, shop, hours=20)
    assert _make(org, shop, hours=24).lead_hours == 24
    VisitRule.objects.filter(code="core-visit").update(appointment_lead_hours=2)
    assert appointments.lead_hours_for(shop, NOW.date()) == 12


def test_change_and_cancel_need_a_reason_told_to_the_customer(org, shop, clock):
    """R-VISIT-6: each change keeps who told the customer, when, and why, as a history row."""
    appointment = _make(org, shop)
    new_start = NOW + dt.timedelta(hours=30)
    with pytest.raises(ValidationError):
        appointments.change_appointment(org.rep, appointment, starts_at=new_start, reason=" ")
    told = NOW - dt.timedelta(minutes=5)
    appointments.change_appointment(
        org.rep, appointment, starts_at=new_start, reason="客户临时开会", told_at=told, told_whom="王老板"
    )
    appointment.refresh_from_db()
    change = appointment.changes.get()
    assert appointment.status == "changed" and appointment.starts_at == new_start
    assert (change.reason, change.customer_told_whom, change.customer_told_at) == (
        "客户临时开会",
        "王老板",
        told,
    )
    assert change.old_starts_at == NOW + dt.timedelta(hours=24) and change.changed_by == org.rep
    appointments.cancel_appointment(org.rep, appointment, reason="客户停业")
    assert appointment.status == "cancelled" and appointment.changes.count() == 2
    with pytest.raises(ValidationError):
        appointments.change_appointment(org.rep, appointment, starts_at=new_start, reason="x")


def test_database_refuses_a_change_without_reason(org, shop, clock):
    """R-VISIT-6: the named check constraint guards the rule below the service."""
    appointment = _make(org, shop)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentChange.objects.create(
            appointment=appointment, old_status="planned", new_status="cancelled", changed_by=org.rep
        )


def test_only_the_rep_changes_their_appointment(org, shop, clock):
    appointment = _make(org, shop)
    with pytest.raises(PermissionDenied):
        appointments.cancel_appointment(org.manager, appointment, reason="x")


def test_check_in_fulfils_the_appointment_of_the_day(org, shop, clock):
    """R-VISIT-6: a check-in at the customer that day links the appointment and marks it done."""
    today = Appointment.objects.create(
        customer=shop,
        rep=org.rep,
        starts_at=NOW + dt.timedelta(hours=1),
        ends_at=NOW + dt.timedelta(hours=2),
        purpose="sell",
    )
    tomorrow = _make(org, shop, hours=24)
    touch = services.check_in(org.rep, shop)
    today.refresh_from_db()
    tomorrow.refresh_from_db()
    assert today.status == "done" and today.touch == touch and tomorrow.status == "planned"
    assert today.changes.get().new_status == "done"
    services.check_out(org.rep, touch)
    other = services.check_in(org.rep, CustomerFactory(owner=org.rep))
    assert not hasattr(other, "appointment") or other.appointment is None


def test_pages_make_change_and_cancel_an_appointment(org, shop, clock):
    """R-VISIT-6 on the phone: from the today page's due list to a booked, moved, then cancelled visit."""
    client = client_for(org.rep)
    new_url = reverse("followups:appointment_new", args=[shop.pk])
    assert new_url in client.get(reverse("visits:today")).content.decode()
    too_soon = client.post(
        new_url, {"starts_at": "2026-03-10T14:00", "purpose": "sell", "idempotency_key": "a"}
    )
    assert too_soon.status_code == 200 and "has-error" in too_soon.content.decode()
    response = client.post(
        new_url, {"starts_at": "2026-03-11T10:00", "purpose": "sell", "idempotency_key": "b"}
    )
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse("followups:appointment", args=[appointment.pk])
    assert shop.name in client.get(reverse("visits:today")).content.decode()
    missing_reason = client.post(
        reverse("followups:appointment_change", args=[appointment.pk]),
        {"starts_at": "2026-03-11T15:00", "told_at": "2026-03-10T09:55"},
    )
    assert missing_reason.status_code == 400
    client.post(
        reverse("followups:appointment_change", args=[appointment.pk]),
        {
            "starts_at": "2026-03-11T15:00",
            "reason": "改到下午",
            "told_at": "2026-03-10T09:55",
            "told_whom": "王老板",
        },
    )
    html = client.get(reverse("followups:appointment", args=[appointment.pk])).content.decode()
    assert "改到下午" in html and "王老板" in html
    client.post(
        reverse("followups:appointment_cancel", args=[appointment.pk]),
        {"cancel-reason": "客户出差", "cancel-told_at": "2026-03-10T09:58"},
    )
    appointment.refresh_from_db()
    assert appointment.status == "cancelled" and appointment.changes.count() == 2


def test_manager_reads_but_cannot_change_the_reps_appointment(org, shop, clock):
    appointment = _make(org, shop)
    client = client_for(org.manager)
    assert client.get(reverse("followups:appointment", args=[appointment.pk])).status_code == 200
    response = client.post(
        reverse("followups:appointment_cancel", args=[appointment.pk]),
        {"cancel-reason": "x", "cancel-told_at": "2026-03-10T09:58"},
    )
    assert response.status_code == 403


def test_outsider_gets_404_on_appointment_pages_and_api(org, shop, clock):
    """R-SEC-1: another department's appointment is unreachable by URL and API."""
    appointment = _make(org, shop)
    client = client_for(org.outsider)
    assert client.get(reverse("followups:appointment", args=[appointment.pk])).status_code == 404
    assert client.get(reverse("followups:appointment_new", args=[shop.pk])).status_code == 404
    for name in ("followups:appointment_change", "followups:appointment_cancel"):
        assert client.post(reverse(name, args=[appointment.pk]), {}).status_code == 404
    assert shop.name not in client.get(reverse("visits:today")).content.decode()
    api = api_for(org.outsider)
    assert api.get(f"/api/v1/appointments/{appointment.pk}/").status_code == 404
    assert api.post(f"/api/v1/appointments/{appointment.pk}/cancel/", {"reason": "x"}).status_code == 404
    body = {"customer": shop.pk, "starts_at": "2026-03-12T10:00:00+08:00", "purpose": "sell"}
    assert api.post("/api/v1/appointments/", body, format="json").status_code == 404
    assert api.get("/api/v1/appointments/").json()["count"] == 0


def test_api_make_change_cancel(org, shop, clock):
    """R-VISIT-6 over the API; a retried create returns the first answer."""
    api = api_for(org.rep)
    body = {"customer": shop.pk, "starts_at": "2026-03-12T10:00:00+08:00", "purpose": "sell", "place": "门店"}
    first = api.post("/api/v1/appointments/", body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    again = api.post("/api/v1/appointments/", body, format="json", HTTP_IDEMPOTENCY_KEY="ap-1")
    assert first.status_code == 201 and first.json() == again.json() and Appointment.objects.count() == 1
    pk = first.json()["id"]
    soon = {**body, "starts_at": "2026-03-10T12:00:00+08:00"}
    assert api.post("/api/v1/appointments/", soon, format="json").status_code == 400
    no_reason = api.post(f"/api/v1/appointments/{pk}/change/", {"starts_at": "2026-03-12T15:00:00+08:00"})
    assert no_reason.status_code == 400
    changed = api.post(
        f"/api/v1/appointments/{pk}/change/",
        {"starts_at": "2026-03-12T15:00:00+08:00", "reason": "改时间", "told_whom": "王老板"},
        format="json",
    )
    assert changed.status_code == 200 and changed.json()["status"] == "changed"
    assert changed.json()["changes"][0]["customer_told_whom"] == "王老板"
    cancelled = api.post(f"/api/v1/appointments/{pk}/cancel/", {"reason": "取消"}, format="json")
    assert cancelled.json()["status"] == "cancelled"
    assert api_for(org.manager).post(f"/api/v1/appointments/{pk}/cancel/", {"reason": "x"}).status_code == 403


def _book(org, n, offset):
    for i in range(n):
        customer = CustomerFactory(owner=org.rep)
        Appointment.objects.create(
            customer=customer,
            rep=org.rep,
            starts_at=NOW + dt.timedelta(hours=offset + i),
            ends_at=NOW + dt.timedelta(hours=offset + i, minutes=30),
            purpose="sell",
        )


def test_appointment_lists_query_count_does_not_grow(org, clock):
    """No N+1 on the today page's appointments and the API list."""
    client, api = client_for(org.rep), api_for(org.manager)
    _book(org, 2, 1)
    few_page, few_api = _queries(client, reverse("visits:today")), _queries(api, "/api/v1/appointments/")
    _book(org, 8, 10)
    assert _queries(client, reverse("visits:today")) == few_page
    assert _queries(api, "/api/v1/appointments/") == few_api
