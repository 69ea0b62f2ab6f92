#!/usr/bin/env python
"""Daily care job benchmark (R-CARE-1..4, issue 14): 200,000 customers, about 400,000 contacts.

    .venv/bin/python benchmarks/bench_care.py [--customers 200000] [--contacts N] [--runs 3]
                                              [--database-url URL] [--fresh]

Fills a local PostgreSQL database (``BENCH_CARE_DATABASE_URL``, default ``baifang_care_bench``; never
the working database) with the distribution preset (seed 001: the importance scheme A/B/C, the care
rules and the quota), an organisation (a leader, departments with managers, teams with supervisors,
one rep per 200 customers), ``--customers`` customers rated A/B/C (a few unrated, a few lost) and
``--contacts`` contacts (default twice the customers): audience classes I/II/III or none, solar
birthdays (some on 29 February), lunar birthdays (some on day 30, some in leap months), mobiles, and a
few anniversaries. Written with ``COPY`` (every column as Django would save it), seeded.

Times, median of ``--runs`` runs on an emptied task/message table each (emptied outside the timing):

- **ours**: ``baifang.care.services.run_daily(day)`` — tasks, messages and sending them (log gateway);
  the time spent in ``send_pending`` is reported apart;
- **second run**: ``run_daily(day)`` again on the same day — it must create nothing (idempotency);
- **baseline**: a plain-Python pass over every contact and every active rule (tier and audience
  filters, customer status, ``baifang.core.calendar.lunar_birthday`` — the untabled conversion — and
  ``festivals``) that computes the (rule, contact, occasion key, date) tasks and (contact, occasion key)
  messages the day owes, reading the contacts in one query.

on (a) a festival window day (``window``: 中秋 2026 − 3 days, so the gift rule's 7 lead days reach 中秋)
and (b) an ordinary day (``ordinary``: birthdays and anniversaries only); ``--days greeting`` adds 中秋
itself, when the greeting SMS rules build and send a message to every C contact and A/B class II
contact (slow: sending is about one UPDATE per message). The tasks and messages
``run_daily`` created must equal the baseline's sets, else the script exits 1 and writes no ratio.
Target: < 60 s per day at full scale. Writes ``benchmarks/results/care.json``.
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

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_care_bench"
RESULTS = ROOT / "benchmarks" / "results" / "care.json"
TARGET_SECONDS = 60.0
ORDINARY_DAY = dt.date(2026, 11, 18)  # no festival within 7 days
CUSTOMERS_PER_REP = 200
TEAMS_PER_DEPARTMENT = 4
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
# Leap months of lunar years 2020–2028 (闰四月 2020, 闰二月 2023, 闰六月 2025, 闰五月 2028) and two
# that no nearby year has: in a year without its leap month the birthday falls in the ordinary month.
LEAP_MONTHS = (2, 4, 5, 6, 9, 11)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--contacts", type=int, default=None, help="default: twice the customers")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument(
        "--days",
        default="window,ordinary",
        help=f"comma list of window (中秋 2026 − 3 days), ordinary ({ORDINARY_DAY}), greeting (中秋 2026 itself: every "
        "C contact and A/B class II contact is greeted and sent — slow, see docs/benchmarks.md)",
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_CARE_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--fresh", action="store_true", help="drop and refill the benchmark database")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    if args.contacts is None:
        args.contacts = 2 * args.customers
    return args


def setup_django(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


# --- data -------------------------------------------------------------------------------------


def _org(reps: int):
    from baifang.org.models import OrgUnit, Position, PositionAssignment, User

    positions = {
        kind: Position.objects.get_or_create(code=f"bench-{kind}", defaults={"name": kind, "kind": kind})[0]
        for kind in ("leader", "dept_manager", "supervisor", "field_rep")
    }
    company = OrgUnit.objects.create(name="公司", code="bench-company", kind="company")
    leadership = OrgUnit.objects.create(
        name="公司领导", code="bench-leadership", kind="leadership", parent=company
    )
    departments = max(1, reps // 100)
    teams = []
    users: list[tuple[User, str, OrgUnit]] = []
    leader = User(username="bench-leader", display_name="总经理", unit=leadership, password="!")
    users.append((leader, "leader", leadership))
    for d in range(departments):
        dept = OrgUnit.objects.create(
            name=f"营销部{d + 1}", code=f"bench-dept-{d}", kind="field_sales", parent=company
        )
        users.append(
            (
                User(username=f"bench-dm-{d}", display_name=f"部门经理{d + 1}", unit=dept, password="!"),
                "dept_manager",
                dept,
            )
        )
        for t in range(TEAMS_PER_DEPARTMENT):
            team = OrgUnit.objects.create(
                name=f"营销部{d + 1}·{t + 1}组", code=f"bench-team-{d}-{t}", kind="field_sales", parent=dept
            )
            teams.append(team)
            # Every third team has no supervisor: the vacant position falls back (R-CARE-2).
            if t % 3 != 2:
                users.append(
                    (
                        User(
                            username=f"bench-sup-{d}-{t}", display_name=f"主管{d}{t}", unit=team, password="!"
                        ),
                        "supervisor",
                        team,
                    )
                )
    rep_users = []
    for r in range(reps):
        team = teams[r % len(teams)]
        user = User(username=f"bench-rep-{r}", display_name=f"营销员{r + 1}", unit=team, password="!")
        users.append((user, "field_rep", team))
        rep_users.append(user)
    User.objects.bulk_create([u for u, _k, _t in users])
    PositionAssignment.objects.bulk_create(
        [PositionAssignment(user=u, position=positions[kind], unit=unit) for u, kind, unit in users]
    )
    return [(u.pk, u.unit_id) for u in rep_users]


def _birthday(rnd: random.Random) -> dict:
    roll = rnd.random()
    if roll < 0.55:
        if rnd.random() < 0.01:
            return {
                "birthday_calendar": "solar",
                "birthday": dt.date(rnd.choice((1964, 1972, 1980, 1988)), 2, 29),
            }
        start = dt.date(1960, 1, 1)
        return {"birthday_calendar": "solar", "birthday": start + dt.timedelta(days=rnd.randrange(40 * 365))}
    if roll < 0.9:
        day_roll = rnd.random()
        day = 30 if day_roll < 0.05 else rnd.randint(1, 29)
        month = rnd.randint(1, 12)
        leap = False
        if rnd.random() < 0.03:
            month, leap = rnd.choice(LEAP_MONTHS), True
        return {
            "birthday_calendar": "lunar",
            "lunar_birth_month": month,
            "lunar_birth_day": day,
            "lunar_birth_leap": leap,
        }
    return {"birthday_calendar": "solar", "birthday": None}


def copy_create(objs: list) -> list:
    """``bulk_create`` through ``COPY``: ids drawn from the table's sequence, every column as Django saves it."""
    from django.db import connection

    if not objs:
        return objs
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [meta.db_table, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(["id", *(connection.ops.quote_name(f.column) for f in fields)])
        with cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        ) as copy:
            for obj in objs:
                copy.write_row(
                    [obj.pk, *(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)]
                )
    return objs


