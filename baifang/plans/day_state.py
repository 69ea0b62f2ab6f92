"""The generator's working state: items per day, loads, travel estimates and the territory's zones."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from baifang.plans.plan_types import VISIT_CHANNELS, FixedItem, GenerateRequest, Need, NeedKind, PlannedItem
from baifang.routing import point_problem, solve_tsp


class State:
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
        self.zone_weekday, self.zone_week = zones(self, request)
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


def zones(state: State, request: GenerateRequest) -> tuple[dict[int, int], dict[int, int]]:
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
