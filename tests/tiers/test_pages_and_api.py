"""Classification pages and API: criteria validation, batches, overrides, scope (R-TIER-1..3, R-SEC-1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from baifang.presets import loader
from baifang.tiers.models import ClassificationScheme, CustomerTier, RatingBatch
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory


@pytest.fixture
def scheme(db):
    loader.load("logistics")
    return ClassificationScheme.objects.get(code="value")


def test_scheme_pages(org, scheme):
    assert "客户价值" in client_for(org.rep).get(reverse("tiers:list")).content.decode()
    assert client_for(org.rep).get(reverse("tiers:scheme", args=[scheme.pk])).status_code == 200


def test_editing_criteria_with_a_typo_shows_the_token(org, scheme):
    """R-TIER-2: validated on save with a clear message naming the bad token."""
    tier = scheme.tiers.get(code="B")
    assert client_for(org.rep).get(reverse("tiers:tier_edit", args=[tier.pk])).status_code == 403
    response = client_for(org.market).post(
        reverse("tiers:tier_edit", args=[tier.pk]),
        {"name": "B级", "criteria": "年交易额 >= 20万 且 合做年限 >= 1"},
    )
    assert response.status_code == 200 and "合做年限" in response.content.decode()
    tier.refresh_from_db()
    assert "合做年限" not in tier.criteria


def test_batch_flow_on_pages(org, scheme):
    """R-TIER-3: propose → review side by side → apply ticked."""
    big = CustomerFactory(owner=org.rep, annual_value=3_000_000)
    small = CustomerFactory(owner=org.rep, annual_value=300_000)
    client = client_for(org.market)
    response = client.post(reverse("tiers:batch_create", args=[scheme.pk]))
    batch = RatingBatch.objects.get()
    assert response["Location"].endswith(reverse("tiers:batch", args=[batch.pk]))
    html = client.get(reverse("tiers:batch", args=[batch.pk])).content.decode()
    assert "2,000,000" in html
    proposals = {p.customer_id: p.pk for p in batch.proposals.all()}
    client.post(
        reverse("tiers:batch", args=[batch.pk]),
        {"shown": list(proposals.values()), "accept": [proposals[big.pk]]},
    )
    assert CustomerTier.objects.get(customer=big).tier.code == "A"
    assert not CustomerTier.objects.filter(customer=small).exists()


def test_override_page_needs_archive_admin_and_visibility(org, scheme, customer):
    tier = scheme.tiers.get(code="A")
    url = reverse("tiers:override", args=[customer.pk, scheme.pk])
    assert client_for(org.rep).post(url, {"tier": tier.pk, "reason": "x"}).status_code == 403
    client_for(org.market).post(url, {"tier": tier.pk, "reason": "战略伙伴"})
    assert CustomerTier.objects.get(customer=customer).tier == tier


def test_api_customer_tiers_are_scoped(org, scheme):
    mine, theirs = CustomerFactory(owner=org.rep), CustomerFactory(owner=org.outsider)
    for c in (mine, theirs):
        api_for(org.market).post(
            "/api/v1/customer-tiers-override/",
            {"customer": c.pk, "tier": scheme.tiers.get(code="B").pk, "reason": "初评"},
            format="json",
        )
    assert {t["customer"] for t in api_for(org.rep).get("/api/v1/customer-tiers/").json()["results"]} == {
        mine.pk
    }
    assert api_for(org.rep).get("/api/v1/tier-changes/").json()["count"] == 1
    theirs_tier = CustomerTier.objects.get(customer=theirs)
    assert api_for(org.rep).get(f"/api/v1/customer-tiers/{theirs_tier.pk}/").status_code == 404


def test_api_override_requires_reason_and_rights(org, scheme, customer):
    tier = scheme.tiers.get(code="A").pk
    assert (
        api_for(org.rep)
        .post(
            "/api/v1/customer-tiers-override/",
            {"customer": customer.pk, "tier": tier, "reason": "理由"},
            format="json",
        )
        .status_code
        == 403
    )
    assert (
        api_for(org.market)
        .post(
            "/api/v1/customer-tiers-override/",
            {"customer": customer.pk, "tier": tier, "reason": ""},
            format="json",
        )
        .status_code
        == 400
    )
    other = CustomerFactory(owner=org.outsider)
    assert (
        api_for(org.manager)
        .post(
            "/api/v1/customer-tiers-override/",
            {"customer": other.pk, "tier": tier, "reason": "理由"},
            format="json",
        )
        .status_code
        == 400
    )


def test_api_batches(org, scheme):
    CustomerFactory(owner=org.rep, annual_value=3_000_000)
    assert (
        api_for(org.rep).post("/api/v1/rating-batches/", {"scheme": scheme.pk}, format="json").status_code
        == 403
    )
    created = api_for(org.market).post("/api/v1/rating-batches/", {"scheme": scheme.pk}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert api_for(org.market).get(f"/api/v1/rating-batches/{pk}/proposals/").json()["count"] == 1
    assert (
        api_for(org.market).post(f"/api/v1/rating-batches/{pk}/apply/", {}, format="json").json()["status"]
        == "applied"
    )
    assert (
        api_for(org.market).post(f"/api/v1/rating-batches/{pk}/apply/", {}, format="json").status_code == 400
    )


def test_schemes_api_lists_tiers_with_criteria(org, scheme):
    data = api_for(org.rep).get("/api/v1/schemes/").json()["results"]
    assert data[0]["tiers"][0]["criteria"].startswith("annual_value")
