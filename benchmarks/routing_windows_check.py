"""Ours at 1 s on the windowed city days against stored 60 s PyVRP references (results/routing-windows-references-60s.json).

A quick re-check between full `make bench-routing` runs (which recompute the references); writes
results/routing-windows-1s-vs-60s-refs.json. Run from the repository root.
"""

import json
import os
import sys
import time

sys.path.insert(0, "benchmarks")
sys.path.insert(0, ".")
from bench_routing import WINDOWED, windowed_day

from baifang.routing import DayRouteRequest, solve_day_route
from tests.routing.test_routing_day import assert_valid

HERE = os.path.dirname(os.path.abspath(__file__))
ref = {
    k: {"cost": v["best"]}
    for k, v in json.load(open(os.path.join(HERE, "results", "routing-windows-references-60s.json")))[
        "runs"
    ].items()
}
lim = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
gaps = []
ROWS = []
for tight in (False, True):
    cases = WINDOWED if not tight else WINDOWED[1::2]
    for seed, (n, share) in enumerate(cases):
        req = windowed_day(n, share, seed, tight)
        req = DayRouteRequest(
            req.start,
            req.stops,
            day_start=req.day_start,
            day_end=req.day_end,
            travel=req.travel,
            time_limit=lim,
            seed=seed,
        )
        c0, w0 = time.process_time(), time.perf_counter()
        r = solve_day_route(req)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        assert_valid(req, r)
        rc = ref[f"{n}-{share}-{seed}-{tight}"]["cost"]
        g = None if r.unassigned else 100 * (r.travel_s - rc) / rc
        gaps.append(g) if not tight else None
        ROWS.append(
            {
                "n": n,
                "share": share,
                "tight": tight,
                "solver": r.solver,
                "missed": len(r.unassigned),
                "travel_s": r.travel_s,
                "reference_60s": rc,
                "gap_pct": g,
                "cpu_s": cpu,
                "wall_s": wall,
                "load": os.getloadavg()[0],
            }
        )
        print(
            n,
            share,
            tight,
            r.solver,
            len(r.unassigned),
            r.travel_s,
            rc,
            None if g is None else round(g, 2),
            round(cpu, 2),
            round(wall, 2),
            os.getloadavg()[0],
            flush=True,
        )
ok = [g for g in gaps if g is not None]
json.dump(
    {
        "command": "python benchmarks/routing_windows_check.py",
        "rows": ROWS,
        "mean_city_gap": sum(ok) / len(ok),
    },
    open("benchmarks/results/routing-windows-1s-vs-60s-refs.json", "w"),
    indent=1,
)
print("mean city", sum(ok) / len(ok), "missing", len(gaps) - len(ok))
