"""Placing needs on days: tightest first, spread in blocks, relocated, capped, retried, topped up (R-PLAN-4)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from baifang.plans.day_state import State
from baifang.plans.plan_types import (
    VISIT,
    VISIT_CHANNELS,
    CannotFit,
    LateFirst,
    Need,
    NeedKind,
    PlannedItem,
    Reason,
)


def _allowed_days(state: State, need: Need, visit: bool) -> tuple[list[int], Reason | None]:
    """Day indices a need's item may use, or the reason there are none."""
    req = state.request
    info = state.customers.get(need.customer_id)
    lead = info.lead_days if info and visit else 0
    earliest = need.earliest
    if req.today is not None:
        earliest = max(earliest, req.today + dt.timedelta(days=lead))
    kind_days = [
        i
        for i, d in enumerate(state.days)
        if d.working and (d.visit_day or not visit) and need.earliest <= d.day <= need.latest
    ]
    if not kind_days:
        return [], Reason.NO_VISIT_DAY
    days = [i for i in kind_days if state.days[i].day >= earliest]
    if not days:
        return [], Reason.LEAD_TIME
    return days, None


def _blocks(days: list[int], n: int) -> list[list[int]]:
    """Split day indices into ``n`` consecutive, nearly equal blocks (fewer when there are fewer days)."""
    n = min(n, len(days))
    if n <= 0:
        return []
    size, extra = divmod(len(days), n)
    out, start = [], 0
    for k in range(n):
        end = start + size + (1 if k < extra else 0)
        out.append(days[start:end])
        start = end
    return out


def _pick(state: State, candidates: list[int], customer_id: int, visit: bool) -> int | None:
    best, best_score = None, None
    for i in candidates:
        if state.on_day(i, customer_id, visit) or not state.fits(
            i, customer_id, "visit" if visit else "call"
        ):
            continue
        s = state.score(i, customer_id, visit)
        if best_score is None or s < best_score:
            best, best_score = i, s
    return best


def place_need(state: State, need: Need, cannot: list[CannotFit]) -> None:
    visit = need.plan_channel in VISIT_CHANNELS
    days, reason = _allowed_days(state, need, visit)
    have = state.matching(need, need.earliest, need.latest)
    missing = need.count - len(have)
    # The first touch of a window may be due early (the 10th), even when the count is already met.
    early_due = need.first_by is not None and not state.matching(need, need.earliest, need.first_by)
    if missing <= 0 and not early_due:
        _narrow(state, need)
        return
    if not days:
        if missing > 0:  # a count already met with its first touch late is late, not short (late_firsts)
            cannot.append(
                CannotFit(need.key, need.customer_id, reason or Reason.NO_VISIT_DAY, missing, need.label)
            )
        _narrow(state, need)
        return
    if early_due:
        # No day by first_by with room: the touches are still placed later in the window below.
        # A missed first-touch deadline is not "cannot fit" (issue 17): the plan reports it as late
        # (late_firsts), and only touches that find no day at all are listed as cannot fit.
        early = [i for i in days if state.days[i].day <= need.first_by]
        chosen = _pick(state, early, need.customer_id, visit) if early else None
        if chosen is not None:
            _add_item(state, need, chosen, state.days[early[0]].day, need.first_by)
            missing -= 1
    for block in _blocks(days, need.count):
        if missing <= 0:
            break
        lo, hi = state.days[block[0]].day, state.days[block[-1]].day
        if state.matching(need, lo, hi):
            continue
        chosen = _pick(state, block, need.customer_id, visit)
        if chosen is None:  # the block is full: any allowed day will do
            chosen = _pick(state, days, need.customer_id, visit)
            lo, hi = state.days[days[0]].day, state.days[days[-1]].day
        if chosen is None:
            break
        _add_item(state, need, chosen, lo, hi)
        missing -= 1
    while missing > 0:  # fewer blocks than touches (e.g. 4 visits in 3 allowed days), or blocks held
        chosen = _pick(state, days, need.customer_id, visit)
        if chosen is None:
            break
        _add_item(state, need, chosen, state.days[days[0]].day, state.days[days[-1]].day)
        missing -= 1
    if missing > 0:
        cannot.append(CannotFit(need.key, need.customer_id, Reason.CAPACITY, missing, need.label))
    _narrow(state, need)


def late_firsts(needs: Sequence[Need], items: Sequence[PlannedItem]) -> list[LateFirst]:
    """Needs whose first touch is due by ``first_by`` (R-FREQ-3) but planned only after it.

    Worked out from the final items (after relocation, caps and routing), so the plan says
    "late for its deadline, planned on <day>" exactly when no matching item lies on or before the
    deadline while one lies later in the window.
    """
    late = []
    for need in needs:
        if need.first_by is None or need.count <= 0:
            continue
        days = sorted(it.day for it in items if need.covers(it))
        if days and days[0] > need.first_by:
            late.append(
                LateFirst(need.key, need.customer_id, need.first_by, days[0], need.label, need.channels)
            )
    return late


