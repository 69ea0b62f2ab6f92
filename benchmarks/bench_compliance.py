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
customers; (ii) the floor (``compliance_floor.py``): one hand-written SQL statement that gives the
app's answer — owners' touches, minimum durations, ``count_state``, merged and inactive customers
left out, tiers joined to the rule list — checked rule by rule against both paths: the benchmark
exits with an error, and writes no ratio, if any rule's due / met / overdue / pending differs.
Every figure is a median with its range (min–max) over the same runs; ``today`` is pinned to the
day measured, so overdue counts do not depend on the date the benchmark runs. PostgreSQL may run
parallel workers for a statement (``max_parallel_workers_per_gather`` is recorded), so the
figures are not single-process. The load average is recorded before and after each part, and a
checksum of the data (customers, tiers, touches) so a re-run can tell it measured the same rows.
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


def timed_ms(func, runs: int, warmups: int = 1) -> dict:
    """Median and range (ms) of ``runs`` calls after ``warmups``."""
    for _ in range(warmups):
        func()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "median": round(statistics.median(samples), 1),
        "min": round(min(samples), 1),
        "max": round(max(samples), 1),
    }


def median_ms(func, runs: int, warmups: int = 1) -> float:
    return timed_ms(func, runs, warmups)["median"]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def data_checksum() -> dict:
    """Row counts and column sums of the data every figure reads: the same seed gives the same values."""
    from django.db import connection

    queries = {
        "customers": "SELECT COUNT(*), SUM(id), SUM(owner_id), SUM(unit_id), "
        "SUM(CASE WHEN merged_into_id IS NULL THEN 0 ELSE 1 END) FROM customers_customer",
        "customer_tiers": "SELECT COUNT(*), SUM(customer_id), SUM(tier_id) FROM tiers_customertier",
        "touches": "SELECT COUNT(*), SUM(customer_id), SUM(user_id), SUM(duration_seconds), "
        "SUM(CASE WHEN count_state = 'counted' THEN 1 ELSE 0 END) FROM visits_touch",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            cursor.execute(sql)
            out[name] = [int(x or 0) for x in cursor.fetchone()]
    return out


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


def floor_check(rules, runs: int) -> tuple[dict, dict]:
    """Time the one-statement floor; its numbers per rule (the check compares them to the app's)."""
    from compliance_floor import floor_numbers, floor_sql
    from django.db import connection

    sql, params = floor_sql(rules, DAY, DAY)

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return timed_ms(run, runs), floor_numbers(rules, DAY, DAY)


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
    loads = {"start": load()}  # other work on the machine skews every figure
    checksum = data_checksum()
    rules = compliance.rules_in_force(DAY)
    build_seconds, built = build_kept_windows()
    print(
        f"kept windows: {built['built']} built in {build_seconds}s, {built['tally_rows']:,} counters",
        flush=True,
    )
    department = OrgUnit.objects.filter(kind="field_sales", parent__kind="company").order_by("code").first()
    rep = User.objects.get(username="rep")
    everyone, one_unit = compliance.Scope(), compliance.Scope(unit_path=department.path)

    # The answer first: the floor must give the app's numbers on every rule, on both paths.
    from compliance_floor import app_numbers, differences

    kept_cells = compliance.compliance(DAY, scope=everyone, group_by="rule", today=DAY)
    live_cells = compliance.compliance(DAY, scope=everyone, group_by="rule", today=DAY, use_tallies=False)
    floor_timing, floor = floor_check(rules, 1)
    mismatches = {
        "kept": differences(rules, floor, app_numbers(kept_cells)),
        "live": differences(rules, floor, app_numbers(live_cells)),
    }
    print(f"floor vs app, rule by rule: {mismatches}", flush=True)

    # Headline trio interleaved (kept, live, floor in turn), so background load hits all three alike.
    from compliance_floor import floor_sql

    sql, params = floor_sql(rules, DAY, DAY)

    def run_floor():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    trio = {
        "whole_company": lambda: compliance.compliance(DAY, scope=everyone, group_by="rule", today=DAY),
        "whole_company_live": lambda: compliance.compliance(
            DAY, scope=everyone, group_by="rule", today=DAY, use_tallies=False
        ),
        "floor": run_floor,
    }
    samples = {name: [] for name in trio}
    for func in trio.values():  # warm-up
        func()
    loads["headline_start"] = load()
    for _ in range(runs * 2 - 1):
        for name, func in trio.items():
            started = time.perf_counter()
            func()
            samples[name].append((time.perf_counter() - started) * 1000)
    loads["headline_end"] = load()
    results = {}
    for name, values in samples.items():
        results[f"{name}_ms"] = round(statistics.median(values), 1)
        results[f"{name}_range_ms"] = [round(min(values), 1), round(max(values), 1)]
    # Per-run ratios (kept / floor, live / floor), same run; their median and range.
    kept_ratios = [k / f for k, f in zip(samples["whole_company"], samples["floor"], strict=True)]
    live_ratios = [k / f for k, f in zip(samples["whole_company_live"], samples["floor"], strict=True)]
    results["ratio_vs_floor"] = round(statistics.median(kept_ratios), 2)
    results["ratio_vs_floor_range"] = [round(min(kept_ratios), 2), round(max(kept_ratios), 2)]
    results["live_ratio_vs_floor"] = round(statistics.median(live_ratios), 2)
    results["live_ratio_vs_floor_range"] = [round(min(live_ratios), 2), round(max(live_ratios), 2)]
    results["speedup_vs_live"] = round(results["whole_company_live_ms"] / results["whole_company_ms"], 1)

    for suffix, kept in (("", True), ("_live", False)):
        for name, func, n in (
            (
                "whole_company_by_responsible",
                lambda kept=kept: compliance.compliance(
                    DAY, scope=everyone, group_by="responsible", today=DAY, use_tallies=kept
                ),
                runs,
            ),
            (
                "one_unit",
                lambda kept=kept: compliance.compliance(
                    DAY, scope=one_unit, group_by="responsible", today=DAY, use_tallies=kept
                ),
                runs,
            ),
            (
                "rep_due_list",
                lambda kept=kept: compliance.obligations(
                    DAY,
                    scope=compliance.Scope(user=rep, responsible_user=rep),
                    only_unmet=True,
                    limit=200,
                    today=DAY,
                    use_tallies=kept,
                ),
                runs * 3,
            ),
        ):
            timing = timed_ms(func, n)
            results[f"{name}{suffix}_ms"] = timing["median"]
            results[f"{name}{suffix}_range_ms"] = [timing["min"], timing["max"]]
    loads["detail_end"] = load()
    results["rep_due_list_service_ms"] = median_ms(lambda: services.due_list(rep, DAY), runs * 3)
    sample_ms, scaled_ms = naive_ms(500 if args.quick else 2000)
    results["naive_sample_ms"] = sample_ms
    results["naive_scaled_ms"] = scaled_ms
    results["speedup_vs_naive"] = round(scaled_ms / results["whole_company_ms"], 1)
    results.update(touch_write_ms(50 if args.quick else 200))
    loads["end"] = load()
    by_responsible = compliance.compliance(DAY, scope=everyone, group_by="responsible", today=DAY)
    live_by_responsible = compliance.compliance(
        DAY, scope=everyone, group_by="responsible", today=DAY, use_tallies=False
    )

    def numbers(found):
        return sorted((c.rule.code, c.key or 0, c.due, c.met, c.overdue, c.pending) for c in found)

    from baifang.rules import tallies

    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        parallel = int(cursor.fetchone()[0])
    checks = {
        "floor_equals_kept_by_rule": not mismatches["kept"],
        "floor_equals_live_by_rule": not mismatches["live"],
        "floor_mismatches": mismatches,
        "kept_equals_live_by_rule": numbers(kept_cells) == numbers(live_cells),
        "kept_equals_live_by_responsible": numbers(by_responsible) == numbers(live_by_responsible),
        "kept_windows_drift": tallies.drift(DAY),
        "kept_windows_used": len(tallies.covered(rules, DAY)),
    }
    print(f"checks: {checks}", flush=True)
    payload = {
        "benchmark": "visit-rule compliance at scale",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "day": DAY.isoformat(),
        "today": DAY.isoformat(),
        "customers": customers,
        "touches": touches,
        "data_checksum": checksum,
        "rules": len(rules),
        "obligations": sum(c.due for c in kept_cells),
        "runs": runs,
        "headline_runs_interleaved": runs * 2 - 1,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": loads,
            "postgresql": connection.cursor().connection.info.server_version,
            "max_parallel_workers_per_gather": parallel,
        },
        "kept_windows": {"build_seconds": build_seconds, **built},
        "results": results,
        "checks": checks,
        "per_rule": [
            {"rule": c.rule.code, "due": c.due, "met": c.met, "overdue": c.overdue, "pending": c.pending}
            for c in kept_cells
        ],
    }
    if mismatches["kept"] or mismatches["live"]:
        for key in (
            "ratio_vs_floor",
            "ratio_vs_floor_range",
            "live_ratio_vs_floor",
            "live_ratio_vs_floor_range",
        ):
            payload["results"].pop(key)  # a ratio to a different answer is not quoted
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
    if mismatches["kept"] or mismatches["live"]:
        print("FLOOR AND APP DIFFER:\n  " + "\n  ".join(mismatches["kept"] + mismatches["live"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
