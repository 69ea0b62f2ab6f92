"""No server errors: bad query values and bodies are field-level 400s, never 500s (R-SEC-1, R-UX-1).

Each case here answered 500 before (found by the schema fuzz run and the access sweep of issue 10).
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.conftest import api_for, client_for

HUGE = "1" + "0" * 19  # 10**19: more than any database integer


def _error_attrs(response) -> set[str]:
    body = response.json()
    assert body["type"] == "validation_error", body
    return {error["attr"] for error in body["errors"]}


@pytest.mark.parametrize(
    ("url", "attr"),
    [
        ("/api/v1/contacts/?customer=1e19", "customer"),
        (f"/api/v1/contacts/?customer={HUGE}", "customer"),
        (f"/api/v1/customer-changes/?customer={HUGE}", "customer"),
        (f"/api/v1/plan-items/?customer={HUGE}", "customer"),
        (f"/api/v1/plan-items/?plan=-{HUGE}", "plan"),
        (f"/api/v1/users/?unit={HUGE}", "unit"),
        (f"/api/v1/customers/?owner={HUGE}", "owner"),
        (f"/api/v1/customers/?unit={HUGE}", "unit"),
        (f"/api/v1/visits/?customer={HUGE}", "customer"),
        (f"/api/v1/org-units/?parent={HUGE}", "parent"),
    ],
)
def test_out_of_range_integer_filter_is_a_field_level_400(org, url, attr):
    """R-SEC-1: an id no database can hold is refused by the filter, not sent to SQL."""
    response = api_for(org.market).get(url)
    assert response.status_code == 400
    assert attr in _error_attrs(response)


def test_over_long_search_string_is_a_400(org):
    """R-UX-1: a 50,000-character q ("LIKE pattern too complex" on SQLite) is refused."""
    response = api_for(org.market).get("/api/v1/customers/", {"q": "%_" * 25_000})
    assert response.status_code == 400
    assert _error_attrs(response) == {"q"}


def test_over_long_search_string_on_the_page_is_a_400(org):
    response = client_for(org.market).get(reverse("customers:list"), {"q": "%_" * 25_000})
    assert response.status_code in (200, 400)  # the page shows the form error or a 400, never 500


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/v1/obligations/", "date"),
        ("/api/v1/compliance/", "date"),
        ("/api/v1/obligations/due/", "date"),
        ("/api/v1/plans/", "period_start_after"),
        ("/api/v1/plan-items/", "day_before"),
        ("/api/v1/routes/day/", "date"),
    ],
)
def test_dates_outside_the_bounds_are_a_400(org, url, param, day):
    """R-UX-1: dates beyond settings.DATE_MIN..DATE_MAX never reach date arithmetic."""
    response = api_for(org.rep).get(url, {param: day})
    assert response.status_code == 400, response.content
    attrs = _error_attrs(response)
    assert attrs & {param, param.rsplit("_", 1)[0]}, attrs


def test_month_far_in_the_future_is_a_400(org):
    response = api_for(org.rep).get("/api/v1/plans/", {"month": "9999-12"})
    assert response.status_code == 400
    assert _error_attrs(response) == {"month"}


@pytest.mark.parametrize("scheme", ["abc", "1e30", HUGE])
def test_route_scheme_must_be_an_id(org, scheme):
    """R-UX-1: /routes/day/?scheme=abc was a 500."""
    response = api_for(org.rep).get("/api/v1/routes/day/", {"scheme": scheme})
    assert response.status_code == 400
    assert _error_attrs(response) == {"scheme"}


@pytest.mark.parametrize("params", [{"scheme": "1e30"}, {"rep": HUGE}, {"date": "9999-12-31"}])
def test_map_page_bad_parameters_are_a_400_page(org, params):
    response = client_for(org.rep).get(reverse("maps:map"), params)
    assert response.status_code == 400
    assert (
        "scheme" in response.content.decode()
        or "rep" in response.content.decode()
        or "date" in (response.content.decode())
    )


def test_history_tab_of_a_customer_without_history_rows(org, customer):
    """R-ARCH-4: customers loaded in bulk have no history rows; the tab said 500 for each of them."""
    customer.history.all().delete()
    response = client_for(org.rep).get(customer.get_absolute_url(), {"tab": "history"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page_size": "x"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
    ],
)
def test_bad_page_parameters_are_a_400(org, params, attr):
    """R-UX-1: strict pagination; a bad page_size was silently replaced by the default."""
    response = api_for(org.market).get("/api/v1/customers/", params)
    assert response.status_code == 400
    assert _error_attrs(response) == {attr}


@pytest.mark.parametrize("url", ["/api/v1/customers/?status=nonsense", "/api/v1/plans/?status=nonsense"])
def test_bad_enum_filter_is_a_400(org, url):
    response = api_for(org.market).get(url)
    assert response.status_code == 400
    assert _error_attrs(response) == {"status"}


def test_deeply_nested_json_body_is_a_400(org):
    """R-SEC-1: a body nested 100,000 levels deep raised RecursionError (500)."""
    body = "[" * 100_000 + "]" * 100_000
    response = api_for(org.market).post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "client_error"


def test_moderately_nested_json_beyond_the_limit_is_a_400(org, settings):
    settings.JSON_MAX_DEPTH = 5
    body = json.dumps({"name": [[[[[["x"]]]]]]})
    response = api_for(org.market).post("/api/v1/customers/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


@pytest.mark.parametrize("fmt", ["multipart", "json"])
def test_post_plans_with_an_empty_date_is_a_400(org, fmt):
    """R-PLAN-3: an empty date used to fall back to today and create a plan."""
    response = api_for(org.rep).post("/api/v1/plans/", {"kind": "month", "date": ""}, format=fmt)
    assert response.status_code == 400
    assert _error_attrs(response) == {"date"}


def _schema(org) -> dict:
    response = api_for(org.market).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_schema_times_have_no_offset_format(org):
    """R-UX-1: "08:30:00" was declared `format: time` (RFC 3339 full-time needs an offset)."""
    text = json.dumps(_schema(org))
    assert '"format": "time"' not in text
    assert "[0-5]\\\\d(:[0-5]" in text  # the HH:MM[:SS] pattern is declared instead


def _codes(schema: dict, component: str) -> set[str]:
    return set(schema["components"]["schemas"][component]["enum"])


def test_schema_documents_validator_and_service_error_codes(org):
    """R-UX-1: invalid_phone / invalid_credit_code were answered but missing from the error enums."""
    components = _schema(org)["components"]["schemas"]
    phone = {n for n in components if n.startswith("CustomersCreatePhoneErrorComponent")}
    credit = {n for n in components if n.startswith("CustomersCreateCreditCodeErrorComponent")}
    assert phone and credit, sorted(n for n in components if n.startswith("CustomersCreate"))
    codes = lambda names: {c for n in names for c in components[n]["properties"]["code"]["enum"]}  # noqa: E731
    assert "invalid_phone" in codes(phone)
    assert "invalid_credit_code" in codes(credit)
    lock = {n for n in components if n.startswith("PlanItemsPartialUpdateLockVersionErrorComponent")}
    assert "required" in codes(lock)


@pytest.mark.parametrize("name", ["rules:due", "rules:matrix"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_obligation_pages_with_a_date_outside_the_bounds(org, name, day):
    """R-UX-1: the page keeps today and shows the field's message instead of a 500."""
    response = client_for(org.manager).get(reverse(name), {"date": day})
    assert response.status_code == 200
    assert response.context["form"].has_error("date", "date_out_of_range")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("url", ["/api/v1/plans/", "/api/v1/plans/refine/"])
