"""Obligations and compliance, set-based in SQL (R-OBL-1, R-OBL-2).

For each rule version in force, one SQL statement aggregates the touches of the rule's window
(channel, minimum duration and who may count them are conditions in SQL) per customer and joins
them to the customers of the rule's tier. Summaries aggregate that statement again in SQL; no
Python loop ever runs over customers. The SQL is portable: it runs unchanged on SQLite and
PostgreSQL (plain joins, scalar subqueries, CASE, COUNT/SUM).

Where a rule's window is kept (``tallies``: per-customer counters maintained by triggers), the
touch aggregate is replaced by a join to its counters; everything else is the same SQL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.customers.models import Customer
from baifang.rules import engine, tallies
from baifang.rules.choices import Responsible
from baifang.rules.models import VisitRule
from baifang.rules.obligation_sql import (
    CUSTOMER,
    CUSTOMER_TIER,
    INACTIVE_STATUSES,
    RESPONSIBLE_SQL,
    TALLY,
    UNIT,
    ComplianceCell,
    Scope,
    active_customer,
    counted_by,
    db_datetime,
    geography,
    responsible_filter,
    rules_in_force,
    summary,
    touches_per_customer_user,
)
from baifang.rules.obligation_sql import due as due_sql_of

__all__ = [
    "INACTIVE_STATUSES",
    "ComplianceCell",
    "Obligation",
    "Scope",
    "compliance",
    "obligation_sql",
    "obligations",
    "rules_in_force",
]

_db_datetime = db_datetime  # the benchmarks' name


def _touch_counts_sql(rule: VisitRule, win: engine.Window, scope: Scope, tally_window: int | None):
    """The ``d`` join of the obligation SQL: counted and pending touches per customer row, live or kept.

    Live: touches of the window aggregated per (customer, user), matched to the responsible person
    in the join. Kept (``tally_window``): the trigger-maintained counters per customer (tallies.py).
    """
    if tally_window is not None:
        return (
            "LEFT JOIN (SELECT g.customer_id AS customer_id, g.done AS n, g.pending AS p "
            f"FROM {TALLY} g WHERE g.window_id = %s) d ON d.customer_id = c.id",
            [tally_window],
        )
    touches_sql, touches_params = touches_per_customer_user(rule, win, scope)
    counted_sql, counted_params = counted_by(rule)
    sql = f"LEFT JOIN ({touches_sql}) d ON d.customer_id = c.id AND {counted_sql}"
    return sql, [*touches_params, *counted_params]


def obligation_sql(
    rule: VisitRule, day: dt.date, today: dt.date, scope: Scope, tally_window: int | None = None
) -> tuple[str, list]:
    """SQL of one rule's obligations for the window containing ``day``: one row per customer.

    Columns: customer_id, owner_id, unit_id, responsible_id, done, pending, required, due (date);
    ``pending`` counts the touches waiting for their supervisor's review (R-VISIT-8).
    With ``tally_window`` (a kept window of this rule and day, see ``tallies.covered``) the touches
    are read from its counters instead of being aggregated.
    """
    win = engine.window(rule.period, day)
    first_due = engine.first_touch_due(win, rule.first_due_day)
    responsible_sql, responsible_params = RESPONSIBLE_SQL[Responsible(rule.responsible)]
    counts_sql, counts_params = _touch_counts_sql(rule, win, scope, tally_window)

    where, where_params = active_customer()
    geo, geo_params = geography(rule)
    where.extend(geo)
    where_params.extend(geo_params)
    scope_clauses, scope_params = scope.conditions(rule)
    where.extend(scope_clauses)

    # A kept window has at most one counter per customer: no aggregate (and no sort) needed.
    done = "COALESCE(SUM(d.n), 0)" if tally_window is None else "COALESCE(d.n, 0)"
    pending = "COALESCE(SUM(d.p), 0)" if tally_window is None else "COALESCE(d.p, 0)"
    group_by = "GROUP BY c.id, c.owner_id, c.unit_id, u.id, u.department_id" if tally_window is None else ""
    due_sql = due_sql_of(done, "%s", "%s") if first_due else "%s"
    due_params = [first_due, win.end] if first_due else [win.end]
    sql = f"""
        SELECT c.id AS customer_id, c.owner_id AS owner_id, c.unit_id AS unit_id,
               {responsible_sql} AS responsible_id,
               {done} AS done, {pending} AS pending, %s AS required, {due_sql} AS due
        FROM {CUSTOMER} c
        JOIN {CUSTOMER_TIER} ct ON ct.customer_id = c.id AND ct.tier_id = %s
        JOIN {UNIT} u ON u.id = c.unit_id
        {counts_sql}
        WHERE {" AND ".join(where)}
        {group_by}
    """
    params = [
        *responsible_params,
        rule.min_count,
        *due_params,
        rule.tier_id,
        *counts_params,
        *where_params,
        *scope_params,
    ]
    return sql, params


@dataclass
class Obligation:
    """One customer's obligation under one rule in one window (R-OBL-1)."""

    rule: VisitRule
    window: engine.Window
    customer_id: int
    owner_id: int
    unit_id: int
    responsible_id: int | None
    done: int
    required: int
    due: dt.date
    status: str
    customer: object | None = None
    pending: int = 0  # touches pending review that would count once accepted (R-VISIT-8)

    # What the badge of a status says (templates ask the row, never compare its status string).
    @property
    def status_tone(self) -> str:
        """The badge colour: met is good, overdue bad, pending review its own, open a warning."""
        return _BADGES.get(self.status, _OPEN_BADGE)[0]

    @property
    def status_label(self) -> str:
        return _BADGES.get(self.status, _OPEN_BADGE)[1]

    @property
    def status_hint(self) -> str:
        """Why the status is what it is, where that is not plain (pending review, R-VISIT-8)."""
        return _BADGES.get(self.status, _OPEN_BADGE)[2]


