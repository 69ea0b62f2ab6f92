"""The trigger SQL that keeps compliance tallies exact, generated (R-OBL-2, R-SCALE-1, R-VISIT-8).

A kept window (``ComplianceWindow``) holds a copy of its rule's counting conditions; a tally row
holds how many of one customer's touches count toward it (``done``) and how many wait for their
supervisor's review (``pending``). The triggers generated here keep the tallies equal to what the
live compliance SQL counts, on every write whatever its path (ORM saves, ``bulk_create``, queryset
updates and deletes, raw SQL, ``COPY``):

- touches inserted, updated (including a change of ``count_state``: check-out, a flag, a review
  decision, a settings recount) or deleted: ±1 on each valid window the touch counts toward;
- a customer's owner or unit changes: that customer's tallies are recounted from its touches;
- a position assignment, a position's kind or a unit's department changes: windows counted by
  position holders (supervisor, department manager, leader) are marked invalid, so compliance
  reads them live until ``baifang compliance_rebuild`` (or the nightly job) rebuilds them;
- ``TRUNCATE`` of touches (PostgreSQL only; SQLite has none): every window is marked invalid.

PostgreSQL uses statement-level triggers over transition tables (one set-based statement per
write statement) and takes a share lock on the touched customers' rows, so a concurrent owner
change cannot interleave with the count. SQLite uses row-level triggers and has a single writer.

Table names come from the models' ``_meta`` of the app registry given (a migration passes its
historical one), so ``installed`` can be compared with what the database holds.
"""

from __future__ import annotations

from dataclasses import dataclass

from baifang.rules.count_states import COUNTED, PENDING_REVIEW

HOLDER_KINDS = "'supervisor', 'dept_manager', 'leader'"
# Which count states a window reads at all: counted ones add to ``done``, pending ones to ``pending``.
STATES = f"('{COUNTED}', '{PENDING_REVIEW}')"
# The touch columns the counting reads; a SQLite update trigger fires on these only.
TOUCH_COLUMNS = ("customer_id", "user_id", "channel", "started_at", "duration_seconds", "count_state")

TRIGGER_NAMES = {
    "postgresql": (
        "visit_rules_tally_touch_insert",
        "visit_rules_tally_touch_delete",
        "visit_rules_tally_touch_update",
        "visit_rules_tally_touch_truncate",
        "visit_rules_tally_customer_moved",
        "visit_rules_tally_assignment_changed",
        "visit_rules_tally_assignment_updated",
        "visit_rules_tally_position_kind",
        "visit_rules_tally_unit_department",
    ),
    "sqlite": (
        "visit_rules_tally_touch_insert",
        "visit_rules_tally_touch_delete",
        "visit_rules_tally_touch_update",
        "visit_rules_tally_customer_moved",
        "visit_rules_tally_assignment_inserted",
        "visit_rules_tally_assignment_deleted",
        "visit_rules_tally_assignment_updated",
        "visit_rules_tally_position_kind",
        "visit_rules_tally_unit_department",
    ),
}
PG_FUNCTIONS = (
    "visit_rules_tally_touch_insert",
    "visit_rules_tally_touch_delete",
    "visit_rules_tally_touch_update",
    "visit_rules_tally_customer_moved",
    "visit_rules_tally_invalidate_holders",
    "visit_rules_tally_invalidate_all",
)


@dataclass(frozen=True)
class Tables:
    """The tables the triggers read and write, from the models' ``_meta``."""

    window: str
    tally: str
    touch: str
    customer: str
    unit: str
    position: str
    assignment: str

    @classmethod
    def of(cls, apps) -> Tables:
        def table(label: str) -> str:
            return apps.get_model(label)._meta.db_table

        return cls(
            window=table("visit_rules.ComplianceWindow"),
            tally=table("visit_rules.ComplianceTally"),
            touch=table("visits.Touch"),
            customer=table("customers.Customer"),
            unit=table("org.OrgUnit"),
            position=table("org.Position"),
            assignment=table("org.PositionAssignment"),
        )


