"""PostgreSQL-only indexes for the complaint search (R-COMP-1, R-SCALE-1); SQLite needs none.

The search is ``icontains`` (``UPPER(col) LIKE UPPER('%term%')``) on the subject, the complainant and
the customer's name. Users type 1- and 2-character Chinese terms (质量, 破损), which pg_trgm cannot
serve (a LIKE pattern under 3 characters yields no trigram and its GIN index reads every entry), so
each column gets a GIN index over its *search grams*: every single character and every pair of
neighbouring characters of ``UPPER(col)``. A term's grams (its pairs; its one character when it has
only one) are all among the grams of any text that contains it, so ``grams(col) @> grams(term)``
never drops a match; the ``LIKE`` is kept beside it, so the rows are exactly the ``icontains`` rows
(docs/complaints.md, "Search"). Plain SQL functions: no extension, no privilege beyond CREATE.
"""

from django.db import migrations

FUNCTIONS = (
    # Every character and every neighbouring pair: what the indexes hold (GIN drops the repeats).
    """CREATE OR REPLACE FUNCTION baifang_search_grams(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT string_to_array($1, NULL)
        || ARRAY(SELECT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i)
    $$""",
    # What a term asks for: its pairs, or its one character.
    """CREATE OR REPLACE FUNCTION baifang_search_keys(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
      SELECT CASE WHEN length($1) < 2 THEN ARRAY[$1]
        ELSE ARRAY(SELECT DISTINCT substr($1, i, 2) FROM generate_series(1, length($1) - 1) AS i) END
    $$""",
)
INDEXES = (
    # The complaint search: subject and complainant (ComplaintQuerySet.search).
    "CREATE INDEX IF NOT EXISTS complaints_subject_grams ON complaints_complaint"
    " USING gin (baifang_search_grams(UPPER(subject::text)))",
    "CREATE INDEX IF NOT EXISTS complaints_complainant_grams ON complaints_complaint"
    " USING gin (baifang_search_grams(UPPER(complainant::text)))",
    # The complaint search by the customer's name (1-2 character terms; customers_name_trgm serves 3+).
    "CREATE INDEX IF NOT EXISTS complaints_customer_name_grams ON customers_customer"
    " USING gin (baifang_search_grams(UPPER(name::text)))",
)
DROP = (
    "DROP INDEX IF EXISTS complaints_subject_grams",
    "DROP INDEX IF EXISTS complaints_complainant_grams",
    "DROP INDEX IF EXISTS complaints_customer_name_grams",
    "DROP FUNCTION IF EXISTS baifang_search_keys(text)",
    "DROP FUNCTION IF EXISTS baifang_search_grams(text)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in (*FUNCTIONS, *INDEXES):
            cursor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in DROP:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_hand_on_labels"),
        ("customers", "0010_region_codes"),
    ]

    operations = [migrations.RunPython(create, drop)]
