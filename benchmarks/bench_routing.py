"""Routing benchmark: Baifang's engine vs. proven optima / best-known solutions and OR-Tools.

Run from the repository root::

    python benchmarks/bench_routing.py            # full: 3 seeds, ~10-15 minutes
    python benchmarks/bench_routing.py --quick    # 1 seed, short limits, subset: < 2 minutes

Instances are read from ``../shared/routing-instances/`` (override with ``--instances``).
Single thread; wall time includes reading the instance and building the model. "Ours" goes
through the engine's public functions: :func:`baifang.routing.solve_tsp` (the sequencing path
of day routes), :func:`baifang.routing.solve_vrp` (the PyVRP layer used by day routes and
territory splits) and :func:`baifang.routing.split_territory`. Results are written to
``benchmarks/results/routing.json`` and printed as markdown tables.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from month_split import TerritoryCustomer, TerritoryRequest, split_territory  # noqa: E402
from routing_instances import (  # noqa: E402
    SOLOMON_INSTANCES,
    TSP_INSTANCES,
    X_INSTANCES,
    VrpInstance,
    read_solomon,
    read_tsp,
    read_x,
    route_cost,
)

from baifang.routing import (  # noqa: E402
    VrpClient,
    VrpProblem,
    VrpVehicleType,
    path_cost,
    solve_tsp,
    solve_vrp,
)
from baifang.routing.synthetic import CITY_CENTRES, generate_city_customers, weekdays_from  # noqa: E402


def gap(cost: float, best: float) -> float:
    """Percentage gap to the optimum / best-known value."""
    return 100.0 * (cost - best) / best


def bench_tsp(root: Path, names: list[str], seeds: int, limit: float, ortools: bool) -> list[dict]:
    rows = []
    for name in names:
        runs = []
        for _ in range(seeds):  # fast-tsp has no seed: repeats measure run-to-run variation
            started = time.perf_counter()
            inst = read_tsp(root, name)
            tour = solve_tsp(inst.matrix, time_limit=limit - (time.perf_counter() - started))
            wall = time.perf_counter() - started
            assert sorted(tour) == list(range(inst.matrix.shape[0]))
            runs.append((path_cost([*tour, tour[0]], inst.matrix), wall))
        row = {
            "instance": name,
            "n": int(inst.matrix.shape[0]),
            "optimum": inst.optimum,
            "limit_s": limit,
            "ours_gaps": [gap(c, inst.optimum) for c, _ in runs],
            "ours_gap": statistics.mean(gap(c, inst.optimum) for c, _ in runs),
            "ours_wall_s": statistics.mean(w for _, w in runs),
        }
        if ortools:
            from routing_ortools import ortools_tsp

            started = time.perf_counter()
            inst = read_tsp(root, name)
            cost, _ = ortools_tsp(inst.matrix, limit - (time.perf_counter() - started))
            row["ortools_gap"] = None if cost is None else gap(cost, inst.optimum)
            row["ortools_wall_s"] = time.perf_counter() - started
        rows.append(row)
        print(f"  tsp {name}: ours {row['ours_gap']:.2f}%", file=sys.stderr, flush=True)
    return rows


def _vrp_problem(inst: VrpInstance) -> VrpProblem:
    n = inst.matrix.shape[0]
    tw = inst.tw
    clients = [
        VrpClient(
            location=i,
            service_duration=int(inst.service[i]),
            tw_early=int(tw[i, 0]) if tw is not None else 0,
            tw_late=int(tw[i, 1]) if tw is not None else VrpClient.tw_late,
            demand=int(inst.demand[i]),
        )
        for i in range(1, n)
    ]
    vehicle = VrpVehicleType(
        num_available=inst.vehicles,
        capacity=inst.capacity,
        tw_early=int(tw[0, 0]) if tw is not None else 0,
        tw_late=int(tw[0, 1]) if tw is not None else VrpVehicleType.tw_late,
    )
    return VrpProblem(inst.matrix, inst.matrix, clients, [vehicle])


def bench_vrp(
    root: Path, kind: str, names: list[str], limits: list[float], seeds: int, ortools: bool
) -> list[dict]:
    reader = read_solomon if kind == "solomon" else read_x
    rows = []
    for name in names:
        for limit in limits:
            runs = []
            for seed in range(seeds):
                started = time.perf_counter()
                inst = reader(root, name)
                problem = _vrp_problem(inst)
                sol = solve_vrp(problem, time_limit=limit - (time.perf_counter() - started), seed=seed)
                wall = time.perf_counter() - started
                routes = [[c + 1 for c in r.clients] for r in sol.routes]
                cost = route_cost(inst.matrix, routes)
                assert cost == sol.cost and not sol.unvisited
                runs.append((cost / inst.scale, wall, sol.feasible))
            row = {
                "instance": name,
                "limit_s": limit,
                "bks": inst.bks,
                "ours_gaps": [gap(c, inst.bks) for c, _, _ in runs],
                "ours_gap": statistics.mean(gap(c, inst.bks) for c, _, _ in runs),
                "ours_wall_s": statistics.mean(w for _, w, _ in runs),
                "ours_all_feasible": all(f for _, _, f in runs),
            }
            if ortools:
                from routing_ortools import ortools_vrp

                started = time.perf_counter()
                inst = reader(root, name)
                vehicles = inst.vehicles if kind == "solomon" else 2 * int(name.rsplit("k", 1)[1])
                cost, _, _ = ortools_vrp(inst, limit - (time.perf_counter() - started), vehicles)
                row["ortools_gap"] = None if cost is None else gap(cost / inst.scale, inst.bks)
                row["ortools_wall_s"] = time.perf_counter() - started
            rows.append(row)
            print(f"  {kind} {name} {limit}s: ours {row['ours_gap']:.2f}%", file=sys.stderr, flush=True)
    return rows


def bench_territory(limits: list[float], seeds: int, n: int = 500, days: int = 20) -> list[dict]:
    customers = [
        TerritoryCustomer(c.id, c.point, c.visits, c.service_s) for c in generate_city_customers(n, seed=0)
    ]
    working = weekdays_from(date(2027, 3, 1), days)
    rows = []
    for limit in limits:
        for seed in range(seeds):
            request = TerritoryRequest(
                base=CITY_CENTRES["hangzhou"],
                customers=customers,
                working_days=working,
                day_start=8 * 3600,
                day_end=19 * 3600,
                time_limit=limit,
                seed=seed,
            )
            started = time.perf_counter()
            plan = split_territory(request)
            wall = time.perf_counter() - started
            s = plan.stats
            rows.append(
                {
                    "limit_s": limit,
                    "seed": seed,
                    "customers": n,
                    "visits": sum(c.visits for c in customers),
                    "days": days,
                    "unassigned": len(plan.unassigned),
                    "travel_h": s.total_travel_s / 3600,
                    "distance_km": s.total_distance_m / 1000,
                    "mean_day_h": s.mean_s / 3600,
                    "min_day_h": s.min_s / 3600,
                    "max_day_h": s.max_s / 3600,
                    "max_deviation_pct": s.max_deviation_pct,
                    "spread_pct": s.spread_pct,
                    "visits_per_day": [s.min_visits, s.max_visits],
                    "wall_s": wall,
                }
            )
            print(
                f"  territory {limit}s seed {seed}: ±{s.max_deviation_pct:.1f}%", file=sys.stderr, flush=True
            )
    return rows


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def markdown(results: dict) -> str:
    out = []
    out.append("### TSPLIB (gap to optimum, %)\n")
    out.append("| instance | n | optimum | ours gap | ours wall s | OR-Tools GLS gap |")
    out.append("|---|---|---|---|---|---|")
    for r in results["tsp"]:
        out.append(
            f"| {r['instance']} | {r['n']} | {r['optimum']} | {_fmt(r['ours_gap'])} | "
            f"{_fmt(r['ours_wall_s'], 3)} | {_fmt(r.get('ortools_gap'))} |"
        )
    tsp = results["tsp"]
    if tsp:
        mean_o = [r.get("ortools_gap") for r in tsp]
        ort = statistics.mean(mean_o) if all(g is not None for g in mean_o) else None
        out.append(
            f"| **mean** | | | **{statistics.mean(r['ours_gap'] for r in tsp):.2f}** | | **{_fmt(ort)}** |"
        )
    for kind, title in (
        ("solomon", "Solomon VRPTW (DIMACS, gap to BKS, %)"),
        ("x", "CVRPLIB X (gap to BKS, %)"),
    ):
        rows = results[kind]
        if not rows:
            continue
        limits = sorted({r["limit_s"] for r in rows})
        out.append(f"\n### {title}\n")
        head = " | ".join(f"ours {lim:g} s (range) | OR-Tools {lim:g} s" for lim in limits)
        out.append(f"| instance | BKS | {head} |")
        out.append("|---|---|" + "---|---|" * len(limits))
        for name in dict.fromkeys(r["instance"] for r in rows):
            cells = []
            for lim in limits:
                r = next(x for x in rows if x["instance"] == name and x["limit_s"] == lim)
                rng = f"{min(r['ours_gaps']):.2f}–{max(r['ours_gaps']):.2f}"
                feas = "" if r["ours_all_feasible"] else " INFEASIBLE"
                cells.append(f"{r['ours_gap']:.2f} ({rng}){feas} | {_fmt(r.get('ortools_gap'))}")
            bks = next(x["bks"] for x in rows if x["instance"] == name)
            out.append(f"| {name} | {bks:g} | " + " | ".join(cells) + " |")
        means = []
        for lim in limits:
            sel = [r for r in rows if r["limit_s"] == lim]
            og = [r.get("ortools_gap") for r in sel]
            ort = statistics.mean(og) if all(g is not None for g in og) else None
            means.append(f"**{statistics.mean(r['ours_gap'] for r in sel):.2f}** | **{_fmt(ort)}**")
        out.append("| **mean** | | " + " | ".join(means) + " |")
    if results["territory"]:
        out.append("\n### Month split: 500 customers (Hangzhou, seed 0) over 20 working days\n")
        out.append(
            "| limit s | seed | visits | unassigned | travel h | distance km | mean day h | min–max day h "
            "| max dev % | spread % | visits/day | wall s |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in results["territory"]:
            out.append(
                f"| {r['limit_s']:g} | {r['seed']} | {r['visits']} | {r['unassigned']} | {r['travel_h']:.1f} | "
                f"{r['distance_km']:.0f} | {r['mean_day_h']:.2f} | {r['min_day_h']:.2f}–{r['max_day_h']:.2f} | "
                f"{r['max_deviation_pct']:.1f} | {r['spread_pct']:.1f} | "
                f"{r['visits_per_day'][0]}–{r['visits_per_day'][1]} | {r['wall_s']:.1f} |"
            )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, short limits, subset (< 2 minutes)")
    parser.add_argument("--instances", type=Path, default=ROOT.parent / "shared" / "routing-instances")
    parser.add_argument("--no-ortools", action="store_true", help="skip the OR-Tools comparator")
    parser.add_argument("--output", type=Path, default=HERE / "results" / "routing.json")
    args = parser.parse_args(argv)
    ortools = not args.no_ortools
    if ortools:
        try:
            import ortools  # noqa: F401
        except ImportError:
            print("ortools not installed: comparator skipped", file=sys.stderr)
            ortools = False
    root = args.instances
    started = time.perf_counter()
    if args.quick:
        seeds = 1
        results = {
            "tsp": bench_tsp(root, TSP_INSTANCES, seeds, 1.0, ortools),
            "solomon": bench_vrp(root, "solomon", ["C101", "R101", "RC101", "RC208"], [1.0], seeds, ortools),
            "x": bench_vrp(root, "x", ["X-n331-k15"], [5.0], seeds, ortools),
            "territory": bench_territory([5.0], seeds),
        }
    else:
        seeds = 3
        results = {
            "tsp": bench_tsp(root, TSP_INSTANCES, seeds, 1.0, ortools),
            "solomon": bench_vrp(root, "solomon", SOLOMON_INSTANCES, [1.0, 5.0], seeds, ortools),
            "x": bench_vrp(root, "x", X_INSTANCES, [5.0, 30.0], seeds, ortools),
            "territory": bench_territory([10.0, 30.0], seeds),
        }
    results["meta"] = {
        "mode": "quick" if args.quick else "full",
        "seeds": seeds,
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "total_wall_s": time.perf_counter() - started,
        "command": " ".join(
            ["python", "benchmarks/bench_routing.py", *(argv if argv is not None else sys.argv[1:])]
        ),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(markdown(results))
    print(f"\nTotal wall time {results['meta']['total_wall_s']:.0f} s; JSON: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