def test_plan_periods_at_the_ends_of_the_calendar_are_a_400(org, url, day):
    """R-PLAN-3: a period around year 9999 or 1 overflowed the date arithmetic (500)."""
    response = api_for(org.rep).post(url, {"kind": "week", "date": day}, format="json")
    assert response.status_code == 400
    assert _error_attrs(response) == {"date"}


def test_unmatched_api_address_answers_the_json_404(org):
    """R-UX-1: /api/v1/contacts/0.5/ answered Django's HTML page against the documented JSON error."""
    response = api_for(org.market).delete("/api/v1/contacts/0.5/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_schema_documents_query_parameter_and_service_errors(org):
    """Query serializers (compliance, calendar) and service refusals (403, non-field 400) are documented."""
    schema = _schema(org)
    components = schema["components"]["schemas"]
    assert "ComplianceListValidationError" in json.dumps(components["ComplianceListErrorResponse400"])
    assert "ComplianceListDateErrorComponent" in components
    discard = schema["paths"]["/api/v1/rating-batches/{id}/discard/"]["post"]["responses"]
    assert "403" in discard
    assert "ValidationError" in json.dumps(components["RatingBatchesDiscardCreateErrorResponse400"])


def test_errors_inside_a_list_are_reported_on_the_field():
    """R-UX-1: `rejected.0` matched no documented attr; list errors now sit on `rejected`."""
    from baifang.tiers.api.serializers import ApplySerializer

    params = ApplySerializer(data={"rejected": [1, "x"]})
    assert not params.is_valid()
    assert set(params.errors) == {"rejected"}
    assert params.errors["rejected"][0].code == "invalid" and str(params.errors["rejected"][0]).startswith(
        "1: "
    )


@pytest.mark.parametrize("fields", [1200, 5000])
def test_a_form_body_with_more_fields_than_django_accepts_is_a_400(org, fields):
    """Found by the fuzz run (rep, seed 20261201): a multipart body repeating ``recipients`` thousands of
    times passed DATA_UPLOAD_MAX_NUMBER_FIELDS; Django's TooManyFieldsSent answered 500."""
    from django.test.client import encode_multipart

    boundary = "fuzzboundary"
    body = encode_multipart(boundary, {"recipients": ["640"] * fields, "channel": "paper"})
    response = api_for(org.rep).generic(
        "POST", "/api/v1/visits/check-in/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400, response.content[:300]
    error = response.json()["errors"][0]
    assert error["code"] == "parse_error"
    assert "1000" in error["detail"]
