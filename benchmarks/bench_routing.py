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
import os
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

import numpy as np  # noqa: E402
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
    DayRouteRequest,
    HaversineTravel,
    Stop,
    TimeWindow,
    VrpClient,
    VrpProblem,
    VrpVehicleType,
    path_cost,
    solve_day_route,
    solve_tsp,
    solve_vrp,
)
from baifang.routing.sequencing import polish_path  # noqa: E402
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


# --- Windowed city days (issue 16): ours vs PyVRP alone vs OR-Tools at equal time, vs a 60 s run ---

WINDOWED = [(35, 0.1), (60, 0.2), (90, 0.3), (130, 0.1), (160, 0.2), (190, 0.3), (220, 0.2), (220, 0.3)]
DAY_START = 8 * 3600


def windowed_day(n: int, share: float, seed: int, tight: bool = False) -> DayRouteRequest:
    """A city day of ``n`` stops around Hangzhou, ``share`` of them with an appointment window.

    The windows are cut around the times of a *sweep* route (stops by angle around the base), so
    a day visiting every stop exists but the travel-optimal order breaks the windows. The day ends
    10 % after that sweep route returns (long horizons for the larger n: this measures sequencing
    quality, not realistic day lengths). Service 3–8 min. A window spans 10–30 % of the day (on a
    9-hour day: 1–3 hours, as appointments are given), placed at random around the sweep time;
    ``tight`` instead gives every window 30–120 minutes whatever the day length (a stress case: on
    the 20-hour horizons of 220 stops that is 2–8 % of the day).
    """
    rng = np.random.default_rng(seed)
    customers = generate_city_customers(n, seed=seed, radius_km=8.0, service_minutes=(3, 8))
    base = CITY_CENTRES["hangzhou"]
    travel = HaversineTravel()
    pts = [base, *[c.point for c in customers]]
    dur = travel.matrices(pts).durations
    angle = [np.arctan2(c.point.lat - base.lat, c.point.lng - base.lng) for c in customers]
    sweep = [int(i) for i in np.argsort(angle)]
    t, prev, at = DAY_START, 0, {}
    for i in sweep:
        t += int(dur[prev, i + 1])
        at[i] = t
        t += customers[i].service_s
        prev = i + 1
    day_end = DAY_START + int((t + int(dur[prev, 0]) - DAY_START) * 1.1)
    timed = set(rng.choice(n, size=max(1, round(share * n)), replace=False).tolist())
    stops = []
    for i, c in enumerate(customers):
        windows = ()
        if i in timed:
            if tight:
                width = int(rng.integers(30, 121)) * 60
            else:
                width = int((day_end - DAY_START) * rng.uniform(0.1, 0.3))
            lo = max(DAY_START, at[i] - int(width * rng.uniform(0, 1)))
            windows = (TimeWindow(lo, lo + width),)
        stops.append(Stop(c.id, c.point, c.service_s, windows))
    return DayRouteRequest(base, stops, day_start=DAY_START, day_end=day_end, travel=travel, seed=seed)


def _pyvrp_alone(
    req: DayRouteRequest, limit: float, seed: int, required: bool = False
) -> tuple[int | None, int, float]:
    """PyVRP alone from scratch (travel, missed, wall): the previous engine's prize-collecting model
    (every stop optional with a prize above any detour) or, with ``required``, every stop required."""
    started = time.perf_counter()
    mats = req.travel.matrices([req.start, req.start, *[s.point for s in req.stops]])
    dur = mats.durations
    prize = 0 if required else int((len(req.stops) + 2) * max(1, int(dur.max())) + 1)
    clients = [
        VrpClient(
            k + 2,
            s.service_s,
            s.windows[0].earliest if s.windows else req.day_start,
            s.windows[0].latest if s.windows else req.day_end,
            1,
            required,
            prize,
        )
        for k, s in enumerate(req.stops)
    ]
    vehicle = VrpVehicleType(1, None, 0, 1, req.day_start, req.day_end)
    sol = solve_vrp(
        VrpProblem(dur, dur, clients, [vehicle]), time_limit=limit, seed=seed, no_improvement=None
    )
    missed = len(sol.unvisited) if sol.feasible else len(req.stops)
    return (int(sol.cost) if sol.feasible else None), missed, time.perf_counter() - started


