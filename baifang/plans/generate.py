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

Guarantees (each checked by a property test): an item is only ever on a working day — a visit only
on a visit day; no day exceeds its visit or call cap or its time budget; every need is met inside
its window or reported in ``cannot_fit`` with a reason; a customer is never twice on one day.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np

from baifang.routing import (
    DayRouteRequest,
    HaversineTravel,
    MatrixTravel,
    Point,
    Stop,
    TimeWindow,
    TravelModel,
    schedule_route,
    solve_day_route,
)
from baifang.routing.geo import point_problem
from baifang.routing.sequencing import solve_tsp
from baifang.routing.territory import assign_days

__all__ = [
    "CannotFit",
    "CustomerInfo",
    "DayInfo",
    "FixedItem",
    "GenerateRequest",
    "GeneratedPlan",
    "Need",
    "NeedKind",
    "PlannedItem",
    "Reason",
    "generate",
]

VISIT = "visit"
VISIT_CHANNELS = frozenset({"visit", "invited"})


class NeedKind(StrEnum):
    """Where a need comes from (shown to the rep as the item's reason)."""

    RULE = "rule"  # a visit rule's obligation (R-OBL-1)
    SPECIAL = "special"  # a special visit (R-OBL-3)
    COVERAGE = "coverage"  # not visited last month: two months cover everyone (R-PLAN-4)
    FIRST = "first"  # first visit of the month by day N (R-FREQ-3)
    FILL = "fill"  # topping a day up to the minimum number of visits


class Reason(StrEnum):
    """Why a need could not be planned in full."""

    NO_VISIT_DAY = "no_visit_day"  # no visit day (or no working day, for calls) in the window
    LEAD_TIME = "lead_time"  # the appointment lead time leaves no day in the window
    CAPACITY = "capacity"  # every allowed day is full (visits, calls or time)
    ROUTE = "route"  # placed, but no day's route could fit it (business hours, day length)


@dataclass(frozen=True)
class DayInfo:
    """A date of the horizon: a working day? a visit day for this rep (R-CAL-3)?"""

    day: dt.date
    working: bool
    visit_day: bool


@dataclass(frozen=True)
class CustomerInfo:
    """What placement and routing need to know of a customer."""

    id: int
    point: Point | None = None
    service_s: int = 900
    windows: tuple[TimeWindow, ...] = ()
    order_weekday: int | None = None  # 0 = Monday
    lead_days: int = 0  # appointment lead time in whole days


@dataclass(frozen=True)
class Need:
    """At least ``count`` touches of ``channels`` for a customer between ``earliest`` and ``latest``."""

    key: str
    customer_id: int
    kind: NeedKind
    channels: frozenset[str]
    plan_channel: str  # the channel of an item added for this need
    count: int
    earliest: dt.date
    latest: dt.date
    label: str = ""
    first_by: dt.date | None = None  # the first touch of the window is due by this day


@dataclass(frozen=True)
class FixedItem:
    """An item that already exists (kept by the rep, or in another plan): counted, never moved."""

    customer_id: int
    day: dt.date
    channel: str


@dataclass
class PlannedItem:
    """One planned touch. Times are seconds since midnight; visits that could not be routed have none."""

    customer_id: int
    day: dt.date
    channel: str
    kind: NeedKind
    need_keys: list[str] = field(default_factory=list)
    label: str = ""
    sequence: int = 0
    start_s: int | None = None
    end_s: int | None = None
    travel_s: int = 0
    distance_m: int = 0
    earliest: dt.date | None = None  # the range this item may move in without breaking a need
    latest: dt.date | None = None
    fixed: bool = False  # kept from before: counted and routed, never moved

    @property
    def movable(self) -> bool:
        return not self.fixed and self.kind != NeedKind.FILL

    @property
    def is_visit(self) -> bool:
        return self.channel in VISIT_CHANNELS


@dataclass(frozen=True)
class CannotFit:
    """A need (or part of it) left out, and why."""

    need_key: str
    customer_id: int
    reason: Reason
    missing: int
    label: str = ""


@dataclass(frozen=True)
class DayTotals:
    day: dt.date
    visits: int
    calls: int
    travel_s: int
    distance_m: int
    service_s: int
    below_minimum: bool


