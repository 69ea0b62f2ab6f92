"""Division codes beside the region names (R-ARCH-1, customers/divisions.py).

The columns are added with plain ``ALTER TABLE … ADD COLUMN``: on SQLite Django would rebuild
customers_customer for a NOT NULL column, which drops the compliance-tally triggers on it (see 0006).
"""

from django.db import migrations, models

COLUMNS = (("province_code", 2), ("city_code", 4), ("district_code", 12))
TABLES = ("customers_customer", "customers_historicalcustomer")


def add_columns(apps, schema_editor):
    quote = schema_editor.quote_name
    for table in TABLES:
        for name, length in COLUMNS:
            schema_editor.execute(
                f"ALTER TABLE {quote(table)} ADD COLUMN {quote(name)} varchar({length}) DEFAULT '' NOT NULL"
            )
            if schema_editor.connection.vendor == "postgresql":  # as Django leaves it: no database default
                schema_editor.execute(f"ALTER TABLE {quote(table)} ALTER COLUMN {quote(name)} DROP DEFAULT")


def drop_columns(apps, schema_editor):
    quote = schema_editor.quote_name
    for table in TABLES:
        for name, _length in COLUMNS:
            schema_editor.execute(f"ALTER TABLE {quote(table)} DROP COLUMN {quote(name)}")


def fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name=name,
            field=models.CharField(blank=True, default="", max_length=length, verbose_name=label),
        )
        for (name, length), label in zip(COLUMNS, ("province code", "city code", "district code"), strict=True)
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0009_column_mapping"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
            state_operations=[*fields("customer"), *fields("historicalcustomer")],
        ),
    ]
