#!/usr/bin/env python
"""Customer list benchmark at scale on PostgreSQL (R-SCALE-1).

    .venv/bin/python benchmarks/bench_customers.py [--database-url URL] [--quick]
                                                   [--customers 200000] [--reps 1000]

Uses a dedicated database (default ``postgresql://postgres@127.0.0.1:5432/baifang_bench``; the
``DATABASE_URL`` of the environment is *not* used, so the benchmark never fills a working
database), creates it when missing, migrates it and fills it with ``baifang demo --customers N
--reps M --seed 1`` unless it already holds exactly N customers.

Then it times, in-process with Django's test ``Client`` (``force_login``), the HTML list
``/customers/`` and the API ``/api/v1/customers/`` — page 1, page 500, filtered, searched — as
three personas (``market`` sees every customer, ``manager`` one sales department, ``rep`` their own),
median of ≥ 15 runs after 3 warm-up runs. The *floor* is the same data queries (the rows SELECT and
the COUNT, captured from one request) re-run as raw SQL through ``connection.cursor()``;
``ratio = page median / raw-SQL median``. Results: a markdown table on stdout and
``benchmarks/results/customers.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import statistics
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
from bench_common import ensure_database, machine_info  # noqa: E402  (run as a script from benchmarks/)

RESULTS = ROOT / "benchmarks" / "results" / "customers.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_bench"
PERSONAS = ("market", "manager", "rep")
SEARCH_WORD = "文三路"  # a road in 西湖区: hits some hundreds of the 200,000 names
HTML_PAGE_SIZE = 25  # baifang.customers.views.PAGE_SIZE
API_PAGE_SIZE = 50  # baifang.core.api.pagination.StandardPagination.page_size
SLOW_MS = 500.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="1 warm-up and 5 timed runs per figure")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per figure (default 15)")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


# --- database set-up -------------------------------------------------------------------------


def setup_django(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    # Production-like request handling: no query logging on the debug cursor. Static files storage
    # was fixed when settings were imported, so templates still render without collectstatic.
    settings.DEBUG = False
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


def ensure_data(customers: int, reps: int, seed: int) -> dict:
    from django.core.management import call_command

    from baifang.customers.models import Customer
    from baifang.org.models import OrgUnit, User

    call_command("migrate", verbosity=0)
    count = Customer.objects.count()
    rep_count = User.objects.filter(assignments__position__kind="field_rep").count()
    if count == customers and rep_count == reps:
        print(f"reusing existing data: {count:,} customers, {rep_count:,} reps")
        return {"generated": False, "seconds": None}
    if OrgUnit.objects.exists():
        raise SystemExit(
            f"The benchmark database holds {count:,} customers and {rep_count:,} reps, not "
            f"{customers:,} / {reps:,}. Re-run with --fresh to drop and regenerate it."
        )
    print(f"generating {customers:,} customers and {reps:,} reps (seed {seed}) ...")
    started = time.perf_counter()
    call_command("demo", customers=customers, reps=reps, seed=seed)
    seconds = time.perf_counter() - started
    print(f"generation took {seconds:.1f}s")
    return {"generated": True, "seconds": round(seconds, 1)}


def vacuum() -> None:
    """VACUUM ANALYZE the list's tables so a freshly bulk-loaded database is measured as autovacuum
    would leave it (visibility map for index-only scans, planner statistics)."""
    from django.db import connection

    tables = (
        "customers_customer",
        "customers_customer_co_owners",
        "org_user",
        "org_orgunit",
        "customers_accessrequest",
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


# --- measuring -------------------------------------------------------------------------------


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def _data_queries(captured) -> list[str]:
    """The captured queries that read the customer table (rows + COUNT), not session/auth ones."""
    return [q["sql"] for q in captured if 'FROM "customers_customer"' in q["sql"]]


def time_request(client, url: str, *, api: bool, warmups: int, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HTTP_ACCEPT": "application/json"} if api else {}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    queries = list(captured.captured_queries)
    data_sql = _data_queries(queries)

    per_query: list[list[float]] = [[] for _ in data_sql]

    def raw() -> float:
        total = 0.0
        with connection.cursor() as cursor:
            for sql, timings in zip(data_sql, per_query, strict=True):
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                timings.append(time.perf_counter() - started)
                total += timings[-1]
        return total

    def page() -> float:
        started = time.perf_counter()
        client.get(url, **headers)
        return time.perf_counter() - started

    for _ in range(warmups):
        page()
        raw()
    # Page and raw SQL alternate, so background load on the machine hits both alike.
    samples, raw_samples = [], []
    for _ in range(runs):
        samples.append(page())
        raw_samples.append(raw())
    page_ms, raw_ms = _median_ms(samples), _median_ms(raw_samples)
    result = {
        "url": url,
        "median_ms": page_ms,
        "min_ms": round(min(samples) * 1000, 2),
        "max_ms": round(max(samples) * 1000, 2),
        "raw_sql_median_ms": raw_ms,
        "ratio": round(page_ms / raw_ms, 1) if raw_ms else None,
        "queries": len(queries),
        "data_queries": [
            {"sql": sql, "median_ms": _median_ms(timings[warmups:])}
            for sql, timings in zip(data_sql, per_query, strict=True)
        ],
    }
    if api:
        result["count"] = json.loads(response.content).get("count")
    return result


def cases(visible: int) -> list[tuple[str, dict]]:
    """The list requests; page 500 falls back to the last page for small scopes, and "cursor 500" is
    the keyset page at the same depth (the cursor a client walking there would hold)."""
    last_html = max(1, math.ceil(visible / HTML_PAGE_SIZE))
    return [
        ("page 1", {}),
        ("page 500", {"page": min(500, last_html)}),
        ("cursor 500", {"cursor": 500}),
        ("filtered", {"status": "active", "market_type": "city"}),
        ("searched", {"q": SEARCH_WORD}),
    ]


def deep_cursor(user, page: int, page_size: int) -> str:
    """The cursor after the last row before page ``page`` (newest first), or the last page's."""
    from baifang.core import keyset
    from baifang.customers.models import Customer

    ids = Customer.objects.visible_to(user).order_by("-id").values_list("id", flat=True)
    total = ids.count()
    offset = min((page - 1) * page_size, max(0, (total - 1) // page_size * page_size))
    if offset == 0:
        return ""
    return keyset.encode([ids[offset - 1]], ("-id",))


def data_checksum() -> str:
    """md5 over every customer's id, code, owner and unit: the same seed must give the same data."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(id::text || ':' || code || ':' || COALESCE(owner_id::text, '') || ':' "
            "|| COALESCE(unit_id::text, ''), ',' ORDER BY id)) FROM customers_customer"
        )
        return cursor.fetchone()[0]


def run(args) -> dict:
    from django.test import Client

    from baifang.customers.models import Customer
    from baifang.org.models import User

    warmups, runs = (1, args.runs or 5) if args.quick else (3, args.runs or 15)
    rows = []
    for username in PERSONAS:
        user = User.objects.get(username=username)
        client = Client()
        client.force_login(user)
        visible = Customer.objects.visible_to(user).count()
        print(f"{username}: {visible:,} visible customers")
        for case, params in cases(visible):
            for kind, path in (("html", "/customers/"), ("api", "/api/v1/customers/")):
                query = dict(params)
                if kind == "api" and "page" in query:  # the API pages by 50: same rows region
                    query["page"] = min(500, max(1, math.ceil(visible / API_PAGE_SIZE)))
                if "cursor" in query:
                    size = API_PAGE_SIZE if kind == "api" else HTML_PAGE_SIZE
                    query["cursor"] = deep_cursor(user, query["cursor"], size)
                url = f"{path}?{urlencode(query)}" if query else path
                result = time_request(client, url, api=kind == "api", warmups=warmups, runs=runs)
                result.update(persona=username, visible=visible, case=case, kind=kind)
                rows.append(result)
                flag = "  <-- slow" if result["median_ms"] > SLOW_MS else ""
                print(
                    f"  {case:<9} {kind:<4} {result['median_ms']:>9.1f} ms   raw {result['raw_sql_median_ms']:>8.1f} ms"
                    f"   x{result['ratio']}{flag}"
                )
    return {"warmups": warmups, "runs": runs, "rows": rows}


def markdown_table(rows: list[dict]) -> str:
    lines = [
        "| persona | visible | case | kind | page median (ms) | raw SQL (ms) | ratio | queries |",
        "|---|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        slow = " ⚠" if r["median_ms"] > SLOW_MS else ""
        lines.append(
            f"| {r['persona']} | {r['visible']:,} | {r['case']} | {r['kind']} | {r['median_ms']:.1f}{slow} "
            f"| {r['raw_sql_median_ms']:.1f} | {r['ratio']} | {r['queries']} |"
        )
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="customer")
    setup_django(args.database_url)
    generation = ensure_data(args.customers, args.reps, args.seed)
    vacuum()
    load_before = os.getloadavg()
    measured = run(args)
    measured["load_average"] = {"before": load_before, "after": os.getloadavg()}
    table = markdown_table(measured["rows"])
    print()
    print(table)
    from baifang.customers.models import Contact, Customer

    result = {
        "benchmark": "customer list (HTML and API) at scale",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": urlparse(args.database_url)
        ._replace(netloc=urlparse(args.database_url).hostname or "")
        .geturl(),
        "customers": Customer.objects.count(),
        "data_checksum": data_checksum(),
        "contacts": Contact.objects.count(),
        "reps": args.reps,
        "seed": args.seed,
        "search_word": SEARCH_WORD,
        "generation": generation,
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
