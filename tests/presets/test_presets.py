"""Industry presets: schemes and visit rules ship as data (R-PRESET-1, R-TIER-1, R-FREQ-2..8)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from baifang.presets import loader
from baifang.rules.models import VisitRule
from baifang.tiers.models import ClassificationScheme, Tier

EXPECTED_SCHEMES = {
    "distribution": {"importance"},
    "logistics": {"value"},
    "b2b-sales": {"sales-stage", "strategic", "close-grade", "purchase-intent", "lifecycle"},
    "tobacco": {"tobacco-service", "tobacco-level", "tobacco-market"},
    "key-accounts": {"key-account"},
    "building-materials": {"building-customer"},
    "property": {"household"},
}


@pytest.mark.parametrize("code", sorted(EXPECTED_SCHEMES))
def test_every_preset_loads_and_its_criteria_parse(db, code):
    """R-PRESET-1 / R-TIER-2: every preset loads; every criterion is valid."""
    result = loader.load(code)
    assert set(ClassificationScheme.objects.values_list("code", flat=True)) == EXPECTED_SCHEMES[code]
    assert result.tiers == Tier.objects.count() > 0
    for tier in Tier.objects.all():
        tier.full_clean()


def test_loading_twice_keeps_existing_data(db):
    """R-PRESET-1: loading into an existing installation keeps what is there."""
    loader.load("distribution")
    tier = Tier.objects.get(scheme__code="importance", code="A")
    tier.name = "A类（本公司改名）"
    tier.save()
    again = loader.load("distribution")
    assert (again.schemes, again.tiers, again.rules) == (0, 0, 0)
    assert Tier.objects.get(pk=tier.pk).name == "A类（本公司改名）"


def test_seed001_rules_match_the_regulation(db):
    """R-FREQ-2: A — leader 1 visit/yr + 1 call/month, manager 2 visits/yr + 1 call/week, rep 1 visit/week; B; C."""
    loader.load("distribution")
    rules = {
        (r.tier.code, r.responsible, r.channel, r.period): r.min_count
        for r in VisitRule.objects.select_related("tier")
    }
    assert rules == {
        ("A", "leader", "visit", "year"): 1,
        ("A", "leader", "phone", "month"): 1,
        ("A", "dept_manager", "visit", "year"): 2,
        ("A", "dept_manager", "phone", "week"): 1,
        ("A", "owner", "visit", "week"): 1,
        ("B", "dept_manager", "visit", "year"): 1,
        ("B", "owner", "visit", "month"): 1,
        ("B", "owner", "phone", "month"): 1,
        ("C", "owner", "phone", "month"): 1,
    }


def test_the_distribution_preset_brings_seed_001s_care_rules_and_quota(db):
    """R-CARE-1..3 / R-INFO-1: loading the seed-001 preset also loads its care rules (on its importance
    tiers, active) and the feedback quota; a second load creates nothing; an unknown care seed is refused."""
    from baifang.care.models import CareRule, FeedbackQuota
    from baifang.care.services import seed_path

    result = loader.load("distribution")
    rules = CareRule.objects.all()
    assert result.care > 0 and rules.exists() and all(r.is_active for r in rules)
    assert {t.scheme.code for r in rules.prefetch_related("tiers__scheme") for t in r.tiers.all()} == {
        "importance"
    }
    quota = FeedbackQuota.objects.get()
    assert (quota.total, quota.scheme.code) == (5, "importance") and quota.minimums == {
        "A": 2,
        "B": 2,
        "C": 1,
    }
    assert loader.load("distribution").care == 0
    assert loader.load("tobacco").care == 0 and CareRule.objects.count() == rules.count()
    for bad in ("nope", "../settings"):
        with pytest.raises(KeyError):
            seed_path(bad)


def test_tobacco_rules(db):
    """R-FREQ-3 and R-FREQ-4: levels, service classes with durations, the first visit by the 10th."""
    loader.load("tobacco")
    by_code = {r.code: r for r in VisitRule.objects.all()}
    assert (by_code["s003-l4"].period, by_code["s003-l5"].period) == ("two_weeks", "month")
    assert (
        by_code["s003-core"].min_duration_minutes == 15 and by_code["s003-core"].appointment_lead_hours == 24
    )
    assert by_code["s003-regular"].period == "two_months"
    assert (by_code["s003-urban"].min_count, by_code["s003-urban"].first_due_day) == (3, 10)
    assert by_code["s003-rural"].min_count == 2


def test_seasons_geography_key_accounts_property(db):
    """R-FREQ-5 (seasons), R-FREQ-6 (geography), R-FREQ-7 (key accounts), R-FREQ-8 (property) ship as data."""
    for code in ("building-materials", "key-accounts", "property"):
        loader.load(code)
    peak_visit = VisitRule.objects.get(code="s004-peak-visit")
    assert peak_visit.season.code == "peak" and peak_visit.period == "two_weeks"
    assert VisitRule.objects.get(code="s004-geo-elsewhere").geography == "elsewhere"
    assert VisitRule.objects.get(code="s004-a1-call").min_count == 2
    assert VisitRule.objects.get(code="s004-household-supervisor").responsible == "supervisor"


def test_cli(db, capsys):
    call_command("preset", "list")
    assert "tobacco" in capsys.readouterr().out
    call_command("preset", "load", "logistics")
    assert ClassificationScheme.objects.filter(code="value").exists()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("preset", "load", "nope")
