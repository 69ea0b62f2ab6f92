"""Rating with reasons, overrides and batch re-rating (R-TIER-1..3)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baifang.core.models import AuditLog
from baifang.customers.models import Customer
from baifang.presets import loader
from baifang.tiers import services
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier, TierChange
from tests.factories import CustomerFactory


@pytest.fixture
def value_scheme(db):
    loader.load("logistics")
    return ClassificationScheme.objects.get(code="value")


def test_rating_returns_tier_and_reason(org, value_scheme):
    """R-TIER-2: "annual value 2,350,000 ≥ 2,000,000"."""
    big = CustomerFactory(owner=org.rep, annual_value=2_350_000, cooperation_since=None)
    mid = CustomerFactory(owner=org.rep, annual_value=300_000)
    old = CustomerFactory(owner=org.rep, annual_value=50_000, cooperation_since=dt.date(2020, 1, 1))
    prospect = CustomerFactory(owner=org.rep, annual_value=None, status="prospect")
    ratings = {
        r.customer_id: r
        for r in services.rate_customers(value_scheme, Customer.objects.all(), dt.date(2026, 11, 1))
    }
    assert ratings[big.pk].tier.code == "A"
    assert ratings[big.pk].reason == "年交易额 2,350,000 ≥ 2,000,000"
    assert ratings[mid.pk].tier.code == "B"
    assert ratings[old.pk].tier.code == "A"  # cooperation ≥ 2 years, no bad credit
    assert ratings[prospect.pk].tier.code == "D"


def test_criteria_typos_are_refused_on_save(value_scheme):
    """R-TIER-2: a typo is a clear error naming the token, never a silently-false rule."""
    tier = value_scheme.tiers.get(code="B")
    tier.criteria = "anual_value >= 200000"
    with pytest.raises(ValidationError) as info:
        tier.full_clean()
    assert "anual_value" in str(info.value)


def test_batch_rerating_proposes_and_applies_with_approval(org, value_scheme):
    """R-TIER-3: batch re-rating shows every proposed change for approval; changes are kept."""
    a = CustomerFactory(owner=org.rep, annual_value=3_000_000)
    b = CustomerFactory(owner=org.rep, annual_value=300_000)
    batch = services.propose_rerating(value_scheme, Customer.objects.all(), by=org.market)
    proposals = {p.customer_id: p for p in batch.proposals.select_related("proposed_tier")}
    assert proposals[a.pk].proposed_tier.code == "A" and proposals[b.pk].proposed_tier.code == "B"
    assert not CustomerTier.objects.exists()  # nothing changes before approval
    applied = services.apply_batch(batch, by=org.market, rejected_ids={proposals[b.pk].pk})
    assert applied == 1
    assert CustomerTier.objects.get(customer=a).tier.code == "A"
    assert not CustomerTier.objects.filter(customer=b).exists()
    change = TierChange.objects.get(customer=a)
    assert (change.old_tier, change.new_tier.code, change.changed_by, change.batch) == (
        None,
        "A",
        org.market,
        batch,
    )
    with pytest.raises(ValidationError):
        services.apply_batch(batch, by=org.market)  # decided once


def test_rerating_proposes_only_changes(org, value_scheme):
    a = CustomerFactory(owner=org.rep, annual_value=3_000_000)
    services.apply_batch(
        services.propose_rerating(value_scheme, Customer.objects.all(), by=org.market), by=org.market
    )
    again = services.propose_rerating(value_scheme, Customer.objects.all(), by=org.market)
    assert again.proposals.count() == 0 and again.rated_count == 1
    a.annual_value = 10
    a.save()
    assert (
        services.propose_rerating(value_scheme, Customer.objects.all(), by=org.market)
        .proposals.get()
        .proposed_tier.code
        == "C"
    )


def test_only_the_market_department_rates(org, value_scheme):
    with pytest.raises(PermissionDenied):
        services.propose_rerating(value_scheme, Customer.objects.none(), by=org.rep)


def test_manual_override_needs_a_reason_and_is_audited(org, value_scheme, customer):
    """R-TIER-3: a manual override needs a reason; who/when/why/old/new are kept."""
    tier_a = value_scheme.tiers.get(code="A")
    with pytest.raises(ValidationError):
        services.override_tier(customer, tier_a, by=org.market, reason="  ")
    services.override_tier(customer, value_scheme.tiers.get(code="C"), by=org.market, reason="初始")
    services.override_tier(customer, tier_a, by=org.market, reason="战略合作伙伴")
    change = TierChange.objects.filter(customer=customer).first()
    assert (change.old_tier.code, change.new_tier.code, change.reason, change.source) == (
        "C",
        "A",
        "战略合作伙伴",
        "manual",
    )
    assert AuditLog.objects.filter(action="override", object_id=str(customer.pk)).count() == 2


def test_several_schemes_side_by_side(org, value_scheme, customer):
    """R-TIER-1: a customer holds one tier per scheme."""
    loader.load("b2b-sales")
    services.override_tier(customer, value_scheme.tiers.get(code="B"), by=org.market, reason="x")
    services.override_tier(
        customer, Tier.objects.get(scheme__code="sales-stage", code="intent"), by=org.market, reason="y"
    )
    assert CustomerTier.objects.filter(customer=customer).count() == 2