def _ortools_day(req: DayRouteRequest, limit: float) -> tuple[int | None, float]:
    from routing_ortools import ortools_vrp

    started = time.perf_counter()
    mats = req.travel.matrices([req.start, *[s.point for s in req.stops]])
    n = len(req.stops) + 1
    tw = np.array(
        [[req.day_start, req.day_end]]
        + [
            [s.windows[0].earliest, s.windows[0].latest] if s.windows else [req.day_start, req.day_end]
            for s in req.stops
        ],
        dtype=np.int64,
    )
    service = np.array([0, *[s.service_s for s in req.stops]], dtype=np.int64)
    inst = VrpInstance("day", mats.durations, np.zeros(n, dtype=np.int64), n, 1, service, tw, 0.0, 1)
    cost, _, routes = ortools_vrp(
        inst, limit - (time.perf_counter() - started), 1, "PARALLEL_CHEAPEST_INSERTION"
    )
    if cost is not None and sum(len(r) for r in routes) != n - 1:
        cost = None  # OR-Tools cannot skip stops here: no routes means no solution
    return cost, time.perf_counter() - started


def bench_windows(
    limit: float, ref_limit: float, cases: list[tuple[int, float]], ortools: bool, tight: bool = False
) -> list[dict]:
    rows = []
    for seed, (n, share) in enumerate(cases):
        req = windowed_day(n, share, seed, tight)
        req = DayRouteRequest(
            req.start, req.stops, day_start=req.day_start, day_end=req.day_end, travel=req.travel,
            time_limit=limit, seed=seed,
        )  # fmt: skip
        started = time.perf_counter()
        route = solve_day_route(req)
        ours_wall = time.perf_counter() - started
        plain = DayRouteRequest(
            req.start, [Stop(s.id, s.point, s.service_s) for s in req.stops], day_start=req.day_start,
            day_end=req.day_end, travel=req.travel, time_limit=limit, seed=seed,
        )  # fmt: skip
        windowless = solve_day_route(plain).travel_s
        alone, alone_missed, alone_wall = _pyvrp_alone(req, limit, seed)
        required, required_missed, required_wall = _pyvrp_alone(req, limit, seed, required=True)
        load = os.getloadavg()[0]
        ref, ref_missed, ref_wall = _pyvrp_alone(req, ref_limit, seed, required=True)
        row = {
            "n": n,
            "windowed_share": share,
            "windowed": sum(1 for s in req.stops if s.windows),
            "limit_s": limit,
            "ours": route.travel_s if not route.unassigned else None,
            "ours_missed": len(route.unassigned),
            "ours_solver": route.solver,
            "ours_wall_s": ours_wall,
            "pyvrp_alone": alone if not alone_missed else None,
            "pyvrp_alone_missed": alone_missed,
            "pyvrp_alone_wall_s": alone_wall,
            "pyvrp_required": required if not required_missed else None,
            "pyvrp_required_wall_s": required_wall,
            "load_before_long": load,
            "pyvrp_long": ref if not ref_missed else None,
            "pyvrp_long_model": "required",
            "long_limit_s": ref_limit,
            "pyvrp_long_wall_s": ref_wall,
            "windowless_optimum": windowless,
            "tight": tight,
        }
        if ortools:
            row["ortools"], row["ortools_wall_s"] = _ortools_day(req, limit)
        runs = ("ours", "pyvrp_alone", "pyvrp_required", "pyvrp_long", "ortools")
        found = [row[k] for k in runs if row.get(k) is not None]
        row["reference"] = min(found) if found else None
        for k in ("ours", "pyvrp_alone", "pyvrp_required", "ortools"):
            if k in row:
                row[f"{k}_gap"] = None if row[k] is None or not found else gap(row[k], row["reference"])
        rows.append(row)
        print(
            f"  windows n={n} {share:.0%}: ours {_fmt(row['ours_gap'])}% pyvrp {_fmt(row['pyvrp_alone_gap'])}%",
            file=sys.stderr,
            flush=True,
        )
    return rows


# --- Asymmetric travel (issue 16): exact on small n, ATSP on larger n ---


