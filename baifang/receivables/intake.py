"""The invoice and payment files of the ERP, on top of the generic pipeline in ``core.intake``.

One row is one document: an invoice (number, date, customer code, amount, optional due date, order
number and new-products flag) or a payment (number, date, customer code, amount, optional invoice it
settles). The checks every row gets (besides each cell's type): unknown customer, amount not above
zero, due date before the invoice date, unknown order or invoice (or one of another customer), the
same number twice in the file. Documents are written with the source ``erp`` (numbers are unique per
source system).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baifang.commerce.models import Order, OrderLine
from baifang.core.intake import Column, Report, Row, RowSchema, parse_day, parse_decimal, parse_text
from baifang.core.sql import values_in
from baifang.customers.models import Customer
from baifang.receivables import open_amounts
from baifang.receivables.models import DEFAULT_SOURCE, AgeingPolicy, CreditTerms, Invoice, Payment

CHUNK = 2000  # rows per bulk insert

AMOUNT = parse_decimal(places=2)
TRUE_WORDS = {"是", "y", "yes", "true", "1", "新品", "√"}
FALSE_WORDS = {"否", "n", "no", "false", "0", ""}


def parse_flag(value: str) -> bool:
    text = value.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(_("“%(v)s” is neither 是 nor 否.") % {"v": value}, code="invalid")


class _ReceivableRows(RowSchema):
    number_label = ""

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def fingerprint(self, rows: list[Row]) -> str:
        keys = [c.key for c in self.columns]  # what the file says, not what the lookups added
        return super().fingerprint([Row(r.number, {k: r.values.get(k) for k in keys}) for r in rows])

    def _customers(self, rows: list[Row], report: Report) -> None:
        customers = dict(
            values_in(
                Customer.objects.filter(merged_into__isnull=True),
                "code",
                (r["customer_code"] for r in rows),
                "code",
                "pk",
            )
        )
        for row in rows:
            if row["customer_code"] in customers:
                row.values["customer_id"] = customers[row["customer_code"]]
            else:
                report.add(
                    row,
                    self._column("customer_code"),
                    _("Unknown customer code “%(c)s”.") % {"c": row["customer_code"]},
                    "unknown_customer",
                )

    def _twice(self, rows: list[Row], report: Report) -> None:
        first: dict[str, int] = {}
        for row in rows:
            number = row[self.document_column]
            if number in first:
                report.add(
                    row,
                    self._column(self.document_column),
                    _("Number %(n)s is already in row %(r)s of this file.")
                    % {"n": number, "r": first[number]},
                    "duplicate_line",
                )
            else:
                first[number] = row.number

    def _positive(self, rows: list[Row], report: Report) -> None:
        for row in rows:
            if row["amount"] is not None and row["amount"] <= 0:
                report.add(row, self._column("amount"), _("The amount must be above zero."), "not_positive")

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        """One row is one document here: a second row with the same number is reported in ``check``."""

    def existing(self, numbers: list[str]) -> dict[str, str]:
        model = self.model
        return dict(
            values_in(model.objects.filter(source=DEFAULT_SOURCE), "number", numbers, "number", "fingerprint")
        )


def _all_new_orders(order_ids) -> set[int]:
    """Orders whose every line was a new product on the order day (seed 002's exception)."""
    lines: dict[int, list[bool]] = {}
    for order, day, new_from, new_until in values_in(
        OrderLine.objects.all(),
        "order",
        order_ids,
        "order_id",
        "order__ordered_on",
        "product__new_from",
        "product__new_until",
    ):
        lines.setdefault(order, []).append(
            new_from is not None and new_from <= day and (new_until is None or day <= new_until)
        )
    return {order for order, flags in lines.items() if flags and all(flags)}


class InvoiceRows(_ReceivableRows):
    """Invoices from the ERP: kind ``receivables.invoices``."""

    kind = "receivables.invoices"
    label = gettext_lazy("invoices")
    permission = "receivables.add_invoice"
    document_column = "invoice_number"
    model = Invoice
    columns = (
        Column(
            "invoice_number",
            ("发票号", "应收单号", "发票号码", "invoice number"),
            parse_text(40),
            label=gettext_lazy("invoice number"),
        ),
        Column(
            "invoice_date",
            ("开票日期", "发票日期", "invoice date"),
            parse_day,
            label=gettext_lazy("invoice date"),
        ),
        Column(
            "customer_code",
            ("客户编码", "客户代码", "customer code"),
            parse_text(32),
            label=gettext_lazy("customer code"),
        ),
        Column("amount", ("金额", "应收金额", "amount"), AMOUNT, label=gettext_lazy("amount")),
        Column(
            "due_date",
            ("到期日", "应收日期", "due date"),
            parse_day,
            required=False,
            label=gettext_lazy("due date"),
        ),
        Column(
            "order_number",
            ("订单号", "订单编号", "order number"),
            parse_text(40),
            required=False,
            label=gettext_lazy("order number"),
        ),
        Column(
            "new_products",
            ("新品", "new products"),
            parse_flag,
            required=False,
            label=gettext_lazy("new products"),
        ),
    )

    def check(self, rows: list[Row], report: Report) -> None:
        self._customers(rows, report)
        self._twice(rows, report)
        self._positive(rows, report)
        orders = {
            number: (pk, customer)
            for number, pk, customer in values_in(
                Order.objects.all(),
                "number",
                (r["order_number"] for r in rows if r["order_number"]),
                "number",
                "pk",
                "customer_id",
            )
        }
        for row in rows:
            if row["order_number"]:
                found = orders.get(row["order_number"])
                if found is None:
                    report.add(
                        row,
                        self._column("order_number"),
                        _("Unknown order number “%(n)s”.") % {"n": row["order_number"]},
                        "unknown_order",
                    )
                elif row["customer_id"] is not None and found[1] != row["customer_id"]:
                    report.add(
                        row,
                        self._column("order_number"),
                        _("Order %(n)s is of another customer.") % {"n": row["order_number"]},
                        "other_customer",
                    )
                else:
                    row.values["order_id"] = found[0]
            if row["due_date"] is not None and row["due_date"] < row["invoice_date"]:
                report.add(
                    row,
                    self._column("due_date"),
                    _("The due date cannot be before the invoice date."),
                    "due_before_invoice",
                )

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        policy = AgeingPolicy.current()
        rows = [lines[0] for lines in documents.values()]
        customer_ids = {r["customer_id"] for r in rows}
        terms = {}
        for customer, days in (
            CreditTerms.objects.filter(customer__in=customer_ids, status="approved")
            .order_by("decided_at", "pk")
            .values_list("customer_id", "term_days")
        ):
            terms[customer] = days
        archive_terms = dict(
            Customer.objects.filter(pk__in=customer_ids, credit_term_days__isnull=False).values_list(
                "pk", "credit_term_days"
            )
        )
        new_orders = _all_new_orders([r["order_id"] for r in rows if r["order_id"]])
        invoices = []
        for number, lines in documents.items():
            row = lines[0]
            days = terms.get(
                row["customer_id"], archive_terms.get(row["customer_id"], policy.default_term_days)
            )
            new = row["new_products"] if row["new_products"] is not None else row["order_id"] in new_orders
            invoices.append(
                Invoice(
                    customer_id=row["customer_id"],
                    source=DEFAULT_SOURCE,
                    number=number,
                    invoiced_on=row["invoice_date"],
                    due_on=row["due_date"] or row["invoice_date"] + dt.timedelta(days=days),
                    amount=row["amount"],
                    open_amount=row["amount"],
                    order_id=row["order_id"],
                    new_products=bool(new),
                    fingerprint=fingerprints[number],
                    batch=batch,
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=CHUNK)
        open_amounts.refresh(customer_ids)  # an older unallocated payment may settle a new invoice
        return len(invoices)


class PaymentRows(_ReceivableRows):
    """Payments from the ERP: kind ``receivables.payments``."""

    kind = "receivables.payments"
    label = gettext_lazy("payments")
    permission = "receivables.add_payment"
    document_column = "payment_number"
    model = Payment
    columns = (
        Column(
            "payment_number",
            ("收款单号", "回款单号", "payment number"),
            parse_text(40),
            label=gettext_lazy("payment number"),
        ),
        Column(
            "payment_date",
            ("收款日期", "回款日期", "payment date"),
            parse_day,
            label=gettext_lazy("payment date"),
        ),
        Column(
            "customer_code",
            ("客户编码", "客户代码", "customer code"),
            parse_text(32),
            label=gettext_lazy("customer code"),
        ),
        Column("amount", ("金额", "收款金额", "amount"), AMOUNT, label=gettext_lazy("amount")),
        Column(
            "invoice_number",
            ("发票号", "应收单号", "invoice number"),
            parse_text(40),
            required=False,
            label=gettext_lazy("invoice number"),
        ),
    )

    def check(self, rows: list[Row], report: Report) -> None:
        self._customers(rows, report)
        self._twice(rows, report)
        self._positive(rows, report)
        invoices = {
            number: (pk, customer)
            for number, pk, customer in values_in(
                Invoice.objects.filter(source=DEFAULT_SOURCE),
                "number",
                (r["invoice_number"] for r in rows if r["invoice_number"]),
                "number",
                "pk",
                "customer_id",
            )
        }
        for row in rows:
            if not row["invoice_number"]:
                continue
            found = invoices.get(row["invoice_number"])
            if found is None:
                report.add(
                    row,
                    self._column("invoice_number"),
                    _("Unknown invoice number “%(n)s”.") % {"n": row["invoice_number"]},
                    "unknown_invoice",
                )
            elif row["customer_id"] is not None and found[1] != row["customer_id"]:
                report.add(
                    row,
                    self._column("invoice_number"),
                    _("Invoice %(n)s is of another customer.") % {"n": row["invoice_number"]},
                    "other_customer",
                )
            else:
                row.values["invoice_id"] = found[0]

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        payments = [
            Payment(
                customer_id=lines[0]["customer_id"],
                source=DEFAULT_SOURCE,
                number=number,
                paid_on=lines[0]["payment_date"],
                amount=lines[0]["amount"],
                invoice_id=lines[0]["invoice_id"],
                fingerprint=fingerprints[number],
                batch=batch,
            )
            for number, lines in documents.items()
        ]
        Payment.objects.bulk_create(payments, batch_size=CHUNK)
        open_amounts.refresh({p.customer_id for p in payments})  # same transaction as the insert
        return len(payments)
