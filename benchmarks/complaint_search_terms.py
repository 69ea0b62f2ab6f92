#!/usr/bin/env python
"""The complaint search per term: the plain condition against the indexed branches (R-COMP-1).

    .venv/bin/python benchmarks/complaint_search_terms.py [--database-url URL] [--as cs] [TERM ...]

On a database filled by ``bench_complaints.py`` (default ``baifang_complaints_bench``), as one user, for
each term: the rows found, then the median of 5 runs of the count and of the first page's ids
(``ORDER BY received_at DESC, id DESC LIMIT 25``), for the plain ``icontains`` condition (*old*) and the
branches (*new*). Fails if the two find a different number of rows. ``--explain`` prints each new plan.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TERMS = ("质", "质量", "破损", "不稳定", "包装破损", "华联", "便利", "便利店", "临平乐彩烟酒店", "a", "ab", "abc",
         "TS2026-012345")  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("terms", nargs="*", default=TERMS)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/baifang_complaints_bench"
    )
    parser.add_argument("--as", dest="username", default="cs")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    from baifang.complaints.models import Complaint
    from baifang.complaints.search import indexed_matches, plain_condition
    from baifang.org.models import User

    base = Complaint.objects.visible_to(User.objects.get(username=args.username))

    def median_ms(run) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            run()
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)

    def measure(qs) -> tuple[int, float, float]:
        page = qs.order_by("-received_at", "-id").values_list("pk", flat=True)[:25]
        return qs.count(), median_ms(qs.count), median_ms(lambda: list(page.all()))

    print(f"{'term':<16}{'rows':>7}{'old count':>11}{'old page':>10}{'new count':>11}{'new page':>10}")
    for term in args.terms:
        rows, old_count, old_page = measure(base.filter(plain_condition(term)))
        new_rows, new_count, new_page = measure(base.filter(pk__in=indexed_matches(term)))
        if rows != new_rows:
            raise SystemExit(f"{term!r}: the plain condition finds {rows}, the branches {new_rows}")
        print(f"{term:<16}{rows:>7}{old_count:>11.1f}{old_page:>10.1f}{new_count:>11.1f}{new_page:>10.1f}")
        if args.explain:
            sql, params = (
                base.filter(pk__in=indexed_matches(term)).order_by().values("pk").query.sql_with_params()
            )
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, TIMING off) {sql}", params)
                print("\n".join(row[0] for row in cursor.fetchall()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