@dataclass(frozen=True)
class GenerateRequest:
    """Everything the generator needs for one rep and one horizon (usually a month)."""

    days: Sequence[DayInfo]
    customers: Sequence[CustomerInfo]
    needs: Sequence[Need]
    base: Point | None
    fixed: Sequence[FixedItem] = ()
    today: dt.date | None = None  # nothing before today (+ the customer's lead days)
    day_start: int = 8 * 3600 + 30 * 60
    day_end: int = 18 * 3600
    reserve_share: float = 0.2  # of each day kept free for ad-hoc work
    max_visits_per_day: int = 20
    min_visits_per_day: int = 0
    max_calls_per_day: int = 30
    call_s: int = 300
    fill_candidates: Sequence[int] = ()  # customers to top days up with, least recently seen first
    order_day_penalty_s: int = 4 * 3600  # visit on the order day unless those days are full
    zone_penalty_s: int = 7200  # a visit off its zone's weekday (R-ROUTE-2: one area a day)
    week_penalty_s: int = 3600  # a monthly visit off its zone's week
    travel: TravelModel = field(default_factory=HaversineTravel)
    route_time_limit: float = 0.01  # fast-tsp converges on a day of 20–40 stops well within this
    optimise_s: float | None = None  # PyVRP over the days' visits; None: scaled to the visits, 0: off
    seed: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.reserve_share < 1:
            raise ValueError("reserve_share must be in [0, 1)")
        if self.day_end <= self.day_start:
            raise ValueError("day_end must be after day_start")
        if self.max_visits_per_day < 0 or self.min_visits_per_day < 0 or self.max_calls_per_day < 0:
            raise ValueError("daily caps must be >= 0")

    @property
    def budget_s(self) -> int:
        """Seconds of each day the plan may fill (the rest is reserved for ad-hoc work)."""
        return int((self.day_end - self.day_start) * (1 - self.reserve_share))


@dataclass(frozen=True)
class GeneratedPlan:
    items: tuple[PlannedItem, ...]  # new items and the fixed ones of the horizon (with their new order)
    cannot_fit: tuple[CannotFit, ...]
    days: tuple[DayTotals, ...]
    runtime_s: float

    def items_on(self, day: dt.date) -> list[PlannedItem]:
        return sorted((i for i in self.items if i.day == day), key=lambda i: (i.sequence, i.customer_id))


