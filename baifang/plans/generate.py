"""Plan generation (R-PLAN-4, R-CAL-3, R-FREQ-3): plain Python, no Django.

A rep's month is drafted from *needs*: "at least N touches of these channels for customer X between
day A and day B" (an obligation's window clipped to the horizon, a special visit, the coverage of a
customer not seen last month, the first visit of the month by the 10th). Needs are placed
earliest-due first (tight windows first), so a need whose window already holds a matching item
counts it instead of adding another: a weekly visit also satisfies the monthly one.

Placement of one need spreads its items over its window in equal blocks of allowed days and picks,
in each block, the day that is closest to the customer (travel to the nearest stop already on that
day), least loaded, and on the customer's order weekday where it has one. A relocation pass then
moves visits between their allowed days while that brings them closer to their day's other stops;
days below the minimum are topped up with the customers least recently seen; finally each day is
ordered by the route engine (business hours as time windows, appointment times honoured).

The engine's modules: ``plan_types`` (data in and out), ``day_state`` (loads, estimates, zones),
``placement`` (needs → days), ``scheduling`` (PyVRP over the days, then each day's route); this
module ties them together.

Guarantees (each checked by a property test): an item is only ever on a working day — a visit only
on a visit day; no day exceeds its visit or call cap or its time budget; every need is met inside
its window or reported in ``cannot_fit`` with a reason; a customer is never twice on one day.
"""

from __future__ import annotations

import time
from dataclasses import replace

from baifang.plans.day_state import State
from baifang.plans.placement import enforce_caps, fill, late_firsts, place_need, relocate, retry, sort_needs
from baifang.plans.plan_types import (
    CannotFit,
    CustomerInfo,
    DayInfo,
    DayTotals,
    FixedItem,
    GeneratedPlan,
    GenerateRequest,
    LateFirst,
    Need,
    NeedKind,
    PlannedItem,
    Reason,
)
from baifang.plans.scheduling import optimise, route

__all__ = [
    "CannotFit",
    "CustomerInfo",
    "DayInfo",
    "DayTotals",
    "FixedItem",
    "GenerateRequest",
    "GeneratedPlan",
    "LateFirst",
    "Need",
    "NeedKind",
    "PlannedItem",
    "Reason",
    "generate",
]


def generate(request: GenerateRequest) -> GeneratedPlan:
    """Draft a plan for the horizon (R-PLAN-4); reproducible for a seed up to the solvers' time limits."""
    started = time.perf_counter()
    state = State(request)
    cannot: list[CannotFit] = []
    for need in sort_needs(request.needs):
        if need.count > 0:
            place_need(state, need, cannot)
    relocate(state)
    optimise(state, cannot)
    enforce_caps(state, cannot)
    retry(state, cannot)
    fill(state)
    totals = route(state, cannot)
    items = [it for i in range(len(state.days)) for it in (*state.visits[i], *state.calls[i])]
    for i in range(len(state.days)):  # calls after the visits of the day, in customer order
        for k, call in enumerate(sorted(state.calls[i], key=lambda c: c.customer_id)):
            call.sequence = len(state.visits[i]) + k + 1
    items.sort(key=lambda it: (it.day, it.sequence, it.customer_id))
    late = tuple(late_firsts(request.needs, items))
    cannot = settle_cannot_fit(request.needs, items, cannot)
    return GeneratedPlan(tuple(items), tuple(cannot), tuple(totals), time.perf_counter() - started, late)


def settle_cannot_fit(needs, items, cannot: list[CannotFit]) -> list[CannotFit]:
    """The cannot-fit list net of what the final plan holds (issue 17: cannot fit means cannot fit).

    A need is listed when its placement finds no room; a later step can still put a matching touch in
    its window (a top-up to the daily minimum picks that customer, a relocation frees a day). Each
    entry is cut to what is really missing: the need's count less the matching touches of the final
    items in its window, as the plan vs. need check counts them; an entry with nothing missing goes.
    """
    by_key = {need.key: need for need in needs}
    short: dict[str, int] = {}
    settled = []
    for entry in cannot:
        need = by_key.get(entry.need_key)
        if need is None:
            settled.append(entry)
            continue
        if entry.need_key not in short:
            short[entry.need_key] = max(0, need.count - sum(1 for it in items if need.covers(it)))
        missing = min(entry.missing, short[entry.need_key])
        if missing > 0:
            short[entry.need_key] -= missing
            settled.append(replace(entry, missing=missing) if missing != entry.missing else entry)
    return settled