def _asym_matrix(n: int, seed: int) -> np.ndarray:
    """Euclidean city distances (m) with one-way detours: 0–40 % on every arc, and on 30 % of the
    arcs another 0–100 % (one-way streets, ramps, U-turn bans), so many pairs differ a lot by direction."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 10_000, (n, 2))
    base = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    detour = 1 + rng.uniform(0, 0.4, (n, n)) + (rng.uniform(0, 1, (n, n)) < 0.3) * rng.uniform(0, 1.0, (n, n))
    cost = np.rint(base * detour).astype(np.int64)
    np.fill_diagonal(cost, 0)
    return cost


def _symmetrised_then_polished(cost: np.ndarray, limit: float) -> list[int]:
    """The previous engine's treatment of an asymmetric matrix (baseline)."""
    import fast_tsp

    sym = np.rint((cost + cost.T) / 2).astype(np.int64)
    tour = [int(t) for t in fast_tsp.find_tour(sym, duration_seconds=limit, stop_when_converged=True)]
    k = tour.index(0)
    tour = tour[k:] + tour[:k]
    return polish_path([*tour, 0], cost)[:-1]


def bench_asymmetric(small: int, large: list[int], limit: float, ortools: bool) -> dict:
    import itertools

    exact = []
    for seed in range(small):
        n = 5 + seed % 5  # 5..9 nodes
        cost = _asym_matrix(n, seed)
        best = min(path_cost([0, *p, 0], cost) for p in itertools.permutations(range(1, n)))
        ours = path_cost([*solve_tsp(cost, time_limit=limit), 0], cost)
        old = path_cost([*_symmetrised_then_polished(cost, min(limit, 0.05)), 0], cost)
        exact.append(
            {"n": n, "optimum": best, "ours_gap": gap(ours, best), "symmetrised_gap": gap(old, best)}
        )
    rows = []
    for n in large:
        cost = _asym_matrix(n, 1000 + n)
        started = time.perf_counter()
        ours = path_cost([*solve_tsp(cost, time_limit=limit), 0], cost)
        row = {"n": n, "limit_s": limit, "ours": ours, "ours_wall_s": time.perf_counter() - started}
        row["symmetrised"] = path_cost([*_symmetrised_then_polished(cost, limit), 0], cost)
        if ortools:
            from routing_ortools import ortools_tsp

            row["ortools"], row["ortools_wall_s"] = ortools_tsp(cost, limit)
        best = min(v for k, v in row.items() if k in ("ours", "symmetrised", "ortools") and v is not None)
        for k in ("ours", "symmetrised", "ortools"):
            if row.get(k) is not None:
                row[f"{k}_gap"] = gap(row[k], best)
        rows.append(row)
        print(f"  asymmetric n={n}: ours {row['ours_gap']:.2f}% vs best", file=sys.stderr, flush=True)
    return {"exact": exact, "large": rows}


# --- Time limits at size (issue 16): wall time of a 1 s day route, ours vs a baseline revision ---

_TIMING_CODE = """
import json, os, sys, time
from baifang.routing import DayRouteRequest, Stop, TimeWindow, solve_day_route
from baifang.routing.synthetic import CITY_CENTRES, generate_city_customers
n, windowed, limit = int(sys.argv[1]), sys.argv[2] == "1", float(sys.argv[3])
cs = generate_city_customers(n, seed=1)
stops = [
    Stop(c.id, c.point, c.service_s, (TimeWindow(36000, 57600),) if windowed and i % 5 == 0 else ())
    for i, c in enumerate(cs)
]
req = DayRouteRequest(CITY_CENTRES["hangzhou"], stops, time_limit=limit)
load = os.getloadavg()[0]
t, c = time.perf_counter(), time.process_time()
route = solve_day_route(req)
wall, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "load": load, "visits": len(route.visits), "solver": route.solver}))
"""