class _State:
    """The placement in progress: items per day, loads, and the travel matrix over located customers."""

    def __init__(self, request: GenerateRequest):
        self.request = request
        self.days = sorted(request.days, key=lambda d: d.day)
        self.day_index = {d.day: i for i, d in enumerate(self.days)}
        self.customers = {c.id: c for c in request.customers}
        base_ok = request.base is not None and point_problem(request.base) is None
        located = [c for c in request.customers if base_ok and point_problem(c.point) is None]
        self.node = {c.id: i + 1 for i, c in enumerate(located)}  # 0 is the base
        points = [request.base, *[c.point for c in located]] if base_ok else []
        if points:
            matrices = request.travel.matrices(points)
            self.points, self.dur, self.dist = points, matrices.durations, matrices.distances
        else:
            self.points, self.dur, self.dist = [], np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1))
        n = len(self.days)
        self.visits: list[list[PlannedItem]] = [[] for _ in range(n)]
        self.calls: list[list[PlannedItem]] = [[] for _ in range(n)]
        self.travel_est = [0] * n
        self.by_customer: dict[int, list[PlannedItem]] = defaultdict(list)
        self.fixed_by_customer: dict[int, list[FixedItem]] = defaultdict(list)
        visit_days = sum(1 for d in self.days if d.working and d.visit_day) or 1
        work_days = sum(1 for d in self.days if d.working) or 1
        visits = sum(n.count for n in request.needs if n.plan_channel in VISIT_CHANNELS)
        calls = sum(n.count for n in request.needs if n.plan_channel not in VISIT_CHANNELS)
        self.visit_target = max(1.0, visits / visit_days, float(request.min_visits_per_day))
        self.call_target = max(1.0, calls / work_days)
        self.zone_weekday, self.zone_week = _zones(self, request)
        for f in request.fixed:
            self.fixed_by_customer[f.customer_id].append(f)
            i = self.day_index.get(f.day)
            if i is not None:  # a kept item of the horizon takes its share of the day
                self.fixed_load(i, f)

    # --- loads --------------------------------------------------------------------------------
    def fixed_load(self, i: int, f: FixedItem) -> None:
        item = PlannedItem(f.customer_id, f.day, f.channel, NeedKind.RULE, fixed=True)
        self.place(i, item)

    def service(self, customer_id: int) -> int:
        c = self.customers.get(customer_id)
        return c.service_s if c else 900

    def used_s(self, i: int) -> int:
        return (
            sum(self.service(v.customer_id) for v in self.visits[i])
            + self.travel_est[i]
            + len(self.calls[i]) * self.request.call_s
        )

    def _nearest(self, i: int, customer_id: int, exclude: PlannedItem | None = None) -> int:
        """Estimated travel added by a stop on day i: from the nearest stop there (or the base and back)."""
        node = self.node.get(customer_id)
        if node is None:
            return 0
        others = [
            self.node[v.customer_id]
            for v in self.visits[i]
            if v is not exclude and v.customer_id in self.node
        ]
        if not others:
            return int(self.dur[0, node] + self.dur[node, 0])
        return int(self.dur[others, node].min() + self.dur[node, others].min()) // 2 + 1

    def fits(self, i: int, customer_id: int, channel: str) -> bool:
        req = self.request
        if channel in VISIT_CHANNELS:
            if len(self.visits[i]) >= req.max_visits_per_day:
                return False
            extra = self.service(customer_id) + self._nearest(i, customer_id)
        else:
            if len(self.calls[i]) >= req.max_calls_per_day:
                return False
            extra = req.call_s
        return self.used_s(i) + extra <= req.budget_s

    def on_day(self, i: int, customer_id: int, visit: bool) -> bool:
        return any(v.customer_id == customer_id for v in (self.visits if visit else self.calls)[i])

    def place(self, i: int, item: PlannedItem) -> None:
        """Put an item on day i (its day and the day's load follow)."""
        item.day = self.days[i].day
        if item.is_visit:
            self.travel_est[i] += self._nearest(i, item.customer_id)
            self.visits[i].append(item)
        else:
            self.calls[i].append(item)

    def unplace(self, i: int, item: PlannedItem) -> None:
        if item.is_visit:
            self.visits[i].remove(item)
            self.travel_est[i] = max(0, self.travel_est[i] - self._nearest(i, item.customer_id))
        else:
            self.calls[i].remove(item)

    def add(self, i: int, item: PlannedItem) -> None:
        self.place(i, item)
        self.by_customer[item.customer_id].append(item)

    def drop(self, i: int, item: PlannedItem) -> None:
        self.unplace(i, item)
        self.by_customer[item.customer_id].remove(item)

    def matching(self, need: Need, first: dt.date, last: dt.date) -> list[dt.date]:
        """Days of items (placed or fixed) of the need's customer and channels within [first, last]."""
        found = [
            it.day
            for it in self.by_customer.get(need.customer_id, ())
            if it.channel in need.channels and first <= it.day <= last
        ]
        found += [
            f.day
            for f in self.fixed_by_customer.get(need.customer_id, ())
            if f.channel in need.channels and first <= f.day <= last
        ]
        return sorted(found)

    def load_cost(self, count: int, visit: bool = True) -> float:
        """Grows with the square of a day's items over the mean expected per day: evens days out."""
        target = self.visit_target if visit else self.call_target
        return 600.0 * (count / target) ** 2

    def score(self, i: int, customer_id: int, visit: bool, exclude: PlannedItem | None = None) -> float:
        """Lower is better: travel to the day's nearest stop, the day's load, the order weekday."""
        req = self.request
        count = len(self.visits[i]) if visit else len(self.calls[i])
        cost = self.load_cost(count - (exclude is not None), visit)
        if visit:
            cost += self._nearest(i, customer_id, exclude=exclude)
            weekday = self.zone_weekday.get(customer_id)
            day = self.days[i].day
            if weekday is not None and day.weekday() != weekday:
                cost += req.zone_penalty_s
            week = self.zone_week.get(customer_id)
            if week is not None and self.week_of[i] != week:
                cost += req.week_penalty_s
            info = self.customers.get(customer_id)
            if info and info.order_weekday is not None and self.days[i].day.weekday() != info.order_weekday:
                cost += req.order_day_penalty_s
        return cost


