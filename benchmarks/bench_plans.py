#!/usr/bin/env python
"""Plan generation benchmark (R-PLAN-4, issue 4): one rep's month, and every rep's month on 2 cores.

    .venv/bin/python benchmarks/bench_plans.py [--quick] [--reps 1000] [--customers-per-rep 200]

Part 1 — one rep, 600 customers in Hangzhou (tobacco-like mix: 5 % weekly, 15 % every two weeks,
80 % monthly, 5–15 min visits), December 2026 (22 working days), up to 40 visits a day, 10 % of each
day reserved: more visits than the month holds, so capacity decides. Median wall time of the
generator including every day's route, and travel per placed visit against two baselines from the
same run: (a) *naive*: each visit on the least-loaded allowed day, no geography, then routed the
same way; (b) the route engine's month split (``split_territory``, PyVRP) given the same visit
counts and the same wall time — it ignores the week windows, so it is a lower bound rather than a
peer. Then ours again with the first visit of every monthly customer by the 10th (R-FREQ-3).

Part 2 — ``--reps`` territories of ``--customers-per-rep`` customers (default 1,000 × 200 =
200,000 customers), each a month plan, in a pool of 2 worker processes (the machine's 2 cores).
Reports total wall time against the 10-minute target. The database side (obligation SQL, writes) is
measured by ``tests``/``bench-compliance``; this is the generator and routing alone.

Part 3 (``--database-url``, PostgreSQL at scale: the ``bench-customers`` + ``bench-compliance``
database with 200,000 customers, 1,000 reps, 5,000,000 touches and the seed-001/003 rules) — the
whole service for a sample of reps, as the "Generate" button runs it: obligation SQL and reads
(``drafting.build_request``), the engine, and writing the items; every plan is rolled back. The
projection for all reps on 2 workers is the median × reps ÷ 2.

Writes ``benchmarks/results/plans.json`` and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from month_split import TerritoryCustomer, TerritoryRequest, split_territory  # noqa: E402

from baifang.plans import generate as gen  # noqa: E402
from baifang.routing import (  # noqa: E402
    DayRouteRequest,
    Stop,
    solve_day_route,
)
from baifang.routing.synthetic import CITY_CENTRES, generate_city_customers  # noqa: E402
from baifang.rules import engine  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "plans.json"
MONTH = [dt.date(2026, 12, 1) + dt.timedelta(days=i) for i in range(31)]
WEEKLY, BIWEEKLY, MONTHLY = (4, 0.05), (2, 0.15), (1, 0.80)
VISIT = frozenset({"visit", "invited"})


def days() -> list[gen.DayInfo]:
    return [gen.DayInfo(d, d.weekday() < 5, d.weekday() < 5) for d in MONTH]


def territory(n: int, seed: int, first_by: bool = False) -> tuple[list[gen.CustomerInfo], list[gen.Need]]:
    """A synthetic rep: customers around Hangzhou and the needs their visit frequency implies."""
    mix = (WEEKLY, BIWEEKLY, MONTHLY)
    raw = generate_city_customers(n, seed=seed, frequency_mix=mix, service_minutes=(5, 15))
    customers, needs = [], []
    first_by_10 = first_by
    for i, c in enumerate(raw):
        customers.append(gen.CustomerInfo(i, c.point, c.service_s))
        period = {4: "week", 2: "two_weeks"}.get(c.visits, "month")
        day = MONTH[0]
        while day <= MONTH[-1]:
            win = engine.window(period, day)
            lo, hi = max(win.start, MONTH[0]), min(win.end, MONTH[-1])
            first_by = MONTH[9] if period == "month" and first_by_10 else None
            needs.append(
                gen.Need(
                    f"{period}:{i}:{win.start}",
                    i,
                    gen.NeedKind.RULE,
                    VISIT,
                    "visit",
                    1,
                    lo,
                    hi,
                    first_by=first_by,
                )
            )
            day = win.end + dt.timedelta(days=1)
    return customers, needs


def request(n: int, seed: int, first_by: bool = False, **overrides) -> gen.GenerateRequest:
    customers, needs = territory(n, seed, first_by)
    fields = dict(
        days=days(),
        customers=customers,
        needs=needs,
        base=CITY_CENTRES["hangzhou"],
        today=MONTH[0],
        max_visits_per_day=40,
        reserve_share=0.1,
        seed=seed,
    )
    fields.update(overrides)
    return gen.GenerateRequest(**fields)


def naive(req: gen.GenerateRequest) -> dict:
    """Baseline (a): every visit on the least-loaded allowed day (no geography), then each day routed."""
    started = time.perf_counter()
    info = {c.id: c for c in req.customers}
    work = [d.day for d in req.days if d.working and d.visit_day]
    load: dict[dt.date, list[int]] = {d: [] for d in work}
    unplaced = 0
    for need in sorted(req.needs, key=lambda n: (n.latest, (n.latest - n.earliest).days, n.customer_id)):
        allowed = [d for d in work if need.earliest <= d <= need.latest and need.customer_id not in load[d]]
        allowed = [d for d in allowed if len(load[d]) < req.max_visits_per_day]
        if not allowed:
            unplaced += need.count
            continue
        load[min(allowed, key=lambda d: (len(load[d]), d))].append(need.customer_id)
    travel = placed = 0
    for day, ids in load.items():
        if not ids:
            continue
        route = solve_day_route(
            DayRouteRequest(
                start=req.base,
                stops=[Stop(str(c), info[c].point, info[c].service_s) for c in ids],
                day_start=req.day_start,
                day_end=req.day_start + req.budget_s,
                time_limit=req.route_time_limit,
                seed=day.toordinal(),
            )
        )
        travel += route.travel_s
        placed += len(route.visits)
        unplaced += len(route.unassigned)
    return {
        "runtime_s": round(time.perf_counter() - started, 2),
        "travel_h": round(travel / 3600, 1),
        "placed": placed,
        "cannot_fit": unplaced,
    }


def split_baseline(req: gen.GenerateRequest, seconds: float) -> dict:
    """Baseline (b): the route engine's PyVRP month split for the same visit counts, given ``seconds``
    (ours' median) as its time limit; ``runtime_s`` is the wall time it really used."""
    counts: dict[int, int] = {}
    for need in req.needs:
        counts[need.customer_id] = counts.get(need.customer_id, 0) + need.count
    customers = [
        TerritoryCustomer(str(c.id), c.point, counts.get(c.id, 0), c.service_s) for c in req.customers
    ]
    result = split_territory(
        TerritoryRequest(
            base=req.base,
            customers=customers,
            working_days=[d.day for d in req.days if d.working],
            day_start=req.day_start,
            day_end=req.day_start + req.budget_s,
            max_visits_per_day=req.max_visits_per_day,
            time_limit=seconds,
            seed=req.seed,
        )
    )
    return {
        "runtime_s": round(result.runtime_s, 2),
        "travel_h": round(result.stats.total_travel_s / 3600, 1),
        "placed": sum(len(d.route.visits) for d in result.days),
        "unplaced": len(result.unassigned),
    }


def per_visit(result: dict) -> dict:
    """Adds travel minutes per placed visit: the fair comparison when the placed counts differ."""
    result["travel_min_per_visit"] = (
        round(result["travel_h"] * 60 / result["placed"], 2) if result["placed"] else None
    )
    return result


def summary(plan: gen.GeneratedPlan) -> dict:
    visits = [t.visits for t in plan.days if t.visits]
    return {
        "runtime_s": round(plan.runtime_s, 2),
        "travel_h": round(sum(t.travel_s for t in plan.days) / 3600, 1),
        "placed": sum(1 for i in plan.items if i.is_visit),
        "cannot_fit": sum(c.missing for c in plan.cannot_fit),
        # first visits placed after their by-the-10th deadline: in the plan, shown late (issue 17)
        "late_for_deadline": len(plan.late),
        "visits_per_day_min_max": [min(visits), max(visits)] if visits else [0, 0],
    }


def _placed_for_needs(req: gen.GenerateRequest, plan: gen.GeneratedPlan) -> int:
    """Touches that meet a need (each need counted up to its count): with cannot-fit, the needs' total."""
    total = 0
    for need in req.needs:
        matching = sum(
            1
            for i in plan.items
            if i.customer_id == need.customer_id
            and i.channel in need.channels
            and need.earliest <= i.day <= need.latest
        )
        total += min(matching, need.count)
    return total


def one_rep(n: int, runs: int) -> dict:
    """Median wall time of ``runs`` generations; travel per placed visit against both baselines."""
    times, plan = [], None
    for k in range(runs):
        req = request(n, seed=7)
        started = time.perf_counter()
        plan = gen.generate(req)
        times.append(time.perf_counter() - started)
        print(f"  run {k + 1}: {times[-1]:.2f} s")
    ours = per_visit(summary(plan))
    ours["median_s"] = round(statistics.median(times), 2)
    flat = per_visit(naive(request(n, seed=7)))
    split = per_visit(split_baseline(request(n, seed=7), seconds=max(1.0, ours["median_s"])))
    first_req = request(n, seed=7, first_by=True)
    first_plan = gen.generate(first_req)
    first = per_visit(summary(first_plan))
    first["visits_needed"] = sum(x.count for x in first_req.needs)
    first["placed_for_needs_plus_cannot_fit"] = _placed_for_needs(first_req, first_plan) + first["cannot_fit"]
    return {
        "customers": n,
        "visits_needed": sum(x.count for x in request(n, seed=7).needs),
        "ours": ours,
        "naive_least_loaded": flat,
        "route_engine_split": split,
        "per_visit_travel_vs_naive": round(ours["travel_min_per_visit"] / flat["travel_min_per_visit"], 3),
        "per_visit_travel_vs_split": round(ours["travel_min_per_visit"] / split["travel_min_per_visit"], 3),
        "ours_with_first_visit_by_10th": first,
        "target_s": 5.0,
    }


def _one(seed: int, n: int) -> tuple[float, int, int]:
    plan = gen.generate(request(n, seed=seed))
    return plan.runtime_s, sum(1 for i in plan.items if i.is_visit), sum(c.missing for c in plan.cannot_fit)


def all_reps(reps: int, n: int, workers: int) -> dict:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_one, range(1000, 1000 + reps), [n] * reps, chunksize=4))
    wall = time.perf_counter() - started
    per = [r[0] for r in results]
    return {
        "reps": reps,
        "customers_per_rep": n,
        "customers": reps * n,
        "workers": workers,
        "wall_s": round(wall, 1),
        "per_rep_median_s": round(statistics.median(per), 3),
        "per_rep_max_s": round(max(per), 3),
        "visits_planned": sum(r[1] for r in results),
        "visits_cannot_fit": sum(r[2] for r in results),
        "target_s": 600,
    }


