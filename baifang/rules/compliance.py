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
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.db import connection
from django.utils import timezone

from baifang.org.choices import DataScope, PositionKind
from baifang.rules import engine
from baifang.rules.choices import Geography, Responsible
from baifang.rules.models import VisitRule
from baifang.visits.engine import COUNTED, PENDING_REVIEW

INACTIVE_STATUSES = ("lost", "blacklisted")

# Who may be responsible, per rule: SQL for one user id per customer row (c = customer, u = its unit).
_HOLDER = (
    "(SELECT MIN(pa.user_id) FROM org_positionassignment pa JOIN org_position p ON p.id = pa.position_id "
    "JOIN org_user usr ON usr.id = pa.user_id WHERE usr.is_active = %s AND p.kind {kind} AND pa.unit_id {unit})"
)
_RESPONSIBLE_SQL = {
    Responsible.OWNER: ("c.owner_id", []),
    Responsible.SUPERVISOR: (
        "COALESCE("
        + _HOLDER.format(kind="= %s", unit="= c.unit_id")
        + ", "
        + _HOLDER.format(kind="= %s", unit="= u.department_id")
        + ")",
        [True, PositionKind.SUPERVISOR, True, PositionKind.DEPT_MANAGER],
    ),
    Responsible.DEPT_MANAGER: (
        _HOLDER.format(kind="= %s", unit="= u.department_id"),
        [True, PositionKind.DEPT_MANAGER],
    ),
    Responsible.LEADER: (_HOLDER.format(kind="= %s", unit="IS NOT NULL"), [True, PositionKind.LEADER]),
}

_HOLDER_USERS = "SELECT pa.user_id FROM org_positionassignment pa JOIN org_position p ON p.id = pa.position_id WHERE {cond}"

# Whose touches count, per rule: a condition on the aggregated touches' user (d.user_id) for the
# customer row (c = customer, u = its unit). Touches are aggregated per (customer, user) without
# any join, so counting never costs a lookup per touch.
_COUNTED_BY_SQL = {
    Responsible.OWNER: ("d.user_id = c.owner_id", []),
    Responsible.SUPERVISOR: (
        "d.user_id IN ("
        + _HOLDER_USERS.format(
            cond="(p.kind = %s AND pa.unit_id = c.unit_id) OR (p.kind = %s AND pa.unit_id = u.department_id)"
        )
        + ")",
        [PositionKind.SUPERVISOR, PositionKind.DEPT_MANAGER],
    ),
    Responsible.DEPT_MANAGER: (
        "d.user_id IN (" + _HOLDER_USERS.format(cond="p.kind = %s AND pa.unit_id = u.department_id") + ")",
        [PositionKind.DEPT_MANAGER],
    ),
    Responsible.LEADER: (
        "d.user_id IN (" + _HOLDER_USERS.format(cond="p.kind IN (%s, %s)") + ")",
        [PositionKind.LEADER, PositionKind.DEPUTY_LEADER],
    ),
}

# Which users' touches can count at all: read only their touches (index on user, time).
_HOLDER_KINDS = {
    Responsible.SUPERVISOR: (PositionKind.SUPERVISOR, PositionKind.DEPT_MANAGER),
    Responsible.DEPT_MANAGER: (PositionKind.DEPT_MANAGER,),
    Responsible.LEADER: (PositionKind.LEADER, PositionKind.DEPUTY_LEADER),
}


def _db_datetime(day: dt.date):
    """Local midnight of ``day`` as the database backend stores datetimes."""
    aware = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return connection.ops.adapt_datetimefield_value(aware)


@dataclass(frozen=True)
class Scope:
    """Which customers a computation covers: a user's visible set, a unit subtree, a responsible person."""

    user: object | None = None
    unit_path: str | None = None
    responsible_user: object | None = None
    customer_id: int | None = None

    @cached_property
    def visible_sql(self) -> tuple[str, tuple]:
        """The viewer's visible customers as SQL, built once per scope (it costs a few queries)."""
        from baifang.customers.models import Customer

        return Customer.objects.visible_to(self.user).values("id").query.sql_with_params()

    def conditions(self, rule: VisitRule, c: str = "c", u: str = "u") -> tuple[list[str], list]:
        """SQL conditions on a customer alias ``c`` and its unit alias ``u``."""

        clauses: list[str] = []
        params: list = []
        if self.user is not None and self.user.data_scope != DataScope.ALL:
            sql, sub_params = self.visible_sql
            clauses.append(f"{c}.id IN ({sql})")
            params.extend(sub_params)
        if self.unit_path:
            clauses.append(f"{u}.path LIKE %s")
            params.append(self.unit_path + "%")
        if self.customer_id is not None:
            clauses.append(f"{c}.id = %s")
            params.append(self.customer_id)
        if self.responsible_user is not None:
            clause, extra = _responsible_filter(rule, self.responsible_user, c, u)
            clauses.append(clause)
            params.extend(extra)
        return clauses, params


