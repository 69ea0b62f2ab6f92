#!/usr/bin/env python
"""Compliance benchmark at scale on PostgreSQL (R-OBL-2, R-SCALE-1).

    .venv/bin/python benchmarks/bench_compliance.py [--database-url URL] [--touches 5000000] [--quick]

Uses the customer benchmark database (``benchmarks/bench_customers.py`` creates it with 200,000
customers and 1,000 reps). Adds, once: the seed-001 (distribution) and seed-003 (tobacco) presets,
a tier per customer in each of their schemes, and ``--touches`` touches spread over 2026 (85 % by the
owner, the rest by department managers, leaders and colleagues; 65 % visits, 30 % calls, 5 % SMS).

Then builds the kept compliance windows for the day (``baifang compliance_rebuild``: trigger-
maintained counters, see docs/obligations.md) and measures, median of N runs (day = 2026-11-18),
each figure twice in the same run — from the kept windows (the default path) and live
(``use_tallies=False``, touches aggregated per request):
  (a) whole-company compliance (every rule in force, grouped by rule; and by responsible person),
  (b) one sales department (unit subtree),
  (c) one rep's due list;
and two baselines: (i) a naive per-customer ORM loop over a 2,000-customer sample, scaled to all
customers; (ii) the floor: per rule, one hand-written aggregate SQL over the same touches (tier
join + window aggregate, no scope, no responsible-person matching), summed over the rules.
Also: the cost the triggers add to recording one touch (ORM create, with and without kept
windows), and a check that both paths give the same numbers.
Writes ``benchmarks/results/compliance.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "compliance.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_bench"
DAY = dt.date(2026, 11, 18)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--touches", type=int, default=5_000_000)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def median_ms(func, runs: int, warmups: int = 1) -> float:
    for _ in range(warmups):
        func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def ensure_rules_and_tiers() -> None:
    """Presets and one tier per customer and scheme, assigned in SQL (deterministic by id)."""
    from django.db import connection

    from baifang.presets import loader
    from baifang.tiers.models import ClassificationScheme, CustomerTier

    loader.load("distribution")
    loader.load("tobacco")
    plans = {
        # scheme: [(tier code, share of customers by id modulo 100)]
        "importance": [("A", 10), ("B", 40), ("C", 50)],
        "tobacco-service": [("core", 5), ("potential", 25), ("assistance", 7), ("regular", 63)],
        "tobacco-level": [("L1", 10), ("L2", 15), ("L3", 25), ("L4", 25), ("L5", 25)],
        "tobacco-market": [("urban", 70), ("rural", 30)],
    }
    for code, shares in plans.items():
        scheme = ClassificationScheme.objects.get(code=code)
        if CustomerTier.objects.filter(scheme=scheme).exists():
            continue
        tiers = {t.code: t.pk for t in scheme.tiers.all()}
        cases, low = [], 0
        for tier_code, share in shares:
            cases.append(f"WHEN (c.id * 7919) %% 100 < {low + share} THEN {tiers[tier_code]}")
            low += share
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO tiers_customertier (customer_id, scheme_id, tier_id, source, reason, assigned_at)
                    SELECT c.id, %s, CASE {" ".join(cases)} END, 'import', 'benchmark', now()
                    FROM customers_customer c""",
                [scheme.pk],
            )
        print(f"  tiers for {code}: {time.perf_counter() - started:.1f}s", flush=True)


