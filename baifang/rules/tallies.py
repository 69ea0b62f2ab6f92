"""Kept compliance windows: per-customer touch counts maintained by triggers (R-OBL-2, R-SCALE-1).

Live compliance aggregates every touch of each rule's window per request. For the windows kept
here (by default: the current window of every rule in force), database triggers keep one row per
(window, customer) with the number of touches that count, so compliance joins small rows instead
(``compliance.obligation_sql`` does this by itself when ``covered`` finds a window). Building a
window is the live count without the tier join (the tallies must not depend on tiers, which
change without touching the triggers' tables) under share locks on the tables the count reads,
so no write can slip between the count and the triggers.

A window is used only while it matches its rule exactly (channels, minimum duration, who counts,
dates) and is valid; anything else is read live. ``refresh`` (nightly job, ``baifang
compliance_rebuild``) rebuilds what is missing, invalid or stale and drops what is no longer needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from baifang.rules import engine
from baifang.rules import obligation_sql as parts
from baifang.rules.models import ComplianceTally, ComplianceWindow, VisitRule

# The tables the count reads; a build holds them in SHARE mode on PostgreSQL (writers wait).
_COUNTED_TABLES = (parts.CUSTOMER, parts.UNIT, parts.POSITION, parts.ASSIGNMENT)


def window_bounds(win: engine.Window) -> tuple[dt.datetime, dt.datetime]:
    """The aware local midnights [start, end + 1 day) the live SQL compares touches with."""
    start = timezone.make_aware(dt.datetime.combine(win.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(win.end + dt.timedelta(days=1), dt.time.min))
    return start, end


def covered(rules, day: dt.date) -> dict[int, int]:
    """{rule id: kept window id} for the rules whose window containing ``day`` is kept and exact."""
    rules = list(rules)
    if not rules:
        return {}
    wanted = {rule.pk: (rule, engine.window(rule.period, day)) for rule in rules}
    found = {}
    for window in ComplianceWindow.objects.filter(rule_id__in=wanted, is_valid=True):
        rule, win = wanted[window.rule_id]
        if window.matches(rule, win, *window_bounds(win)):
            found[rule.pk] = window.pk
    return found


def still_kept(window_ids) -> set[int]:
    """Which of these windows are still kept and valid (a reader checks after reading their counts)."""
    ids = list(window_ids)
    if not ids:
        return set()
    return set(ComplianceWindow.objects.filter(pk__in=ids, is_valid=True).values_list("pk", flat=True))


def _count_sql(rule: VisitRule, win: engine.Window) -> tuple[str, list]:
    """Per customer, the touches that count toward ``rule`` in ``win`` — the live SQL's ``done``, any tier."""
    touches_sql, touches_params = parts.touches_per_customer_user(rule, win, parts.Scope())
    counted_sql, counted_params = parts.counted_by(rule)
    sql = f"""
        SELECT d.customer_id AS customer_id, SUM(d.n) AS done, SUM(d.p) AS pending
        FROM ({touches_sql}) d
        JOIN {parts.CUSTOMER} c ON c.id = d.customer_id
        JOIN {parts.UNIT} u ON u.id = c.unit_id
        WHERE {counted_sql}
        GROUP BY d.customer_id
    """
    return sql, [*touches_params, *counted_params]


def _lock_counted_tables() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join((parts.touch_table(), *_COUNTED_TABLES))} IN SHARE MODE")
    # SQLite has one writer: the transaction already excludes every other write.


def build_window(rule: VisitRule, win: engine.Window) -> ComplianceWindow:
    """Count ``rule``'s window afresh and keep it, in one transaction.

    An earlier copy keeps its id and is replaced in place, so a reader sees either the old counts
    or the new ones, never a window without counts.
    """
    starts_at, ends_at = window_bounds(win)
    with transaction.atomic():
        _lock_counted_tables()
        window, _created = ComplianceWindow.objects.update_or_create(
            rule=rule,
            starts_on=win.start,
            defaults={
                "ends_on": win.end,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "channels": ComplianceWindow.channel_key(rule.touch_channels),
                "min_duration_seconds": (rule.min_duration_minutes or 0) * 60,
                "counted_by": ComplianceWindow.counted_by_of(rule),
                "is_valid": True,
                "built_at": timezone.now(),
            },
        )
        ComplianceTally.objects.filter(window_id=window.pk).delete()
        sql, params = _count_sql(rule, win)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {parts.TALLY} (window_id, customer_id, done, pending) "
                f"SELECT %s, x.customer_id, x.done, x.pending FROM ({sql}) x",
                [window.pk, *params],
            )
    return window


@dataclass
class RefreshResult:
    built: int = 0
    kept: int = 0
    dropped: int = 0


def planned(day: dt.date) -> list[tuple[VisitRule, engine.Window]]:
    """The windows worth keeping on ``day``: the current window of every rule in force."""
    return [(rule, engine.window(rule.period, day)) for rule in parts.rules_in_force(day)]


