"""The shared pieces of every obligation count, written once (R-OBL-1, R-OBL-2, R-VISIT-8).

The live compliance SQL (``compliance``), the kept-window builder and reader (``tallies``) and
the trigger generator (``trigger_sql``) build their statements from these fragments: which
touches count (window, channel, minimum duration, what counts as done, who may count them), who
is responsible, the geography of a rule, the due date and the summary columns. Table names come
from the models' ``_meta``; nothing here runs a query.

Aliases: ``c`` customer, ``u`` its unit, ``t`` a touch, ``d`` touches aggregated per (customer,
user), ``o`` one obligation row, ``g`` a kept counter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.utils import timezone

from baifang.customers.models import Customer
from baifang.org.choices import DataScope, PositionKind
from baifang.org.models import OrgUnit, Position, PositionAssignment, User
from baifang.rules import engine
from baifang.rules.choices import Geography, Responsible
from baifang.rules.count_states import COUNTED, PENDING_REVIEW
from baifang.rules.models import ComplianceTally, VisitRule
from baifang.tiers.models import CustomerTier

CUSTOMER = Customer._meta.db_table
UNIT = OrgUnit._meta.db_table
POSITION = Position._meta.db_table
ASSIGNMENT = PositionAssignment._meta.db_table
USER = User._meta.db_table
CUSTOMER_TIER = CustomerTier._meta.db_table
TALLY = ComplianceTally._meta.db_table

# The model of the touches every count reads (R-VISIT-8): the visits app registers it at ready(), so
# rules never imports visits. It must have the columns ``trigger_sql.TOUCH_COLUMNS`` names, with
# ``count_state`` holding the words of ``count_states``.
_touch_model: type[models.Model] | None = None


def counts_touches_of(model: type[models.Model]) -> type[models.Model]:
    """Register the model whose rows are the touches obligations count (called by visits at ready())."""
    global _touch_model
    _touch_model = model
    return model


def touch_table() -> str:
    if _touch_model is None:
        raise ImproperlyConfigured("No app registered the touches obligations count (visits).")
    return _touch_model._meta.db_table


INACTIVE_STATUSES = ("lost", "blacklisted")

# Who may be responsible, per rule: SQL for one user id per customer row.
_HOLDER = (
    f"(SELECT MIN(pa.user_id) FROM {ASSIGNMENT} pa JOIN {POSITION} p ON p.id = pa.position_id "
    f"JOIN {USER} usr ON usr.id = pa.user_id WHERE usr.is_active = %s AND p.kind {{kind}} AND pa.unit_id {{unit}})"
)
RESPONSIBLE_SQL = {
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

HOLDER_USERS = (
    f"SELECT pa.user_id FROM {ASSIGNMENT} pa JOIN {POSITION} p ON p.id = pa.position_id WHERE {{cond}}"
)

# Whose touches count, per rule: a condition on the aggregated touches' user (d.user_id) for the
# customer row. Touches are aggregated per (customer, user) without any join, so counting never
# costs a lookup per touch.
_COUNTED_BY_SQL = {
    Responsible.OWNER: ("d.user_id = c.owner_id", []),
    Responsible.SUPERVISOR: (
        "d.user_id IN ("
        + HOLDER_USERS.format(
            cond="(p.kind = %s AND pa.unit_id = c.unit_id) OR (p.kind = %s AND pa.unit_id = u.department_id)"
        )
        + ")",
        [PositionKind.SUPERVISOR, PositionKind.DEPT_MANAGER],
    ),
    Responsible.DEPT_MANAGER: (
        "d.user_id IN (" + HOLDER_USERS.format(cond="p.kind = %s AND pa.unit_id = u.department_id") + ")",
        [PositionKind.DEPT_MANAGER],
    ),
    Responsible.LEADER: (
        "d.user_id IN (" + HOLDER_USERS.format(cond="p.kind IN (%s, %s)") + ")",
        [PositionKind.LEADER, PositionKind.DEPUTY_LEADER],
    ),
}

# Which users' touches can count at all: read only their touches (index on user, time).
_HOLDER_KINDS = {
    Responsible.SUPERVISOR: (PositionKind.SUPERVISOR, PositionKind.DEPT_MANAGER),
    Responsible.DEPT_MANAGER: (PositionKind.DEPT_MANAGER,),
    Responsible.LEADER: (PositionKind.LEADER, PositionKind.DEPUTY_LEADER),
}

# Per aggregated touch row: how many count (``n``) and how many wait for review (``p``), R-VISIT-8.
TOUCH_COUNTS = (
    "SUM(CASE WHEN t.count_state = %s THEN 1 ELSE 0 END) AS n, "
    "SUM(CASE WHEN t.count_state = %s THEN 1 ELSE 0 END) AS p"
)
TOUCH_COUNTS_PARAMS = (COUNTED, PENDING_REVIEW)


def db_datetime(day: dt.date):
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
            clause, extra = responsible_filter(rule, self.responsible_user, c, u)
            clauses.append(clause)
            params.extend(extra)
        return clauses, params


def responsible_filter(rule: VisitRule, user, c: str = "c", u: str = "u") -> tuple[str, list]:
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
        f"{column} IN (SELECT pa.unit_id FROM {ASSIGNMENT} pa JOIN {POSITION} p ON p.id = pa.position_id "
        "WHERE pa.user_id = %s AND p.kind = %s)",
        [user.pk, kind],
    )


def counted_by(rule: VisitRule) -> tuple[str, list]:
    """The condition on ``d.user_id`` for a touch to count toward ``rule`` for customer ``c``."""
    if rule.counted_by_anyone:
        return "1 = 1", []
    return _COUNTED_BY_SQL[Responsible(rule.responsible)]


def touch_filter(rule: VisitRule, win: engine.Window, scope: Scope) -> tuple[list[str], list]:
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
        db_datetime(win.start),
        db_datetime(win.end + dt.timedelta(days=1)),
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
                + HOLDER_USERS.format(cond=f"p.kind IN ({', '.join(['%s'] * len(kinds))})")
                + ")"
            )
            params.extend(kinds)
    if scope.customer_id is not None:
        conditions.append("t.customer_id = %s")
        params.append(scope.customer_id)
    return conditions, params


def touches_per_customer_user(rule: VisitRule, win: engine.Window, scope: Scope) -> tuple[str, list]:
    """Touches of ``rule``'s window aggregated per (customer, user): columns customer_id, user_id, n, p."""
    conditions, params = touch_filter(rule, win, scope)
    sql = f"""SELECT t.customer_id AS customer_id, t.user_id AS user_id, {TOUCH_COUNTS}
            FROM {touch_table()} t
            WHERE {" AND ".join(conditions)}
            GROUP BY t.customer_id, t.user_id"""
    return sql, [*TOUCH_COUNTS_PARAMS, *params]


