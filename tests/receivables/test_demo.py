"""The demo shows receivables for its personas (R-AR-1): rep's customers owe > 90 days, one proposal waits."""

import pytest
from django.core.management import call_command

from baifang.org.models import User
from baifang.receivables import services
from baifang.receivables.models import CreditTerms


@pytest.mark.django_db
def test_the_demo_has_overdue_debt_for_rep_and_a_proposal_for_the_vice_president(capsys):
    call_command("bootstrap", customers=40, reps=4)
    assert "receivables:" in capsys.readouterr().out
    rep = User.objects.get(username="rep")
    report = services.ageing_report(rep)
    assert any(r.ageing.buckets[3] > 0 for r in report.rows)
    assert any(r.exceeded for r in report.rows)
    waiting = CreditTerms.objects.get(status="agreed")
    assert waiting.can_approve(User.objects.get(username="deputy"))
    assert len(services.ageing_report(User.objects.get(username="finance")).rows) >= len(report.rows)
