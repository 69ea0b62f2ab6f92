"""PostgreSQL-only search indexes for the customer list (R-SCALE-1); SQLite needs none.

Trigram GIN indexes serve ``name``/``short_name`` icontains (``UPPER(col) LIKE UPPER('%x%')``);
a pattern-ops index serves the phone prefix search. If the pg_trgm extension cannot be created
(no privilege), the migration says so and skips the trigram indexes instead of failing.
"""

from django.db import migrations

TRIGRAM_INDEXES = (
    "CREATE INDEX IF NOT EXISTS customers_name_trgm ON customers_customer USING gin (UPPER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS customers_short_name_trgm ON customers_customer USING gin (UPPER(short_name) gin_trgm_ops)",
)
PHONE_INDEX = "CREATE INDEX IF NOT EXISTS customers_phone_prefix ON customers_customer (phone varchar_pattern_ops)"
DROP = (
    "DROP INDEX IF EXISTS customers_name_trgm",
    "DROP INDEX IF EXISTS customers_short_name_trgm",
    "DROP INDEX IF EXISTS customers_phone_prefix",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(PHONE_INDEX)
        try:
            cursor.execute("SAVEPOINT trgm")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # no privilege to create extensions
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
            print(f"\n  pg_trgm unavailable ({exc.__class__.__name__}); customer name search runs without an index.")
            return
        for sql in TRIGRAM_INDEXES:
            cursor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in DROP:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("customers", "0004_region_distribution_limit")]

    operations = [migrations.RunPython(create, drop)]
