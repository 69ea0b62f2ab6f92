"""The kept open amount of every invoice (``Invoice.open_amount``, R-AR-1, R-SCALE-1).

What an invoice still owes follows from *all* of its customer's invoices and payments (``engine.age``):
payments first settle the invoice they are allocated to, what is left of them and every unallocated
payment settles the oldest invoices first (FIFO by invoice date, then key as text). So whenever an
invoice or a payment of a customer is written, changed or deleted, that customer's open amounts are
recomputed here, set-based, in the same transaction:

- the intake (REST bulk, Excel/CSV, ``baifang receivables import``) after its bulk insert, for the
  batch's customers (``InvoiceRows.write``, ``PaymentRows.write``);
- ``Invoice.save/delete`` and ``Payment.save/delete`` (the admin, corrections, tests), and the admin's
  bulk delete;
- the data migration that added the field, for everybody.

The kept value counts every payment received, whatever its date; the ageing report (``services``)
then only reads the open rows (a partial index), never the payments. The statement is ``ageing_sql``'s
settlement (the engine's loop as a running sum), ending in an UPDATE of the rows that differ.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection as default_connection

CHUNK = 5000  # customers per statement (SQLite allows 32,766 parameters)


def _statement(connection, scope: str) -> str:
    qn = connection.ops.quote_name
    inv, pay = qn("receivables_invoice"), qn("receivables_payment")
    return f"""
WITH inv AS (
    SELECT i.id, i.customer_id, i.invoiced_on, i.amount FROM {inv} i {scope.format(alias="i")}
), pay AS (
    SELECT p.customer_id, p.amount, p.invoice_id FROM {pay} p {scope.format(alias="p")}
), linked AS (
    SELECT pay.invoice_id, SUM(pay.amount) AS paid
    FROM pay JOIN inv ON inv.id = pay.invoice_id AND inv.customer_id = pay.customer_id
    GROUP BY pay.invoice_id
), settled AS (
    SELECT inv.id, inv.customer_id, inv.invoiced_on,
           inv.amount - CASE WHEN COALESCE(linked.paid, 0) < inv.amount THEN COALESCE(linked.paid, 0)
                             ELSE inv.amount END AS open0,
           CASE WHEN COALESCE(linked.paid, 0) > inv.amount THEN linked.paid - inv.amount ELSE 0 END AS overflow
    FROM inv LEFT JOIN linked ON linked.invoice_id = inv.id
), pool AS (
    SELECT customer_id, SUM(x) AS pool FROM (
        SELECT pay.customer_id, pay.amount AS x
        FROM pay LEFT JOIN inv ON inv.id = pay.invoice_id AND inv.customer_id = pay.customer_id
        WHERE inv.id IS NULL
        UNION ALL
        SELECT customer_id, overflow FROM settled WHERE overflow > 0
    ) pooled GROUP BY customer_id
), fifo AS (
    SELECT s.id, s.open0, COALESCE(pool.pool, 0) - COALESCE(SUM(s.open0) OVER (
               PARTITION BY s.customer_id ORDER BY s.invoiced_on, CAST(s.id AS TEXT)
               ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS avail
    FROM settled s LEFT JOIN pool ON pool.customer_id = s.customer_id
), computed AS (
    SELECT id, ROUND(open0 - CASE WHEN avail <= 0 THEN 0 WHEN avail >= open0 THEN open0 ELSE avail END, 2)
           AS open_amount
    FROM fifo
)
UPDATE {inv} SET open_amount = computed.open_amount
FROM computed
WHERE {inv}.id = computed.id AND {inv}.open_amount <> computed.open_amount
"""


def refresh(customer_ids: Iterable[int] | None, *, connection=None) -> int:
    """Recompute the open amounts of these customers' invoices (None: every customer's); the number
    of invoices whose kept amount changed. Call it inside the transaction that wrote the documents."""
    connection = connection or default_connection
    if customer_ids is None:
        return _run(connection, _statement(connection, ""), [])
    ids = sorted({int(pk) for pk in customer_ids if pk is not None})
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        scope = f"WHERE {{alias}}.customer_id IN ({marks})"
        changed += _run(connection, _statement(connection, scope), [*chunk, *chunk])
    return changed


def _run(connection, statement: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        if connection.vendor == "sqlite":  # its driver counts no rows for a statement opening with WITH
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return cursor.rowcount
