"""``/healthz`` and ``/readyz`` for load balancers and monitors: JSON, no sign-in, no data (issue 18).

``/healthz`` answers 200 while the process serves requests. ``/readyz`` answers 503 when a check the
server cannot serve without fails (database, migrations, queue) — a load balancer takes it out — and
200 otherwise. Its ``status`` is ``ok`` when every check passes, ``degraded`` when only a warning check
fails (calendar, backup: the server still serves, but a monitor should tell an administrator), and
``fail`` on a 503. One entry per check (``ok`` and a short, non-sensitive detail):

- ``database``: a ``SELECT 1`` answers;
- ``migrations``: no migration of the code is unapplied;
- ``queue``: the job queue answers, and its oldest recorded waiting job waited less than
  ``BAIFANG_READY_QUEUE_MAX_MINUTES`` (a stopped consumer shows here before anyone misses a reminder);
- ``calendar``: the official working-day schedule is known for the coming 60 days (R-CAL-1);
- ``backup``: the last nightly backup did not fail (no backup yet is not a failure).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

CALENDAR_HORIZON_DAYS = 60


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return {"ok": False, "detail": "unreachable"}
    return {"ok": True}


def _migrations() -> dict:
    try:
        executor = MigrationExecutor(connection)
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return {"ok": False, "detail": "unknown"}
    return {"ok": not unapplied, "unapplied": len(unapplied)}


def _queue() -> dict:
    from baifang.ops import jobs

    limit = dt.timedelta(minutes=settings.BAIFANG["READY_QUEUE_MAX_MINUTES"])
    try:
        waiting, age = jobs.oldest_pending_age()
    except Exception:  # any storage error (Redis down, SQLite file locked) means: not reachable
        return {"ok": False, "detail": "unreachable"}
    seconds = int(age.total_seconds()) if age is not None else None
    return {"ok": age is None or age < limit, "waiting": waiting, "oldest_seconds": seconds}


def _calendar() -> dict:
    from baifang.core.calendar import calendar_warning

    warning = calendar_warning(timezone.localdate(), CALENDAR_HORIZON_DAYS)
    return {"ok": warning is None, "days": CALENDAR_HORIZON_DAYS, **({"source": warning} if warning else {})}


def _backup() -> dict:
    from baifang.ops.models import JobRun

    last = (
        JobRun.objects.filter(name="baifang.ops.tasks.nightly_backup", status__in=["succeeded", "failed"])
        .order_by("-finished_at", "-id")
        .values_list("status", "finished_at")
        .first()
    )
    if last is None:
        return {"ok": True, "detail": "none yet"}
    status, finished = last
    return {"ok": status == "succeeded", "last": finished.isoformat() if finished else None}


# Failing one of these does not stop the server serving: readiness stays 200, status "degraded".
WARNINGS = frozenset({"calendar", "backup"})

CHECKS = {
    "database": _database,
    "migrations": _migrations,
    "queue": _queue,
    "calendar": _calendar,
    "backup": _backup,
}


def readiness() -> dict:
    checks = {"database": _database()}
    for name, check in CHECKS.items():
        if name == "database":
            continue
        checks[name] = (
            check()
            if checks["database"]["ok"] or name == "calendar"
            else {"ok": False, "detail": "no database"}
        )
    if not all(c["ok"] for name, c in checks.items() if name not in WARNINGS):
        status = "fail"
    elif not all(c["ok"] for c in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "checks": checks}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    body = readiness()
    return JsonResponse(body, status=503 if body["status"] == "fail" else 200)
