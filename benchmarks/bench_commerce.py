#!/usr/bin/env python
"""Business facts at scale on PostgreSQL (issue 12: R-INV-1, R-OBL-3, R-AR-1, R-SCALE-1).

    .venv/bin/python benchmarks/bench_commerce.py [--database-url URL] [--quick] [--fresh]
                                                  [--customers 200000] [--reps 1000] [--products 300]

Uses its own database (default ``postgresql://postgres@127.0.0.1:5432/baifang_commerce_bench``; the
environment's ``DATABASE_URL`` is *not* used). It fills it with ``baifang demo --customers N --reps M
--seed 1`` (as ``bench_customers.py``), then, in SQL, ``--products`` products and eleven months of
monthly orders of 5 lines for every customer (2025-12 … 2026-10: 11,000,000 lines at 200,000
customers), an invoice per order and payments (most in full against their invoice, some partial and
unallocated, the newest unpaid). The date is pinned: "today" is 2026-11-30 for every figure, so a
re-run on another day measures the same thing.

It measures, in one run:

1. **Importing one month** (2026-11: one order of 5 lines per customer, 1,000,000 lines at 200,000
   customers) through the product's own path (``core.intake.process`` with ``commerce.orders``: every
   row parsed and checked, the whole batch written in one transaction). The *floor* is a bare
   ``COPY`` of the same orders and lines, ids already resolved, into tables ``LIKE`` the real ones
   (same indexes and constraints); the benchmark checks that the floor's tables hold the same
   documents, lines and amounts as ours before it reports ``ratio = ours / floor``. Then the same file
   again: a re-run writes nothing. Target: < 2 min. The month is deleted first, so runs repeat.
2. **The nightly trigger job** over all customers (``commerce.triggers.raise_automatic_special_visits``:
   sales bands, new/promoted products not ordered, deliveries that differ). Target: < 60 s.
3. **A customer's purchase history and stock guidance** (``commerce.services.purchase_context`` and
   ``stock_guidance_rows`` for 5 counted products with a count 30 days back), for sampled customers,
   median and p95 over them; the floor is the raw SQL of the same queries (captured from one call).
   Target: < 100 ms.
4. **The company ageing report** (``receivables.services.ageing_report`` as the finance clerk): the
   first page of the customers with something outstanding, by bucket, and the totals over every page,
   read from the kept ``Invoice.open_amount`` (open rows only). The floor is one bare grouped pass over
   the open invoices (the same customers and bucket totals, checked); the old statement settling every
   invoice against every payment (``ageing_sql``) is run once and must agree too; the full Excel export
   once. Target: < 2 s.

Results: printed, and ``benchmarks/results/commerce.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_common import ensure_database, machine_info  # noqa: E402
from bench_customers import ensure_data, setup_django  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "commerce.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_commerce_bench"
TODAY = dt.date(2026, 11, 30)
HISTORY_MONTHS = [dt.date(2025, 12, 1)] + [dt.date(2026, m, 1) for m in range(1, 11)]  # 11 months
IMPORT_MONTH = dt.date(2026, 11, 1)
NEW_FROM = dt.date(2026, 9, 1)
LINES_PER_ORDER = 5
TARGETS = {"import_s": 120.0, "triggers_s": 60.0, "customer_ms": 100.0, "ageing_s": 2.0}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_COMMERCE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--products", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=50, help="customers timed for the purchase history")
    parser.add_argument(
        "--quick", action="store_true", help="fewer runs of the per-customer and report figures"
    )
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def _sql(statement: str, params=None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _scalar(statement: str, params=None):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()[0]


def _timed(label: str, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.1f}s")
    return result, seconds


# --- data ---------------------------------------------------------------------------------------


def ensure_products(n: int) -> None:
    from baifang.commerce.models import Product, ProductGroup

    if Product.objects.count() == n:
        return
    if Product.objects.exists():
        raise SystemExit("The benchmark database holds another product list; re-run with --fresh.")
    groups = ProductGroup.objects.bulk_create(
        [ProductGroup(code=f"G{i:02d}", name=f"品牌系列{i:02d}") for i in range(10)]
    )
    Product.objects.bulk_create(
        [
            Product(
                code=f"P{i:04d}",
                name=f"基准商品{i:04d}",
                brand=f"品牌{i % 10:02d}",
                group=groups[i % 10],
                price=Decimal(50 + (i * 37) % 450),
                # The last product is new since September (R-OBL-3: not ordered for 2 cycles); nine
                # customers in ten put it on every order since (see _product_index).
                new_from=NEW_FROM if i == n - 1 else None,
                new_until=dt.date(2026, 12, 31) if i == n - 1 else None,
            )
            for i in range(n)
        ]
    )


# Order lines are a pure function of (customer, month, k): the same seed gives the same data, and the
# imported month is generated by the same formula in Python (``month_rows``) as the history in SQL.
LINE_SQL_PRODUCT = "(CASE WHEN k = 4 AND c.id % 10 < 9 AND m >= {new_m} THEN {n} - 1 ELSE (c.id * 7 + k * 61 + m * 13) % ({n} - 1) END)"
LINE_SQL_QUANTITY = "(1 + ((c.id * 31 + k * 17 + m * 5) % 20))"


def _product_index(customer_id: int, month_index: int, k: int, n: int) -> int:
    """Lines 0–3 from the first n − 1 products (five distinct offsets mod n − 1); line 4 is the new
    product for nine customers in ten once it is new, else a fifth ordinary product."""
    if k == 4 and customer_id % 10 < 9 and month_index >= _month_index(NEW_FROM):
        return n - 1
    return (customer_id * 7 + k * 61 + month_index * 13) % (n - 1)


def _quantity(customer_id: int, month_index: int, k: int) -> int:
    return 1 + (customer_id * 31 + k * 17 + month_index * 5) % 20


def _month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def _order_day(customer_id: int, month: dt.date) -> dt.date:
    return month.replace(day=1 + customer_id % 28)


def ensure_history(products: int) -> dict:
    """Eleven months of orders, an invoice per order, payments; in SQL (the import is timed, not this)."""
    from baifang.commerce.models import Order

    history_orders = _scalar("SELECT count(*) FROM commerce_order WHERE ordered_on < %s", [IMPORT_MONTH])
    customers = _scalar("SELECT count(*) FROM customers_customer WHERE merged_into_id IS NULL")
    expected = customers * len(HISTORY_MONTHS)
    if history_orders == expected and _scalar("SELECT count(*) FROM receivables_payment") > 0:
        print(f"reusing {history_orders:,} history orders")
        return {"generated": False}
    if Order.objects.exists():
        raise SystemExit("The benchmark database holds other orders; re-run with --fresh.")
    print(f"generating {expected:,} orders, {expected * LINES_PER_ORDER:,} lines, invoices and payments ...")
    started = time.perf_counter()
    _sql("CREATE TEMP TABLE bench_product AS SELECT row_number() OVER (ORDER BY code) - 1 AS idx, id, price "
         "FROM commerce_product")  # fmt: skip
    _sql("CREATE INDEX ON bench_product (idx)")
    months = [_month_index(m) for m in HISTORY_MONTHS]
    _timed(
        "orders",
        lambda: _sql(
            """INSERT INTO commerce_order (customer_id, number, ordered_on, amount, quantity, fingerprint, created_at)
               SELECT c.id, 'H' || c.id || '-' || m, make_date(m / 12, m %% 12 + 1, (1 + c.id %% 28)::int), 0, 0, '', now()
               FROM customers_customer c CROSS JOIN unnest(%s::int[]) AS m
               WHERE c.merged_into_id IS NULL""",
            [months],
        ),
    )
    product = LINE_SQL_PRODUCT.format(n=products, new_m=_month_index(NEW_FROM))
    _timed(
        "order lines",
        lambda: _sql(
            f"""INSERT INTO commerce_orderline (order_id, product_id, quantity, price, amount)
                SELECT o.id, p.id, {LINE_SQL_QUANTITY}, p.price, {LINE_SQL_QUANTITY} * p.price
                FROM commerce_order o
                JOIN customers_customer c ON c.id = o.customer_id
                CROSS JOIN LATERAL (SELECT extract(year FROM o.ordered_on)::int * 12
                                           + extract(month FROM o.ordered_on)::int - 1 AS m) mm(m)
                CROSS JOIN generate_series(0, {LINES_PER_ORDER - 1}) AS k
                JOIN bench_product p ON p.idx = {product}"""  # noqa: S608 (constants)
        ),
    )
    _timed(
        "order totals",
        lambda: _sql(
            """UPDATE commerce_order o SET amount = s.a, quantity = s.q
               FROM (SELECT order_id, sum(amount) a, sum(quantity) q FROM commerce_orderline GROUP BY order_id) s
               WHERE s.order_id = o.id"""
        ),
    )
    _timed(
        "invoices",
        lambda: _sql(
            """INSERT INTO receivables_invoice (customer_id, source, number, amount, open_amount, fingerprint,
                                                created_at, invoiced_on, due_on, order_id, new_products)
               SELECT customer_id, 'erp', 'F' || number, amount, amount, '', now(), ordered_on, ordered_on + 30,
                      id, id % 50 = 0
               FROM commerce_order"""
        ),
    )
    # October's orders are delivered a month later (most inside the trigger job's 30-day window); one
    # line of every 50th order is delivered one short (R-OBL-3: an order and its delivery differ).
    _timed(
        "deliveries",
        lambda: _sql(
            """INSERT INTO commerce_delivery (customer_id, order_id, number, delivered_on, quantity, fingerprint,
                                              created_at)
               SELECT customer_id, id, 'D' || number, ordered_on + (30 + id % 5)::int, 0, '', now()
               FROM commerce_order WHERE ordered_on >= '2026-10-01' AND ordered_on < '2026-11-01'"""
        ),
    )
    _timed(
        "delivery lines",
        lambda: _sql(
            """INSERT INTO commerce_deliveryline (delivery_id, product_id, quantity)
               SELECT d.id, l.product_id,
                      l.quantity - CASE WHEN d.order_id % 50 = 0 AND l.id % 5 = 0 THEN 1 ELSE 0 END
               FROM commerce_delivery d JOIN commerce_orderline l ON l.order_id = d.order_id"""
        ),
    )
    _sql("""UPDATE commerce_delivery d SET quantity = s.q
            FROM (SELECT delivery_id, sum(quantity) q FROM commerce_deliveryline GROUP BY delivery_id) s
            WHERE s.delivery_id = d.id""")
    # Invoices older than 45 days: 85 % paid in full against the invoice, 10 % half paid with an
    # unallocated payment (FIFO), 5 % unpaid; newer ones unpaid.
    _timed(
        "payments",
        lambda: _sql(
            """INSERT INTO receivables_payment (customer_id, source, number, amount, fingerprint, created_at,
                                                paid_on, invoice_id)
               SELECT customer_id, 'erp', 'S' || id, CASE WHEN id %% 20 < 17 THEN amount ELSE round(amount / 2, 2) END,
                      '', now(), invoiced_on + (20 + id %% 20)::int, CASE WHEN id %% 20 < 17 THEN id END
               FROM receivables_invoice
               WHERE invoiced_on < %s::date - 45 AND id %% 20 < 19""",
            [TODAY],
        ),
    )
    from baifang.receivables import open_amounts

    _timed("open amounts", lambda: open_amounts.refresh(None))  # what every write path keeps
    for table in ("commerce_order", "commerce_orderline", "receivables_invoice", "receivables_payment",
                  "commerce_product", "commerce_delivery", "commerce_deliveryline"):  # fmt: skip
        _sql(f"VACUUM ANALYZE {table}")
    seconds = round(time.perf_counter() - started, 1)
    print(f"history generated in {seconds}s")
    return {"generated": True, "seconds": seconds}


def month_rows(products: int) -> list[dict]:
    """The imported month as the file reader gives it: one text dict per line, as in an ERP export."""
    from baifang.commerce.models import Product
    from baifang.customers.models import Customer

    codes = list(Product.objects.order_by("code").values_list("code", flat=True))
    prices = dict(Product.objects.values_list("code", "price"))
    m = _month_index(IMPORT_MONTH)
    rows = []
    for cid, code in (
        Customer.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", "code")
    ):
        day = _order_day(cid, IMPORT_MONTH).isoformat()
        number = f"M{cid}-{m}"
        for k in range(LINES_PER_ORDER):
            product = codes[_product_index(cid, m, k, products)]
            quantity = _quantity(cid, m, k)
            rows.append({
                "order_number": number, "order_date": day, "customer_code": code, "product_code": product,
                "quantity": str(quantity), "price": str(prices[product]),
                "amount": str(quantity * prices[product]),
            })  # fmt: skip
    return rows


def ensure_sales_bands() -> dict:
    """Warning bands (R-OBL-3), so the nightly job's sales-band path has work: the company default
    (±30 % of the trailing 3 months) and a tight ±5 % band of every 1000th customer."""
    from baifang.commerce.models import SalesBand

    before = SalesBand.objects.count()
    if not SalesBand.objects.filter(customer__isnull=True, tier__isnull=True).exists():
        SalesBand.objects.create(percent=Decimal(30), trailing_months=3)
    _sql("""INSERT INTO commerce_salesband (customer_id, percent, trailing_months)
            SELECT c.id, 5, 3 FROM customers_customer c
            WHERE c.id % 1000 = 0 AND c.merged_into_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM commerce_salesband b WHERE b.customer_id = c.id)""")
    return {"generated": SalesBand.objects.count() > before, "bands": SalesBand.objects.count()}


# --- 1. import one month --------------------------------------------------------------------------


def delete_month() -> None:
    _sql("DELETE FROM commerce_orderline WHERE order_id IN (SELECT id FROM commerce_order WHERE ordered_on >= %s)",
         [IMPORT_MONTH])  # fmt: skip
    _sql("DELETE FROM commerce_order WHERE ordered_on >= %s", [IMPORT_MONTH])
    _sql("VACUUM ANALYZE commerce_order")
    _sql("VACUUM ANALYZE commerce_orderline")


def measure_import(rows: list[dict]) -> dict:
    from baifang.commerce.intake import OrderRows
    from baifang.core import intake

    schema = OrderRows()
    delete_month()
    started = time.perf_counter()
    outcome = intake.process(schema, rows, dry_run=False)
    ours = time.perf_counter() - started
    if not outcome.ok:
        raise SystemExit(f"the import refused the month: {outcome.errors[:5]}")
    started = time.perf_counter()
    again = intake.process(schema, rows, dry_run=False)
    rerun = time.perf_counter() - started
    if again.lines_written or again.documents_new:
        raise SystemExit(f"re-running the same file wrote {again.lines_written} lines")
    answer = _month_answer("commerce_order", "commerce_orderline")
    floor, floor_answer = copy_floor()
    if floor_answer != answer:
        raise SystemExit(f"floor and import disagree: floor {floor_answer}, ours {answer}")
    return {
        "lines": outcome.lines_written,
        "documents": outcome.documents_new,
        "ours_s": round(ours, 2),
        "floor_copy_s": round(floor, 2),
        "ratio": round(ours / floor, 1),
        "rerun_s": round(rerun, 2),
        "rerun_wrote": again.lines_written,
        "answer": answer,
    }


def _month_answer(orders: str, lines: str) -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(DISTINCT o.id), count(l.id), sum(l.amount), sum(l.quantity), sum(DISTINCT o.customer_id)
                FROM {orders} o JOIN {lines} l ON l.order_id = o.id WHERE o.ordered_on >= %s""",  # noqa: S608
            [IMPORT_MONTH],
        )
        documents, count, amount, quantity, customers = cursor.fetchone()
    return {"documents": documents, "lines": count, "amount": str(amount), "quantity": str(quantity),
            "customer_id_sum": int(customers)}  # fmt: skip