def refresh(day: dt.date | None = None, *, force: bool = False) -> RefreshResult:
    """Make the kept windows those ``planned`` for ``day``: build missing, invalid or stale ones, drop the rest.

    Idempotent: a second run keeps everything the first built (``force`` rebuilds all).
    """
    day = day or timezone.localdate()
    result = RefreshResult()
    existing = {(w.rule_id, w.starts_on): w for w in ComplianceWindow.objects.all()}
    for rule, win in planned(day):
        window = existing.pop((rule.pk, win.start), None)
        if window is not None and not force and window.matches(rule, win, *window_bounds(win)):
            result.kept += 1
            continue
        build_window(rule, win)
        result.built += 1
    if existing:
        ids = [w.pk for w in existing.values()]
        with transaction.atomic():
            ComplianceTally.objects.filter(window_id__in=ids).delete()
            ComplianceWindow.objects.filter(pk__in=ids).delete()
        result.dropped = len(ids)
    # Counters of windows dropped while a trigger was writing to them.
    ComplianceTally.objects.exclude(window_id__in=ComplianceWindow.objects.values("pk")).delete()
    return result


def drift(day: dt.date | None = None) -> list[tuple[str, int]]:
    """Kept windows whose counters differ from a live count: [(rule code, customers that differ)].

    Empty when the triggers did their job; ``baifang compliance_rebuild --check`` prints it.
    """
    day = day or timezone.localdate()
    rules = parts.rules_in_force(day)
    windows = covered(rules, day)
    out = []
    for rule in rules:
        if rule.pk not in windows:
            continue
        sql, params = _count_sql(rule, engine.window(rule.period, day))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT COUNT(*) FROM (
                        SELECT x.customer_id FROM (
                            SELECT live.customer_id AS customer_id, live.done AS done, live.pending AS pending
                            FROM ({sql}) live
                            UNION ALL
                            SELECT customer_id, -done, -pending FROM {parts.TALLY}
                            WHERE window_id = %s
                        ) x GROUP BY x.customer_id HAVING SUM(x.done) <> 0 OR SUM(x.pending) <> 0
                    ) differing""",
                [*params, windows[rule.pk]],
            )
            differing = cursor.fetchone()[0]
        if differing:
            out.append((rule.code, differing))
    return out


# Grouping columns of the one-statement read (the per-rule SQL groups its subquery ``o`` instead).
_KEPT_GROUP_COLUMNS = {"rule": None, "owner": "c.owner_id", "unit": "c.unit_id"}


def can_read_together(scope: parts.Scope, group_by: str) -> bool:
    """Whether ``read_together`` serves this request (grouping by responsible person stays per rule)."""
    return group_by in _KEPT_GROUP_COLUMNS and scope.responsible_user is None


def read_together(
    rules, kept: dict[int, int], day: dt.date, today: dt.date, scope: parts.Scope, group_by: str
) -> dict[int, list]:
    """Compliance cells of every kept rule in one statement: {rule id: cells}.

    The same numbers as the per-rule obligation SQL over kept windows, but customers, their units
    and tiers are read once for all rules instead of once per rule: the rules are a VALUES list
    joined on the tier (and geography), each customer row picks its counter of the rule's window.
    """
    rules = [rule for rule in rules if rule.pk in kept]
    if not rules:
        return {}
    column = _KEPT_GROUP_COLUMNS[group_by]
    values, params = [], []
    for rule in rules:
        win = engine.window(rule.period, day)
        values.append("(%s, %s, %s, %s, %s, %s, %s)")
        first_due = engine.first_touch_due(win, rule.first_due_day) or win.end
        params += [rule.pk, rule.tier_id, kept[rule.pk], rule.min_count, first_due, win.end, rule.geography]
    # Which geographies the customer satisfies, each as in the per-rule SQL (a customer may satisfy two).
    geography, geography_params = parts.geography_of_any_rule("r.geo")
    scope_clauses, scope_params = scope.conditions(rules[0])  # no responsible person: the same for every rule
    where, where_params = parts.active_customer()
    where.extend(scope_clauses)
    done, pending = "COALESCE(g.done, 0)", "COALESCE(g.pending, 0)"
    due = parts.due(done, "r.first_due", "r.win_end")
    sql = f"""
        WITH r (rule_id, tier_id, window_id, required, first_due, win_end, geo) AS (VALUES {", ".join(values)})
        SELECT r.rule_id, {column or "NULL"} AS k, COUNT(*) AS due, {parts.summary(done, pending, "r.required", due)}
        FROM {parts.CUSTOMER} c
        {f"JOIN {parts.UNIT} u ON u.id = c.unit_id" if scope.unit_path else ""}
        JOIN {parts.CUSTOMER_TIER} ct ON ct.customer_id = c.id
        JOIN r ON r.tier_id = ct.tier_id AND {geography}
        LEFT JOIN {parts.TALLY} g ON g.window_id = r.window_id AND g.customer_id = c.id
        WHERE {" AND ".join(where)}
        GROUP BY r.rule_id{", " + column if column else ""}
    """
    params += [today, *geography_params, *where_params, *scope_params]
    found: dict[int, list] = {rule.pk: [] for rule in rules}
    by_pk = {rule.pk: rule for rule in rules}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for rule_id, key, due, met, overdue, pending in cursor.fetchall():
            rule = by_pk[rule_id]
            found[rule_id].append(
                parts.ComplianceCell(
                    rule,
                    engine.window(rule.period, day),
                    key,
                    int(due or 0),
                    int(met or 0),
                    int(overdue or 0),
                    pending=int(pending or 0),
                )
            )
    if column is None:  # like the per-rule SQL: one row per rule, even with nobody in its tier
        for rule in rules:
            if not found[rule.pk]:
                found[rule.pk].append(parts.ComplianceCell(rule, engine.window(rule.period, day), None))
    return found