class TriggerSQL:
    """The CREATE and DROP statements of the tally triggers for one database vendor."""

    def __init__(self, tables: Tables):
        self.t = tables

    # -- shared pieces ----------------------------------------------------------------------------

    def match(self, t: str) -> str:
        """Touch ``t`` falls in window ``w``, meets its channel and duration, and counts or may (R-VISIT-8)."""
        return (
            f"w.is_valid AND {t}.started_at >= w.starts_at AND {t}.started_at < w.ends_at "
            f"AND w.channels LIKE ('%,' || {t}.channel || ',%') "
            f"AND (w.min_duration_seconds = 0 OR {t}.duration_seconds >= w.min_duration_seconds) "
            f"AND {t}.count_state IN {STATES}"
        )

    def holders(self, cond: str) -> str:
        return (
            f"(SELECT pa.user_id FROM {self.t.assignment} pa JOIN {self.t.position} p ON p.id = pa.position_id "
            f"WHERE {cond})"
        )

    def counted(self, user: str) -> str:
        """``user``'s touch counts for customer ``c`` (unit ``u``) under window ``w``: compliance._COUNTED_BY_SQL."""
        return (
            "(w.counted_by = 'anyone'"
            f" OR (w.counted_by = 'owner' AND {user} = c.owner_id)"
            f" OR (w.counted_by = 'supervisor' AND {user} IN "
            + self.holders(
                "(p.kind = 'supervisor' AND pa.unit_id = c.unit_id) "
                "OR (p.kind = 'dept_manager' AND pa.unit_id = u.department_id)"
            )
            + ")"
            f" OR (w.counted_by = 'dept_manager' AND {user} IN "
            + self.holders("p.kind = 'dept_manager' AND pa.unit_id = u.department_id")
            + ")"
            f" OR (w.counted_by = 'leader' AND {user} IN "
            + self.holders("p.kind IN ('leader', 'deputy_leader')")
            + "))"
        )

    def counts(self, source: str, t: str, sign: str) -> str:
        """(window, customer, delta, pending delta) rows for the touches of ``source`` (alias ``t``)."""
        return (
            f"SELECT w.id AS window_id, {t}.customer_id AS customer_id, "
            f"{sign} * (CASE WHEN {t}.count_state = '{COUNTED}' THEN 1 ELSE 0 END) AS delta, "
            f"{sign} * (CASE WHEN {t}.count_state = '{PENDING_REVIEW}' THEN 1 ELSE 0 END) AS pending_delta "
            f"FROM {source} "
            f"JOIN {self.t.customer} c ON c.id = {t}.customer_id JOIN {self.t.unit} u ON u.id = c.unit_id "
            f"JOIN {self.t.window} w ON {self.match(t)} WHERE {self.counted(t + '.user_id')}"
        )

    @property
    def upsert(self) -> str:
        return (
            f"ON CONFLICT (window_id, customer_id) DO UPDATE SET done = {self.t.tally}.done + excluded.done, "
            f"pending = {self.t.tally}.pending + excluded.pending"
        )

    @property
    def recount_customer(self) -> str:
        w, tally = self.t.window, self.t.tally
        return (
            f"DELETE FROM {tally} WHERE customer_id = NEW.id "
            f"AND window_id IN (SELECT id FROM {w} WHERE counted_by <> 'anyone');\n"
            f"INSERT INTO {tally} (window_id, customer_id, done, pending) "
            f"SELECT x.window_id, x.customer_id, SUM(x.delta), SUM(x.pending_delta) "
            f"FROM ({self.counts(self.t.touch + ' t', 't', '1')} "
            "AND t.customer_id = NEW.id AND w.counted_by <> 'anyone') x GROUP BY x.window_id, x.customer_id;"
        )

    @property
    def invalidate_holders(self) -> str:
        return (
            f"UPDATE {self.t.window} SET is_valid = FALSE WHERE is_valid AND counted_by IN ({HOLDER_KINDS});"
        )

    # -- PostgreSQL ---------------------------------------------------------------------------------

    def pg_touch_function(self, name: str, sources: list[tuple[str, str]]) -> str:
        """A statement-level function applying the deltas of the transition tables ``sources``."""
        lock = " UNION ".join(f"SELECT customer_id FROM {table}" for table, _ in sources)
        union = " UNION ALL ".join(self.counts(f"{table} t", "t", sign) for table, sign in sources)
        return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM {self.t.window} WHERE is_valid) THEN
        PERFORM 1 FROM {self.t.customer} WHERE id IN ({lock}) ORDER BY id FOR SHARE;
        INSERT INTO {self.t.tally} (window_id, customer_id, done, pending)
        SELECT x.window_id, x.customer_id, SUM(x.delta), SUM(x.pending_delta) FROM ({union}) x
        GROUP BY x.window_id, x.customer_id HAVING SUM(x.delta) <> 0 OR SUM(x.pending_delta) <> 0
        {self.upsert};
    END IF;
    RETURN NULL;