def _responsible_filter(rule: VisitRule, user, c: str = "c", u: str = "u") -> tuple[str, list]:
    """Rows of ``rule`` for which ``user`` is (one of) the responsible people."""
    if rule.responsible == Responsible.OWNER:
        return f"{c}.owner_id = %s", [user.pk]
    if rule.responsible == Responsible.LEADER:
        return (
            ("1 = 1", [])
            if user.has_position(PositionKind.LEADER, PositionKind.DEPUTY_LEADER)
            else ("1 = 0", [])
        )
    kind = (
        PositionKind.SUPERVISOR if rule.responsible == Responsible.SUPERVISOR else PositionKind.DEPT_MANAGER
    )
    column = f"{c}.unit_id" if rule.responsible == Responsible.SUPERVISOR else f"{u}.department_id"
    return (
        f"{column} IN (SELECT pa.unit_id FROM org_positionassignment pa JOIN org_position p ON p.id = pa.position_id "
        "WHERE pa.user_id = %s AND p.kind = %s)",
        [user.pk, kind],
    )


# Per aggregated touch row: how many count (``n``) and how many wait for review (``p``), R-VISIT-8.
TOUCH_COUNTS = (
    "SUM(CASE WHEN t.count_state = %s THEN 1 ELSE 0 END) AS n, "
    "SUM(CASE WHEN t.count_state = %s THEN 1 ELSE 0 END) AS p"
)
TOUCH_COUNTS_PARAMS = (COUNTED, PENDING_REVIEW)


def _touch_filter(rule: VisitRule, win: engine.Window, scope: Scope) -> tuple[list[str], list]:
    """Conditions on touches (alias t) that can count toward ``rule`` in ``win`` within ``scope``.

    Touches pending review pass too: they are counted apart (``TOUCH_COUNTS``), never as done.
    """
    conditions = [
        "t.started_at >= %s",
        "t.started_at < %s",
        f"t.channel IN ({', '.join(['%s'] * len(rule.touch_channels))})",
        "t.count_state IN (%s, %s)",  # what counts as done, or may once reviewed (R-VISIT-8)
    ]
    params: list = [
        _db_datetime(win.start),
        _db_datetime(win.end + dt.timedelta(days=1)),
        *rule.touch_channels,
        COUNTED,
        PENDING_REVIEW,
    ]
    if rule.min_duration_minutes:
        conditions.append("t.duration_seconds >= %s")
        params.append(rule.min_duration_minutes * 60)
    responsible = Responsible(rule.responsible)
    if not rule.counted_by_anyone:
        if responsible == Responsible.OWNER and scope.responsible_user is not None:
            conditions.append("t.user_id = %s")  # a rep's due list: only the rep's touches count
            params.append(scope.responsible_user.pk)
        elif responsible in _HOLDER_KINDS:
            kinds = _HOLDER_KINDS[responsible]
            conditions.append(
                "t.user_id IN ("
                + _HOLDER_USERS.format(cond=f"p.kind IN ({', '.join(['%s'] * len(kinds))})")
                + ")"
            )
            params.extend(kinds)
    if scope.customer_id is not None:
        conditions.append("t.customer_id = %s")
        params.append(scope.customer_id)
    return conditions, params


