"""Triggers that keep compliance tallies exact, on SQLite and PostgreSQL (R-OBL-2, R-SCALE-1).

A kept window (visit_rules_compliancewindow) holds a copy of its rule's counting conditions; a
tally row holds how many of one customer's touches count toward it. The triggers below keep the
tallies equal to what the live compliance SQL counts, on every write whatever its path (ORM saves,
``bulk_create``, queryset updates and deletes, raw SQL, ``COPY``):

- touches inserted, updated or deleted: +1 / −1 on each valid window the touch counts toward;
- a customer's owner or unit changes: that customer's tallies are recounted from its touches;
- a position assignment, a position's kind or a unit's department changes: windows counted by
  position holders (supervisor, department manager, leader) are marked invalid, so compliance
  reads them live until ``baifang compliance_rebuild`` (or the nightly job) rebuilds them;
- ``TRUNCATE visits_touch`` (PostgreSQL only; SQLite has none): every window is marked invalid.

PostgreSQL uses statement-level triggers over transition tables (one set-based statement per
write statement, so a COPY of millions of rows is one aggregate) and takes a share lock on the
touched customers' rows, so a concurrent owner change cannot interleave with the count. SQLite
uses row-level triggers (it has no statement-level ones) and has a single writer.

Also a PostgreSQL covering index on customers for the compliance reads (index-only scans).
"""

from django.db import migrations

WINDOW = "visit_rules_compliancewindow"
TALLY = "visit_rules_compliancetally"
HOLDER_KINDS = "'supervisor', 'dept_manager', 'leader'"


def match(t: str) -> str:
    """Touch ``t`` falls in window ``w`` and meets its channel and duration."""
    return (
        f"w.is_valid AND {t}.started_at >= w.starts_at AND {t}.started_at < w.ends_at "
        f"AND w.channels LIKE ('%,' || {t}.channel || ',%') "
        f"AND (w.min_duration_seconds = 0 OR {t}.duration_seconds >= w.min_duration_seconds)"
    )


def holders(cond: str) -> str:
    return (
        "(SELECT pa.user_id FROM org_positionassignment pa JOIN org_position p ON p.id = pa.position_id "
        f"WHERE {cond})"
    )


def counted(user: str) -> str:
    """``user``'s touch counts for customer ``c`` (unit ``u``) under window ``w``: compliance._COUNTED_BY_SQL."""
    return (
        "(w.counted_by = 'anyone'"
        f" OR (w.counted_by = 'owner' AND {user} = c.owner_id)"
        f" OR (w.counted_by = 'supervisor' AND {user} IN "
        + holders(
            "(p.kind = 'supervisor' AND pa.unit_id = c.unit_id) "
            "OR (p.kind = 'dept_manager' AND pa.unit_id = u.department_id)"
        )
        + ")"
        f" OR (w.counted_by = 'dept_manager' AND {user} IN "
        + holders("p.kind = 'dept_manager' AND pa.unit_id = u.department_id")
        + ")"
        f" OR (w.counted_by = 'leader' AND {user} IN "
        + holders("p.kind IN ('leader', 'deputy_leader')")
        + "))"
    )


def counts(source: str, t: str, value: str) -> str:
    """(window, customer, delta) rows for the touches of ``source`` (alias ``t``)."""
    return (
        f"SELECT w.id AS window_id, {t}.customer_id AS customer_id, {value} AS delta FROM {source} "
        f"JOIN customers_customer c ON c.id = {t}.customer_id JOIN org_orgunit u ON u.id = c.unit_id "
        f"JOIN {WINDOW} w ON {match(t)} WHERE {counted(t + '.user_id')}"
    )


UPSERT = f"ON CONFLICT (window_id, customer_id) DO UPDATE SET done = {TALLY}.done + excluded.done"

RECOUNT_CUSTOMER = (
    f"DELETE FROM {TALLY} WHERE customer_id = NEW.id "
    f"AND window_id IN (SELECT id FROM {WINDOW} WHERE counted_by <> 'anyone');\n"
    f"INSERT INTO {TALLY} (window_id, customer_id, done) "
    f"SELECT x.window_id, x.customer_id, COUNT(*) FROM ({counts('visits_touch t', 't', '1')} "
    "AND t.customer_id = NEW.id AND w.counted_by <> 'anyone') x GROUP BY x.window_id, x.customer_id;"
)

INVALIDATE_HOLDERS = f"UPDATE {WINDOW} SET is_valid = FALSE WHERE is_valid AND counted_by IN ({HOLDER_KINDS});"

# --- PostgreSQL ------------------------------------------------------------------------------