def ensure_data(customers: int, contacts: int, seed: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from baifang.customers.models import Anniversary, Contact, Customer
    from baifang.presets import loader
    from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier

    call_command("migrate", verbosity=0)
    have = Customer.objects.count()
    if have == customers and Contact.objects.count() == contacts:
        print(f"reusing {customers:,} customers and {contacts:,} contacts")
        return {"generated": False}
    if have:
        raise SystemExit("The benchmark database holds another size: re-run with --fresh.")
    print(f"generating {customers:,} customers and {contacts:,} contacts ...")
    started = time.perf_counter()
    rnd = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        loader.load("distribution")
        scheme = ClassificationScheme.objects.get(code="importance")
        tiers = {t.code: t.pk for t in Tier.objects.filter(scheme=scheme)}
        reps = _org(max(5, customers // CUSTOMERS_PER_REP))
        types = ("agent_l1", "agent_l2", "distributor", "retailer", "end_user")
        made = 0
        chunk = 10_000
        contact_ids = []
        while made < customers:
            n = min(chunk, customers - made)
            batch = []
            for i in range(made, made + n):
                owner, unit = reps[i % len(reps)]
                status = "lost" if rnd.random() < 0.02 else "dormant" if rnd.random() < 0.05 else "active"
                name = f"客户{i:07d}"
                batch.append(
                    Customer(
                        code=f"KH{i:07d}",
                        name=name,
                        normalized_name=name,
                        customer_type=rnd.choice(types),
                        owner_id=owner,
                        unit_id=unit,
                        status=status,
                    )
                )
            rows = copy_create(batch)
            ratings = []
            for c in rows:
                roll = rnd.random()
                code = "A" if roll < 0.15 else "B" if roll < 0.6 else "C" if roll < 0.95 else None
                if code:
                    ratings.append(
                        CustomerTier(
                            customer_id=c.pk,
                            scheme=scheme,
                            tier_id=tiers[code],
                            source="rule",
                            assigned_at=now,
                        )
                    )
            copy_create(ratings)
            # Contacts spread over this chunk's customers: each gets one, the rest at random.
            share = contacts * (made + n) // customers - contacts * made // customers
            owners = [c.pk for c in rows]
            picks = owners[: min(share, n)] + [rnd.choice(owners) for _ in range(max(0, share - n))]
            people = []
            for k, customer_id in enumerate(picks):
                roll = rnd.random()
                audience = "I" if roll < 0.25 else "II" if roll < 0.65 else "III" if roll < 0.85 else ""
                people.append(
                    Contact(
                        customer_id=customer_id,
                        name=f"{rnd.choice(SURNAMES)}{k % 1000:03d}",
                        title=rnd.choice(("董事长", "总经理", "副总", "经理", "主管", "")),
                        audience_class=audience,
                        mobile=f"13{rnd.randrange(10**9):09d}" if rnd.random() < 0.9 else "",
                        **_birthday(rnd),
                    )
                )
            contact_ids += [c.pk for c in copy_create(people)]
            made += n
        anniversaries = [
            Anniversary(
                contact_id=pk,
                name="结婚纪念日" if rnd.random() < 0.5 else "公司成立",
                date=dt.date(1990, 1, 1) + dt.timedelta(days=rnd.randrange(30 * 365)),
            )
            for pk in rnd.sample(contact_ids, len(contact_ids) // 20)
        ]
        copy_create(anniversaries)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    seconds = round(time.perf_counter() - started, 1)
    print(f"generation took {seconds}s")
    return {"generated": True, "seconds": seconds}


# --- the baseline -----------------------------------------------------------------------------


def baseline(day: dt.date) -> tuple[set, set]:
    """What ``run_daily(day)`` should create, from every contact and rule in plain Python.

    Returns ({(rule id, contact id, occasion key, occasion date)} for tasks,
    {(contact id, occasion key)} for messages). Each contact's birthday is resolved once per solar year
    of the longest window (lunar ones by ``core.calendar.lunar_birthday``, memoised per lunar date).
    """
    from collections import defaultdict

    from baifang.care.choices import MESSAGE_ACTIONS
    from baifang.care.models import CareRule
    from baifang.core.calendar import festivals, lunar_birthday
    from baifang.customers.models import Anniversary, Contact
    from baifang.tiers.models import CustomerTier

    rules = list(CareRule.objects.filter(is_active=True).select_related("template").prefetch_related("tiers"))
    longest = max((max(0, r.lead_days) for r in rules), default=0)
    all_years = range(day.year, (day + dt.timedelta(days=longest)).year + 1)

    def yearly(month, d, year):
        if month == 2 and d == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
            return dt.date(year, 2, 28)
        return dt.date(year, month, d)

    tiers_of: dict[int, set[int]] = defaultdict(set)
    rows = CustomerTier.objects.values_list("customer_id", "tier_id").iterator(chunk_size=20000)
    for customer_id, tier_id in rows:
        tiers_of[customer_id].add(tier_id)
    no_tiers: frozenset[int] = frozenset()
    tiers_of = {k: frozenset(v) for k, v in tiers_of.items()}
    anniversaries: dict[int, list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, contact_id, date in Anniversary.objects.values_list("pk", "contact_id", "date"):
        anniversaries[contact_id].append((pk, date))
    lunar_cache: dict[tuple, dt.date] = {}
    # (contact id, its customer's tiers, audience class, its birthdays in all_years)
    people = []
    rows = Contact.objects.values_list(
        "pk",
        "customer_id",
        "customer__status",
        "customer__merged_into",
        "audience_class",
        "birthday_calendar",
        "birthday",
        "lunar_birth_month",
        "lunar_birth_day",
        "lunar_birth_leap",
    ).iterator(chunk_size=20000)
    for pk, customer_id, status, merged, klass, calendar, birthday, lmonth, lday, lleap in rows:
        if merged is not None or status in ("lost", "blacklisted"):
            continue
        births = []
        if calendar == "lunar" and lmonth and lday:
            for year in all_years:
                key = (year, lmonth, lday, lleap)
                if key not in lunar_cache:
                    lunar_cache[key] = lunar_birthday(*key)
                births.append(lunar_cache[key])
        elif calendar == "solar" and birthday:
            births = [yearly(birthday.month, birthday.day, year) for year in all_years]
        people.append((pk, tiers_of.get(customer_id, no_tiers), klass, births))

    tasks, messages = set(), set()
    for rule in rules:
        last = day + dt.timedelta(days=max(0, rule.lead_days))
        years = range(day.year, last.year + 1)
        is_message = rule.action in MESSAGE_ACTIONS and rule.template_id and rule.template.is_active
        tier_ids = frozenset(t.pk for t in rule.tiers.all())
        audience = set(rule.audience_classes or ())
        fixed = []  # festival / company-date occasions: the same for every contact
        if rule.occasion == "festival":
            fixed = [
                (f"festival:{f.code}:{f.date.year}", f.date)
                for year in years
                for f in festivals(year)
                if day <= f.date <= last and (not rule.festival or f.code == rule.festival)
            ]
            if not fixed:
                continue
        elif rule.occasion == "company_date":
            cd = rule.company_date
            for year in years:
                date = yearly(cd.month, cd.day, year)
                if day <= date <= last:
                    fixed.append((f"company:{cd.pk}:{year}", date))
            if not fixed:
                continue
        for pk, tiers, klass, births in people:
            if tier_ids and tiers.isdisjoint(tier_ids):
                continue
            if audience and klass not in audience:
                continue
            if rule.occasion == "birthday":
                found = {(f"birthday:{d.year}", d) for d in births if day <= d <= last}
            elif rule.occasion == "anniversary":
                found = set()
                for apk, adate in anniversaries.get(pk, ()):
                    for year in years:
                        date = yearly(adate.month, adate.day, year)
                        if day <= date <= last:
                            found.add((f"anniversary:{apk}:{year}", date))
            else:
                found = fixed
            for key, date in found:
                if is_message:
                    if date - dt.timedelta(days=rule.lead_days) <= day:
                        messages.add((pk, key))
                else:
                    tasks.add((rule.pk, pk, key, date))
    return tasks, messages


# --- timing -----------------------------------------------------------------------------------


def empty_tables() -> None:
    """A fresh task and message table (outside the timing)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE care_message, care_messagebatch, care_caretask CASCADE")
        cursor.execute("DELETE FROM core_notification WHERE kind LIKE %s", ["care%"])


def created() -> tuple[set, set]:
    from baifang.care.models import CareTask, Message

    tasks = set(CareTask.objects.values_list("rule_id", "contact_id", "occasion_key", "occasion_date"))
    messages = set(Message.objects.values_list("contact_id", "occasion_key"))
    return tasks, messages


def measure_day(label: str, day: dt.date, runs: int) -> dict:
    from django.db import connection

    from baifang.care import services

    send_seconds: list[float] = []
    real_send = services.send_pending

    def timed_send(*args, **kwargs):  # times the real function; run_daily looks it up in the module
        started = time.perf_counter()
        try:
            return real_send(*args, **kwargs)
        finally:
            send_seconds.append(time.perf_counter() - started)

    services.send_pending = timed_send
    try:
        samples, result = [], None
        for n in range(runs):
            empty_tables()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE care_caretask")
                cursor.execute("VACUUM ANALYZE care_message")
            started = time.perf_counter()
            result = services.run_daily(day)
            samples.append(time.perf_counter() - started)
            print(
                f"  {label} run {n + 1}: {samples[-1]:.2f}s ({result.tasks:,} tasks, {result.messages:,} messages)"
            )
        ours_tasks, ours_messages = created()
        send_of_runs = list(send_seconds)
        started = time.perf_counter()
        second = services.run_daily(day)
        second_s = time.perf_counter() - started
    finally:
        services.send_pending = real_send
    after_tasks, after_messages = created()
    started = time.perf_counter()
    floor_tasks, floor_messages = baseline(day)
    floor_s = time.perf_counter() - started
    same = ours_tasks == floor_tasks and ours_messages == floor_messages
    idempotent = (
        second.tasks == 0
        and second.messages == 0
        and after_tasks == ours_tasks
        and after_messages == ours_messages
    )
    ours_s = statistics.median(samples)
    row = {
        "day": day.isoformat(),
        "tasks": len(ours_tasks),
        "messages": len(ours_messages),
        "sent": result.sent,
        "notified": result.notified,
        "by_rule": result.by_rule,
        "runs": runs,
        "ours_seconds": round(ours_s, 2),
        "ours_samples": [round(s, 2) for s in samples],
        "send_seconds": round(statistics.median(send_of_runs), 2),
        "generate_seconds": round(
            statistics.median(s - t for s, t in zip(samples, send_of_runs, strict=True)), 2
        ),
        "second_run_seconds": round(second_s, 2),
        "second_run_created": second.tasks + second.messages,
        "idempotent": idempotent,
        "baseline_seconds": round(floor_s, 2),
        "baseline_tasks": len(floor_tasks),
        "baseline_messages": len(floor_messages),
        "same_answer": same,
        "meets_target": ours_s < TARGET_SECONDS,
    }
    if row["sent"]:
        row["send_ms_per_message"] = round(1000 * row["send_seconds"] / row["sent"], 2)
    if same and floor_s:
        row["ratio_ours_over_baseline"] = round(ours_s / floor_s, 2)
        row["ratio_generate_over_baseline"] = round(row["generate_seconds"] / floor_s, 2)
    else:
        row["difference"] = {
            "tasks_only_ours": sorted(map(str, ours_tasks - floor_tasks))[:10],
            "tasks_only_baseline": sorted(map(str, floor_tasks - ours_tasks))[:10],
            "messages_only_ours": sorted(map(str, ours_messages - floor_messages))[:10],
            "messages_only_baseline": sorted(map(str, floor_messages - ours_messages))[:10],
        }
    empty_tables()
    return row


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="care")
    setup_django(args.database_url)
    data = ensure_data(args.customers, args.contacts, args.seed)
    from baifang.core.calendar import festivals

    mid_autumn = next(f.date for f in festivals(2026) if f.code == "mid_autumn")
    days = {"window": mid_autumn - dt.timedelta(days=3), "ordinary": ORDINARY_DAY, "greeting": mid_autumn}
    wanted = [d.strip() for d in args.days.split(",") if d.strip()]
    if not wanted or set(wanted) - set(days):
        raise SystemExit(f"--days takes a comma list of {', '.join(days)}")
    load_before = os.getloadavg()
    rows = {}
    for label, day in ((w, days[w]) for w in wanted):
        print(f"{label} day {day}:")
        rows[label] = measure_day(label, day, args.runs)
    load_after = os.getloadavg()
    ok = all(r["same_answer"] and r["idempotent"] for r in rows.values())
    result = {
        "benchmark": "daily care job (R-CARE-1..4)",
        "customers": args.customers,
        "contacts": args.contacts,
        "target_seconds": TARGET_SECONDS,
        "meets_target": all(r["meets_target"] for r in rows.values()),
        "same_answer": ok,
        "days": rows,
        "load_average": {
            "before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in load_after],
        },
        "data": data,
        "machine": machine_info(),
    }
    args.output.parent.mkdir(exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print()
    print(
        f"{args.customers:,} customers, {args.contacts:,} contacts; load {load_before[0]:.2f} → {load_after[0]:.2f}"
    )
    print(
        "| day | tasks | messages | run_daily s | of which sending s | 2nd run s | baseline s | ours/baseline | same |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for label, r in rows.items():
        ratio = r.get("ratio_ours_over_baseline", "—")
        print(
            f"| {label} {r['day']} | {r['tasks']:,} | {r['messages']:,} | {r['ours_seconds']} | {r['send_seconds']} "
            f"| {r['second_run_seconds']} | {r['baseline_seconds']} | {ratio} | {r['same_answer'] and r['idempotent']} |"
        )
    if not ok:
        print("DIFFERENT ANSWERS (or a second run created something): see the JSON", file=sys.stderr)
        return 1
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