def copy_floor() -> tuple[float, dict]:
    """COPY the month's orders and lines (ids resolved, as our write has them) into LIKE tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, customer_id, number, ordered_on, amount, quantity, fingerprint FROM commerce_order "
                       "WHERE ordered_on >= %s", [IMPORT_MONTH])  # fmt: skip
        orders = cursor.fetchall()
        cursor.execute("SELECT l.id, l.order_id, l.product_id, l.quantity, l.price, l.amount FROM commerce_orderline l "
                       "JOIN commerce_order o ON o.id = l.order_id WHERE o.ordered_on >= %s", [IMPORT_MONTH])  # fmt: skip
        lines = cursor.fetchall()
        for table in ("bench_floor_orderline", "bench_floor_order"):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute("CREATE TABLE bench_floor_order (LIKE commerce_order INCLUDING ALL)")
        cursor.execute("CREATE TABLE bench_floor_orderline (LIKE commerce_orderline INCLUDING ALL)")
        cursor.execute(
            "ALTER TABLE bench_floor_orderline ADD FOREIGN KEY (order_id) REFERENCES bench_floor_order (id)"
        )
        cursor.execute(
            "ALTER TABLE bench_floor_orderline ADD FOREIGN KEY (product_id) REFERENCES commerce_product (id)"
        )
        cursor.execute(
            "ALTER TABLE bench_floor_order ADD FOREIGN KEY (customer_id) REFERENCES customers_customer (id)"
        )
    order_text = io.StringIO("".join(
        f"{i}\t{c}\t{n}\t{d.isoformat()}\t{a}\t{q}\t{f}\tnow\n" for i, c, n, d, a, q, f in orders
    ))  # fmt: skip
    line_text = io.StringIO("".join(f"{i}\t{o}\t{p}\t{q}\t{pr}\t{a}\n" for i, o, p, q, pr, a in lines))
    raw = connection.connection  # psycopg 3
    started = time.perf_counter()
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY bench_floor_order (id, customer_id, number, ordered_on, amount, quantity, fingerprint, created_at)"
            " FROM STDIN"
        ) as copy:
            copy.write(order_text.getvalue())
        with cursor.copy(
            "COPY bench_floor_orderline (id, order_id, product_id, quantity, price, amount) FROM STDIN"
        ) as copy:
            copy.write(line_text.getvalue())
    raw.commit() if not raw.autocommit else None
    seconds = time.perf_counter() - started
    answer = _month_answer("bench_floor_order", "bench_floor_orderline")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_floor_orderline")
        cursor.execute("DROP TABLE bench_floor_order")
    return seconds, answer


# --- 2. nightly triggers --------------------------------------------------------------------------


def measure_triggers() -> dict:
    from baifang.commerce import triggers
    from baifang.rules.choices import SpecialTrigger
    from baifang.rules.models import SpecialVisit

    automatic = (
        SpecialTrigger.SALES_DEVIATION,
        SpecialTrigger.PRODUCT_NOT_ORDERED,
        SpecialTrigger.ORDER_MISMATCH,
    )
    SpecialVisit.objects.filter(trigger__in=automatic).delete()
    before = SpecialVisit.objects.count()
    started = time.perf_counter()
    first = triggers.raise_automatic_special_visits(TODAY)
    seconds = time.perf_counter() - started
    raised = SpecialVisit.objects.count() - before
    started = time.perf_counter()
    second = triggers.raise_automatic_special_visits(TODAY)
    rerun = time.perf_counter() - started
    if SpecialVisit.objects.count() - before != raised:
        raise SystemExit("the second trigger run raised special visits again")
    return {"first_s": round(seconds, 1), "rerun_s": round(rerun, 1), "raised": raised,
            "by_trigger": first.as_dict()["raised"], "rerun_raised": second.as_dict()["raised"]}  # fmt: skip


# --- 3. one customer's history and guidance ----------------------------------------------------------


def measure_customer(samples: int, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baifang.commerce import services
    from baifang.commerce.models import OrderLine
    from baifang.customers.models import Customer

    step = max(1, Customer.objects.count() // samples)
    ids = list(
        Customer.objects.filter(merged_into__isnull=True).order_by("pk").values_list("pk", flat=True)[::step]
    )
    customers = list(Customer.objects.filter(pk__in=ids[:samples]))
    counted_on = TODAY - dt.timedelta(days=30)

    def one(customer):
        bought = list(
            OrderLine.objects.filter(order__customer=customer, order__ordered_on__gte=TODAY - dt.timedelta(days=90))
            .values_list("product", flat=True).distinct()[:5]
        )  # fmt: skip
        last = {pid: (Decimal(12), counted_on) for pid in bought}
        current = {pid: Decimal(4) for pid in bought}
        context = services.purchase_context(customer, TODAY)
        rows = services.stock_guidance_rows(customer, current=current, last=last, on=TODAY)
        return context, rows

    medians, raw_medians = [], []
    queries = 0
    for customer in customers:
        one(customer)  # warm
        samples_ms = []
        for _ in range(runs):
            started = time.perf_counter()
            context, rows = one(customer)
            samples_ms.append((time.perf_counter() - started) * 1000)
        medians.append(statistics.median(samples_ms))
        if not rows or context["purchases"].orders_12m == 0:
            raise SystemExit(f"customer {customer.pk} has no history to show")
        with CaptureQueriesContext(connection) as captured:
            one(customer)
        queries = len(captured.captured_queries)
        raw = []
        with connection.cursor() as cursor:
            for _ in range(runs):
                started = time.perf_counter()
                for q in captured.captured_queries:
                    cursor.execute(q["sql"])
                    cursor.fetchall()
                raw.append((time.perf_counter() - started) * 1000)
        raw_medians.append(statistics.median(raw))
    medians.sort()
    raw_medians.sort()
    p95 = medians[min(len(medians) - 1, int(len(medians) * 0.95))]
    return {
        "customers": len(customers),
        "runs": runs,
        "median_ms": round(statistics.median(medians), 1),
        "p95_ms": round(p95, 1),
        "raw_sql_median_ms": round(statistics.median(raw_medians), 1),
        "ratio": round(statistics.median(medians) / statistics.median(raw_medians), 1),
        "queries": queries,
    }


# --- 4. the company ageing report --------------------------------------------------------------------


def _ageing_floor(today: dt.date) -> tuple[dict, float]:
    """The least the report can do: one grouped pass over the open invoices, fetched, nothing else."""
    from django.db import connection

    from baifang.receivables import engine

    b30, b60, b90 = (today - dt.timedelta(days=n) for n in engine.BUCKET_LIMITS)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT customer_id,
                      sum(CASE WHEN invoiced_on >= %(b30)s THEN open_amount ELSE 0 END),
                      sum(CASE WHEN invoiced_on < %(b30)s AND invoiced_on >= %(b60)s THEN open_amount ELSE 0 END),
                      sum(CASE WHEN invoiced_on < %(b60)s AND invoiced_on >= %(b90)s THEN open_amount ELSE 0 END),
                      sum(CASE WHEN invoiced_on < %(b90)s THEN open_amount ELSE 0 END)
               FROM receivables_invoice WHERE open_amount > 0 AND invoiced_on <= %(today)s
               GROUP BY customer_id""",
            {"today": today, "b30": b30, "b60": b60, "b90": b90},
        )
        rows = cursor.fetchall()
    seconds = time.perf_counter() - started
    totals = [sum((r[i] for r in rows), Decimal(0)).quantize(Decimal("0.01")) for i in range(1, 5)]
    return {"customers_owing": len(rows), "buckets": [str(t) for t in totals]}, seconds


