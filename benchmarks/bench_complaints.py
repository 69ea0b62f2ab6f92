#!/usr/bin/env python
"""Complaint list benchmark at scale on PostgreSQL (R-COMP-1, R-SCALE-1).

    .venv/bin/python benchmarks/bench_complaints.py [--database-url URL] [--quick]
                                                    [--customers 200000] [--reps 1000] [--complaints 50000]

Uses its own database (default ``postgresql://postgres@127.0.0.1:5432/baifang_complaints_bench``; the
environment's ``DATABASE_URL`` is *not* used), creates and migrates it, fills it with ``baifang demo
--customers N --reps M --seed 1`` (as ``bench_customers.py``) unless it holds exactly N customers, then
adds ``--complaints`` complaints spread over two years, every status, category and channel (seeded).

It times, in-process with Django's test ``Client``, the page ``/complaints/`` and the API
``/api/v1/complaints/`` — open ones (the page's default), all, a far page, filtered (category + ageing),
searched — as ``cs`` (company-wide), ``manager`` (one department) and ``rep`` (own customers), median
of ≥ 15 runs after 3 warm-ups. The *floor* is the same data queries (rows and COUNT on the complaint
table, captured from one request) re-run as raw SQL; ``ratio = page median / raw-SQL median``. Target:
every median < 300 ms. Results: a markdown table and ``benchmarks/results/complaints.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_common import ensure_database, machine_info  # noqa: E402
from bench_customers import ensure_data, setup_django, time_request  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "complaints.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_complaints_bench"
PERSONAS = ("cs", "manager", "rep")
TARGET_MS = 300.0
PAGE_SIZE = 25  # baifang.complaints.views.PAGE_SIZE
API_PAGE_SIZE = 50
SUBJECTS = (
    "送货晚到",
    "包装破损",
    "强度不足",
    "服务态度差",
    "回复不及时",
    "对账有误",
    "质量不稳定",
    "发错货",
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_COMPLAINTS_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--complaints", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="1 warm-up and 5 timed runs per figure")
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def ensure_complaints(n: int, seed: int) -> dict:
    """Exactly ``n`` complaints (bulk-created: the list is measured, not the intake)."""
    from django.db import connection
    from django.utils import timezone

    from baifang.complaints.choices import ComplaintChannel, ComplaintStatus, Satisfaction
    from baifang.complaints.defaults import ensure_default_categories
    from baifang.complaints.models import Complaint, ComplaintCategory
    from baifang.customers.models import Customer
    from baifang.org.models import OrgUnit, User

    ensure_default_categories()
    if Complaint.objects.count() == n:
        print(f"reusing {n:,} complaints")
        return {"generated": False, "seconds": None}
    Complaint.objects.all().delete()
    started = time.perf_counter()
    rng = random.Random(seed)
    customers = list(
        Customer.objects.filter(merged_into__isnull=True).values_list("pk", "owner_id", "unit_id")
    )
    categories = list(ComplaintCategory.objects.values_list("pk", flat=True))
    desk = list(User.objects.filter(assignments__position__kind="cs_assistant").values_list("pk", flat=True))
    departments = list(
        OrgUnit.objects.filter(kind="field_sales", parent__parent__isnull=True).values_list("pk", flat=True)
    )
    statuses = ComplaintStatus.values
    now = timezone.now()
    batch = []
    for i in range(n):
        customer, owner, unit = rng.choice(customers)
        status = rng.choice(statuses)
        decided = status not in (ComplaintStatus.RECEIVED, ComplaintStatus.INVESTIGATED)
        valid = (
            decided
            and status != ComplaintStatus.NOT_VALID
            and (status == ComplaintStatus.VALID or rng.random() < 0.7)
        )
        received = now - dt.timedelta(minutes=rng.randrange(0, 2 * 365 * 24 * 60))
        by = rng.choice(desk) if desk and rng.random() < 0.7 else owner
        batch.append(
            Complaint(
                customer_id=customer,
                channel=rng.choice(ComplaintChannel.values),
                category_id=rng.choice(categories),
                subject=f"{rng.choice(SUBJECTS)}（{i}）",
                description="基准测试数据",
                received_at=received,
                received_by_id=by,
                owner_id=by,
                routed_unit_id=rng.choice(departments) if departments else None,
                status=status,
                is_valid=valid if decided else None,
                decided_at=received + dt.timedelta(days=2) if decided else None,
                responsible_unit_id=rng.choice(departments) if valid and departments else None,
                responsible_person_id=owner if valid else None,
                satisfaction=rng.choice(Satisfaction.values)
                if status in ("satisfaction_asked", "closed")
                else "",
                closed_at=received + dt.timedelta(days=rng.randrange(3, 40)) if status == "closed" else None,
            )
        )
        if len(batch) == 5000:
            Complaint.objects.bulk_create(batch)
            batch = []
    Complaint.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")
        cursor.execute("VACUUM ANALYZE customers_customer")
    seconds = round(time.perf_counter() - started, 1)
    print(f"{n:,} complaints in {seconds}s")
    return {"generated": True, "seconds": seconds}


def cases(visible_open: int, visible: int) -> list[tuple[str, dict]]:
    return [
        ("open, page 1", {}),
        ("all, page 1", {"state": ""}),
        ("all, far page", {"state": "", "page": min(200, max(1, math.ceil(visible / PAGE_SIZE)))}),
        ("filtered", {"state": "", "category": "__category__", "ageing": "31+"}),
        ("searched", {"state": "", "q": "包装破损"}),
    ]


def run(args) -> dict:
    from django.db import connection
    from django.test import Client

    from baifang.complaints.models import Complaint, ComplaintCategory
    from baifang.org.models import User

    warmups, runs = (1, args.runs or 5) if args.quick else (3, args.runs or 15)
    category = ComplaintCategory.objects.get(code="product_quality").pk
    rows = []
    for username in PERSONAS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        scope = Complaint.objects.visible_to(user)
        visible, visible_open = scope.count(), scope.open().count()
        print(f"{username}: {visible:,} visible complaints ({visible_open:,} open)")
        for case, params in cases(visible_open, visible):
            for kind, path in (("html", "/complaints/"), ("api", "/api/v1/complaints/")):
                query = {k: (category if v == "__category__" else v) for k, v in params.items()}
                if kind == "api":
                    if "state" not in query:
                        query["state"] = "open"
                    if "page" in query:
                        query["page"] = min(100, max(1, math.ceil(visible / API_PAGE_SIZE)))
                url = f"{path}?{urlencode(query)}" if query else path
                result = _time(
                    client, url, api=kind == "api", warmups=warmups, runs=runs, connection=connection
                )
                result.update(persona=username, visible=visible, case=case, kind=kind)
                rows.append(result)
                flag = "  <-- over target" if result["median_ms"] > TARGET_MS else ""
                print(f"  {case:<14} {kind:<4} {result['median_ms']:>8.1f} ms   raw {result['raw_sql_median_ms']:>7.1f} ms"
                      f"   x{result['ratio']}{flag}")  # fmt: skip
    return {"warmups": warmups, "runs": runs, "rows": rows}


def _time(client, url, *, api, warmups, runs, connection):
    import bench_customers

    # The floor: the queries that read the complaint table (bench_customers matches the customer table).
    original = bench_customers._data_queries
    bench_customers._data_queries = lambda captured: [
        q["sql"] for q in captured if 'FROM "complaints_complaint"' in q["sql"]
    ]
    try:
        return time_request(client, url, api=api, warmups=warmups, runs=runs)
    finally:
        bench_customers._data_queries = original


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| persona | visible | case | kind | median (ms) | raw SQL (ms) | ratio | queries |",
        "|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        over = " ⚠" if r["median_ms"] > TARGET_MS else ""
        lines.append(f"| {r['persona']} | {r['visible']:,} | {r['case']} | {r['kind']} | {r['median_ms']:.1f}{over} "
                     f"| {r['raw_sql_median_ms']:.1f} | {r['ratio']} | {r['queries']} |")  # fmt: skip
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="complaint")
    setup_django(args.database_url)
    generation = ensure_data(args.customers, args.reps, args.seed)
    complaints = ensure_complaints(args.complaints, args.seed)
    measured = run(args)
    table = markdown_table(measured["rows"])
    print()
    print(table)
    from baifang.complaints.models import Complaint
    from baifang.customers.models import Customer

    worst = max(r["median_ms"] for r in measured["rows"])
    result = {
        "benchmark": "complaint list (HTML and API) at scale",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": urlparse(args.database_url)
        ._replace(netloc=urlparse(args.database_url).hostname or "")
        .geturl(),
        "customers": Customer.objects.count(),
        "complaints": Complaint.objects.count(),
        "reps": args.reps,
        "seed": args.seed,
        "target_ms": TARGET_MS,
        "worst_median_ms": worst,
        "meets_target": worst < TARGET_MS,
        "generation": generation,
        "complaint_generation": complaints,
        "machine": machine_info(),
        **measured,
        "table": table,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
