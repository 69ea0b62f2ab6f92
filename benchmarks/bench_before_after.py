#!/usr/bin/env python
"""Run one benchmark in two trees alternately (before, after, before, after, …) and compare.

    python benchmarks/bench_before_after.py --rounds 2 \\
        --before /work/wt/before11 --after . \\
        --before-cmd ".venv/bin/python benchmarks/bench_compliance_b11.py --quick \\
                      --database-url postgresql://postgres@127.0.0.1:5432/baifang_b11_before --output {output}" \\
        --after-cmd ".venv/bin/python benchmarks/bench_compliance.py --quick \\
                     --database-url postgresql://postgres@127.0.0.1:5432/baifang_b11_after --output {output}"

Each command runs in its own tree (its own venv, code and database) and writes a results JSON to
``{output}`` (a temporary file per run); the benchmark's ``results`` (every ``*_ms`` figure) are
read back. The machine is shared, so one tree's run is never compared with a run taken at another
time: the runs alternate, and the ratio after / before is taken per round (after run i over the
before run just before it), then its median and range over the rounds. The load average is recorded
before and after every run, with each tree's commit, the data checksum and per-rule answers (due /
met / overdue / pending) of every run, so a comparison on different data or with different answers
shows. Writes ``benchmarks/results/compliance-before-after.json`` (``--output``) and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "compliance-before-after.json"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="the 'before' tree")
    parser.add_argument("--after", type=Path, required=True, help="the 'after' tree")
    parser.add_argument(
        "--before-cmd", required=True, help="command run in the before tree; {output} = JSON path"
    )
    parser.add_argument(
        "--after-cmd", required=True, help="command run in the after tree; {output} = JSON path"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def commit(tree: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(tree), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()


def run_once(label: str, tree: Path, template: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=f"-{label}.json", delete=False) as fh:
        output = Path(fh.name)
    command = template.format(output=shlex.quote(str(output)))
    print(f"--- {label}: {command}", flush=True)
    before_load = load()
    started = time.perf_counter()
    times_before = os.times()
    proc = subprocess.run(command, shell=True, cwd=tree, capture_output=True, text=True)
    times_after = os.times()
    seconds = round(time.perf_counter() - started, 1)
    record = {
        "tree": label,
        "exit_code": proc.returncode,
        "wall_seconds": seconds,
        "child_cpu_seconds": round(
            (times_after.children_user - times_before.children_user)
            + (times_after.children_system - times_before.children_system),
            1,
        ),
        "load_before": before_load,
        "load_after": load(),
        "stdout_tail": proc.stdout.splitlines()[-60:],
        "stderr_tail": proc.stderr.splitlines()[-20:],
    }
    if output.exists() and output.stat().st_size:
        payload = json.loads(output.read_text(encoding="utf-8"))
        record["results"] = payload.get("results", {})
        record["checks"] = payload.get("checks")
        record["data_checksum"] = payload.get("data_checksum")
        record["per_rule"] = payload.get("per_rule")
        record["benchmark_load_average"] = payload.get("machine", {}).get("load_average")
        record["touches"] = payload.get("touches")
        record["customers"] = payload.get("customers")
        record["obligations"] = payload.get("obligations")
        output.unlink()
    print(f"    exit {proc.returncode}, {seconds}s, load {before_load} -> {record['load_after']}", flush=True)
    return record


def figures(record: dict) -> dict[str, float]:
    return {
        k: v
        for k, v in record.get("results", {}).items()
        if k.endswith("_ms") and not k.endswith("range_ms") and isinstance(v, (int, float))
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    trees = {
        "before": (args.before.resolve(), args.before_cmd),
        "after": (args.after.resolve(), args.after_cmd),
    }
    runs: list[dict] = []
    for round_no in range(1, args.rounds + 1):
        for label, (tree, template) in trees.items():
            record = run_once(label, tree, template)
            record["round"] = round_no
            runs.append(record)
            write(args, trees, runs, quiet=True)  # a stopped session keeps the rounds it finished
    write(args, trees, runs)
    return 0 if all(r["exit_code"] == 0 for r in runs) else 1


def write(args, trees, runs: list[dict], quiet: bool = False) -> dict:
    by_tree = {label: [r for r in runs if r["tree"] == label] for label in trees}
    names = sorted(set().union(*(figures(r) for r in runs)))
    summary = {}
    for name in names:
        before = [figures(r).get(name) for r in by_tree["before"]]
        after = [figures(r).get(name) for r in by_tree["after"]]
        pairs = [(b, a) for b, a in zip(before, after, strict=False) if b and a]
        ratios = [a / b for b, a in pairs]
        entry = {"before": before, "after": after}
        if pairs:
            entry["before_median"] = round(statistics.median(b for b, _ in pairs), 1)
            entry["after_median"] = round(statistics.median(a for _, a in pairs), 1)
            entry["ratio_per_round"] = [round(x, 2) for x in ratios]
            entry["ratio_median"] = round(statistics.median(ratios), 2)
        summary[name] = entry
    answers_equal = None
    first = {label: next((r for r in rs if r.get("per_rule")), None) for label, rs in by_tree.items()}
    if first["before"] and first["after"]:

        def answer(record):
            return sorted(
                (p["rule"], p["due"], p["met"], p["overdue"], p.get("pending", 0)) for p in record["per_rule"]
            )

        answers_equal = answer(first["before"]) == answer(first["after"])
    payload = {
        "benchmark": "before/after, interleaved",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commits": {label: commit(tree) for label, (tree, _) in trees.items()},
        "commands": {label: template for label, (_, template) in trees.items()},
        "rounds": args.rounds,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "data_checksums_equal": len({json.dumps(r.get("data_checksum")) for r in runs}) == 1,
        "per_rule_answers_equal": answers_equal,
        "summary": summary,
        "runs": runs,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    if quiet:
        return payload
    print("\n| figure | before (median) | after (median) | after / before per round | median |")
    print("|---|---:|---:|---|---:|")
    for name, entry in summary.items():
        if "ratio_median" in entry:
            per_round = " / ".join(f"{x:.2f}" for x in entry["ratio_per_round"])
            print(
                f"| {name} | {entry['before_median']} | {entry['after_median']} | {per_round} | {entry['ratio_median']} |"
            )
    print(f"\ndata checksums equal: {payload['data_checksums_equal']}; answers equal: {answers_equal}")
    print(f"written to {args.output}")
    return payload


if __name__ == "__main__":
    sys.exit(main())
