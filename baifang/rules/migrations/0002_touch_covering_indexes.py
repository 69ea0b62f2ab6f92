"""PostgreSQL covering indexes for the compliance aggregates (R-OBL-2, R-SCALE-1); SQLite needs none.

The window aggregate reads (started_at, channel) and needs customer, user and duration: with
them included it is an index-only scan. Position-holder rules and a rep's due list read one
person's touches in a window: (user_id, started_at) with the rest included.
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS visits_touch_window_cover ON visits_touch (started_at, channel) "
    "INCLUDE (customer_id, user_id, duration_seconds)",
    "CREATE INDEX IF NOT EXISTS visits_touch_user_window_cover ON visits_touch (user_id, started_at) "
    "INCLUDE (channel, customer_id, duration_seconds)",
)
DROP = ("DROP INDEX IF EXISTS visits_touch_window_cover", "DROP INDEX IF EXISTS visits_touch_user_window_cover")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for sql in CREATE:
                cursor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            for sql in DROP:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("visit_rules", "0001_initial"), ("visits", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
