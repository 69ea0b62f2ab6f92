"""Industry presets: schemes, tiers, seasons and visit rules as data files (R-PRESET-1, R-TIER-1, R-FREQ-2..8).

Loading is idempotent and keeps existing data: schemes, tiers, seasons and rules that already exist
(by code) are left as they are; only missing ones are created.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from baifang.rules.models import ReturnVisitRule, Season, SeasonRange, VisitRule
from baifang.tiers.models import ClassificationScheme, Tier

DATA_DIR = Path(__file__).parent / "data"
RULE_OPTIONAL = (
    "counted_by_anyone",
    "min_duration_minutes",
    "appointment_lead_hours",
    "first_due_day",
    "geography",
    "source",
)


@dataclass
class LoadResult:
    schemes: int = 0
    tiers: int = 0
    seasons: int = 0
    rules: int = 0
    return_rules: int = 0  # event-driven return-visit rules (R-FREQ-9)
    checklists: int = 0
    limits: int = 0
    plan_policies: int = 0
    rhythm_steps: int = 0
    care: int = 0  # care rules, templates, company dates and quota rows created from the named care seed


def available() -> dict[str, dict]:
    """Preset code → its data, for every file in data/."""
    presets = {}
    for path in sorted(DATA_DIR.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        presets[data["code"]] = data
    return presets


@transaction.atomic
def load(code: str) -> LoadResult:
    """Load one preset; raises KeyError for an unknown code. Criteria are validated before saving."""
    from baifang.tiers.criteria import parse_criteria

    data = available()[code]
    result = LoadResult()
    schemes: dict[str, ClassificationScheme] = {}
    for scheme_data in data.get("schemes", []):
        scheme, created = ClassificationScheme.objects.get_or_create(
            code=scheme_data["code"],
            defaults={
                "name": scheme_data["name"],
                "description": scheme_data.get("description", ""),
                "source": data["source"],
            },
        )
        result.schemes += created
        schemes[scheme.code] = scheme
        for tier_data in scheme_data["tiers"]:
            if tier_data.get("criteria"):
                parse_criteria(tier_data["criteria"])
            _tier, created = Tier.objects.get_or_create(
                scheme=scheme,
                code=tier_data["code"],
                defaults={
                    "name": tier_data["name"],
                    "rank": tier_data["rank"],
                    "criteria": tier_data.get("criteria", ""),
                    "description": tier_data.get("description", ""),
                    "is_important": tier_data.get("is_important", False),
                    "expected_share_min": tier_data.get("expected_share_min"),
                    "expected_share_max": tier_data.get("expected_share_max"),
                },
            )
            result.tiers += created
    seasons: dict[str, Season] = {}
    for season_data in data.get("seasons", []):
        season, created = Season.objects.get_or_create(
            code=season_data["code"], defaults={"name": season_data["name"]}
        )
        if created:
            for sm, sd, em, ed in season_data["ranges"]:
                SeasonRange.objects.create(
                    season=season, start_month=sm, start_day=sd, end_month=em, end_day=ed
                )
        result.seasons += created
        seasons[season.code] = season
    for rule_data in data.get("rules", []):
        if VisitRule.objects.filter(code=rule_data["code"]).exists():
            continue
        scheme = schemes.get(rule_data["scheme"]) or ClassificationScheme.objects.get(
            code=rule_data["scheme"]
        )
        rule = VisitRule(
            code=rule_data["code"],
            name=rule_data["name"],
            scheme=scheme,
            tier=scheme.tiers.get(code=rule_data["tier"]),
            responsible=rule_data["responsible"],
            channel=rule_data["channel"],
            period=rule_data["period"],
            min_count=rule_data["min_count"],
            season=seasons.get(rule_data["season"]) or Season.objects.get(code=rule_data["season"])
            if rule_data.get("season")
            else None,
            **{k: rule_data[k] for k in RULE_OPTIONAL if k in rule_data},
        )
        rule.full_clean()
        rule.save()
        result.rules += 1
    result.return_rules = _load_return_rules(data.get("return_rules", []), schemes)
    result.checklists, result.limits = _load_screening_and_limits(data)
    if data.get("plan_policy"):
        result.plan_policies, result.rhythm_steps = _load_plan_policy(data["plan_policy"])
    if data.get(
        "care"
    ):  # the seed's care rules and feedback quota (R-CARE-1..3, R-INFO-1), after its schemes
        from baifang.care.services import load_seed, seed_path

        result.care = load_seed(seed_path(data["care"]))
    return result


RETURN_RULE_OPTIONAL = (
    "responsible",
    "counted_by_anyone",
    "min_count",
    "offset_unit",
    "repeat_every_months",
    "repeat_until_months",
    "source",
)


def _load_return_rules(rows: list[dict], schemes: dict) -> int:
    """Event-driven return-visit rules (R-FREQ-9); a code that exists is kept as the company left it."""
    created = 0
    for row in rows:
        if ReturnVisitRule.objects.filter(code=row["code"]).exists():
            continue
        rule = ReturnVisitRule(
            code=row["code"],
            name=row["name"],
            event=row["event"],
            channel=row["channel"],
            offset=row["offset"],
            **{k: row[k] for k in RETURN_RULE_OPTIONAL if k in row},
        )
        if row.get("tier"):
            scheme = schemes.get(row["scheme"]) or ClassificationScheme.objects.get(code=row["scheme"])
            rule.scheme, rule.tier = scheme, scheme.tiers.get(code=row["tier"])
        rule.full_clean()
        rule.save()
        created += 1
    return created


def _load_plan_policy(data: dict) -> tuple[int, int]:
    """The company-wide plan policy (only when there is none yet) and its month-rhythm steps (R-PLAN-5)."""
    from baifang.plans.models import PlanPolicy, RhythmReminder

    fields = {k: v for k, v in data.items() if k not in ("rhythm", "source")}
    policy = PlanPolicy.objects.filter(unit=None).first()
    created = policy is None
    if created:
        policy = PlanPolicy(**fields)
        policy.full_clean()
        policy.save()
    steps = 0
    for step in data.get("rhythm", []):
        _obj, new = RhythmReminder.objects.get_or_create(
            policy=policy,
            text=step["text"],
            defaults={"when": step["when"], "day": step.get("day", 1), "link": step.get("link", "")},
        )
        steps += new
    return int(created), steps


def _load_screening_and_limits(data: dict) -> tuple[int, int]:
    from baifang.customers.choices import DISTRIBUTION_DEFAULT_LIMITS
    from baifang.customers.models import RegionDistributionLimit
    from baifang.tiers.models import ScreeningChecklist

    checklists = limits = 0
    for checklist in data.get("checklists", []):
        obj, created = ScreeningChecklist.objects.get_or_create(
            code=checklist["code"], defaults={"name": checklist["name"], "items": checklist["items"]}
        )
        obj.full_clean()
        checklists += created
    for limit in data.get("distribution_limits", []):
        _obj, created = RegionDistributionLimit.objects.get_or_create(
            province=limit["province"],
            city=limit.get("city", ""),
            district=limit.get("district", ""),
            defaults={
                "kind": limit["kind"],
                "max_distributors": limit.get("max", DISTRIBUTION_DEFAULT_LIMITS[limit["kind"]]),
            },
        )
        limits += created
    return checklists, limits