def _home() -> tuple[str, str]:
    return settings.BAIFANG["HOME_PROVINCE"], settings.BAIFANG["HOME_CITY"]


def geography(rule: VisitRule, c: str = "c") -> tuple[list[str], list]:
    """Conditions on customer ``c`` for ``rule``'s geography (R-FREQ-6)."""
    province, city = _home()
    if rule.geography == Geography.SAME_CITY:
        return [f"{c}.city = %s"], [city]
    if rule.geography == Geography.SAME_PROVINCE:
        return [f"{c}.province = %s AND {c}.city <> %s"], [province, city]
    if rule.geography == Geography.ELSEWHERE:
        return [f"{c}.province <> %s"], [province]
    return [], []


def geography_of_any_rule(geo: str, c: str = "c") -> tuple[str, list]:
    """``geo`` (a column of rules' geographies) is one the customer satisfies — ``geography`` for many rules.

    Written so the planner cannot turn it into a filter on the rules alone.
    """
    province, city = _home()
    return (
        f"{geo} IN (%s, CASE WHEN {c}.city = %s THEN %s ELSE '' END, "
        f"CASE WHEN {c}.province = %s AND {c}.city <> %s THEN %s ELSE '' END, "
        f"CASE WHEN {c}.province <> %s THEN %s ELSE '' END)",
        [
            Geography.ANY,
            city,
            Geography.SAME_CITY,
            province,
            city,
            Geography.SAME_PROVINCE,
            province,
            Geography.ELSEWHERE,
        ],
    )


def active_customer(c: str = "c") -> tuple[list[str], list]:
    """Customers that owe anything: not merged away, not lost or blacklisted."""
    return [f"{c}.merged_into_id IS NULL", f"{c}.status NOT IN (%s, %s)"], list(INACTIVE_STATUSES)


def due(done: str, first_due: str, win_end: str) -> str:
    """The due date of an obligation: the first-touch deadline before any touch, else the window end."""
    return f"CASE WHEN {done} = 0 THEN {first_due} ELSE {win_end} END"


def summary(done: str, pending: str, required: str, due_date: str) -> str:
    """Columns met, overdue and pending of a compliance summary; the caller binds ``today`` once (R-OBL-2).

    Met: done reaches required. Pending review: not met, but met once the visits waiting for
    review are accepted. Overdue: neither, and past its due date.
    """
    return (
        f"SUM(CASE WHEN {done} >= {required} THEN 1 ELSE 0 END) AS met, "
        f"SUM(CASE WHEN {done} + {pending} < {required} AND {due_date} < %s THEN 1 ELSE 0 END) AS overdue, "
        f"SUM(CASE WHEN {done} < {required} AND {done} + {pending} >= {required} THEN 1 ELSE 0 END) AS pending"
    )


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


def rules_in_force(day: dt.date, rule_ids=None) -> list[VisitRule]:
    """The rule versions in force on ``day`` (and in season), optionally only ``rule_ids``."""
    rules = (
        VisitRule.objects.in_force_on(day)
        .select_related("tier", "scheme", "season")
        .prefetch_related("season__ranges")
    )
    if rule_ids:
        rules = rules.filter(pk__in=rule_ids)
    return [r for r in rules if r.season is None or engine.in_season(day, r.season.engine_ranges())]