def pg_touch_function(name: str, sources: list[tuple[str, str]]) -> str:
    """A statement-level function applying the deltas of the transition tables ``sources``."""
    lock = " UNION ".join(f"SELECT customer_id FROM {table}" for table, _ in sources)
    union = " UNION ALL ".join(counts(f"{table} t", "t", value) for table, value in sources)
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF EXISTS (SELECT 1 FROM {WINDOW} WHERE is_valid) THEN
        PERFORM 1 FROM customers_customer WHERE id IN ({lock}) ORDER BY id FOR SHARE;
        INSERT INTO {TALLY} (window_id, customer_id, done)
        SELECT x.window_id, x.customer_id, SUM(x.delta) FROM ({union}) x
        GROUP BY x.window_id, x.customer_id HAVING SUM(x.delta) <> 0
        {UPSERT};
    END IF;
    RETURN NULL;
END
$fn$;"""


def pg_function(name: str, body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    {body}
    RETURN NULL;
END
$fn$;"""


PG_CREATE = [
    "CREATE INDEX IF NOT EXISTS customers_compliance_cover ON customers_customer (id) "
    "INCLUDE (owner_id, unit_id, status, merged_into_id, city, province)",
    pg_touch_function("visit_rules_tally_touch_insert", [("new_rows", "1")]),
    pg_touch_function("visit_rules_tally_touch_delete", [("old_rows", "-1")]),
    pg_touch_function("visit_rules_tally_touch_update", [("old_rows", "-1"), ("new_rows", "1")]),
    pg_function("visit_rules_tally_customer_moved", RECOUNT_CUSTOMER),
    pg_function("visit_rules_tally_invalidate_holders", INVALIDATE_HOLDERS),
    pg_function("visit_rules_tally_invalidate_all", f"UPDATE {WINDOW} SET is_valid = FALSE WHERE is_valid;"),
    "CREATE TRIGGER visit_rules_tally_touch_insert AFTER INSERT ON visits_touch "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_touch_insert()",
    "CREATE TRIGGER visit_rules_tally_touch_delete AFTER DELETE ON visits_touch "
    "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_touch_delete()",
    "CREATE TRIGGER visit_rules_tally_touch_update AFTER UPDATE ON visits_touch "
    "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION visit_rules_tally_touch_update()",
    "CREATE TRIGGER visit_rules_tally_touch_truncate AFTER TRUNCATE ON visits_touch "
    "FOR EACH STATEMENT EXECUTE FUNCTION visit_rules_tally_invalidate_all()",
    "CREATE TRIGGER visit_rules_tally_customer_moved AFTER UPDATE OF owner_id, unit_id ON customers_customer "
    "FOR EACH ROW WHEN (OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.unit_id IS DISTINCT FROM NEW.unit_id) "
    "EXECUTE FUNCTION visit_rules_tally_customer_moved()",
    "CREATE TRIGGER visit_rules_tally_assignment_changed AFTER INSERT OR DELETE ON org_positionassignment "
    "FOR EACH ROW EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
    "CREATE TRIGGER visit_rules_tally_assignment_updated AFTER UPDATE ON org_positionassignment FOR EACH ROW "
    "WHEN ((OLD.user_id, OLD.position_id, OLD.unit_id) IS DISTINCT FROM (NEW.user_id, NEW.position_id, NEW.unit_id)) "
    "EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
    "CREATE TRIGGER visit_rules_tally_position_kind AFTER UPDATE ON org_position FOR EACH ROW "
    "WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
    "CREATE TRIGGER visit_rules_tally_unit_department AFTER UPDATE ON org_orgunit FOR EACH ROW "
    "WHEN (OLD.department_id IS DISTINCT FROM NEW.department_id) "
    "EXECUTE FUNCTION visit_rules_tally_invalidate_holders()",
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS visit_rules_tally_touch_insert ON visits_touch",
    "DROP TRIGGER IF EXISTS visit_rules_tally_touch_delete ON visits_touch",
    "DROP TRIGGER IF EXISTS visit_rules_tally_touch_update ON visits_touch",
    "DROP TRIGGER IF EXISTS visit_rules_tally_touch_truncate ON visits_touch",
    "DROP TRIGGER IF EXISTS visit_rules_tally_customer_moved ON customers_customer",
    "DROP TRIGGER IF EXISTS visit_rules_tally_assignment_changed ON org_positionassignment",
    "DROP TRIGGER IF EXISTS visit_rules_tally_assignment_updated ON org_positionassignment",
    "DROP TRIGGER IF EXISTS visit_rules_tally_position_kind ON org_position",
    "DROP TRIGGER IF EXISTS visit_rules_tally_unit_department ON org_orgunit",
    "DROP FUNCTION IF EXISTS visit_rules_tally_touch_insert()",
    "DROP FUNCTION IF EXISTS visit_rules_tally_touch_delete()",
    "DROP FUNCTION IF EXISTS visit_rules_tally_touch_update()",
    "DROP FUNCTION IF EXISTS visit_rules_tally_customer_moved()",
    "DROP FUNCTION IF EXISTS visit_rules_tally_invalidate_holders()",
    "DROP FUNCTION IF EXISTS visit_rules_tally_invalidate_all()",
    "DROP INDEX IF EXISTS customers_compliance_cover",
]