_BADGES = {
    engine.MET: ("ok", _("met"), ""),
    engine.PENDING: (
        "pending",
        _("pending review"),
        _("Done only once the supervisor accepts the flagged visit"),
    ),
    engine.OVERDUE: ("bad", _("overdue"), ""),
}
_OPEN_BADGE = ("warn", _("open"), "")


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _kept_windows(rules, day: dt.date, use_tallies: bool) -> dict[int, int]:
    """{rule id: kept window id} for the rules whose window is kept exactly; the rest are read live."""
    if not use_tallies:
        return {}
    return tallies.covered(rules, day)


def _dropped_meanwhile(kept: dict[int, int]) -> set[int]:
    """Rules whose kept window was dropped or invalidated while we read it: they are read again live."""
    if not kept:
        return set()
    alive = tallies.still_kept(kept.values())
    return {rule_id for rule_id, window_id in kept.items() if window_id not in alive}


def obligations(
    day: dt.date,
    *,
    scope: Scope,
    today: dt.date | None = None,
    only_unmet: bool = False,
    limit: int | None = None,
    rule_ids=None,
    use_tallies: bool = True,
) -> list[Obligation]:
    """Obligation rows for the windows containing ``day``, soonest due first.

    Kept windows (``tallies``) are read from their counters unless ``use_tallies`` is false.
    """
    today = today or timezone.localdate()
    rules = [
        rule
        for rule in rules_in_force(day, rule_ids)
        # e.g. a leader's rule in a rep's due list: nothing to ask the database
        if scope.responsible_user is None or responsible_filter(rule, scope.responsible_user)[0] != "1 = 0"
    ]
    kept = _kept_windows(rules, day, use_tallies)
    by_rule = {
        rule.pk: _rule_obligations(rule, day, today, scope, only_unmet, limit, kept.get(rule.pk))
        for rule in rules
    }
    dropped = _dropped_meanwhile(kept)
    for rule in rules:
        if rule.pk in dropped:
            by_rule[rule.pk] = _rule_obligations(rule, day, today, scope, only_unmet, limit, None)
    rows = [row for rule in rules for row in by_rule[rule.pk]]
    rows.sort(key=lambda o: (o.status == engine.MET, o.due, o.customer_id))
    if limit:
        rows = rows[:limit]
    _attach_customers(rows)
    return rows