def _zones(state: _State, request: GenerateRequest) -> tuple[dict[int, int], dict[int, int]]:
    """Cut the territory into one area per visit weekday, and each area into weeks (R-ROUTE-2).

    The located customers are ordered along one tour (fast-tsp) and the tour is cut into as many
    contiguous stretches as there are visit weekdays, each carrying about the same weekly visit
    load: a customer's *zone weekday*. Customers seen less than weekly are cut again, along the
    same tour, into the weeks of the horizon: their *zone week*. Placement prefers both, so each day
    covers one compact area, as a rep's fixed weekly routes (线路) do.
    """
    visit_days = [i for i, d in enumerate(state.days) if d.working and d.visit_day]
    state.week_of = {}
    weeks: list[tuple[int, int]] = []
    for i, d in enumerate(state.days):
        key = d.day.isocalendar()[:2]
        if key not in weeks:
            weeks.append(key)
        state.week_of[i] = weeks.index(key)
    weekdays = sorted({state.days[i].day.weekday() for i in visit_days if state.days[i].day.weekday() < 5})
    located = [cid for cid in state.node]
    if len(located) < 2 or not weekdays:
        return {}, {}
    per_customer: dict[int, int] = defaultdict(int)
    for need in request.needs:
        if need.plan_channel in VISIT_CHANNELS and need.customer_id in state.node:
            per_customer[need.customer_id] += need.count
    nodes = [0, *[state.node[c] for c in located]]
    order = solve_tsp(state.dur[np.ix_(nodes, nodes)], time_limit=min(0.3, 0.01 + len(nodes) / 4000))
    tour = [located[k - 1] for k in order if k != 0]
    n_weeks = max(1, len(weeks))
    weekly_load = {c: max(per_customer.get(c, 0), 1) / n_weeks for c in tour}
    zone_weekday = _cut(tour, weekly_load, weekdays)
    zone_week: dict[int, int] = {}
    for weekday in weekdays:
        sparse = [c for c in tour if zone_weekday[c] == weekday and per_customer.get(c, 0) < n_weeks]
        weeks_with_day = sorted(
            {state.week_of[i] for i in visit_days if state.days[i].day.weekday() == weekday}
        )
        if sparse and weeks_with_day:
            zone_week.update(
                _cut(sparse, {c: max(per_customer.get(c, 0), 1) for c in sparse}, weeks_with_day)
            )
    return zone_weekday, zone_week


def _cut(tour: list[int], load: dict[int, float], labels: list[int]) -> dict[int, int]:
    """Cut ``tour`` into ``len(labels)`` contiguous stretches of about equal load."""
    total = sum(load[c] for c in tour) or 1.0
    out, acc, k = {}, 0.0, 0
    for c in tour:
        if acc >= total * (k + 1) / len(labels) and k < len(labels) - 1:
            k += 1
        out[c] = labels[k]
        acc += load[c]
    return out


def _allowed_days(state: _State, need: Need, visit: bool) -> tuple[list[int], Reason | None]:
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


def _pick(state: _State, candidates: list[int], customer_id: int, visit: bool) -> int | None:
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


def _place_need(state: _State, need: Need, cannot: list[CannotFit]) -> None:
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
        short = max(missing, 1)
        cannot.append(CannotFit(need.key, need.customer_id, reason or Reason.NO_VISIT_DAY, short, need.label))
        return
    if early_due:
        early = [i for i in days if state.days[i].day <= need.first_by]
        chosen = _pick(state, early, need.customer_id, visit) if early else None
        if chosen is None:
            cannot.append(
                CannotFit(need.key, need.customer_id, _early_reason(state, need, early, visit), 1, need.label)
            )
        else:
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


def _early_reason(state: _State, need: Need, early: list[int], visit: bool) -> Reason:
    """Why no day by ``need.first_by`` could take the first touch."""
    if early:
        return Reason.CAPACITY
    possible = any(
        d.working and (d.visit_day or not visit) and need.earliest <= d.day <= need.first_by
        for d in state.days
    )
    return Reason.LEAD_TIME if possible else Reason.NO_VISIT_DAY


def _add_item(state: _State, need: Need, i: int, lo: dt.date, hi: dt.date) -> None:
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


def _narrow(state: _State, need: Need) -> None:
    """Items counted by ``need`` may no longer leave its window (the relocation pass respects it)."""
    for item in state.by_customer.get(need.customer_id, ()):
        if item.channel in need.channels and need.earliest <= item.day <= need.latest:
            if need.key not in item.need_keys:
                item.need_keys.append(need.key)
            item.earliest = max(item.earliest or need.earliest, need.earliest)
            item.latest = min(item.latest or need.latest, need.latest)
            if need.first_by is not None and item.day <= need.first_by:
                item.latest = min(item.latest, need.first_by)


def _relocate(state: _State, rounds: int = 2) -> None:
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