# --- SQLite ----------------------------------------------------------------------------------


def sqlite_touch_delta(row: str, value: str) -> str:
    # "WHERE" before ON CONFLICT keeps SQLite's upsert parser unambiguous (it is there: counts()).
    return (
        f"INSERT INTO {TALLY} (window_id, customer_id, done) "
        f"SELECT x.window_id, x.customer_id, x.delta FROM ({counts(f'(SELECT {row}.customer_id AS customer_id, {row}.user_id AS user_id, {row}.channel AS channel, {row}.started_at AS started_at, {row}.duration_seconds AS duration_seconds) t', 't', value)}) x "
        f"WHERE TRUE {UPSERT};"
    )


TOUCH_COLUMNS = "customer_id, user_id, channel, started_at, duration_seconds"
SQLITE_CREATE = [
    "CREATE TRIGGER visit_rules_tally_touch_insert AFTER INSERT ON visits_touch BEGIN "
    + sqlite_touch_delta("NEW", "1")
    + " END",
    "CREATE TRIGGER visit_rules_tally_touch_delete AFTER DELETE ON visits_touch BEGIN "
    + sqlite_touch_delta("OLD", "-1")
    + " END",
    f"CREATE TRIGGER visit_rules_tally_touch_update AFTER UPDATE OF {TOUCH_COLUMNS} ON visits_touch BEGIN "
    + sqlite_touch_delta("OLD", "-1")
    + " "
    + sqlite_touch_delta("NEW", "1")
    + " END",
    "CREATE TRIGGER visit_rules_tally_customer_moved AFTER UPDATE OF owner_id, unit_id ON customers_customer "
    "WHEN OLD.owner_id IS NOT NEW.owner_id OR OLD.unit_id IS NOT NEW.unit_id BEGIN "
    + RECOUNT_CUSTOMER
    + " END",
    "CREATE TRIGGER visit_rules_tally_assignment_inserted AFTER INSERT ON org_positionassignment BEGIN "
    + INVALIDATE_HOLDERS
    + " END",
    "CREATE TRIGGER visit_rules_tally_assignment_deleted AFTER DELETE ON org_positionassignment BEGIN "
    + INVALIDATE_HOLDERS
    + " END",
    "CREATE TRIGGER visit_rules_tally_assignment_updated AFTER UPDATE OF user_id, position_id, unit_id "
    "ON org_positionassignment BEGIN " + INVALIDATE_HOLDERS + " END",
    "CREATE TRIGGER visit_rules_tally_position_kind AFTER UPDATE OF kind ON org_position "
    "WHEN OLD.kind IS NOT NEW.kind BEGIN " + INVALIDATE_HOLDERS + " END",
    "CREATE TRIGGER visit_rules_tally_unit_department AFTER UPDATE OF department_id ON org_orgunit "
    "WHEN OLD.department_id IS NOT NEW.department_id BEGIN " + INVALIDATE_HOLDERS + " END",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "visit_rules_tally_touch_insert",
        "visit_rules_tally_touch_delete",
        "visit_rules_tally_touch_update",
        "visit_rules_tally_customer_moved",
        "visit_rules_tally_assignment_inserted",
        "visit_rules_tally_assignment_deleted",
        "visit_rules_tally_assignment_updated",
        "visit_rules_tally_position_kind",
        "visit_rules_tally_unit_department",
    )
]

STATEMENTS = {
    "postgresql": (PG_CREATE, PG_DROP),
    "sqlite": (SQLITE_CREATE, SQLITE_DROP),
}


def _run(schema_editor, index: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"Compliance tallies have no triggers for {vendor}; add them before using it.")
    with schema_editor.connection.cursor() as cursor:
        for sql in STATEMENTS[vendor][index]:
            cursor.execute(sql)


def create(apps, schema_editor):
    _run(schema_editor, 0)


def drop(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [
        ("visit_rules", "0003_compliance_tallies"),
        ("visits", "0004_appointments_questions_commitments_locations"),
        ("customers", "0005_search_indexes"),
        ("org", "0003_unit_office_location"),
    ]

    operations = [migrations.RunPython(create, drop)]