def _rule_obligations(
    rule: VisitRule, day, today, scope: Scope, only_unmet: bool, limit: int | None, tally_window: int | None
) -> list[Obligation]:
    sql, params = obligation_sql(rule, day, today, scope, tally_window)
    outer = f"SELECT * FROM ({sql}) o"
    if only_unmet:
        outer += " WHERE o.done < o.required"
    # Unmet first, so a limit never hides unmet obligations behind met ones.
    outer += " ORDER BY CASE WHEN o.done >= o.required THEN 1 ELSE 0 END, o.due, o.customer_id"
    if limit:
        outer += f" LIMIT {int(limit)}"
    win = engine.window(rule.period, day)
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        for customer_id, owner_id, unit_id, responsible_id, done, pending, required, due in cursor.fetchall():
            due = _as_date(due)
            status = engine.status(done, required, win, today, rule.first_due_day, pending=pending)
            rows.append(
                Obligation(
                    rule,
                    win,
                    customer_id,
                    owner_id,
                    unit_id,
                    responsible_id,
                    done,
                    required,
                    due,
                    status,
                    pending=pending,
                )
            )
    return rows


def _attach_customers(rows: list[Obligation]) -> None:
    customers = Customer.objects.select_related("owner").in_bulk({o.customer_id for o in rows})
    for row in rows:
        row.customer = customers.get(row.customer_id)


GROUP_COLUMNS = {"rule": None, "owner": "o.owner_id", "unit": "o.unit_id", "responsible": "o.responsible_id"}


def compliance(
    day: dt.date,
    *,
    scope: Scope,
    group_by: str = "rule",
    today: dt.date | None = None,
    rule_ids=None,
    use_tallies: bool = True,
) -> list[ComplianceCell]:
    """Due / met / unmet / overdue per rule (and per owner, unit or responsible person), in SQL.

    Kept windows (``tallies``) are read from their counters unless ``use_tallies`` is false.
    """
    today = today or timezone.localdate()
    column = GROUP_COLUMNS[group_by]
    rules = rules_in_force(day, rule_ids)
    kept = _kept_windows(rules, day, use_tallies)
    by_rule = {}
    if kept and tallies.can_read_together(scope, group_by):
        by_rule = tallies.read_together(rules, kept, day, today, scope, group_by)
    for rule in rules:
        if rule.pk not in by_rule:
            by_rule[rule.pk] = _rule_cells(rule, day, today, scope, column, kept.get(rule.pk))
    dropped = _dropped_meanwhile(kept)
    for rule in rules:
        if rule.pk in dropped:
            by_rule[rule.pk] = _rule_cells(rule, day, today, scope, column, None)
    return [cell for rule in rules for cell in by_rule[rule.pk]]


def _rule_cells(
    rule: VisitRule, day, today, scope: Scope, column, tally_window: int | None
) -> list[ComplianceCell]:
    sql, params = obligation_sql(rule, day, today, scope, tally_window)
    # Grouped by rule alone: one row, no GROUP BY (PostgreSQL refuses GROUP BY NULL).
    key = column or "NULL"
    group = f"GROUP BY {column}" if column else ""
    outer = f"""
        SELECT {key} AS k, COUNT(*) AS due, {summary("o.done", "o.pending", "o.required", "o.due")}
        FROM ({sql}) o
        {group}
    """
    win = engine.window(rule.period, day)
    with connection.cursor() as cursor:
        cursor.execute(outer, [today, *params])
        return [
            ComplianceCell(
                rule, win, k, int(due or 0), int(met or 0), int(overdue or 0), pending=int(pending or 0)
            )
            for k, due, met, overdue, pending in cursor.fetchall()
        ]