def _touch_counts_sql(rule: VisitRule, win: engine.Window, scope: Scope, tally_window: int | None):
    """The ``d`` join of the obligation SQL: counted touches per customer row, live or kept.

    Live: touches of the window aggregated per (customer, user), matched to the responsible person
    in the join. Kept (``tally_window``): the trigger-maintained count per customer (tallies.py).
    """
    if tally_window is not None:
        return (
            "LEFT JOIN (SELECT g.customer_id AS customer_id, g.done AS n, g.pending AS p "
            "FROM visit_rules_compliancetally g WHERE g.window_id = %s) d ON d.customer_id = c.id",
            [tally_window],
        )
    touch_conditions, touch_params = _touch_filter(rule, win, scope)
    counted_sql, counted_params = (
        ("1 = 1", []) if rule.counted_by_anyone else _COUNTED_BY_SQL[Responsible(rule.responsible)]
    )
    sql = f"""LEFT JOIN (
            SELECT t.customer_id AS customer_id, t.user_id AS user_id, {TOUCH_COUNTS}
            FROM visits_touch t
            WHERE {" AND ".join(touch_conditions)}
            GROUP BY t.customer_id, t.user_id
        ) d ON d.customer_id = c.id AND {counted_sql}"""
    return sql, [*TOUCH_COUNTS_PARAMS, *touch_params, *counted_params]


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
    responsible_sql, responsible_params = _RESPONSIBLE_SQL[Responsible(rule.responsible)]
    counts_sql, counts_params = _touch_counts_sql(rule, win, scope, tally_window)

    where = ["c.merged_into_id IS NULL", "c.status NOT IN (%s, %s)"]
    where_params: list = list(INACTIVE_STATUSES)
    home_province, home_city = settings.BAIFANG["HOME_PROVINCE"], settings.BAIFANG["HOME_CITY"]
    if rule.geography == Geography.SAME_CITY:
        where.append("c.city = %s")
        where_params.append(home_city)
    elif rule.geography == Geography.SAME_PROVINCE:
        where.append("c.province = %s AND c.city <> %s")
        where_params.extend([home_province, home_city])
    elif rule.geography == Geography.ELSEWHERE:
        where.append("c.province <> %s")
        where_params.append(home_province)
    scope_clauses, scope_params = scope.conditions(rule)
    where.extend(scope_clauses)

    # A kept window has at most one counter per customer: no aggregate (and no sort) needed.
    done = "COALESCE(SUM(d.n), 0)" if tally_window is None else "COALESCE(d.n, 0)"
    pending = "COALESCE(SUM(d.p), 0)" if tally_window is None else "COALESCE(d.p, 0)"
    group_by = "GROUP BY c.id, c.owner_id, c.unit_id, u.id, u.department_id" if tally_window is None else ""
    due_sql = f"CASE WHEN {done} = 0 THEN %s ELSE %s END" if first_due else "%s"
    due_params = [first_due, win.end] if first_due else [win.end]
    sql = f"""
        SELECT c.id AS customer_id, c.owner_id AS owner_id, c.unit_id AS unit_id,
               {responsible_sql} AS responsible_id,
               {done} AS done, {pending} AS pending, %s AS required, {due_sql} AS due
        FROM customers_customer c
        JOIN tiers_customertier ct ON ct.customer_id = c.id AND ct.tier_id = %s
        JOIN org_orgunit u ON u.id = c.unit_id
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


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def rules_in_force(day: dt.date, rule_ids=None):
    rules = (
        VisitRule.objects.in_force_on(day)
        .select_related("tier", "scheme", "season")
        .prefetch_related("season__ranges")
    )
    if rule_ids:
        rules = rules.filter(pk__in=rule_ids)
    return [r for r in rules if r.season is None or engine.in_season(day, r.season.engine_ranges())]


def _kept_windows(rules, day: dt.date, use_tallies: bool) -> dict[int, int]:
    """{rule id: kept window id} for the rules whose window is kept exactly; the rest are read live."""
    if not use_tallies:
        return {}
    from baifang.rules import tallies

    return tallies.covered(rules, day)


def _dropped_meanwhile(kept: dict[int, int]) -> set[int]:
    """Rules whose kept window was dropped or invalidated while we read it: they are read again live."""
    if not kept:
        return set()
    from baifang.rules import tallies

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
        if scope.responsible_user is None or _responsible_filter(rule, scope.responsible_user)[0] != "1 = 0"
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
    from baifang.customers.models import Customer

    customers = Customer.objects.select_related("owner").in_bulk({o.customer_id for o in rows})
    for row in rows:
        row.customer = customers.get(row.customer_id)


GROUP_COLUMNS = {"rule": None, "owner": "o.owner_id", "unit": "o.unit_id", "responsible": "o.responsible_id"}


@dataclass
class ComplianceCell:
    """Counts for one rule (and one group value) in one window (R-OBL-2)."""

    rule: VisitRule
    window: engine.Window
    key: int | None
    due: int = 0
    met: int = 0
    overdue: int = 0
    extra: dict = field(default_factory=dict)
    pending: int = 0  # not met, but met once the visits pending review are accepted (R-VISIT-8)

    @property
    def unmet(self) -> int:
        """Neither met nor pending review."""
        return self.due - self.met - self.pending

    @property
    def rate(self) -> float | None:
        return self.met / self.due if self.due else None


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
    if kept:
        from baifang.rules import tallies

        if tallies.can_read_together(scope, group_by):
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
        SELECT {key} AS k, COUNT(*) AS due,
               SUM(CASE WHEN o.done >= o.required THEN 1 ELSE 0 END) AS met,
               SUM(CASE WHEN o.done + o.pending < o.required AND o.due < %s THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN o.done < o.required AND o.done + o.pending >= o.required THEN 1 ELSE 0 END)
                   AS pending
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
