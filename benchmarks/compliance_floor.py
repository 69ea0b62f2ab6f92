"""The compliance floor: one hand-written SQL statement for the app's answer (R-OBL-2, issue 17).

``floor_sql(rules, day, today)`` returns a single statement that gives, per rule in force, exactly
what ``compliance.compliance(day, scope=Scope(), group_by="rule", today=today)`` gives — due, met,
overdue and pending review — with every rule of the app applied:

- only touches that count (``count_state`` counted; pending review counted apart, R-VISIT-8), in the
  rule's window, of the rule's channels, at least its minimum duration;
- only the responsible people's touches (the owner's; the supervisor of the customer's unit or the
  department manager; the department manager of the customer's department; any leader or deputy),
  unless anyone's touch counts;
- customers in the rule's tier, not merged away, not lost or blacklisted, in the rule's geography;
- due date: the first-touch deadline while no touch is done, else the window's end; overdue
  against a fixed ``today``.

It is written independently of ``baifang.rules.obligation_sql`` (only the windows come from the
plain-Python ``rules.engine``) and shaped for speed rather than reuse: the touches are read at most
twice — once for the owners' (and anyone's) rules over the union of their windows, joined to each
touch's customer to keep the owner's own; once for the position holders' rules, reading only the
holders' touches (index on user, time) — each pass producing one row per customer with a counter
column per rule. Customers and tiers are read once and joined to the rule list. Plain SQL (CTEs,
VALUES, CASE, SUM): it runs unchanged on PostgreSQL and SQLite.

Tables are named here by hand on purpose: the floor must not share the app's SQL builders, or a
fault in them would be repeated here and the rule-by-rule check would prove nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.utils import timezone

from baifang.rules import engine

COUNTED, PENDING = "counted", "pending_review"
HOLDER_KINDS = {
    "supervisor": ("supervisor", "dept_manager"),
    "dept_manager": ("dept_manager",),
    "leader": ("leader", "deputy_leader"),
}


def _midnight(day: dt.date):
    aware = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return connection.ops.adapt_datetimefield_value(aware)


def _in(values) -> tuple[str, list]:
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


def floor_sql(rules, day: dt.date, today: dt.date) -> tuple[str, list]:
    """One statement: rows (rule_id, due, met, overdue, pending) for ``rules`` on ``day``."""
    if not rules:
        raise ValueError("no rules")
    own_rules = [r for r in rules if r.counted_by_anyone or r.responsible == "owner"]
    held_rules = [r for r in rules if r not in own_rules]
    windows = {r.pk: engine.window(r.period, day) for r in rules}

    def touch_case(rule, state: str, extra: str = "") -> tuple[str, list]:
        win = windows[rule.pk]
        marks, channels = _in(rule.touch_channels)
        sql = f"t.started_at >= %s AND t.started_at < %s AND t.channel IN ({marks}) AND t.count_state = %s"
        params = [_midnight(win.start), _midnight(win.end + dt.timedelta(days=1)), *channels, state]
        if rule.min_duration_minutes:
            sql += " AND t.duration_seconds >= %s"
            params.append(rule.min_duration_minutes * 60)
        return f"SUM(CASE WHEN {sql}{extra} THEN 1 ELSE 0 END)", params

    def span(selected) -> list:
        start = min(windows[r.pk].start for r in selected)
        end = max(windows[r.pk].end for r in selected)
        return [_midnight(start), _midnight(end + dt.timedelta(days=1))]

    ctes: list[str] = []
    params: list = []
    # Pass 1: the owners' own touches (and anyone's, for rules where anyone's touch counts).
    if own_rules:
        columns = []
        for rule in own_rules:
            who = "" if rule.counted_by_anyone else " AND t.user_id = c.owner_id"
            for state, prefix in ((COUNTED, "n"), (PENDING, "p")):
                sql, extra = touch_case(rule, state, who)
                columns.append(f"{sql} AS {prefix}{rule.pk}")
                params.extend(extra)
        only_owner = "" if any(r.counted_by_anyone for r in own_rules) else " AND t.user_id = c.owner_id"
        ctes.append(
            f"""own AS (
                SELECT t.customer_id AS customer_id, {", ".join(columns)}
                FROM visits_touch t JOIN customers_customer c ON c.id = t.customer_id{only_owner}
                WHERE t.started_at >= %s AND t.started_at < %s AND t.count_state IN (%s, %s)
                GROUP BY t.customer_id)"""
        )
        params.extend([*span(own_rules), COUNTED, PENDING])
    # Pass 2: the position holders' touches, each matched to the customer's responsible holders.
    if held_rules:
        kinds = sorted({k for r in held_rules for k in HOLDER_KINDS[r.responsible]})
        marks, kind_params = _in(kinds)
        columns = []
        for rule in held_rules:
            if rule.responsible == "supervisor":
                who = " AND (sup.user_id IS NOT NULL OR dm.user_id IS NOT NULL)"
            elif rule.responsible == "dept_manager":
                who = " AND dm.user_id IS NOT NULL"
            else:
                who = " AND ldr.user_id IS NOT NULL"
            for state, prefix in ((COUNTED, "n"), (PENDING, "p")):
                sql, extra = touch_case(rule, state, who)
                columns.append(f"{sql} AS {prefix}{rule.pk}")
                params.extend(extra)
        holders = (
            "SELECT DISTINCT pa.user_id AS user_id, pa.unit_id AS unit_id FROM org_positionassignment pa "
            "JOIN org_position p ON p.id = pa.position_id WHERE p.kind = %s"
        )
        ctes.append(
            f"""held AS (
                SELECT t.customer_id AS customer_id, {", ".join(columns)}
                FROM visits_touch t
                JOIN customers_customer c ON c.id = t.customer_id
                JOIN org_orgunit u ON u.id = c.unit_id
                LEFT JOIN ({holders}) sup ON sup.user_id = t.user_id AND sup.unit_id = c.unit_id
                LEFT JOIN ({holders}) dm ON dm.user_id = t.user_id AND dm.unit_id = u.department_id
                LEFT JOIN (SELECT DISTINCT pa.user_id AS user_id FROM org_positionassignment pa
                           JOIN org_position p ON p.id = pa.position_id WHERE p.kind IN (%s, %s)) ldr
                       ON ldr.user_id = t.user_id
                WHERE t.user_id IN (SELECT pa.user_id FROM org_positionassignment pa
                                    JOIN org_position p ON p.id = pa.position_id WHERE p.kind IN ({marks}))
                  AND t.started_at >= %s AND t.started_at < %s AND t.count_state IN (%s, %s)
                GROUP BY t.customer_id)"""
        )
        # The holders' parameters sit before the WHERE's, in the order they appear.
        head = ["supervisor", "dept_manager", "leader", "deputy_leader"]
        params.extend([*head, *kind_params, *span(held_rules), COUNTED, PENDING])

    # The rule list: one row per rule, joined to each customer's tier.
    rows, rule_params = [], []
    date = "%s::date" if connection.vendor == "postgresql" else "%s"  # a NULL-only column stays a date
    for rule in rules:
        win = windows[rule.pk]
        rows.append(f"(%s, %s, %s, {date}, {date}, %s)")
        rule_params.extend(
            [
                rule.pk,
                rule.tier_id,
                rule.min_count,
                engine.first_touch_due(win, rule.first_due_day),
                win.end,
                rule.geography,
            ]
        )
    ctes.insert(
        0,
        f"rule_list (rule_id, tier_id, required, first_due, win_end, geography) AS (VALUES {', '.join(rows)})",
    )

    def pick(prefix: str) -> str:
        branches = []
        for rule in rules:
            source = "own" if rule in own_rules else "held"
            branches.append(f"WHEN {rule.pk} THEN {source}.{prefix}{rule.pk}")
        return f"COALESCE(CASE r.rule_id {' '.join(branches)} END, 0)"

    province, city = settings.BAIFANG["HOME_PROVINCE"], settings.BAIFANG["HOME_CITY"]
    joins = []
    if own_rules:
        joins.append("LEFT JOIN own ON own.customer_id = c.id")
    if held_rules:
        joins.append("LEFT JOIN held ON held.customer_id = c.id")
    body = f"""
        SELECT r.rule_id AS rule_id, r.required AS required, r.first_due AS first_due, r.win_end AS win_end,
               {pick("n")} AS done, {pick("p")} AS pend
        FROM customers_customer c
        JOIN tiers_customertier ct ON ct.customer_id = c.id
        JOIN rule_list r ON r.tier_id = ct.tier_id
        {" ".join(joins)}
        WHERE c.merged_into_id IS NULL AND c.status NOT IN ('lost', 'blacklisted')
          AND (r.geography = 'any'
               OR (r.geography = 'same_city' AND c.city = %s)
               OR (r.geography = 'same_province' AND c.province = %s AND c.city <> %s)
               OR (r.geography = 'elsewhere' AND c.province <> %s))"""
    sql = f"""
        WITH {", ".join(ctes)}
        SELECT o.rule_id, COUNT(*) AS due,
               SUM(CASE WHEN o.done >= o.required THEN 1 ELSE 0 END) AS met,
               SUM(CASE WHEN o.done + o.pend < o.required
                         AND (CASE WHEN o.first_due IS NOT NULL AND o.done = 0 THEN o.first_due ELSE o.win_end END) < %s
                        THEN 1 ELSE 0 END) AS overdue,
               SUM(CASE WHEN o.done < o.required AND o.done + o.pend >= o.required THEN 1 ELSE 0 END) AS pending
        FROM ({body}) o
        GROUP BY o.rule_id"""
    # Parameters in textual order: rule list, CTEs, today (outer SELECT), geography (inner body).
    return sql, [*rule_params, *params, today, city, province, city, province]


def floor_numbers(rules, day: dt.date, today: dt.date) -> dict[int, tuple[int, int, int, int]]:
    """Run the floor: {rule id: (due, met, overdue, pending)}; rules without customers give zeros."""
    sql, params = floor_sql(rules, day, today)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = {row[0]: tuple(int(x or 0) for x in row[1:]) for row in cursor.fetchall()}
    return {rule.pk: found.get(rule.pk, (0, 0, 0, 0)) for rule in rules}


def app_numbers(cells) -> dict[int, tuple[int, int, int, int]]:
    """The app's compliance cells (grouped by rule) in the floor's shape."""
    return {cell.rule.pk: (cell.due, cell.met, cell.overdue, cell.pending) for cell in cells}


def differences(rules, floor: dict, app: dict) -> list[str]:
    """One line per rule whose numbers differ (empty when floor and app agree on every rule)."""
    out = []
    for rule in rules:
        if floor.get(rule.pk) != app.get(rule.pk):
            out.append(
                f"{rule.code}: floor (due, met, overdue, pending) {floor.get(rule.pk)} != app {app.get(rule.pk)}"
            )
    return out
