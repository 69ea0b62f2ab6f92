#!/usr/bin/env python
"""Showroom rotation benchmark (R-FU-4, issue 13): a showroom's day, 200 registrations and 12 reps.

    .venv/bin/python benchmarks/bench_showroom.py [--arrivals 200] [--reps 12] [--days 50]

Replays ``--days`` random showroom days through ``engine.next_receiver``: each arrival is first-time
(75 %), returning (15 %), names a rep (5 %) or is known to a rep (5 %); a reception lasts 20–90 minutes,
so reps are busy while it runs. Times every arrival (the decision, and keeping the busy set), and
reports the median, the 99th percentile and the worst per arrival; the target is < 1 ms per arrival.
Writes ``benchmarks/results/showroom.json``. Plain Python: no database needed.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from baifang.followups.engine import next_receiver  # noqa: E402

TARGET_MS = 1.0


def one_day(rng: random.Random, arrivals: int, reps: int) -> list[float]:
    order = [f"rep{i}" for i in range(reps)]
    first_receiver: list[str] = []
    ends: dict[str, int] = {}  # rep -> minute their current reception ends
    position = 0
    minute = 9 * 60
    timings = []
    for _ in range(arrivals):
        minute += rng.randint(0, 5)
        kind = rng.random()
        kwargs = {}
        if kind < 0.15 and first_receiver:
            kwargs["returning_rep"] = rng.choice(first_receiver)
        elif kind < 0.20:
            kwargs["named_rep"] = rng.choice(order)
        elif kind < 0.25:
            kwargs["acquainted_rep"] = rng.choice(order)
        start = time.perf_counter()
        busy = {rep for rep, end in ends.items() if end > minute}
        reception = next_receiver(order, position, busy, **kwargs)
        position = reception.position
        if reception.receiver is not None:
            ends[reception.receiver] = minute + rng.randint(20, 90)
            if reception.new_reception:
                first_receiver.append(reception.credited_to)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--arrivals", type=int, default=200)
    parser.add_argument("--reps", type=int, default=12)
    parser.add_argument("--days", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(13)
    timings: list[float] = []
    day_totals: list[float] = []
    for _ in range(args.days):
        day = one_day(rng, args.arrivals, args.reps)
        timings.extend(day)
        day_totals.append(sum(day))
    timings.sort()
    result = {
        "benchmark": "showroom rotation (R-FU-4)",
        "arrivals_per_day": args.arrivals,
        "reps": args.reps,
        "days": args.days,
        "per_arrival_ms": {
            "median": round(statistics.median(timings), 5),
            "p99": round(timings[int(len(timings) * 0.99) - 1], 5),
            "max": round(timings[-1], 5),
        },
        "day_total_ms_median": round(statistics.median(day_totals), 3),
        "target_ms_per_arrival": TARGET_MS,
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }
    result["ok"] = result["per_arrival_ms"]["p99"] < TARGET_MS
    per = result["per_arrival_ms"]
    print(
        f"showroom day: {args.arrivals} arrivals, {args.reps} reps, {args.days} days — per arrival "
        f"median {per['median']:.4f} ms, p99 {per['p99']:.4f} ms, max {per['max']:.4f} ms "
        f"(target < {TARGET_MS} ms): {'OK' if result['ok'] else 'TOO SLOW'}"
    )
    out = ROOT / "benchmarks" / "results" / "showroom.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written {out.relative_to(ROOT)}")
    if not result["ok"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