def _timed_run(src: Path, n: int, windowed: bool, limit: float) -> dict:
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", _TIMING_CODE, str(n), "1" if windowed else "0", str(limit)],
        env=env, capture_output=True, text=True, check=True, cwd=str(src),
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_time_limits(sizes: list[int], limit: float, baseline_ref: str | None) -> list[dict]:
    """Each day route runs in a fresh process (import costs excluded), ours and the baseline alternately."""
    import subprocess
    import tempfile

    baseline_dir = None
    if baseline_ref:
        baseline_dir = Path(tempfile.mkdtemp(prefix="routing-baseline-"))
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", baseline_ref, "baifang/__init__.py", "baifang/routing"],
            capture_output=True, check=True,
        )  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(baseline_dir)], input=archive.stdout, check=True)
    rows = []
    for n in sizes:
        for windowed in (False, True):
            row = {
                "n": n,
                "windowed": windowed,
                "limit_s": limit,
                "ours": _timed_run(ROOT, n, windowed, limit),
            }
            if baseline_dir is not None:
                row["baseline_ref"] = baseline_ref
                row["baseline"] = _timed_run(baseline_dir, n, windowed, limit)
            rows.append(row)
            print(
                f"  time limit n={n} windowed={windowed}: ours {row['ours']['wall_s']:.2f}s", file=sys.stderr
            )
    return rows


def _fmt(x: float | None, digits: int = 2) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def markdown_issue16(results: dict) -> list[str]:
    out = []
    for key, title in (
        ("windows", "Windowed city days, windows 10–30 % of the day"),
        ("windows_tight", "Tight windows (30–120 min whatever the day length)"),
    ):
        out += _windows_table(results.get(key) or [], title)
    return out + _other_issue16(results)


def _windows_table(rows: list[dict], title: str) -> list[str]:
    out: list[str] = []
    if rows:
        long = rows[0]["long_limit_s"]
        out.append(f"\n### {title} (gap to the best of all runs incl. PyVRP {long:g} s, %)\n")
        out.append(
            "| n | windowed | ours 1 s | solver | ours wall s | PyVRP prize 1 s | PyVRP required 1 s "
            f"| OR-Tools 1 s | PyVRP {long:g} s | load | windowless optimum / reference |"
        )
        out.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            ref = r["reference"]
            long_gap = None if r["pyvrp_long"] is None or ref is None else gap(r["pyvrp_long"], ref)
            out.append(
                f"| {r['n']} | {r['windowed']} ({r['windowed_share']:.0%}) | {_fmt(r['ours_gap'])} "
                f"| {r['ours_solver']} | {r['ours_wall_s']:.2f} | {_fmt(r['pyvrp_alone_gap'])} "
                f"| {_fmt(r.get('pyvrp_required_gap'))} | {_fmt(r.get('ortools_gap'))} | {_fmt(long_gap)} "
                f"| {_fmt(r.get('load_before_long'), 1)} | "
                f"{_fmt(None if ref is None else r['windowless_optimum'] / ref, 3)} |"
            )
        means = []
        for k in ("ours_gap", "pyvrp_alone_gap", "pyvrp_required_gap", "ortools_gap"):
            vals = [r.get(k) for r in rows]
            means.append(statistics.mean(vals) if vals and all(v is not None for v in vals) else None)
        cells = " | ".join(f"**{_fmt(m)}**" for m in means[1:])
        out.append(f"| **mean** | | **{_fmt(means[0])}** | | | {cells} | | | |")
        worst = [r["ours_gap"] for r in rows if r["ours_gap"] is not None]
        out.append(f"\nWorst ours: {_fmt(max(worst) if worst else None)} %. — = not every stop visited.")
    return out


