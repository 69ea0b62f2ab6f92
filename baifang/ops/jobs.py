"""Every background job's runs, recorded; failures shown to admins and re-run from there (issue 18).

``connect()`` (from ``OpsConfig.ready()``) hooks into huey — the queue behind both ``db_periodic_task``
jobs and django-tasks (``TASKS`` uses huey's backend) — so no job module needs to change:

- queued (``SIGNAL_ENQUEUED``, also fired by the consumer's scheduler for periodic jobs): a pending row;
- started (``SIGNAL_EXECUTING``): running, with its start;
- ended (a post-execute hook, which sees the result and the exception): succeeded or failed, with the
  end, the result (short text) or the error with its traceback.

A recording failure is logged and never breaks the job. ``flag_missed`` (each morning) writes a "did not
run" row for each nightly run that should have happened in the last day and has no row.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from huey import signals

from baifang.ops.choices import RunStatus
from baifang.ops.models import JobRun

logger = logging.getLogger(__name__)

RESULT_MAX = 2000
ERROR_MAX = 20000
# A scheduled job that runs at most this often a day counts as "nightly" for the missed-run check.
NIGHTLY_MAX_PER_DAY = 4
# A run counts as having happened when it was queued or started within this time after it was due.
GRACE = dt.timedelta(minutes=30)
SELF_CHECK = "baifang.ops.tasks.missed_runs_check"


def huey():
    from huey.contrib.djhuey import HUEY

    return HUEY


def task_name(task) -> str:
    return huey()._registry.task_to_string(type(task))


def _json_args(task):
    try:
        data = {"args": list(task.args or ()), "kwargs": dict(task.kwargs or {})}
        json.dumps(data)
    except (TypeError, ValueError):
        return None
    return data


def _is_periodic(task) -> bool:
    from huey.api import PeriodicTask

    return isinstance(task, PeriodicTask)


def _safely(fn):
    def hook(*args, **kwargs):
        try:
            fn(*args, **kwargs)
        except Exception:  # recording must never break the job it records
            logger.exception("Could not record a job run")

    hook.__name__ = fn.__name__
    return hook


@_safely
def on_enqueued(signal, task, *args, **kwargs):
    JobRun.objects.update_or_create(
        task_id=task.id,
        status=RunStatus.PENDING,
        defaults={
            "name": task_name(task),
            "periodic": _is_periodic(task),
            "args": _json_args(task),
            "enqueued_at": timezone.now(),
        },
    )


@_safely
def on_executing(signal, task, *args, **kwargs):
    updated = JobRun.objects.filter(task_id=task.id, status=RunStatus.PENDING).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )
    if not updated:  # queued before runs were recorded, or a retry of a failed attempt
        JobRun.objects.create(
            task_id=task.id,
            name=task_name(task),
            periodic=_is_periodic(task),
            args=_json_args(task),
            status=RunStatus.RUNNING,
            started_at=timezone.now(),
        )


@_safely
def on_finished(task, value, exception):
    now = timezone.now()
    run = JobRun.objects.filter(task_id=task.id, status=RunStatus.RUNNING).order_by("-id").first()
    if run is None:
        run = JobRun(task_id=task.id, name=task_name(task), periodic=_is_periodic(task), started_at=now)
    run.finished_at = now
    if exception is None:
        run.status = RunStatus.SUCCEEDED
        run.result = "" if value is None else _short(value)
    else:
        run.status = RunStatus.FAILED
        run.error = "".join(traceback.format_exception(exception))[-ERROR_MAX:]
    run.save()
    if exception is None and run.retry_of_id is None:
        # A later successful run of the same scheduled job settles its earlier failures.
        if run.periodic:
            JobRun.objects.failures().filter(name=run.name, id__lt=run.id).update(resolved_at=now)


def _short(value) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text[:RESULT_MAX]


def connect() -> None:
    """Attach the hooks to huey (idempotent: ``ready()`` may run twice)."""
    queue = huey()
    queue.disconnect_signal(on_enqueued)
    queue.disconnect_signal(on_executing)
    queue.signal(signals.SIGNAL_ENQUEUED)(on_enqueued)
    queue.signal(signals.SIGNAL_EXECUTING)(on_executing)
    queue.post_execute("baifang_ops_job_runs")(on_finished)


# --- what admins do ------------------------------------------------------------------------------


def may_manage_jobs(user) -> bool:
    from baifang.org.choices import PositionKind

    return (
        user.is_authenticated and user.is_active and (user.is_staff or user.has_position(PositionKind.ADMIN))
    )


def can_retry(run: JobRun) -> bool:
    if not run.is_failure or run.resolved_at is not None:
        return False
    if run.status == RunStatus.MISSED or run.periodic:
        return True
    return run.args is not None and run.name in huey()._registry._registry


def retry(run: JobRun, *, by) -> JobRun:
    """Queue the job of a failed (or missed) run again with its arguments; the failure is settled when
    the new run succeeds (``on_finished``) — here it is marked resolved by ``by`` and linked."""
    if not may_manage_jobs(by):
        raise PermissionDenied(_("Only administrators may re-run background jobs."))
    with transaction.atomic():
        run = JobRun.objects.select_for_update().get(pk=run.pk)
        if not can_retry(run):
            raise ValidationError(
                _("This run cannot be re-run (it did not fail, or was already re-run)."), code="not_retryable"
            )
        try:
            task_class = huey()._registry.string_to_task(run.name)
        except Exception as exc:
            raise ValidationError(
                _("This job no longer exists in this version."), code="not_retryable"
            ) from exc
        args = run.args or {"args": [], "kwargs": {}}
        task = task_class(tuple(args["args"]), args["kwargs"]) if not run.periodic else task_class()
        run.resolved_at = timezone.now()
        run.resolved_by = by
        run.save(update_fields=["resolved_at", "resolved_by"])
        # The new row is written now (so the link holds even in immediate mode).
        retry_row = JobRun.objects.create(
            task_id=task.id,
            name=run.name,
            periodic=run.periodic,
            args=run.args,
            retry_of=run,
            enqueued_at=timezone.now(),
        )
    from baifang.core import audit
    from baifang.core.choices import AuditAction

    audit.record(AuditAction.UPDATE, run, user=by, message=f"re-run {run.name}")
    huey().enqueue(task)
    retry_row.refresh_from_db()
    return retry_row


def dismiss(run: JobRun, *, by) -> None:
    if not may_manage_jobs(by):
        raise PermissionDenied(_("Only administrators may re-run background jobs."))
    JobRun.objects.filter(pk=run.pk, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )


# --- scheduled runs that did not happen -----------------------------------------------------------


def expected_runs(task, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The minutes in [start, end) at which the periodic ``task`` was due, in huey's own clock (naive
    local time unless huey runs in UTC)."""
    minute = start.replace(second=0, microsecond=0)
    if minute < start:
        minute += dt.timedelta(minutes=1)
    due = []
    while minute < end:
        if task.validate_datetime(minute):
            due.append(minute)
        minute += dt.timedelta(minutes=1)
    return due