def _optimise(state: _State, cannot: list[CannotFit]) -> None:
    """Re-assign the visits to their allowed days with PyVRP, warm-started from the greedy days.

    The greedy placement decides *which* visits are needed and the days each may use; the search
    then minimises the month's travel under the day caps. Kept items stay on their day; a visit the
    search leaves out keeps its greedy day (the day's route decides).
    """
    req = state.request
    visit_days = [i for i, d in enumerate(state.days) if d.working and d.visit_day]
    items = [(i, it) for i in visit_days for it in state.visits[i] if it.customer_id in state.node]
    budget = req.optimise_s if req.optimise_s is not None else min(2.5, 0.0008 * len(items))
    if budget <= 0 or len(visit_days) < 2 or len(items) < 2:
        return
    index = {i: k for k, i in enumerate(visit_days)}
    allowed, nodes, services = [], [], []
    initial: list[list[int]] = [[] for _ in visit_days]
    for v, (i, it) in enumerate(items):
        days = [index[i]]
        if it.movable:
            days = [
                index[j]
                for j in visit_days
                if it.earliest <= state.days[j].day <= it.latest
                and (j == i or not state.on_day(j, it.customer_id, True))
            ]
            info = state.customers[it.customer_id]
            if info.order_weekday is not None:
                days = [
                    k for k in days if state.days[visit_days[k]].day.weekday() == info.order_weekday
                ] or days
        allowed.append(days)
        nodes.append(state.node[it.customer_id])
        services.append(state.service(it.customer_id))
        initial[index[i]].append(v)
    calls_s = max((len(state.calls[i]) * req.call_s for i in visit_days), default=0)
    routes, left = assign_days(
        state.dur,
        nodes,
        services,
        allowed,
        len(visit_days),
        day_start=req.day_start,
        day_end=req.day_start + req.budget_s,
        cap_length=max(0, req.budget_s - calls_s),
        max_visits_per_day=req.max_visits_per_day,
        initial=initial,
        time_limit=budget,
        seed=req.seed,
    )
    day_of = {v: visit_days[k] for k, route in enumerate(routes) for v in route}
    day_of.update({v: items[v][0] for v in left})
    for i in visit_days:
        state.visits[i] = [it for it in state.visits[i] if it.customer_id not in state.node]
    # Kept items first: they claim their days; a movable visit meeting another visit of the same
    # customer on a day goes back to its greedy day or another allowed one, else out (capacity).
    for v, (i, it) in sorted(enumerate(items), key=lambda vi: vi[1][1].movable):
        target = day_of[v]
        if it.movable and state.on_day(target, it.customer_id, True):
            target = next(
                (
                    j
                    for j in (i, *visit_days)
                    if not state.on_day(j, it.customer_id, True)
                    and it.earliest <= state.days[j].day <= it.latest
                ),
                None,
            )
            if target is None:
                state.by_customer[it.customer_id].remove(it)
                cannot.extend(
                    CannotFit(k, it.customer_id, Reason.CAPACITY, 1, it.label) for k in it.need_keys
                )
                continue
        it.day = state.days[target].day
        state.visits[target].append(it)
    for i in visit_days:
        path = [0, *[state.node[it.customer_id] for it in state.visits[i] if it.customer_id in state.node], 0]
        state.travel_est[i] = (
            int(sum(state.dur[a, b] for a, b in zip(path, path[1:], strict=False))) if len(path) > 2 else 0
        )


def _enforce_caps(state: _State, cannot: list[CannotFit]) -> None:
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


def _retry(state: _State, cannot: list[CannotFit]) -> None:
    """Optimised days leave room: place again what did not fit for capacity."""
    needs = {n.key: n for n in state.request.needs}
    again = [c for c in cannot if c.reason == Reason.CAPACITY and c.need_key in needs]
    if not again:
        return
    cannot[:] = [c for c in cannot if c not in again]
    for key in dict.fromkeys(c.need_key for c in again):
        _place_need(state, needs[key], cannot)


def _fill(state: _State) -> None:
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
            chosen = next((c for c in ranked if state.fits(i, c, VISIT)), None)
            if chosen is None:
                break
            pool.remove(chosen)
            state.add(i, PlannedItem(chosen, d.day, VISIT, NeedKind.FILL, earliest=d.day, latest=d.day))


