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


def _readme_personas() -> dict[str, tuple[str, str]]:
    """username → (姓名, 岗位) from the README's demo-login table (rows of one username only)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = text[text.index("| username | 姓名 |") :].split("\n\n", 1)[0]
    rows = {}
    for line in table.splitlines()[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0].count("`") == 2:  # `rep003`–`rep006` ranges have four
            rows[cells[0].strip("`")] = (cells[1], cells[2])
    return rows


@pytest.mark.django_db
def test_bootstrap_says_each_step_with_its_time_and_the_readme_matches_its_logins(capsys, settings, tmp_path):
    """Issue 15 "make run says what it does": every first-run step is printed with its time, and the README's
    persona table says what bootstrap prints — same people, same names, same positions — and names only
    users the demo really has, with their real names and units."""
    import re

    from baifang.demo.generator import PERSONAS
    from baifang.demo.steps import STEPS
    from baifang.org.models import User

    settings.MEDIA_ROOT = tmp_path
    call_command("bootstrap", customers=40, reps=12)  # the reps of `make run`
    out = capsys.readouterr().out
    steps = re.findall(r"^\[ ?(\d+)/(\d+)\] (.+?) … done in (\d+\.\d) s\.", out, flags=re.M)
    assert len(steps) == 5 + len(STEPS) and [int(n) for n, *_ in steps] == list(range(1, len(steps) + 1))
    assert "Demo data ready:" in out and re.search(r"^Demo data ready in \d+ s", out, flags=re.M)

    readme = _readme_personas()
    printed = {
        username: line.split()[1]
        for username in PERSONAS
        for line in out.splitlines()
        if line.startswith(username + " ")
    }
    assert set(printed) == set(PERSONAS) and set(printed) <= set(readme)
    for username, (display, zh, _en) in PERSONAS.items():
        name, position = readme[username]
        assert name == printed[username] == display, username
        assert re.split("[，（]", zh)[0] in position, (username, zh, position)
    users = {u.username: u for u in User.objects.select_related("unit__parent").filter(username__in=readme)}
    assert set(users) == set(readme)  # no stale row: every single-user row is a real demo login
    for username, (name, _position) in readme.items():
        assert str(users[username]) == name, username
    for username in ("manager", "supervisor", "sup002", "mgr02", "rep", "rep2", "outsider"):
        unit = users[username].unit
        assert readme[username][1].startswith((unit.name, unit.parent.name)), username
