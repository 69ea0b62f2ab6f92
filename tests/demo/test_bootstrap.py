"""`make run`'s first-run bootstrap: demo company, rules, ratings and touches (issue 2 "make run")."""

import pytest
from django.core.management import call_command

from baifang.rules.compliance import Scope, compliance
from baifang.tiers.models import CustomerTier, TierChange
from baifang.visits.models import Touch


@pytest.mark.django_db
def test_first_run_loads_a_usable_demo_and_second_run_changes_nothing(capsys, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo import's files
    call_command("bootstrap", customers=40, reps=4)
    out = capsys.readouterr().out
    assert "demo12345" in out and "rep" in out
    assert CustomerTier.objects.filter(scheme__code="importance").count() == 40  # every customer rated
    assert TierChange.objects.filter(batch__isnull=False).count() == 40  # through an approved batch
    touches = Touch.objects.count()
    assert touches > 0
    from django.utils import timezone

    assert sum(c.due for c in compliance(timezone.localdate(), scope=Scope())) > 0
    from baifang.plans.models import Plan

    submitted = Plan.objects.get(owner__username="rep", kind="month")  # R-PLAN-2: one waiting for the manager
    assert submitted.status == "submitted" and submitted.items.exists()
    from baifang.rules.models import ComplianceWindow

    assert ComplianceWindow.objects.exists()  # compliance reads kept windows from the first page on
    # R-VISIT-9: the manager's punctuality report has both demo reps, some visits late, some on time
    import datetime as dt

    from baifang.followups.appointments import punctuality_report
    from baifang.org.models import User

    today = timezone.localdate()
    rows = punctuality_report(User.objects.get(username="manager"), today - dt.timedelta(days=31), today)
    assert {r.rep_name for r in rows} >= {"张伟", "李娜"}
    assert sum(r.tally.late for r in rows) > 0 and sum(r.tally.on_time for r in rows) > 0
    from baifang.core.models import ImportBatch

    imported = ImportBatch.objects.get(kind="customers.archive", created_by__username="market", dry_run=False)
    assert (
        imported.status == "done" and imported.documents_new == 5
    )  # R-ARCH-10: the market persona's history
    call_command("bootstrap", customers=40, reps=4)
    assert Touch.objects.count() == touches
    assert Plan.objects.count() == 2