def measure_ageing(runs: int) -> dict:
    """The report's first page as the finance clerk (its totals cover every page), the API's first
    page, the full Excel export once; the floor (one bare grouped pass) and the old statement that
    settles every invoice against every payment (``ageing_sql``) must give the same answer."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from baifang.org.models import User
    from baifang.receivables import ageing_sql, services

    clerk = User.objects.filter(assignments__position__kind="finance").first() or User.objects.get(
        username="market"
    )
    services.ageing_report(clerk, TODAY)  # warm
    samples, floor_samples = [], []
    for _ in range(runs):
        started = time.perf_counter()
        report = services.ageing_report(clerk, TODAY)
        samples.append(time.perf_counter() - started)
        floor_answer, seconds = _ageing_floor(TODAY)
        floor_samples.append(seconds)
    with CaptureQueriesContext(connection) as captured:
        services.ageing_report(clerk, TODAY)
    ours_answer = {"customers_owing": report.count, "buckets": [str(b) for b in report.totals]}
    if ours_answer != floor_answer:
        raise SystemExit(f"the report and its floor disagree: ours {ours_answer}, floor {floor_answer}")
    started = time.perf_counter()
    full = ageing_sql.ageing_of(None, TODAY)
    full_s = time.perf_counter() - started
    full_answer = {
        "customers_owing": sum(1 for a in full.values() if a.has_debt),
        "buckets": [str(sum((a.buckets[i] for a in full.values()), Decimal(0))) for i in range(4)],
    }
    if full_answer != ours_answer:
        raise SystemExit(
            f"kept open amounts and the full settlement disagree: {ours_answer} vs {full_answer}"
        )
    started = time.perf_counter()
    _content, exported = services.ageing_xlsx(clerk, TODAY)
    export_s = time.perf_counter() - started
    if exported != report.count:
        raise SystemExit(f"the export has {exported} rows, the report {report.count}")
    median = statistics.median(samples)
    floor = statistics.median(floor_samples)
    return {
        "as": clerk.username,
        "runs": runs,
        "median_s": round(median, 3),
        "min_s": round(min(samples), 3),
        "max_s": round(max(samples), 3),
        "floor_median_s": round(floor, 3),
        "ratio": round(median / floor, 1),
        "queries": len(captured.captured_queries),
        "page_rows": len(report.rows),
        "full_settlement_s": round(full_s, 1),
        "xlsx_export_s": round(export_s, 1),
        "xlsx_bytes": len(_content),
        "customers_owing": report.count,
        "outstanding": str(report.outstanding),
        "buckets": [str(b) for b in report.totals],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="commerce")
    setup_django(args.database_url)
    load_before = os.getloadavg()
    generation = ensure_data(args.customers, args.reps, args.seed)
    ensure_products(args.products)
    history = ensure_history(args.products)
    bands = ensure_sales_bands()
    runs = 3 if args.quick else 7
    rows = month_rows(args.products)
    print(f"1. importing one month: {len(rows):,} lines")
    imported = measure_import(rows)
    print(f"   ours {imported['ours_s']} s, COPY floor {imported['floor_copy_s']} s, x{imported['ratio']}; "
          f"same file again {imported['rerun_s']} s, {imported['rerun_wrote']} lines written")  # fmt: skip
    print("2. nightly trigger job over all customers")
    trig = measure_triggers()
    print(f"   {trig['first_s']} s ({trig['raised']:,} special visits raised), again {trig['rerun_s']} s, "
          f"nothing raised twice")  # fmt: skip
    print(f"3. purchase history and stock guidance, {args.samples} customers")
    customer = measure_customer(args.samples, runs)
    print(f"   median {customer['median_ms']} ms, p95 {customer['p95_ms']} ms, raw SQL {customer['raw_sql_median_ms']}"
          f" ms (x{customer['ratio']}), {customer['queries']} queries")  # fmt: skip
    print("4. company ageing report")
    ageing = measure_ageing(runs)
    print(f"   median {ageing['median_s']} s ({ageing['min_s']}–{ageing['max_s']}), floor {ageing['floor_median_s']} s"
          f" (x{ageing['ratio']}), {ageing['queries']} queries, {ageing['customers_owing']:,} customers owing; "
          f"full settlement {ageing['full_settlement_s']} s, xlsx {ageing['xlsx_export_s']} s")  # fmt: skip
    load_after = os.getloadavg()
    from baifang.commerce.models import Order, OrderLine
    from baifang.customers.models import Customer
    from baifang.receivables.models import Invoice, Payment

    meets = {
        "import": imported["ours_s"] < TARGETS["import_s"],
        "triggers": trig["first_s"] < TARGETS["triggers_s"],
        "customer": customer["p95_ms"] < TARGETS["customer_ms"],
        "ageing": ageing["median_s"] < TARGETS["ageing_s"],
    }
    result = {
        "benchmark": "business facts at scale: import, nightly triggers, purchase history, ageing",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "today_pinned": TODAY.isoformat(),
        "database": urlparse(args.database_url)
        ._replace(netloc=urlparse(args.database_url).hostname or "")
        .geturl(),
        "customers": Customer.objects.count(),
        "orders": Order.objects.count(),
        "order_lines": OrderLine.objects.count(),
        "invoices": Invoice.objects.count(),
        "payments": Payment.objects.count(),
        "products": args.products,
        "seed": args.seed,
        "targets": TARGETS,
        "meets_targets": meets,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "generation": generation,
        "history_generation": history,
        "sales_bands": bands,
        "import_month": imported,
        "nightly_triggers": trig,
        "customer_history": customer,
        "ageing_report": ageing,
        "machine": machine_info(),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nmeets targets: {meets}\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