def ensure_touches(total: int, seed: int = 1) -> float | None:
    """COPY ``total`` touches over 2026 into visits_touch, unless there are already that many."""
    from django.db import connection

    from baifang.org.choices import PositionKind
    from baifang.org.models import PositionAssignment
    from baifang.visits.models import Touch

    existing = Touch.objects.count()
    if existing >= total:
        return None
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.owner_id, u.department_id FROM customers_customer c JOIN org_orgunit u ON u.id = c.unit_id"
        )
        customers = cursor.fetchall()
    managers = dict(
        PositionAssignment.objects.filter(position__kind=PositionKind.DEPT_MANAGER).values_list(
            "unit_id", "user_id"
        )
    )
    leaders = list(
        PositionAssignment.objects.filter(
            position__kind__in=[PositionKind.LEADER, PositionKind.DEPUTY_LEADER]
        ).values_list("user_id", flat=True)
    )
    owners = [owner for _cid, owner, _dept in customers]
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    raw = connection.connection  # psycopg 3 connection
    # Every column of the model: the generated ones below, the rest at the model's defaults, so
    # the benchmark keeps working as the visits app adds fields to touches.
    fields = [f for f in Touch._meta.concrete_fields if not f.primary_key]
    defaults = {f.column: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    columns = [f.column for f in fields]
    with raw.cursor() as cursor, cursor.copy(f"COPY visits_touch ({', '.join(columns)}) FROM STDIN") as copy:
        for _ in range(total - existing):
            customer_id, owner_id, department_id = customers[rng.randrange(len(customers))]
            roll = rng.random()
            if roll < 0.85:
                user_id = owner_id
            elif roll < 0.95:
                user_id = managers.get(department_id, owner_id)
            elif roll < 0.96 and leaders:
                user_id = rng.choice(leaders)
            else:
                user_id = rng.choice(owners)
            channel_roll = rng.random()
            channel = "visit" if channel_roll < 0.65 else "phone" if channel_roll < 0.95 else "sms"
            begin = start + dt.timedelta(
                days=rng.randrange(365), hours=rng.randrange(0, 10), minutes=rng.randrange(60)
            )
            minutes = rng.randint(3, 35)
            row = dict(defaults)
            row.update(
                customer_id=customer_id,
                user_id=user_id,
                channel=channel,
                started_at=begin,
                ended_at=begin + dt.timedelta(minutes=minutes),
                duration_seconds=minutes * 60,
                created_at=begin,
            )
            copy.write_row([row[c] for c in columns])
    raw.commit()
    with connection.cursor() as cursor:
        # VACUUM sets the visibility map, so the covering indexes give index-only scans.
        cursor.execute("VACUUM ANALYZE visits_touch")
        cursor.execute("ANALYZE tiers_customertier")
    return round(time.perf_counter() - started, 1)


def floor_ms(runs: int) -> float:
    """Per rule, the minimal hand-written aggregate SQL; summed."""
    from django.db import connection

    from baifang.rules import compliance, engine

    rules = compliance.rules_in_force(DAY)
    statements = []
    for rule in rules:
        win = engine.window(rule.period, DAY)
        channels = ", ".join(f"'{c}'" for c in rule.touch_channels)
        statements.append(
            (
                f"""SELECT COUNT(*), SUM(CASE WHEN COALESCE(d.n, 0) >= {rule.min_count} THEN 1 ELSE 0 END)
                FROM tiers_customertier ct
                LEFT JOIN (SELECT customer_id, COUNT(*) AS n FROM visits_touch
                           WHERE started_at >= %s AND started_at < %s AND channel IN ({channels})
                           GROUP BY customer_id) d ON d.customer_id = ct.customer_id
                WHERE ct.tier_id = %s""",
                [
                    compliance._db_datetime(win.start),
                    compliance._db_datetime(win.end + dt.timedelta(days=1)),
                    rule.tier_id,
                ],
            )
        )

    def run():
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                cursor.fetchall()

    return median_ms(run, runs)


def build_kept_windows() -> tuple[float, dict]:
    """Build the kept windows for DAY (what the nightly job does for today), then vacuum them."""
    from django.db import connection

    from baifang.rules import tallies

    started = time.perf_counter()
    result = tallies.refresh(DAY, force=True)
    seconds = round(time.perf_counter() - started, 1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visit_rules_compliancetally")
        cursor.execute("SELECT COUNT(*) FROM visit_rules_compliancetally")
        rows = cursor.fetchone()[0]
    return seconds, {"built": result.built, "tally_rows": rows}


def touch_write_ms(runs: int = 200) -> dict:
    """Median ms of one ORM touch create (rolled back), with the kept windows and with none valid."""
    from django.db import transaction

    from baifang.customers.models import Customer
    from baifang.rules.models import ComplianceWindow
    from baifang.visits.models import Touch

    customer = Customer.objects.select_related("owner").order_by("id").first()
    start = dt.datetime(2026, 11, 17, 10, tzinfo=dt.UTC)

    def record():
        Touch.objects.create(
            customer=customer,
            user=customer.owner,
            channel="visit",
            started_at=start,
            ended_at=start + dt.timedelta(minutes=20),
        )

    def timed() -> float:
        samples = []
        for _ in range(runs):
            with transaction.atomic():
                begin = time.perf_counter()
                record()
                samples.append((time.perf_counter() - begin) * 1000)
                transaction.set_rollback(True)
        return round(statistics.median(samples), 2)

    kept = timed()
    with transaction.atomic():
        ComplianceWindow.objects.update(is_valid=False)
        without = timed()
        transaction.set_rollback(True)
    return {"touch_create_kept_ms": kept, "touch_create_no_windows_ms": without}


def naive_ms(sample: int = 2000) -> tuple[float, float]:
    """A per-customer ORM loop (what set-based SQL avoids), on a sample, scaled to all customers."""
    from baifang.customers.models import Customer
    from baifang.rules import compliance, engine
    from baifang.tiers.models import CustomerTier
    from baifang.visits.models import Touch

    rules = compliance.rules_in_force(DAY)
    total = Customer.objects.count()
    ids = list(Customer.objects.order_by("id").values_list("id", flat=True)[:sample])
    started = time.perf_counter()
    for customer in Customer.objects.filter(id__in=ids).select_related("owner"):
        tiers = set(CustomerTier.objects.filter(customer=customer).values_list("tier_id", flat=True))
        for rule in rules:
            if rule.tier_id not in tiers:
                continue
            win = engine.window(rule.period, DAY)
            touches = Touch.objects.filter(
                customer=customer,
                channel__in=rule.touch_channels,
                started_at__date__gte=win.start,
                started_at__date__lte=win.end,
            )
            if rule.responsible == "owner":
                touches = touches.filter(user_id=customer.owner_id)
            touches.count()
    elapsed = (time.perf_counter() - started) * 1000
    return round(elapsed, 1), round(elapsed * total / sample, 1)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    from baifang.customers.models import Customer
    from baifang.org.models import OrgUnit, User
    from baifang.rules import compliance, services
    from baifang.visits.models import Touch

    call_command("migrate", verbosity=0)
    customers = Customer.objects.count()
    if customers == 0:
        print(
            "No customers: run benchmarks/bench_customers.py first (it creates the 200,000-customer database)."
        )
        return 1
    print(f"{customers:,} customers; preparing rules, tiers and touches…", flush=True)
    ensure_rules_and_tiers()
    touch_seconds = ensure_touches(args.touches)
    touches = Touch.objects.count()
    print(f"{touches:,} touches" + (f" (COPY took {touch_seconds}s)" if touch_seconds else ""), flush=True)

    runs = 3 if args.quick else 7
    load_before = [round(x, 2) for x in os.getloadavg()]  # other work on the machine skews every figure
    rules = compliance.rules_in_force(DAY)
    build_seconds, built = build_kept_windows()
    print(
        f"kept windows: {built['built']} built in {build_seconds}s, {built['tally_rows']:,} counters",
        flush=True,
    )
    department = OrgUnit.objects.filter(kind="field_sales", parent__kind="company").order_by("code").first()
    rep = User.objects.get(username="rep")
    everyone, one_unit = compliance.Scope(), compliance.Scope(unit_path=department.path)
    results = {}
    for suffix, kept in (("", True), ("_live", False)):
        results[f"whole_company{suffix}_ms"] = median_ms(
            lambda kept=kept: compliance.compliance(DAY, scope=everyone, group_by="rule", use_tallies=kept),
            runs,
        )
        results[f"whole_company_by_responsible{suffix}_ms"] = median_ms(
            lambda kept=kept: compliance.compliance(
                DAY, scope=everyone, group_by="responsible", use_tallies=kept
            ),
            runs,
        )
        results[f"one_unit{suffix}_ms"] = median_ms(
            lambda kept=kept: compliance.compliance(
                DAY, scope=one_unit, group_by="responsible", use_tallies=kept
            ),
            runs,
        )
        results[f"rep_due_list{suffix}_ms"] = median_ms(
            lambda kept=kept: compliance.obligations(
                DAY,
                scope=compliance.Scope(user=rep, responsible_user=rep),
                only_unmet=True,
                limit=200,
                today=DAY,
                use_tallies=kept,
            ),
            runs * 3,
        )
    results["rep_due_list_service_ms"] = median_ms(lambda: services.due_list(rep, DAY), runs * 3)
    results["floor_ms"] = floor_ms(runs)
    sample_ms, scaled_ms = naive_ms(500 if args.quick else 2000)
    results["naive_sample_ms"] = sample_ms
    results["naive_scaled_ms"] = scaled_ms
    results["ratio_vs_floor"] = round(results["whole_company_ms"] / results["floor_ms"], 2)
    results["live_ratio_vs_floor"] = round(results["whole_company_live_ms"] / results["floor_ms"], 2)
    results["speedup_vs_live"] = round(results["whole_company_live_ms"] / results["whole_company_ms"], 1)
    results["speedup_vs_naive"] = round(scaled_ms / results["whole_company_ms"], 1)
    results.update(touch_write_ms(50 if args.quick else 200))
    cells = compliance.compliance(DAY, scope=compliance.Scope(), group_by="rule")
    live_cells = compliance.compliance(DAY, scope=compliance.Scope(), group_by="rule", use_tallies=False)
    by_responsible = compliance.compliance(DAY, scope=compliance.Scope(), group_by="responsible")
    live_by_responsible = compliance.compliance(
        DAY, scope=compliance.Scope(), group_by="responsible", use_tallies=False
    )

    def numbers(found):
        return sorted((c.rule.code, c.key or 0, c.due, c.met, c.overdue) for c in found)

    from baifang.rules import tallies

    checks = {
        "kept_equals_live_by_rule": numbers(cells) == numbers(live_cells),
        "kept_equals_live_by_responsible": numbers(by_responsible) == numbers(live_by_responsible),
        "kept_windows_drift": tallies.drift(DAY),
        "kept_windows_used": len(tallies.covered(rules, DAY)),
    }
    print(f"checks: {checks}", flush=True)
    payload = {
        "benchmark": "visit-rule compliance at scale",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "day": DAY.isoformat(),
        "customers": customers,
        "touches": touches,
        "rules": len(rules),
        "obligations": sum(c.due for c in cells),
        "runs": runs,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "postgresql": connection.cursor().connection.info.server_version,
        },
        "kept_windows": {"build_seconds": build_seconds, **built},
        "results": results,
        "checks": checks,
        "per_rule": [{"rule": c.rule.code, "due": c.due, "met": c.met, "overdue": c.overdue} for c in cells],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    print(
        f"\n{len(rules)} rules in force on {DAY}, {payload['obligations']:,} obligations, {touches:,} touches\n"
    )
    print("| measure | median |")
    print("|---|---|")
    for key, value in results.items():
        print(f"| {key} | {value} |")
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