def _other_issue16(results: dict) -> list[str]:
    out: list[str] = []
    asym = results.get("asymmetric")
    if asym:
        ex = asym["exact"]
        out.append("\n### Asymmetric travel (one-way detours: 0–40 % on all arcs, + 0–100 % on 30 %)\n")
        out.append(
            f"Brute force, {len(ex)} instances of 5–9 nodes: ours optimal on "
            f"{sum(1 for e in ex if e['ours_gap'] == 0)}, worst {max(e['ours_gap'] for e in ex):.2f} %; "
            f"symmetrised-then-polished (the previous engine) optimal on "
            f"{sum(1 for e in ex if e['symmetrised_gap'] == 0)}, worst {max(e['symmetrised_gap'] for e in ex):.2f} %.\n"
        )
        out.append("| n | ours gap | ours wall s | symmetrised + polish gap | OR-Tools GLS gap |")
        out.append("|---|---|---|---|---|")
        for r in asym["large"]:
            out.append(
                f"| {r['n']} | {_fmt(r['ours_gap'])} | {r['ours_wall_s']:.2f} | {_fmt(r['symmetrised_gap'])} "
                f"| {_fmt(r.get('ortools_gap'))} |"
            )
    tl = results.get("time_limits") or []
    if tl:
        out.append("\n### Time limits: one day route with `time_limit=1` (wall and CPU s, visits)\n")
        out.append(
            "| stops | windows | ours wall s | ours CPU s | load | ours visits | baseline wall s | baseline visits |"
        )
        out.append("|---|---|---|---|---|---|---|---|")
        for r in tl:
            b = r.get("baseline") or {}
            out.append(
                f"| {r['n']} | {'20 %' if r['windowed'] else 'none'} | {r['ours']['wall_s']:.2f} "
                f"| {_fmt(r['ours'].get('cpu_s'))} | {_fmt(r['ours'].get('load'), 1)} | {r['ours']['visits']} "
                f"| {_fmt(b.get('wall_s'))} | {b.get('visits', '—')} |"
            )
    return out


def markdown(results: dict) -> str:
    out = []
    if not results.get("tsp"):
        return "\n".join(markdown_issue16(results))
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
    out += markdown_issue16(results)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 seed, short limits, subset (< 2 minutes)")
    parser.add_argument("--instances", type=Path, default=ROOT.parent / "shared" / "routing-instances")
    parser.add_argument("--no-ortools", action="store_true", help="skip the OR-Tools comparator")
    parser.add_argument("--output", type=Path, default=None, help="JSON path (default results/routing*.json)")
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated sections to run: tsp,solomon,x,territory,windows,asymmetric,time (default: all)",
    )
    parser.add_argument(
        "--baseline-ref",
        default=None,
        help="git revision whose baifang/routing is timed beside ours in the time-limit section",
    )
    parser.add_argument(
        "--long", type=float, default=None, help="reference run seconds for the windowed days"
    )
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
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
        plan = {
            "tsp": lambda: bench_tsp(root, TSP_INSTANCES, seeds, 1.0, ortools),
            "solomon": lambda: bench_vrp(
                root, "solomon", ["C101", "R101", "RC101", "RC208"], [1.0], seeds, ortools
            ),
            "x": lambda: bench_vrp(root, "x", ["X-n331-k15"], [5.0], seeds, ortools),
            "territory": lambda: bench_territory([5.0], seeds),
            "windows": lambda: bench_windows(1.0, args.long or 10.0, WINDOWED[::2], ortools),
            "tight": lambda: bench_windows(1.0, args.long or 10.0, WINDOWED[1::4], ortools, tight=True),
            "asymmetric": lambda: bench_asymmetric(20, [30, 100], 1.0, ortools),
            "time": lambda: bench_time_limits([1000], 1.0, args.baseline_ref),
        }
    else:
        seeds = 3
        plan = {
            "tsp": lambda: bench_tsp(root, TSP_INSTANCES, seeds, 1.0, ortools),
            "solomon": lambda: bench_vrp(root, "solomon", SOLOMON_INSTANCES, [1.0, 5.0], seeds, ortools),
            "x": lambda: bench_vrp(root, "x", X_INSTANCES, [5.0, 30.0], seeds, ortools),
            "territory": lambda: bench_territory([10.0, 30.0], seeds),
            "windows": lambda: bench_windows(1.0, args.long or 60.0, WINDOWED, ortools),
            "tight": lambda: bench_windows(1.0, args.long or 60.0, WINDOWED[1::2], ortools, tight=True),
            "asymmetric": lambda: bench_asymmetric(40, [30, 100, 200], 1.0, ortools),
            "time": lambda: bench_time_limits([200, 500, 1000], 1.0, args.baseline_ref),
        }
    keys = {"tight": "windows_tight", "time": "time_limits"}
    results = {
        keys.get(name, name): (run() if not only or name in only else []) for name, run in plan.items()
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
    if args.output is None:
        suffix = "-" + "-".join(sorted(only)) if only else ""
        args.output = HERE / "results" / f"routing{suffix}.json"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(markdown(results))
    print(f"\nTotal wall time {results['meta']['total_wall_s']:.0f} s; JSON: {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
