#!/usr/bin/env python
"""Survey statistics benchmark (R-SURV-3, issue 14): a campaign of 50,000 responses × 15 items.

    .venv/bin/python benchmarks/bench_surveys.py [--responses 50000] [--database-url URL] [--fresh]

Fills a local PostgreSQL database (``BENCH_DATABASE_URL``, default ``baifang_surveys_bench``; never the
working database) with one campaign of the seed-004 reply-letter template (15 items) and
``--responses`` returned questionnaires (about 5 % of the answers blank), then times, median of 5 runs:

- **ours**: ``services.campaign_summary`` as the statistics page calls it — the database counts
  satisfied and answered per item in one grouped query, ``engine.Summary.from_counts`` assembles;
- **floor**: ``services.summary_in_python`` — every answer fetched and counted by ``engine.summarise``.

Both must give the same ``Summary``; the target is < 1 s for ours. Writes
``benchmarks/results/surveys.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_common import ensure_database, machine_info  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_surveys_bench"
TARGET_SECONDS = 1.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop and refill the benchmark database")
    return parser.parse_args(argv)


def setup_django(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def ensure_data(responses: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from baifang.customers.models import Customer
    from baifang.org.models import OrgUnit, Position, PositionAssignment, User
    from baifang.surveys.models import Answer, SurveyCampaign, SurveyResponse, SurveyTemplate

    call_command("migrate", verbosity=0)
    campaign = SurveyCampaign.objects.filter(title="bench").first()
    if campaign is not None and campaign.responses.count() == responses:
        print(f"reusing {responses:,} responses")
        return {"generated": False}
    if campaign is not None:
        raise SystemExit("The benchmark database holds another size: re-run with --fresh.")
    print(f"generating {responses:,} responses × 15 items ...")
    started = time.perf_counter()
    rnd = random.Random(14)
    with transaction.atomic():
        company = OrgUnit.objects.create(name="公司", code="bench-company", kind="company")
        staff = User.objects.create(username="bench-cs", unit=company)
        position = Position.objects.create(code="bench-cs", name="客服助理", kind="cs_assistant")
        PositionAssignment.objects.create(user=staff, position=position, unit=company)
        customers = [
            Customer(
                code=f"B{n:05d}",
                name=f"业主{n}",
                normalized_name=f"业主{n}",
                customer_type="household",
                owner=staff,
                unit=company,
                status="active",
            )
            for n in range(200)
        ]
        Customer.objects.bulk_create(customers)
        template = SurveyTemplate.objects.get(code="property-building")
        items = list(template.items.all())
        today = dt.date(2026, 12, 1)
        campaign = SurveyCampaign.objects.create(
            template=template, title="bench", owner=staff, starts_on=today, ends_on=today, status="running"
        )
        batch = 5000
        for start in range(0, responses, batch):
            rows = SurveyResponse.objects.bulk_create(
                [
                    SurveyResponse(
                        template=template,
                        campaign=campaign,
                        customer=customers[(start + i) % len(customers)],
                        source="paper",
                        answered_on=today,
                    )
                    for i in range(min(batch, responses - start))
                ]
            )
            answers = []
            for response in rows:
                for item in items:
                    roll = rnd.random()
                    if roll < 0.05:
                        continue
                    value = "satisfied" if roll < 0.7 else "basic" if roll < 0.9 else "dissatisfied"
                    answers.append(Answer(response=response, item=item, value=value))
            Answer.objects.bulk_create(answers, batch_size=10000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = time.perf_counter() - started
    print(f"generation took {seconds:.1f}s")
    return {"generated": True, "seconds": round(seconds, 1)}


def timed(fn, runs: int):
    samples, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="surveys")
    setup_django(args.database_url)
    data = ensure_data(args.responses)
    from baifang.org.models import User
    from baifang.surveys import services
    from baifang.surveys.models import SurveyCampaign

    campaign = SurveyCampaign.objects.select_related("template").get(title="bench")
    staff = User.objects.get(username="bench-cs")
    ours_s, ours = timed(lambda: services.campaign_summary(campaign, staff), args.runs)
    floor_s, floor = timed(
        lambda: services.summary_in_python(services.responses_of(campaign, staff), campaign.template),
        max(1, args.runs // 2),
    )
    same = ours == floor
    result = {
        "benchmark": "survey statistics (R-SURV-3)",
        "responses": args.responses,
        "items": len(ours.items),
        "answers": ours.overall.answered,
        "ours_seconds": round(ours_s, 3),
        "floor_seconds": round(floor_s, 3),
        "speedup_vs_floor": round(floor_s / ours_s, 1) if ours_s else None,
        "target_seconds": TARGET_SECONDS,
        "meets_target": ours_s < TARGET_SECONDS,
        "same_numbers": same,
        "overall_percent": ours.overall.percent,
        "data": data,
        "machine": machine_info(),
    }
    out = ROOT / "benchmarks" / "results" / "surveys.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, ensure_ascii=False, indent=2))
    return 0 if same and ours_s < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