def _route(state: _State, cannot: list[CannotFit]) -> list[DayTotals]:
    """Order each day's visits with the route engine; visits it cannot fit move to another day or out."""
    req = state.request
    totals: list[DayTotals] = []
    model = MatrixTravel(state.points, state.dur, state.dist) if state.points else None
    for i, d in enumerate(state.days):
        visits = state.visits[i]
        routed = [v for v in visits if v.customer_id in state.node]
        travel = distance = 0
        if routed and model is not None:
            route = _solve_day(state, model, routed, i)
            by_id = {str(v.customer_id): v for v in routed}
            for visit in route.visits:
                item = by_id[visit.stop_id]
                item.sequence, item.start_s = visit.sequence, visit.start
                item.end_s, item.travel_s, item.distance_m = visit.departure, visit.travel_s, visit.distance_m
            travel, distance = route.travel_s, route.distance_m
            for miss in route.unassigned:
                item = by_id[miss.stop_id]
                if item.fixed or _move_forward(state, i, item):
                    continue  # a kept item stays on its day, untimed
                state.drop(i, item)
                for key in item.need_keys:
                    cannot.append(CannotFit(key, item.customer_id, Reason.ROUTE, 1, item.label))
        tail = max((v.sequence for v in visits), default=0)
        for v in visits:  # unlocated customers: on the day, after the route, without times
            if v.start_s is None:
                tail += 1
                v.sequence = tail
        service = sum(state.service(v.customer_id) for v in visits)
        below = d.working and d.visit_day and len(visits) < req.min_visits_per_day
        totals.append(DayTotals(d.day, len(visits), len(state.calls[i]), travel, distance, service, below))
    return totals


def _solve_day(state: _State, model: MatrixTravel, routed: list[PlannedItem], i: int):
    req = state.request
    stops = []
    for v in routed:
        info = state.customers[v.customer_id]
        # A window covering the whole day constrains nothing: leave it out (faster sequencing).
        windows = tuple(
            w for w in info.windows if not (w.earliest <= req.day_start and w.latest >= req.day_end)
        )
        stops.append(Stop(str(v.customer_id), info.point, info.service_s, windows))
    calls_s = len(state.calls[i]) * req.call_s
    request = DayRouteRequest(
        start=state.points[0],
        stops=stops,
        day_start=req.day_start,
        day_end=max(req.day_start, req.day_start + req.budget_s - calls_s),
        max_visits=req.max_visits_per_day,
        travel=model,
        time_limit=req.route_time_limit,
        seed=req.seed + i,
    )
    if any(s.windows for s in stops):
        # Business hours rarely bind: try the travel-optimal order first and keep it when every
        # visit still starts within its hours; only otherwise solve with time windows (PyVRP).
        plain = solve_day_route(replace(request, stops=[replace(s, windows=()) for s in stops]))
        if not plain.unassigned:
            timed = schedule_route(request, plain.stop_ids)
            if _within_hours(timed, stops, request.day_end):
                return timed
    return solve_day_route(request)


def _within_hours(route, stops: list[Stop], day_end: int) -> bool:
    windows = {s.id: s.windows for s in stops}
    return route.return_time <= day_end and all(
        not windows[v.stop_id] or any(w.earliest <= v.start <= w.latest for w in windows[v.stop_id])
        for v in route.visits
    )


def _move_forward(state: _State, i: int, item: PlannedItem) -> bool:
    """A visit day i's route could not take: move it to a later allowed day (not yet routed) with room."""
    if not item.movable:
        return False
    for j in range(i + 1, len(state.days)):
        d = state.days[j]
        if not (d.working and d.visit_day) or not (item.earliest <= d.day <= item.latest):
            continue
        if state.on_day(j, item.customer_id, True) or not state.fits(j, item.customer_id, VISIT):
            continue
        state.unplace(i, item)
        state.place(j, item)
        return True
    return False


def _sort_needs(needs: Sequence[Need]) -> list[Need]:
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


def generate(request: GenerateRequest) -> GeneratedPlan:
    """Draft a plan for the horizon (R-PLAN-4); reproducible for a seed up to the solvers' time limits."""
    started = time.perf_counter()
    state = _State(request)
    cannot: list[CannotFit] = []
    for need in _sort_needs(request.needs):
        if need.count > 0:
            _place_need(state, need, cannot)
    _relocate(state)
    _optimise(state, cannot)
    _enforce_caps(state, cannot)
    _retry(state, cannot)
    _fill(state)
    totals = _route(state, cannot)
    items = [it for i in range(len(state.days)) for it in (*state.visits[i], *state.calls[i])]
    for i in range(len(state.days)):  # calls after the visits of the day, in customer order
        for k, call in enumerate(sorted(state.calls[i], key=lambda c: c.customer_id)):
            call.sequence = len(state.visits[i]) + k + 1
    items.sort(key=lambda it: (it.day, it.sequence, it.customer_id))
    return GeneratedPlan(tuple(items), tuple(cannot), tuple(totals), time.perf_counter() - started)
