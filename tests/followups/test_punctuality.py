"""Punctuality of a visit against its appointment (R-VISIT-9): the plain rule (hypothesis), the check-in
shown on the visit and the appointment, the per-rep report on the page and the API, scope and queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from baifang.followups import appointments, punctuality
from baifang.followups.models import Appointment
from baifang.visits import services
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.visits.conftest import NOW
from tests.visits.test_pages import _queries

starts = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2090, 1, 1))
offsets = st.integers(min_value=-6 * 3600, max_value=6 * 3600).map(lambda s: dt.timedelta(seconds=s))
minutes = st.integers(min_value=0, max_value=60).map(lambda m: dt.timedelta(minutes=m))


@given(starts, offsets, minutes, minutes)
def test_on_time_iff_checked_in_by_the_expected_arrival_plus_grace(start, offset, early, grace):
    """R-VISIT-9: on time exactly when the check-in is no later than start − arrive-early + grace; late
    minutes round up, early minutes round down, and only one of them is ever non-zero."""
    judged = punctuality.judge(start, start + offset, arrive_early=early, grace=grace)
    assert judged.on_time == (start + offset <= start - early + grace)
    late_by = offset + early
    assert judged.minutes_late == (
        max(0, -(-late_by // dt.timedelta(minutes=1))) if late_by > dt.timedelta(0) else 0
    )
    assert judged.minutes_late * judged.minutes_early == 0
    assert dt.timedelta(minutes=judged.minutes_late - 1) < late_by or judged.minutes_late == 0


@given(starts, offsets, offsets, minutes)
def test_a_later_check_in_is_never_more_punctual(start, a, b, early):
    """R-VISIT-9: lateness grows with the check-in time; moving both times together changes nothing."""
    first, second = sorted((a, b))
    x = punctuality.judge(start, start + first, arrive_early=early)
    y = punctuality.judge(start, start + second, arrive_early=early)
    assert x.minutes_late <= y.minutes_late and (y.on_time <= x.on_time)
    shifted = punctuality.judge(
        start + dt.timedelta(days=3), start + first + dt.timedelta(days=3), arrive_early=early
    )
    assert shifted == x


@given(st.lists(st.tuples(offsets, minutes), max_size=30))
def test_tally_counts_every_kept_appointment_once(items):
    judged = [punctuality.judge(NOW, NOW + off, grace=g) for off, g in items]
    t = punctuality.tally(judged)
    assert t.kept == len(items) and t.on_time + t.late == t.kept
    assert t.minutes_late_total == sum(p.minutes_late for p in judged if not p.on_time)
    assert t.worst_minutes_late == max([p.minutes_late for p in judged if not p.on_time], default=0)


def test_negative_allowances_are_refused():
    with pytest.raises(ValueError):
        punctuality.judge(NOW, NOW, arrive_early=dt.timedelta(minutes=-1))


def _appointment(org, customer, *, at, rep=None):
    return Appointment.objects.create(
        customer=customer,
        rep=rep or org.rep,
        starts_at=at,
        ends_at=at + dt.timedelta(hours=1),
        purpose="sell",
    )


def test_check_in_after_the_start_shows_late_on_the_visit_and_the_appointment(org, shop, clock):
    """R-VISIT-9: the visit page and the appointment page say how late the check-in was (seed 000: on time)."""
    appointment = _appointment(org, shop, at=NOW - dt.timedelta(minutes=7, seconds=30))
    touch = services.check_in(org.rep, shop)
    appointment.refresh_from_db()
    judged = appointments.punctuality_of(appointment)
    assert appointment.touch == touch and not judged.on_time and judged.minutes_late == 8
    client = client_for(org.rep)
    for url in (
        reverse("visits:detail", args=[touch.pk]),
        reverse("followups:appointment", args=[appointment.pk]),
    ):
        assert "迟到 8 分钟" in client.get(url).content.decode()
    body = api_for(org.rep).get(f"/api/v1/appointments/{appointment.pk}/").json()
    assert body["punctuality"] == {"on_time": False, "minutes_late": 8, "minutes_early": 0}


def test_the_bank_expects_ten_minutes_early(org, shop, clock, settings):
    """R-VISIT-9, seed 003 (bank: 10 minutes early): a check-in 5 minutes before the start is late there."""
    settings.BAIFANG = {**settings.BAIFANG, "APPOINTMENT_ARRIVE_EARLY_MINUTES": 10}
    appointment = _appointment(org, shop, at=NOW + dt.timedelta(minutes=5))
    services.check_in(org.rep, shop)
    appointment.refresh_from_db()
    assert appointments.punctuality_of(appointment) == punctuality.Punctuality(False, 5, 0)
    settings.BAIFANG = {**settings.BAIFANG, "APPOINTMENT_GRACE_MINUTES": 5}
    assert appointments.punctuality_of(appointment).on_time


def _kept(org, customer, *, late_minutes, rep=None):
    """An appointment kept by a check-in ``late_minutes`` after its start (negative: early)."""
    rep = rep or org.rep
    appointment = _appointment(org, customer, at=NOW - dt.timedelta(minutes=late_minutes), rep=rep)
    appointment.touch = services.check_in(rep, customer)
    appointment.status = "done"
    appointment.save()
    services.check_out(rep, appointment.touch)
    return appointment


def test_report_per_rep_is_scoped_and_least_punctual_first(org, shop, clock):
    """R-VISIT-9 / R-SEC-1: the manager sees their unit's reps, the rep themself, the outsider nobody."""
    _kept(org, shop, late_minutes=12)
    _kept(org, CustomerFactory(owner=org.rep), late_minutes=-3)
    _kept(org, CustomerFactory(owner=org.teammate), late_minutes=0, rep=org.teammate)
    first, last = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    rows = appointments.punctuality_report(org.manager, first, last)
    assert [(r.rep_id, r.tally.kept, r.tally.on_time, r.tally.worst_minutes_late) for r in rows] == [
        (org.rep.pk, 2, 1, 12),
        (org.teammate.pk, 1, 1, 0),
    ]
    assert [r.rep_id for r in appointments.punctuality_report(org.rep, first, last)] == [org.rep.pk]
    assert appointments.punctuality_report(org.outsider, first, last) == []
    assert appointments.punctuality_report(org.manager, dt.date(2026, 4, 1), dt.date(2026, 4, 30)) == []

    page = client_for(org.manager).get(reverse("followups:punctuality"), {"month": "2026-03"})
    assert page.status_code == 200 and "50%" in page.content.decode()
    assert (
        "没有"
        in client_for(org.outsider)
        .get(reverse("followups:punctuality"), {"month": "2026-03"})
        .content.decode()
    )
    assert (
        client_for(org.manager).get(reverse("followups:punctuality"), {"month": "2026-13"}).status_code == 200
    )

    api = api_for(org.manager)
    body = api.get("/api/v1/appointments/punctuality/", {"month": "2026-03"}).json()
    assert [(r["rep"], r["late"], r["average_minutes_late"]) for r in body] == [
        (org.rep.pk, 1, 12.0),
        (org.teammate.pk, 0, None),
    ]
    assert api_for(org.outsider).get("/api/v1/appointments/punctuality/", {"month": "2026-03"}).json() == []
    wrong = api.get("/api/v1/appointments/punctuality/", {"month": "March"})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "month"


def test_report_and_lists_do_not_grow_in_queries(org, clock):
    """No N+1: the report, the page and the API list read every appointment in a fixed number of queries."""
    client, api = client_for(org.manager), api_for(org.manager)
    _kept(org, CustomerFactory(owner=org.rep), late_minutes=4)
    url = reverse("followups:punctuality") + "?month=2026-03"
    few = (_queries(client, url), _queries(api, "/api/v1/appointments/"))
    for late in (1, 9, -2, 30):
        _kept(org, CustomerFactory(owner=org.rep), late_minutes=late)
    assert (_queries(client, url), _queries(api, "/api/v1/appointments/")) == few