def _add_item(state: State, need: Need, i: int, lo: dt.date, hi: dt.date) -> None:
    item = PlannedItem(
        need.customer_id,
        state.days[i].day,
        need.plan_channel,
        need.kind,
        [need.key],
        need.label,
        earliest=lo,
        latest=hi,
    )
    state.add(i, item)


def _narrow(state: State, need: Need) -> None:
    """Items counted by ``need`` may no longer leave its window (the relocation pass respects it)."""
    for item in state.by_customer.get(need.customer_id, ()):
        if item.channel in need.channels and need.earliest <= item.day <= need.latest:
            if need.key not in item.need_keys:
                item.need_keys.append(need.key)
            item.earliest = max(item.earliest or need.earliest, need.earliest)
            item.latest = min(item.latest or need.latest, need.latest)
            if need.first_by is not None and item.day <= need.first_by:
                item.latest = min(item.latest, need.first_by)


def relocate(state: State, rounds: int = 2) -> None:
    """Move visits to another allowed day while that brings them nearer their day's other stops."""
    for _ in range(rounds):
        moved = 0
        for i in range(len(state.days)):
            for item in list(state.visits[i]):
                if not item.movable or item.customer_id not in state.node:
                    continue
                current = state.score(i, item.customer_id, True, exclude=item)
                best, best_cost = None, current * 0.9
                for j in range(len(state.days)):
                    d = state.days[j]
                    if (
                        j == i
                        or not (d.working and d.visit_day)
                        or not (item.earliest <= d.day <= item.latest)
                    ):
                        continue
                    if state.on_day(j, item.customer_id, True) or not state.fits(j, item.customer_id, VISIT):
                        continue
                    cost = state.score(j, item.customer_id, True)
                    if cost < best_cost:
                        best, best_cost = j, cost
                if best is not None:
                    state.unplace(i, item)
                    state.place(best, item)
                    moved += 1
        if not moved:
            break


def enforce_caps(state: State, cannot: list[CannotFit]) -> None:
    """A day over its visit cap (kept or unlocated visits beside the optimised ones) sheds visits."""
    cap = state.request.max_visits_per_day
    for i in range(len(state.days)):
        while len(state.visits[i]) > cap:
            item = next((it for it in reversed(state.visits[i]) if it.movable), None)
            if item is None:
                break
            state.unplace(i, item)
            target = next(
                (
                    j
                    for j, d in enumerate(state.days)
                    if d.working
                    and d.visit_day
                    and item.earliest <= d.day <= item.latest
                    and not state.on_day(j, item.customer_id, True)
                    and state.fits(j, item.customer_id, VISIT)
                ),
                None,
            )
            if target is not None:
                state.place(target, item)
                continue
            state.by_customer[item.customer_id].remove(item)
            cannot.extend(
                CannotFit(k, item.customer_id, Reason.CAPACITY, 1, item.label) for k in item.need_keys
            )


def retry(state: State, cannot: list[CannotFit]) -> None:
    """Optimised days leave room: place again what did not fit for capacity."""
    needs = {n.key: n for n in state.request.needs}
    again = [c for c in cannot if c.reason == Reason.CAPACITY and c.need_key in needs]
    if not again:
        return
    cannot[:] = [c for c in cannot if c not in again]
    for key in dict.fromkeys(c.need_key for c in again):
        place_need(state, needs[key], cannot)


def fill(state: State) -> None:
    """Top visit days below the minimum up with customers least recently seen (R-PLAN-4)."""
    req = state.request
    if not req.min_visits_per_day:
        return
    planned = {c for c, items in state.by_customer.items() if any(it.is_visit for it in items)}
    pool = [c for c in req.fill_candidates if c not in planned and c in state.customers]
    for i, d in enumerate(state.days):
        if not (d.working and d.visit_day) or (req.today is not None and d.day < req.today):
            continue
        while pool and len(state.visits[i]) < req.min_visits_per_day:
            # Among the least recently seen few, take the one nearest the day's other stops.
            ranked = sorted(pool[: max(5, 2 * req.min_visits_per_day)], key=lambda c: state._nearest(i, c))
            chosen = next(
                (c for c in ranked if not state.on_day(i, c, True) and state.fits(i, c, VISIT)), None
            )  # a kept visit of the customer may already be on the day
            if chosen is None:
                break
            pool.remove(chosen)
            state.add(i, PlannedItem(chosen, d.day, VISIT, NeedKind.FILL, earliest=d.day, latest=d.day))


def sort_needs(needs: Sequence[Need]) -> list[Need]:
    """Tightest first: earliest due, then the shortest window, specials before rules before coverage."""
    order = {NeedKind.SPECIAL: 0, NeedKind.FIRST: 1, NeedKind.RULE: 2, NeedKind.COVERAGE: 3, NeedKind.FILL: 4}
    return sorted(
        needs,
        key=lambda n: (
            n.first_by or n.latest,
            (n.latest - n.earliest).days,
            order[n.kind],
            n.plan_channel not in VISIT_CHANNELS,
            n.customer_id,
            n.key,
        ),
    )
