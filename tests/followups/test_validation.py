"""Commitments and appointments refuse impossible due dates (R-FU-1, R-VISIT-6)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from baifang.followups import appointments
from baifang.followups import services as followup
from baifang.visits import services
from tests.conftest import api_for
from tests.visits.conftest import NOW
from tests.visits.test_validation import _attrs

# --- due dates (R-FU-1, R-VISIT-6) --------------------------------------------------------------


def _visit(org, shop, clock):
    touch = services.check_in(org.rep, shop)
    clock.shift(dt.timedelta(minutes=20))
    services.check_out(org.rep, touch)
    return touch


@pytest.mark.parametrize("due_on", ["9999-12-31", "2027-06-01", "2026-03-09"])
def test_api_commitment_due_date_is_bounded(org, shop, clock, due_on):
    """R-FU-1: a commitment due 9999-12-31 was accepted; now from today to a year ahead."""
    touch = _visit(org, shop, clock)
    response = api_for(org.rep).post(
        "/api/v1/commitments/", {"touch": touch.pk, "text": "送货", "due_on": due_on}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "due_on" in _attrs(response)


def test_commitment_a_month_ahead_is_fine(org, shop, clock):
    touch = _visit(org, shop, clock)
    record = services.record_for(touch)
    assert followup.add_commitment(org.rep, record, text="送货", due_on=dt.date(2026, 4, 10)).pk


@pytest.mark.parametrize("starts_at", ["9999-12-31T10:00:00+08:00", "2028-03-12T10:00:00+08:00"])
def test_api_appointment_far_ahead_is_refused(org, shop, clock, starts_at):
    """R-VISIT-6: appointments are at most a year ahead (and within DATE_MAX)."""
    response = api_for(org.rep).post(
        "/api/v1/appointments/",
        {"customer": shop.pk, "starts_at": starts_at, "purpose": "sell"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "starts_at" in _attrs(response)


def test_appointment_lasting_more_than_a_day_is_refused(org, shop, clock):
    start = NOW + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        appointments.make_appointment(
            org.rep, shop, starts_at=start, ends_at=start + dt.timedelta(days=3), purpose="sell"
        )
    assert "ends_at" in caught.value.message_dict