def _aware(naive: dt.datetime) -> dt.datetime:
    if huey().utc:
        return naive.replace(tzinfo=dt.UTC)
    return naive.astimezone()  # the server's local time, as huey's scheduler reads it


def flag_missed(now: dt.datetime | None = None) -> int:
    """Write a "did not run" row for each nightly run due in the last 24 hours (up to ``GRACE`` ago) that
    was neither queued nor started; returns how many were flagged. Idempotent (one flag per due time)."""
    autodiscover_modules("tasks")  # the consumer imports every app's jobs; a web process may not have
    queue = huey()
    now_naive = now or (dt.datetime.now(dt.UTC) if queue.utc else dt.datetime.now())
    if now_naive.tzinfo is not None:
        now_naive = now_naive.astimezone(dt.UTC if queue.utc else None).replace(tzinfo=None)
    start, end = now_naive - dt.timedelta(days=1), now_naive - GRACE
    # Before the first recorded run nobody was recording: those due times are not known to be missed.
    first = (
        JobRun.objects.exclude(status=RunStatus.MISSED)
        .order_by("id")
        .values_list("enqueued_at", "started_at")
        .first()
    )
    recording_since = min((t for t in (first or ()) if t is not None), default=None)
    if recording_since is None:
        return 0
    flagged = 0
    for task in queue._registry.periodic_tasks:
        name = task_name(task)
        if name == SELF_CHECK:
            continue
        day = expected_runs(task, now_naive - dt.timedelta(days=1), now_naive)
        if not day or len(day) > NIGHTLY_MAX_PER_DAY:
            continue
        for due_naive in (d for d in day if start <= d < end):
            due = _aware(due_naive)
            if due < recording_since:
                continue
            ran = (
                JobRun.objects.filter(name=name)
                .exclude(status=RunStatus.MISSED)
                .filter(models_q_between(due, due + GRACE))
            )
            if ran.exists():
                continue
            try:
                with transaction.atomic():
                    JobRun.objects.create(
                        name=name,
                        periodic=True,
                        status=RunStatus.MISSED,
                        expected_at=due,
                        error=_("Scheduled for %(at)s and did not run: is the job consumer (huey) running?")
                        % {"at": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
                    )
                flagged += 1
            except IntegrityError:  # flagged already (a second run of the check)
                continue
    return flagged


def models_q_between(low: dt.datetime, high: dt.datetime):
    from django.db.models import Q

    return Q(enqueued_at__gte=low, enqueued_at__lt=high) | Q(started_at__gte=low, started_at__lt=high)


# --- the queue, for /readyz -----------------------------------------------------------------------


def oldest_pending_age(limit: int = 500) -> tuple[int, dt.timedelta | None]:
    """How many jobs wait in the queue, and how long the oldest recorded one has waited (None: none)."""
    queue = huey()
    waiting = queue.pending_count()
    if not waiting:
        return 0, None
    ids = [task.id for task in queue.pending(limit=limit)]
    first = (
        JobRun.objects.filter(task_id__in=ids, status=RunStatus.PENDING, enqueued_at__isnull=False)
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    return waiting, (timezone.now() - first) if first else None
