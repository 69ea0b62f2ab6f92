"""The archive's permissions (customers/predicates.py): registered only when something checks them.

A permission nobody checks looks like a guard and guards nothing (issue 11). The module is named
``predicates`` so that it does not clash with the ``rules`` app or django-rules' ``rules.py`` discovery.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rules.permissions import permissions

from baifang.customers.predicates import may_hand_over

PACKAGE = Path(__file__).resolve().parent.parent.parent / "baifang"
PREDICATES = PACKAGE / "customers" / "predicates.py"


def checked_permissions() -> set[str]:
    """Every ``app.codename`` asked for in code (``has_perm("…")``) or in a template (``perms.app.x``)."""
    found = set()
    for path in PACKAGE.rglob("*"):
        if path == PREDICATES or path.suffix not in {".py", ".html", ".txt"}:
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r"has_perms?\(\s*[\"'](\w+\.\w+)[\"']", text))
        found |= {f"{app}.{name}" for app, name in re.findall(r"\bperms\.(\w+)\.(\w+)", text)}
    return found


def test_every_registered_customers_permission_is_checked_somewhere():
    """R-ARCH-7: the archive registers only permissions that a view, template or service checks."""
    registered = {name for name in permissions if name.startswith("customers.")}
    assert registered, "customers/predicates.py registers no permission: was it imported at ready()?"
    assert registered - checked_permissions() == set()


def test_no_app_has_a_module_named_rules():
    """A ``rules.py`` in an app is imported by django-rules' autodiscovery and reads like the rules app."""
    assert sorted(path.parent.name for path in PACKAGE.glob("*/rules.py")) == []


@pytest.mark.django_db
def test_r_arch_7_who_may_hand_over_whom(org):
    """R-ARCH-7: the market department hands over anyone, a manager his units' reps, a rep no one."""
    assert may_hand_over(org.market, org.rep) and may_hand_over(org.market, org.outsider)
    assert may_hand_over(org.manager, org.rep)
    assert not may_hand_over(org.manager, org.outsider)
    assert not may_hand_over(org.rep, org.teammate)
