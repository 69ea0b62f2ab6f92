"""`baifang plan generate --user U --month YYYY-MM` and `baifang plan list --month YYYY-MM` (R-PLAN-3, R-PLAN-4).

``generate`` drafts (or redrafts) a rep's monthly plan from their obligations and prints what it did:
items per source, days used, and the obligations that could not be fitted, per reason. Items the rep
added by hand are kept. ``list`` shows every rep's monthly plan for a month: status, version, items,
deadline and lateness.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils import timezone

from baifang.org.choices import PositionKind
from baifang.org.models import OrgUnit, User
from baifang.plans import periods, services
from baifang.plans.choices import PlanKind, PlanStatus
from baifang.plans.models import Plan


def month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"Give the month as YYYY-MM, not {text!r}.") from exc


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Give the date as YYYY-MM-DD, not {text!r}.") from exc


class Command(BaseCommand):
    help = "Generate a rep's monthly plan, or list the reps' monthly plans of a month."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser("generate", help="draft or redraft a rep's monthly plan (R-PLAN-4)")
        generate.add_argument("--user", required=True, help="the rep's username")
        generate.add_argument("--month", required=True, type=month, help="YYYY-MM")
        generate.add_argument("--today", type=day, default=None, help="plan from this day on (default today)")
        generate.add_argument("--json", action="store_true", help="machine-readable output")
        listing = sub.add_parser("list", help="the reps' monthly plans of a month (R-PLAN-3)")
        listing.add_argument("--month", required=True, type=month, help="YYYY-MM")
        listing.add_argument("--unit", help="org unit code: limit to its subtree")
        listing.add_argument("--today", type=day, default=None, help="judge lateness as of this day")
        listing.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, action, **options):
        if action == "generate":
            self.generate(options["user"], options["month"], options["today"], options["json"])
        else:
            self.list(options["month"], options["unit"], options["today"], options["json"])

    # --- generate -------------------------------------------------------------------------------
    def generate(self, username: str, first: dt.date, today: dt.date | None, as_json: bool) -> None:
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        plan = services.get_or_create_plan(user, PlanKind.MONTH, first)
        try:
            result = services.generate_month(plan, by=user, today=today)
        except PermissionDenied as exc:
            raise CommandError(
                f"The plan is {plan.status}: only a draft or returned plan is generated "
                "(an approved one must be reopened first)."
            ) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        plan.refresh_from_db()
        new = [i for i in result.items if not i.fixed]
        per_source = Counter(str(i.kind) for i in new)
        kept = len(result.items) - len(new)
        days = sorted({i.day for i in result.items})
        cannot: dict[str, list[int]] = {}
        for c in result.cannot_fit:
            row = cannot.setdefault(str(c.reason), [0, 0])
            row[0] += 1
            row[1] += c.missing
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "plan": plan.pk,
                        "user": user.username,
                        "month": f"{first:%Y-%m}",
                        "status": plan.status,
                        "lock_version": plan.lock_version,
                        "items": len(new),
                        "items_by_source": dict(sorted(per_source.items())),
                        "kept": kept,
                        "days": len(days),
                        "cannot_fit": {
                            k: {"needs": v[0], "touches": v[1]} for k, v in sorted(cannot.items())
                        },
                        "runtime_s": round(result.runtime_s, 3),
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"{plan} (plan {plan.pk}, {plan.status}, lock_version {plan.lock_version})")
        self.stdout.write(
            f"{len(new)} items generated, {kept} kept from before, on {len(days)} days "
            f"({result.runtime_s:.2f} s)"
        )
        for source, n in sorted(per_source.items()):
            self.stdout.write(f"  {source:<12} {n:>5}")
        if not cannot:
            self.stdout.write(self.style.SUCCESS("Every obligation fitted."))
            return
        needs = sum(v[0] for v in cannot.values())
        touches = sum(v[1] for v in cannot.values())
        self.stdout.write(self.style.WARNING(f"Cannot fit: {needs} obligations ({touches} touches)"))
        for reason, (n, missing) in sorted(cannot.items()):
            self.stdout.write(f"  {reason:<12} {n:>5} ({missing} touches)")

    # --- list -----------------------------------------------------------------------------------
    def list(self, first: dt.date, unit_code: str | None, today: dt.date | None, as_json: bool) -> None:
        today = today or timezone.localdate()
        start = periods.month_start(first)
        plans = Plan.objects.for_lists().filter(kind=PlanKind.MONTH, period_start=start)
        reps = User.objects.filter(is_active=True, assignments__position__kind=PositionKind.FIELD_REP)
        if unit_code:
            try:
                unit = OrgUnit.objects.get(code=unit_code)
            except OrgUnit.DoesNotExist as exc:
                raise CommandError(f"No org unit with code {unit_code!r}.") from exc
            plans = plans.filter(owner__unit__path__startswith=unit.path)
            reps = reps.filter(unit__path__startswith=unit.path)
        by_owner = {p.owner_id: p for p in plans}
        people = {
            u.pk: u
            for u in User.objects.filter(Q(pk__in=reps.values("pk")) | Q(pk__in=list(by_owner)))
            .select_related("unit")
            .order_by("unit__path", "username")
        }
        rows = [_row(user, by_owner.get(pk), today) for pk, user in people.items()]
        if as_json:
            self.stdout.write(json.dumps({"month": f"{start:%Y-%m}", "rows": rows}, ensure_ascii=False))
            return
        self.stdout.write(f"Monthly plans for {start:%Y-%m} ({len(rows)} reps)")
        self.stdout.write(
            f"{'rep':<16} {'unit':<12} {'status':<10} {'ver':>3} {'items':>5} {'deadline':<10} "
            f"{'submitted':<10} late"
        )
        for r in rows:
            self.stdout.write(
                f"{r['user']:<16} {r['unit']:<12} {r['status']:<10} {r['version']:>3} {r['items']:>5} "
                f"{r['deadline'] or '—':<10} {r['submitted'] or '—':<10} {r['late']}"
            )
        counts = Counter(r["status"] for r in rows)
        late = sum(1 for r in rows if r["late"] in ("late", "overdue"))
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(f"{summary}; {late} late or overdue")


def _row(user, plan: Plan | None, today: dt.date) -> dict:
    unit = user.unit.code if user.unit_id else ""
    if plan is None:
        return {
            "user": user.username,
            "unit": unit,
            "status": "none",
            "version": 0,
            "items": 0,
            "deadline": None,
            "submitted": None,
            "late": "",
        }
    if plan.submitted_at is not None:
        late = "late" if plan.is_late else "on time"
    elif plan.status == PlanStatus.DRAFT and today > plan.deadline:
        late = "overdue"
    else:
        late = ""
    return {
        "user": user.username,
        "unit": unit,
        "status": plan.status,
        "version": plan.version,
        "items": plan.item_count,
        "deadline": plan.deadline.isoformat(),
        "submitted": timezone.localdate(plan.submitted_at).isoformat() if plan.submitted_at else None,
        "late": late,
    }
