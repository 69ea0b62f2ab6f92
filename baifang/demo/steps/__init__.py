"""Demo data of the apps beyond the visit cycle, one module per app, run by `baifang bootstrap`.

Each module in ``STEPS`` has ``populate(today: datetime.date) -> str``: it writes that app's demo rows
for the demo personas (the company, its people and customers already exist, rules are loaded, touches
recorded and plans drafted) and returns one line for the console, e.g. "commerce: 1,200 orders". A step
runs once, on the first run, inside its own transaction; it must be deterministic (seeded ``random``).
Add an app's step by writing ``baifang/demo/steps/<app>.py`` and one line below.
"""

from __future__ import annotations

import datetime as dt
import importlib

from django.db import transaction

STEPS: tuple[str, ...] = (
    "baifang.demo.steps.customers",
    "baifang.demo.steps.commerce",
    "baifang.demo.steps.receivables",
    "baifang.demo.steps.surveys",
    "baifang.demo.steps.ops",
    "baifang.demo.steps.complaints",
    "baifang.demo.steps.return_visits",
    "baifang.demo.steps.care",
    "baifang.demo.steps.appointments",
    "baifang.demo.steps.showroom",
    "baifang.demo.steps.followups",
    "baifang.demo.steps.opportunities",
    "baifang.demo.steps.offline",
)


def step(dotted: str, today: dt.date):
    """One step as a callable (the first run prints each with its time): runs it in its own transaction
    and returns its console line."""

    def run() -> str:
        module = importlib.import_module(dotted)
        with transaction.atomic():
            return module.populate(today)

    return run


def run_all(today: dt.date, log=lambda line: None) -> list[str]:
    """Run every step in order; returns the lines they reported."""
    lines = []
    for dotted in STEPS:
        line = step(dotted, today)()
        lines.append(line)
        log(line)
    return lines