END
$fn$;"""

    @staticmethod
    def pg_function(name: str, body: str) -> str:
        return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    {body}
    RETURN NULL;
END
$fn$;"""

    def pg_functions(self) -> dict[str, str]:
        """{function name: CREATE statement}."""
        return {
            "visit_rules_tally_touch_insert": self.pg_touch_function(
                "visit_rules_tally_touch_insert", [("new_rows", "1")]
            ),
            "visit_rules_tally_touch_delete": self.pg_touch_function(
                "visit_rules_tally_touch_delete", [("old_rows", "-1")]
            ),
            "visit_rules_tally_touch_update": self.pg_touch_function(
                "visit_rules_tally_touch_update", [("old_rows", "-1"), ("new_rows", "1")]
            ),
            "visit_rules_tally_customer_moved": self.pg_function(
                "visit_rules_tally_customer_moved", self.recount_customer
            ),
            "visit_rules_tally_invalidate_holders": self.pg_function(
                "visit_rules_tally_invalidate_holders", self.invalidate_holders
            ),
            "visit_rules_tally_invalidate_all": self.pg_function(
                "visit_rules_tally_invalidate_all",
                f"UPDATE {self.t.window} SET is_valid = FALSE WHERE is_valid;",
            ),
        }

    def pg_triggers(self) -> list[str]:
        touch, customer, assignment = self.t.touch, self.t.customer, self.t.assignment
        return [
            f"CREATE TRIGGER visit_rules_tally_touch_insert AFTER INSERT ON {touch} "
            "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_touch_insert()",
            f"CREATE TRIGGER visit_rules_tally_touch_delete AFTER DELETE ON {touch} "
            "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_touch_delete()",
            f"CREATE TRIGGER visit_rules_tally_touch_update AFTER UPDATE ON {touch} "
            "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION visit_rules_tally_touch_update()",
            f"CREATE TRIGGER visit_rules_tally_touch_truncate AFTER TRUNCATE ON {touch} "
            "FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_invalidate_all()",
            f"CREATE TRIGGER visit_rules_tally_customer_moved AFTER UPDATE OF owner_id, unit_id ON {customer} "
            "FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.unit_id IS DISTINCT FROM NEW.unit_id) "
            "EXECUTE FUNCTION visit_rules_tally_customer_moved()",
            f"CREATE TRIGGER visit_rules_tally_assignment_changed AFTER INSERT OR DELETE ON {assignment} "
            "FOR EACH ROW EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
            f"CREATE TRIGGER visit_rules_tally_assignment_updated AFTER UPDATE ON {assignment} FOR EACH ROW "
            "WHEN ((OLD.user_id, OLD.position_id, OLD.unit_id) IS DISTINCT FROM (NEW.user_id, NEW.position_id, NEW.unit_id)) "
            "EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
            f"CREATE TRIGGER visit_rules_tally_position_kind AFTER UPDATE ON {self.t.position} FOR EACH ROW "
            "WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
            f"CREATE TRIGGER visit_rules_tally_unit_department AFTER UPDATE ON {self.t.unit} FOR EACH ROW "
            "WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) "
            "EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
        ]

    def pg_drop(self) -> list[str]:
        on = {
            "visit_rules_tally_touch_insert": self.t.touch,
            "visit_rules_tally_touch_delete": self.t.touch,
            "visit_rules_tally_touch_update": self.t.touch,
            "visit_rules_tally_touch_truncate": self.t.touch,
            "visit_rules_tally_customer_moved": self.t.customer,
            "visit_rules_tally_assignment_changed": self.t.assignment,
            "visit_rules_tally_assignment_updated": self.t.assignment,
            "visit_rules_tally_position_kind": self.t.position,
            "visit_rules_tally_unit_department": self.t.unit,
        }
        return [f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in on.items()] + [
            f"DROP FUNCTION IF EXISTS {name}()" for name in PG_FUNCTIONS
        ]

    # -- SQLite ------------------------------------------------------------------------------------

    def sqlite_touch_delta(self, row: str, sign: str) -> str:
        # "WHERE" before ON CONFLICT keeps SQLite's upsert parser unambiguous (it is there: counts()).
        columns = ", ".join(f"{row}.{name} AS {name}" for name in TOUCH_COLUMNS)
        return (
            f"INSERT INTO {self.t.tally} (window_id, customer_id, done, pending) "
            f"SELECT x.window_id, x.customer_id, x.delta, x.pending_delta "
            f"FROM ({self.counts(f'(SELECT {columns}) t', 't', sign)}) x "
            f"WHERE TRUE {self.upsert};"
        )

    def sqlite_triggers(self) -> dict[str, str]:
        """{trigger name: CREATE statement}."""
        touch, customer, assignment = self.t.touch, self.t.customer, self.t.assignment
        return {
            "visit_rules_tally_touch_insert": f"CREATE TRIGGER visit_rules_tally_touch_insert AFTER INSERT ON {touch} "
            "BEGIN " + self.sqlite_touch_delta("NEW", "1") + " END",
            "visit_rules_tally_touch_delete": f"CREATE TRIGGER visit_rules_tally_touch_delete AFTER DELETE ON {touch} "
            "BEGIN " + self.sqlite_touch_delta("OLD", "-1") + " END",
            "visit_rules_tally_touch_update": "CREATE TRIGGER visit_rules_tally_touch_update AFTER UPDATE OF "
            f"{', '.join(TOUCH_COLUMNS)} ON {touch} BEGIN "
            + self.sqlite_touch_delta("OLD", "-1")
            + " "
            + self.sqlite_touch_delta("NEW", "1")
            + " END",
            "visit_rules_tally_customer_moved": "CREATE TRIGGER visit_rules_tally_customer_moved AFTER UPDATE OF "
            f"owner_id, unit_id ON {customer} "
            "WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.unit_id IS NOT NEW.unit_id BEGIN "
            + self.recount_customer
            + " END",
            "visit_rules_tally_assignment_inserted": "CREATE TRIGGER visit_rules_tally_assignment_inserted "
            f"AFTER INSERT ON {assignment} BEGIN " + self.invalidate_holders + " END",
            "visit_rules_tally_assignment_deleted": "CREATE TRIGGER visit_rules_tally_assignment_deleted "
            f"AFTER DELETE ON {assignment} BEGIN " + self.invalidate_holders + " END",
            "visit_rules_tally_assignment_updated": "CREATE TRIGGER visit_rules_tally_assignment_updated "
            f"AFTER UPDATE OF user_id, position_id, unit_id ON {assignment} BEGIN "
            + self.invalidate_holders
            + " END",
            "visit_rules_tally_position_kind": "CREATE TRIGGER visit_rules_tally_position_kind AFTER UPDATE OF kind "
            f"ON {self.t.position} WHEN OLD.kind IS NOT NEW.kind BEGIN " + self.invalidate_holders + " END",
            "visit_rules_tally_unit_department": "CREATE TRIGGER visit_rules_tally_unit_department AFTER UPDATE OF "
            f"department_id ON {self.t.unit} WHEN OLD.department_id IS NOT NEW.department_id BEGIN "
            + self.invalidate_holders
            + " END",
        }

    # -- per vendor ---------------------------------------------------------------------------------

    def create(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [*self.pg_functions().values(), *self.pg_triggers()]
        if vendor == "sqlite":
            return list(self.sqlite_triggers().values())
        raise RuntimeError(f"Compliance tallies have no triggers for {vendor}; add them before using it.")

    def drop(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return self.pg_drop()
        if vendor == "sqlite":
            return [f"DROP TRIGGER IF EXISTS {name}" for name in TRIGGER_NAMES["sqlite"]]
        raise RuntimeError(f"Compliance tallies have no triggers for {vendor}; add them before using it.")


def installed(connection) -> dict[str, str]:
    """The tally triggers as the database holds them: {name: SQL}.

    SQLite keeps each trigger's CREATE statement verbatim; PostgreSQL keeps each function's body
    (``prosrc``), and the triggers under their names (``installed_pg_triggers``).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'visit_rules_tally_%'"
            )
        else:
            cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname LIKE 'visit_rules_tally_%'")
        return dict(cursor.fetchall())


def installed_pg_triggers(connection) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'visit_rules_tally_%'")
        return {row[0] for row in cursor.fetchall()}


def function_body(create_function: str) -> str:
    """The body of a generated CREATE FUNCTION, as PostgreSQL stores it (``prosrc``)."""
    return create_function.split("$fn$", 2)[1]
