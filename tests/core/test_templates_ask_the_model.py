"""Templates ask the model (``can_<move>``, ``is_open``, ``status_tone``), never compare status strings
(issue 11; STYLE.md "one transition helper")."""

from __future__ import annotations

import re
from pathlib import Path

import baifang

STATUS_COMPARISON = re.compile(r"""status\s*(==|!=)\s*['"]""")

# Nothing left to move: obligations' badges ask the row (rules.compliance.Obligation.status_tone …).
NOT_YET: set[str] = set()


def test_templates_compare_no_status_strings():
    root = Path(baifang.__file__).parent
    offenders = sorted(
        f"{path.relative_to(root)}:{number}"
        for path in root.rglob("templates/**/*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if STATUS_COMPARISON.search(line) and str(path.relative_to(root)) not in NOT_YET
    )
    assert offenders == [], "ask the model instead: " + ", ".join(offenders)


def test_customer_models_answer_what_their_templates_asked_by_status():
    """R-ARCH-5, R-ARCH-8: the registration banner and the access-request badge ask the model."""
    from baifang.customers.choices import AccessStatus, RegistrationStatus
    from baifang.customers.models import AccessRequest, Customer

    assert Customer(registration_status=RegistrationStatus.PENDING).awaiting_registration
    assert not Customer(registration_status=RegistrationStatus.REGISTERED).awaiting_registration
    tones = {status: AccessRequest(status=status).status_tone for status in AccessStatus.values}
    assert tones == {
        AccessStatus.APPROVED: "ok",
        AccessStatus.REJECTED: "bad",
        AccessStatus.PENDING: "warn",
        AccessStatus.WITHDRAWN: "warn",
    }


def test_an_obligation_row_says_its_badge():
    """R-OBL-2, R-VISIT-8: the badge of each obligation status comes from the row, not the template."""
    from django.utils import translation

    from baifang.rules import engine
    from baifang.rules.compliance import Obligation

    def row(status):
        return Obligation(None, None, 1, 1, 1, None, 0, 1, None, status)

    tones = {s: row(s).status_tone for s in (engine.MET, engine.PENDING, engine.OVERDUE, engine.OPEN)}
    assert tones == {engine.MET: "ok", engine.PENDING: "pending", engine.OVERDUE: "bad", engine.OPEN: "warn"}
    with translation.override("zh-hans"):
        labels = [str(row(s).status_label) for s in (engine.MET, engine.PENDING, engine.OVERDUE, engine.OPEN)]
        assert str(row(engine.PENDING).status_hint) and not str(row(engine.MET).status_hint)
    assert all(labels) and len(set(labels)) == 4
