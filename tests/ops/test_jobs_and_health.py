"""Background job runs recorded, failures shown and re-run, missed nightly runs flagged; /healthz, /readyz (issue 18)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from huey.storage import MemoryStorage

from baifang.ops import jobs
from baifang.ops.choices import RunStatus
from baifang.ops.models import JobRun
from tests.conftest import client_for

CALLS: list[int] = []


@HUEY.task()
def flaky(n):
    """A job for these tests: fails on its first call with ``n``, succeeds afterwards."""
    CALLS.append(n)
    if CALLS.count(n) == 1:
        raise RuntimeError(f"upstream down for {n}")
    return {"done": n}


@pytest.fixture
def immediate():
    """Run queued jobs at once, in memory, as the consumer would (huey's own immediate mode)."""
    before = HUEY.immediate
    HUEY.immediate = True
    CALLS.clear()
    yield HUEY
    HUEY.immediate = before


@pytest.fixture
def queue(monkeypatch):
    """A real, empty queue in memory, not consumed: what waits stays there."""
    monkeypatch.setattr(HUEY, "storage", MemoryStorage("baifang-test"))
    return HUEY


def test_a_failing_job_is_recorded_with_its_error_and_rerun_succeeds(db, immediate, org):
    flaky(7)
    run = JobRun.objects.get()
    assert run.name == "tests.ops.test_jobs_and_health.flaky" and run.status == RunStatus.FAILED
    assert "upstream down for 7" in run.error and "Traceback" in run.error
    assert run.enqueued_at <= run.started_at <= run.finished_at
    assert run.args == {"args": [7], "kwargs": {}}
    assert list(JobRun.objects.failures()) == [run] and jobs.can_retry(run)

    again = jobs.retry(run, by=org.admin)
    again.refresh_from_db()
    assert again.retry_of == run and again.status == RunStatus.SUCCEEDED and again.result == '{"done": 7}'
    run.refresh_from_db()
    assert run.resolved_by == org.admin and not JobRun.objects.failures().exists()
    assert not jobs.can_retry(run)  # re-run once; a second re-run is refused


def test_only_admins_rerun_and_see_the_pages(db, immediate, org):
    flaky(1)
    run = JobRun.objects.get()
    with pytest.raises(PermissionDenied):
        jobs.retry(run, by=org.manager)
    for user in (org.rep, org.manager, org.leader):
        client = client_for(user)
        assert client.get(reverse("ops:jobs")).status_code == 403
        assert client.get(reverse("ops:job", args=[run.pk])).status_code == 403
        assert client.post(reverse("ops:job-retry", args=[run.pk])).status_code == 403
    assert JobRun.objects.count() == 1


def test_admin_sees_failures_on_the_page_and_home_and_reruns_from_there(
    db, immediate, org, django_assert_max_num_queries
):
    for n in range(5):
        flaky(n)
    client = client_for(org.admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("ops:jobs"))
    assert page.status_code == 200 and page.content.decode().count("flaky") == 5
    home = client.get(reverse("home")).content.decode()
    assert reverse("ops:jobs") in home and "flaky" in home
    run = JobRun.objects.filter(status=RunStatus.FAILED).first()
    detail = client.get(run.get_absolute_url()).content.decode()
    assert "upstream down" in detail
    response = client.post(reverse("ops:job-retry", args=[run.pk]))
    assert response.status_code == 302
    assert JobRun.objects.get(retry_of=run).status == RunStatus.SUCCEEDED
    assert JobRun.objects.failures().count() == 4
    client.post(reverse("ops:job-dismiss", args=[JobRun.objects.failures().first().pk]))
    assert JobRun.objects.failures().count() == 3
    assert "flaky" not in client_for(org.rep).get(reverse("home")).content.decode()


def test_scheduled_job_runs_are_recorded(db, immediate, settings, tmp_path):
    from baifang.ops import tasks

    tasks.missed_runs_check()
    run = JobRun.objects.get(name="baifang.ops.tasks.missed_runs_check")
    assert run.periodic and run.status == RunStatus.SUCCEEDED and run.result == "0"


def test_nightly_runs_that_did_not_happen_are_flagged_the_next_morning(db):
    now = dt.datetime(2026, 12, 2, 9, 0)  # huey's clock: the server's local time, naive
    aware = jobs._aware
    JobRun.objects.create(name="x", status=RunStatus.SUCCEEDED, enqueued_at=aware(dt.datetime(2026, 11, 30)))
    JobRun.objects.create(
        name="baifang.rules.tasks.compliance_windows_refresh",
        periodic=True,
        status=RunStatus.SUCCEEDED,
        enqueued_at=aware(dt.datetime(2026, 12, 2, 0, 20, 5)),
    )
    flagged = jobs.flag_missed(now)
    missed = set(JobRun.objects.filter(status=RunStatus.MISSED).values_list("name", flat=True))
    assert flagged == len(missed)
    assert "baifang.ops.tasks.nightly_backup" in missed
    assert "baifang.visits.tasks.touch_count_states" in missed
    assert "baifang.rules.tasks.compliance_windows_refresh" not in missed  # it ran
    assert "baifang.rules.tasks.special_visit_fulfilment" not in missed  # every 30 minutes: not nightly
    assert "baifang.ops.tasks.missed_runs_check" not in missed
    assert jobs.flag_missed(now) == 0  # idempotent


def test_nothing_is_flagged_before_runs_were_recorded(db):
    assert jobs.flag_missed(dt.datetime(2026, 12, 2, 9, 0)) == 0


# --- health ------------------------------------------------------------------------------------


def test_healthz_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC))
def test_readyz_ok_lists_its_checks_and_nothing_else(db, client, queue):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok", body
    assert set(body["checks"]) == {"database", "migrations", "queue", "calendar", "backup"}
    assert body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["queue"] == {"ok": True, "waiting": 0, "oldest_seconds": None}


@time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC), tick=False)
def test_readyz_fails_when_the_oldest_waiting_job_is_too_old(db, client, queue, settings):
    result = flaky(3)  # queued, never consumed
    JobRun.objects.filter(task_id=result.id).update(enqueued_at=dt.datetime(2025, 6, 2, 9, 30, tzinfo=dt.UTC))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "waiting": 1, "oldest_seconds": 1800}
    settings.BAIFANG = {**settings.BAIFANG, "READY_QUEUE_MAX_MINUTES": 60}
    assert client.get("/readyz").status_code == 200


@time_machine.travel(dt.datetime(2099, 12, 20, 10, tzinfo=dt.UTC))
def test_readyz_is_degraded_not_down_without_official_calendar_for_the_coming_60_days(db, client, queue):
    """A missing holiday schedule is an administrator's to-do, not a reason to take the server out."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["calendar"]["ok"] is False


@time_machine.travel(dt.datetime(2025, 6, 2, 10, tzinfo=dt.UTC))
def test_readyz_shows_a_failed_backup(db, client, queue):
    JobRun.objects.create(
        name="baifang.ops.tasks.nightly_backup",
        periodic=True,
        status=RunStatus.FAILED,
        finished_at=dt.datetime(2025, 6, 1, 17, 30, tzinfo=dt.UTC),
        error="Cannot write to the backup folder",
    )
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["checks"]["backup"] == {"ok": False, "last": "2025-06-01T17:30:00+00:00"}
    assert "Cannot write" not in response.content.decode()  # no detail leaks to an anonymous caller
