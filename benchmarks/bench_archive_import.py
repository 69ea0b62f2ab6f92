#!/usr/bin/env python
"""Archive import benchmark (R-ARCH-10, issue 15): 100,000 customer rows checked and written.

    .venv/bin/python benchmarks/bench_archive_import.py [--rows 100000] [--database-url URL] [--fresh]

In a local PostgreSQL database (``BENCH_DATABASE_URL``, default ``baifang_archive_import_bench``; never the
working database), writes a 客户档案表 CSV of ``--rows`` customers (name, type, region, address, phone,
owner, one contact each) and times, each on an empty archive:

- **ours**: the whole import as the page's job runs it — ``core.intake.create_batch`` +
  ``core.intake.run``: read the file, parse and check every cell, look every row up for duplicates
  (code, credit code, normalised name, phone) and owners in bulk, then write customers, their codes,
  their history rows, contacts and the audit row in one transaction;
- **floor**: the same rows read with ``csv`` and written with two bare ``bulk_create`` calls
  (customers, contacts) — no checks, no duplicate look-ups, no history.

Both must leave the same number of customers and contacts. Target: ours < 120 s. Writes
``benchmarks/results/archive-import.json``.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_common import ensure_database, machine_info  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_archive_import_bench"
TARGET_SECONDS = 120.0
HEADER = [
    "客户名称",
    "客户类型",
    "省份",
    "城市",
    "区县",
    "注册地址",
    "联系电话",
    "负责人",
    "联系人",
    "联系人手机",
]
DISTRICTS = ("西湖区", "上城区", "拱墅区", "滨江区", "萧山区", "余杭区")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database")
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def the_file(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for i in range(rows):
        writer.writerow(
            [
                f"基准{i:06d}号便利店",
                "零售商",
                "浙江省",
                "杭州市",
                DISTRICTS[i % len(DISTRICTS)],
                f"{DISTRICTS[i % len(DISTRICTS)]}文三路{i % 900 + 1}号",
                f"139{i:08d}",
                "bench_rep",
                f"店主{i}",
                f"137{i:08d}",
            ]
        )
    return out.getvalue().encode()


def empty_archive() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE customers_customer, customers_historicalcustomer, core_importbatch RESTART IDENTITY CASCADE"
        )


def people():
    from django.core.management import call_command

    from baifang.org.models import OrgUnit, Position, PositionAssignment, User

    call_command("migrate", verbosity=0)
    company, _ = OrgUnit.objects.get_or_create(code="bench", defaults={"name": "基准公司", "kind": "company"})
    unit, _ = OrgUnit.objects.get_or_create(
        code="bench-market", defaults={"name": "市场部", "kind": "market", "parent": company}
    )
    rep, _ = User.objects.get_or_create(
        username="bench_rep", defaults={"display_name": "基准业务员", "unit": unit}
    )
    market, created = User.objects.get_or_create(
        username="bench_market", defaults={"display_name": "基准市场专员", "unit": unit}
    )
    if created:
        position, _ = Position.objects.get_or_create(
            code="bench-market-staff", defaults={"name": "市场专员", "kind": "market_staff"}
        )
        PositionAssignment.objects.create(user=market, position=position, unit=unit)
    return market, rep


def ours(data: bytes, market) -> tuple[float, dict]:
    from django.core.files import File

    from baifang.core import intake
    from baifang.customers.intake import KIND

    with tempfile.TemporaryDirectory() as media:
        from django.conf import settings

        settings.MEDIA_ROOT = media
        started = time.perf_counter()
        batch = intake.create_batch(KIND, by=market, upload=File(io.BytesIO(data), name="archive.csv"))
        batch = intake.run(batch.pk)
        seconds = time.perf_counter() - started
    if batch.error_count:
        raise SystemExit(f"the import failed: {batch.errors[:5]}")
    return seconds, {"status": batch.status, "documents_new": batch.documents_new}


def floor(data: bytes, rep) -> float:
    from django.db import transaction

    from baifang.customers.models import Contact, Customer
    from baifang.customers.normalize import normalize_name

    started = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    customers = [
        Customer(
            code=f"KH{i + 1:07d}",
            name=r[0],
            normalized_name=normalize_name(r[0]),
            customer_type="retailer",
            province=r[2],
            city=r[3],
            district=r[4],
            registered_address=r[5],
            phone=r[6],
            owner_id=rep.pk,
            unit_id=rep.unit_id,
        )
        for i, r in enumerate(rows)
    ]
    with transaction.atomic():
        Customer.objects.bulk_create(customers, batch_size=2000)
        Contact.objects.bulk_create(
            [
                Contact(customer_id=c.pk, name=r[8], mobile=r[9], is_primary=True)
                for c, r in zip(customers, rows, strict=True)
            ],
            batch_size=2000,
        )
    return time.perf_counter() - started


def counts() -> tuple[int, int]:
    from baifang.customers.models import Contact, Customer

    return Customer.objects.count(), Contact.objects.count()


def main(argv=None) -> None:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="archive import")
    setup_django(args.database_url)
    market, rep = people()
    data = the_file(args.rows)
    print(f"{args.rows:,} rows, {len(data) / 1e6:.1f} MB of CSV")

    empty_archive()
    ours_seconds, batch = ours(data, market)
    ours_counts = counts()
    print(f"ours:  {ours_seconds:7.1f} s  customers, contacts = {ours_counts}")
    empty_archive()
    floor_seconds = floor(data, rep)
    floor_counts = counts()
    print(f"floor: {floor_seconds:7.1f} s  customers, contacts = {floor_counts}")
    empty_archive()
    if ours_counts != floor_counts or ours_counts != (args.rows, args.rows):
        raise SystemExit(f"row counts differ: ours {ours_counts}, floor {floor_counts}, file {args.rows}")

    result = {
        "benchmark": "archive import (R-ARCH-10)",
        "rows": args.rows,
        "ours_seconds": round(ours_seconds, 2),
        "floor_seconds": round(floor_seconds, 2),
        "ratio": round(ours_seconds / floor_seconds, 2) if floor_seconds else None,
        "rows_per_second": round(args.rows / ours_seconds),
        "target_seconds": TARGET_SECONDS
        if args.rows == 100_000
        else round(TARGET_SECONDS * args.rows / 100_000, 1),
        "meets_target": ours_seconds < TARGET_SECONDS * args.rows / 100_000,
        "customers_written": ours_counts[0],
        "contacts_written": ours_counts[1],
        "batch": batch,
        "machine": machine_info(),
    }
    out = ROOT / "benchmarks" / "results" / "archive-import.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {out.relative_to(ROOT)}; target {'met' if result['meets_target'] else 'MISSED'}")


if __name__ == "__main__":
    main()