def database_sample(url: str, sample: int, month: dt.date) -> dict:
    """Part 3: the full service for ``sample`` reps on the scale database, rolled back."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count

    from baifang.org.models import User
    from baifang.plans import drafting, services
    from baifang.plans.choices import PlanKind

    call_command("migrate", verbosity=0)
    reps = list(
        User.objects.filter(assignments__position__kind="field_rep")
        .annotate(n=Count("owned_customers"))
        .filter(n__gt=0)
        .order_by("pk")[:sample]
    )
    rows = []
    for rep in reps:
        with transaction.atomic():
            started = time.perf_counter()
            plan = services.get_or_create_plan(rep, PlanKind.MONTH, month)
            req = drafting.build_request(plan, today=month)
            read = time.perf_counter()
            result = gen.generate(req)
            solved = time.perf_counter()
            drafting.write_generated(
                plan, result, {c.id: c for c in req.customers}, first=max(plan.period_start, req.today)
            )
            done = time.perf_counter()
            transaction.set_rollback(True)
        rows.append(
            {
                "customers": len(req.customers),
                "needs": len(req.needs),
                "items": len(result.items),
                "cannot_fit": sum(c.missing for c in result.cannot_fit),
                "late_for_deadline": len(result.late),
                "read_s": read - started,
                "engine_s": solved - read,
                "write_s": done - solved,
                "total_s": done - started,
            }
        )
        print(
            f"  {rep.username}: {rows[-1]['customers']} customers, {rows[-1]['items']} items, {rows[-1]['total_s']:.2f} s"
        )
    med = {
        k: round(statistics.median(r[k] for r in rows), 3)
        for k in ("read_s", "engine_s", "write_s", "total_s")
    }
    return {
        "month": month.isoformat(),
        "reps_sampled": len(rows),
        "customers_median": statistics.median(r["customers"] for r in rows),
        "median": med,
        "projection_1000_reps_2_workers_s": round(med["total_s"] * 1000 / 2, 1),
        "rows": rows,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="a short run: 50 reps, 3 timing runs")
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--customers-per-rep", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--database-url", help="PostgreSQL scale database for part 3 (service end to end)")
    parser.add_argument("--sample", type=int, default=20, help="reps in the part-3 sample")
    parser.add_argument(
        "--only-database", action="store_true", help="run part 3 only, keep parts 1–2 in the JSON"
    )
    args = parser.parse_args(argv)
    if args.only_database:
        results = json.loads(args.output.read_text()) if args.output.exists() else {}
        results["database"] = database_sample(args.database_url, args.sample, dt.date(2026, 12, 1))
        print(json.dumps(results["database"]["median"], indent=2))
        args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    reps = 50 if args.quick else args.reps
    loads = {"start": [round(x, 2) for x in os.getloadavg()]}
    print("one rep, 600 customers:")
    single = one_rep(600, 3 if args.quick else 5)
    loads["after_one_rep"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(single, indent=2, ensure_ascii=False))
    print(f"{reps} reps × {args.customers_per_rep} customers on {args.workers} workers:")
    fleet = all_reps(reps, args.customers_per_rep, args.workers)
    loads["after_all_reps"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(fleet, indent=2, ensure_ascii=False))
    results = {
        "date": dt.date.today().isoformat(),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average": loads,
        },
        "one_rep": single,
        "all_reps": fleet,
        "quick": args.quick,
    }
    if args.database_url:
        results["database"] = database_sample(args.database_url, args.sample, dt.date(2026, 12, 1))
        loads["after_database"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
