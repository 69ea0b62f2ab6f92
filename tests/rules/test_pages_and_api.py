"""Obligation pages, API and CLI: scope, outsiders, special visits (R-OBL-1..3, R-SEC-1)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from baifang.rules.models import SpecialVisit
from baifang.rules.services import fulfil_special_visits, open_special_visits, raise_special_visit
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory
from tests.rules.conftest import put_in_tier, touch


@pytest.fixture
def rated(org, seed001):
    mine = CustomerFactory(owner=org.rep, name="我的A客户")
    other = CustomerFactory(owner=org.outsider, name="别人的A客户")
    for c in (mine, other):
        put_in_tier(c, seed001.a)
    return mine, other


def test_due_list_page_shows_my_obligations_only(org, rated):
    """R-OBL-2: the rep's due list, soonest due first, with the rule."""
    html = client_for(org.rep).get(reverse("rules:due")).content.decode()
    assert "我的A客户" in html and "别人的A客户" not in html
    assert "驻点" in html or "a-rep-visit" in html or "A类" in html


def test_manager_due_list_holds_the_department_rules(org, rated):
    """R-OBL-1: the department manager owes A customers 2 visits a year and a call a week."""
    html = client_for(org.manager).get(reverse("rules:due")).content.decode()
    assert "我的A客户" in html and "别人的A客户" not in html


def test_matrix_is_scoped(org, rated):
    """R-OBL-2 / R-ORG-4: the matrix only counts what the viewer may see."""
    html = client_for(org.manager).get(reverse("rules:matrix")).content.decode()
    assert "张三" in html and "外人" not in html
    assert client_for(org.market).get(reverse("rules:matrix")).status_code == 200


def test_customer_obligations_tab(org, rated):
    mine, other = rated
    response = client_for(org.rep).get(reverse("customers:detail", args=[mine.pk]), {"tab": "obligations"})
    assert response.status_code == 200 and "A类" in response.content.decode()
    assert (
        client_for(org.rep)
        .get(reverse("customers:detail", args=[other.pk]), {"tab": "obligations"})
        .status_code
        == 404
    )


def test_obligations_api_scoped_and_outsider_404(org, rated):
    mine, other = rated
    rows = api_for(org.rep).get("/api/v1/obligations/").json()
    assert {r["customer"] for r in rows} == {mine.pk}
    assert api_for(org.rep).get("/api/v1/obligations/", {"customer": other.pk}).status_code == 404
    due = api_for(org.rep).get("/api/v1/obligations/due/").json()
    assert {r["customer"] for r in due} == {mine.pk} and all(r["done"] < r["required"] for r in due)


def test_compliance_api(org, rated):
    mine, _other = rated
    touch(mine, org.rep, "visit", dt.datetime.now())
    cells = api_for(org.market).get("/api/v1/compliance/", {"group_by": "owner"}).json()
    rep_visits = [c for c in cells if c["rule_name"] == "a-rep-visit"]
    assert {c["key"]: (c["met"], c["due"]) for c in rep_visits} == {
        org.rep.pk: (1, 1),
        org.outsider.pk: (0, 1),
    }
    assert api_for(org.rep).get("/api/v1/compliance/", {"group_by": "nonsense"}).status_code == 400


def test_special_visit_api_is_idempotent_and_scoped(org, rated):
    """R-OBL-3: raised by API with a reference; a retry never duplicates; due within 2 working days."""
    mine, other = rated
    body = {"customer": mine.pk, "trigger": "customer_request", "reference": "req-42"}
    first = api_for(org.rep).post("/api/v1/special-visits/", body, format="json")
    again = api_for(org.rep).post("/api/v1/special-visits/", body, format="json")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and SpecialVisit.objects.count() == 1
    outsider = api_for(org.rep).post("/api/v1/special-visits/", {**body, "customer": other.pk}, format="json")
    assert outsider.status_code == 400
    assert api_for(org.outsider).get(f"/api/v1/special-visits/{first.json()['id']}/").status_code == 404


def test_special_visit_is_fulfilled_by_the_next_visit(org, rated, time_machine):
    """R-OBL-3: due within 2 working days; fulfilled by an on-site visit of the responsible person."""
    time_machine.move_to(dt.datetime(2025, 9, 30, 9, 0))
    mine, _ = rated
    visit = raise_special_visit(mine, trigger="complaint", by=org.manager, reference="complaint-1")
    assert visit.due_on == dt.date(2025, 10, 10)  # National Day holiday skipped (R-CAL-1)
    assert list(open_special_visits(responsible=org.rep)) == [visit]
    touch(mine, org.rep, "phone", dt.datetime(2025, 10, 9, 10))
    assert fulfil_special_visits() == 0
    touch(mine, org.rep, "visit", dt.datetime(2025, 10, 9, 11))
    assert fulfil_special_visits() == 1
    visit.refresh_from_db()
    assert visit.fulfilled_at is not None and not open_special_visits(responsible=org.rep).exists()


def test_rules_api_and_revision_permissions(org, seed001):
    rules = api_for(org.rep).get("/api/v1/visit-rules/").json()
    assert rules["count"] == len(seed001.rules)
    pk = seed001.rules["b_rep_visit"].pk
    assert (
        api_for(org.rep)
        .post(f"/api/v1/visit-rules/{pk}/revise/", {"min_count": 2}, format="json")
        .status_code
        == 403
    )
    response = api_for(org.market).post(
        f"/api/v1/visit-rules/{pk}/revise/", {"min_count": 2, "effective": "2026-12-01"}, format="json"
    )
    assert (
        response.status_code == 200
        and response.json()["min_count"] == 2
        and response.json()["valid_from"] == "2026-12-01"
    )


def test_rule_pages(org, seed001):
    assert client_for(org.rep).get(reverse("rules:list")).status_code == 200
    pk = seed001.rules["b_rep_visit"].pk
    assert client_for(org.rep).get(reverse("rules:edit", args=[pk])).status_code == 403
    assert client_for(org.market).get(reverse("rules:edit", args=[pk])).status_code == 200


def test_raise_special_visit_page_outsider_404(org, rated):
    _mine, other = rated
    assert client_for(org.rep).get(reverse("rules:special_create", args=[other.pk])).status_code == 404


def test_compliance_cli(org, rated, capsys):
    """`baifang compliance --date D [--unit U]`."""
    call_command("compliance", "--date", "2026-11-18", "--unit", "sales1", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["date"] == "2026-11-18"
    rep_rows = [r for r in data["rows"] if r["rule"] == "a-rep-visit"]
    assert rep_rows[0]["due"] == 1  # only sales1's customer
    call_command("compliance", "--date", "2026-11-18")
    assert "a-rep-visit" in capsys.readouterr().out
