"""`make run`'s first-run bootstrap: demo company, rules, ratings and touches (issue 2 "make run")."""

import pytest
from django.core.management import call_command

from baifang.rules.compliance import Scope, compliance
from baifang.tiers.models import CustomerTier, TierChange
from baifang.visits.models import Touch


@pytest.mark.django_db
def test_first_run_loads_a_usable_demo_and_second_run_changes_nothing(capsys):
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
    call_command("bootstrap", customers=40, reps=4)
    assert Touch.objects.count() == touches
    assert Plan.objects.count() == 2
