"""The floors hold: no module of baifang/ imports an app above its own (docs/architecture.md, issue 11).

The order of the apps is written once, in the ``floors`` block of docs/architecture.md; this test reads
it from there. Every import is checked, at module level and inside functions (ast), outside migrations.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "baifang"
ARCHITECTURE = ROOT / "docs" / "architecture.md"

# Arrows that still run against the floors. Empty since issue 11; the list may only shrink (the test
# fails when one of them no longer exists), so never add one: send a signal or register at ready().
KNOWN_VIOLATIONS: set[tuple[str, str]] = set()

# Two modules of one app that import each other (a circle hidden by an import inside a function):
# to be removed (issue 11). The list may only shrink, as above.
KNOWN_FILE_CIRCLES: set[tuple[str, str]] = set()


def read_floors() -> list[list[str]]:
    """The floors from the ground up: one line of the ``floors`` block per floor, apps split by commas."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    match = re.search(r"^```floors\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    assert match, "docs/architecture.md has no ```floors block"
    floors = []
    for line in match.group(1).splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            floors.append([app.strip() for app in line.split(",")])
    return floors


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file."""
    return imports_in(
        path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py"
    )


def imports_in(source: str, here: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, module) of every import in ``source``, relative ones resolved; ``from x import y`` gives
    both x and x.y (y may be a module)."""
    package = here.split(".") if is_package else here.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def python_files():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def existing_modules() -> set[str]:
    return {module_name(path) for path in python_files()}


def arrows() -> dict[tuple[str, str], list[str]]:
    """(importing module, imported module) → where, for every import between two baifang modules."""
    modules = existing_modules()
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in python_files():
        source = module_name(path)
        for line, target in imported_modules(path):
            if target in modules and target != source and target.count(".") >= 1:
                found[(source, target)].append(f"{path.relative_to(ROOT)}:{line}")
    return found


def apps_in_package() -> set[str]:
    return {path.parent.name for path in PACKAGE.glob("*/__init__.py")}


def upward_arrows() -> dict[tuple[str, str], list[str]]:
    floor = {app: level for level, apps in enumerate(read_floors()) for app in apps}
    found = arrows()
    wrong = {}
    for (source, target), where in found.items():
        source_app, target_app = source.split(".")[1], target.split(".")[1]
        if source_app == target_app or source.count(".") < 2:
            continue  # inside one app, or the project's own wiring (settings.py, urls.py, __main__.py)
        if floor[target_app] > floor[source_app]:
            wrong[(source, target)] = where
        elif floor[target_app] == floor[source_app]:
            # Two apps on one floor may lean on each other one way only, never both ways.
            if any(s.split(".")[1] == target_app and t.split(".")[1] == source_app for s, t in found):
                wrong[(source, target)] = where
    return wrong


def test_every_app_is_on_a_floor():
    """An app that is not in the order cannot be checked: add it to docs/architecture.md first."""
    floors = read_floors()
    listed = [app for apps in floors for app in apps]
    assert len(listed) == len(set(listed)), "an app is listed twice in the floors"
    assert apps_in_package() - set(listed) == set()


def test_no_import_runs_up_the_floors():
    """Every import in baifang/ (module level and inside functions) points down the floors, or stays."""
    wrong = upward_arrows()
    new = {arrow: where for arrow, where in wrong.items() if arrow not in KNOWN_VIOLATIONS}
    assert new == {}, "imports against the order of docs/architecture.md: send a signal from the lower app"


def test_known_violations_only_shrink():
    """A removed upward import must leave KNOWN_VIOLATIONS too, so the list never hides a new one."""
    assert KNOWN_VIOLATIONS - set(upward_arrows()) == set()


def file_circles() -> set[tuple[str, str]]:
    found = arrows()
    return {
        (a, b)
        for a, b in found
        if a < b and (b, a) in found and a.split(".")[:2] == b.split(".")[:2] and a.count(".") >= 2
    }


def test_no_two_modules_of_an_app_import_each_other():
    """No circle of two files inside one app (often hidden by an import inside a function)."""
    assert file_circles() - KNOWN_FILE_CIRCLES == set()


def test_known_file_circles_only_shrink():
    assert KNOWN_FILE_CIRCLES - file_circles() == set()


def test_the_check_sees_imports_inside_functions_and_relative_ones():
    """The parser itself: an import inside a function and a relative import are both found."""
    source = "def f():\n    from baifang.plans import services\n\nfrom .models import X\n"
    found = {module for _line, module in imports_in(source, "baifang.core.views")}
    assert {"baifang.plans.services", "baifang.core.models"} <= found
    assert ("baifang.core", 1) in [
        (m, n) for n, m in imports_in("from . import models\n", "baifang.core", is_package=True)
    ]


def test_the_check_sees_the_hand_over_signal_instead_of_an_upward_import():
    """customers reaches rules and tiers only through its signals (R-ARCH-7 hand-over, issue 11)."""
    wrong = upward_arrows()
    assert not [arrow for arrow in wrong if arrow[0].startswith("baifang.customers.services")]
    assert not [arrow for arrow in wrong if arrow[0].startswith("baifang.core.")]
