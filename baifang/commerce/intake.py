"""The order and delivery files of the ERP, on top of the generic pipeline in ``core.intake``.

One row is one line of a document: an order file has the order number, date, customer code, product
code, quantity and (optionally) price and amount on each line; a delivery file the delivery number,
date, the order it delivers, product code and quantity. Lines of one document must agree on its date
and customer (or order). The checks every row gets (besides each cell's type): unknown customer,
unknown product, unknown order, negative quantity, a product twice on one document.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baifang.commerce.choices import ServiceKind
from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine, Product, ServiceJob
from baifang.core.intake import Column, Report, Row, RowSchema, parse_day, parse_decimal, parse_text
from baifang.core.sql import values_in
from baifang.customers.models import Customer

CHUNK = 2000  # rows per bulk insert

QUANTITY = parse_decimal(places=3, minimum=Decimal(0), negative_code="negative_quantity")
MONEY = parse_decimal(places=2)


def _lookup_products(rows: list[Row], report: Report, column: Column) -> None:
    products = {
        code: (pk, price)
        for code, pk, price in values_in(
            Product.objects, "code", (r["product_code"] for r in rows), "code", "pk", "price"
        )
    }
    for row in rows:
        found = products.get(row["product_code"])
        if found is None:
            report.add(
                row,
                column,
                _("Unknown product code “%(c)s”.") % {"c": row["product_code"]},
                "unknown_product",
            )
        else:
            row.values["product_id"], row.values["list_price"] = found


def _duplicate_lines(rows: list[Row], report: Report, document: str, column: Column) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        key = (row[document], row["product_code"])
        if key in seen:
            report.add(
                row,
                column,
                _("Product %(p)s is already on this document in row %(r)s.")
                % {"p": row["product_code"], "r": seen[key]},
                "duplicate_line",
            )
        else:
            seen[key] = row.number


class _CommerceRows(RowSchema):
    def fingerprint(self, rows: list[Row]) -> str:
        keys = [c.key for c in self.columns]  # only what the file says, not what the lookups added
        return super().fingerprint([Row(r.number, {k: r.values.get(k) for k in keys}) for r in rows])


class OrderRows(_CommerceRows):
    """Order lines from the ERP: kind ``commerce.orders``."""

    kind = "commerce.orders"
    label = gettext_lazy("orders")
    permission = "commerce.add_order"
    document_column = "order_number"
    columns = (
        Column(
            "order_number",
            ("订单号", "订单编号", "order number"),
            parse_text(40),
            label=gettext_lazy("order number"),
        ),
        Column("order_date", ("订单日期", "日期", "order date"), parse_day, label=gettext_lazy("order date")),
        Column(
            "customer_code",
            ("客户编码", "客户代码", "customer code"),
            parse_text(32),
            label=gettext_lazy("customer code"),
        ),
        Column(
            "product_code",
            ("商品编码", "卷烟编码", "产品编码", "product code"),
            parse_text(32),
            label=gettext_lazy("product code"),
        ),
        Column("quantity", ("数量", "订购量", "quantity"), QUANTITY, label=gettext_lazy("quantity")),
        Column(
            "price",
            ("单价", "price"),
            parse_decimal(places=2, minimum=Decimal(0)),
            required=False,
            label=gettext_lazy("price"),
        ),
        Column("amount", ("金额", "amount"), MONEY, required=False, label=gettext_lazy("amount")),
    )

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def check(self, rows: list[Row], report: Report) -> None:
        customers = dict(
            values_in(Customer.objects, "code", (r["customer_code"] for r in rows), "code", "pk")
        )
        merged = (
            set(
                Customer.objects.filter(code__in=list(customers), merged_into__isnull=False).values_list(
                    "code", flat=True
                )
            )
            if customers
            else set()
        )
        for row in rows:
            code = row["customer_code"]
            if code not in customers or code in merged:
                report.add(
                    row,
                    self._column("customer_code"),
                    _("Unknown customer code “%(c)s”.") % {"c": code},
                    "unknown_customer",
                )
            else:
                row.values["customer_id"] = customers[code]
        _lookup_products(rows, report, self._column("product_code"))
        _duplicate_lines(rows, report, "order_number", self._column("product_code"))

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        for key in ("order_date", "customer_code"):
            if row[key] is not None and first[key] is not None and row[key] != first[key]:
                report.add(
                    row,
                    self._column(key),
                    _("Differs from row %(r)s of the same order.") % {"r": first.number},
                    "inconsistent_document",
                )

    def existing(self, numbers: list[str]) -> dict[str, str]:
        return dict(values_in(Order.objects, "number", numbers, "number", "fingerprint"))

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        orders, lines = [], []
        for number, rows in documents.items():
            order = Order(
                customer_id=rows[0]["customer_id"],
                number=number,
                ordered_on=rows[0]["order_date"],
                fingerprint=fingerprints[number],
                batch=batch,
            )
            for row in rows:
                price = row["price"] if row["price"] is not None else row["list_price"]
                amount = (
                    row["amount"]
                    if row["amount"] is not None
                    else (row["quantity"] * price).quantize(Decimal("0.01"))
                )
                lines.append(
                    (
                        order,
                        OrderLine(
                            product_id=row["product_id"], quantity=row["quantity"], price=price, amount=amount
                        ),
                    )
                )
                order.amount += amount
                order.quantity += row["quantity"]
            orders.append(order)
        Order.objects.bulk_create(orders, batch_size=CHUNK)
        for order, line in lines:
            line.order_id = order.pk
        OrderLine.objects.bulk_create([line for _order, line in lines], batch_size=CHUNK)
        return len(lines)


class DeliveryRows(_CommerceRows):
    """Delivery lines from the ERP, each delivery against one order: kind ``commerce.deliveries``."""

    kind = "commerce.deliveries"
    label = gettext_lazy("deliveries")
    permission = "commerce.add_delivery"
    document_column = "delivery_number"
    columns = (
        Column(
            "delivery_number",
            ("送货单号", "配送单号", "delivery number"),
            parse_text(40),
            label=gettext_lazy("delivery number"),
        ),
        Column(
            "delivery_date",
            ("送货日期", "配送日期", "delivery date"),
            parse_day,
            label=gettext_lazy("delivery date"),
        ),
        Column(
            "order_number",
            ("订单号", "订单编号", "order number"),
            parse_text(40),
            label=gettext_lazy("order number"),
        ),
        Column(
            "product_code",
            ("商品编码", "卷烟编码", "产品编码", "product code"),
            parse_text(32),
            label=gettext_lazy("product code"),
        ),
        Column("quantity", ("数量", "送货量", "quantity"), QUANTITY, label=gettext_lazy("quantity")),
    )

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def check(self, rows: list[Row], report: Report) -> None:
        orders = {
            number: (pk, customer)
            for number, pk, customer in values_in(
                Order.objects, "number", (r["order_number"] for r in rows), "number", "pk", "customer_id"
            )
        }
        for row in rows:
            found = orders.get(row["order_number"])
            if found is None:
                report.add(
                    row,
                    self._column("order_number"),
                    _("Unknown order number “%(n)s”.") % {"n": row["order_number"]},
                    "unknown_order",
                )
            else:
                row.values["order_id"], row.values["customer_id"] = found
        _lookup_products(rows, report, self._column("product_code"))
        _duplicate_lines(rows, report, "delivery_number", self._column("product_code"))

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        for key in ("delivery_date", "order_number"):
            if row[key] is not None and first[key] is not None and row[key] != first[key]:
                report.add(
                    row,
                    self._column(key),
                    _("Differs from row %(r)s of the same delivery.") % {"r": first.number},
                    "inconsistent_document",
                )

    def existing(self, numbers: list[str]) -> dict[str, str]:
        return dict(values_in(Delivery.objects, "number", numbers, "number", "fingerprint"))

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        deliveries, lines = [], []
        for number, rows in documents.items():
            delivery = Delivery(
                customer_id=rows[0]["customer_id"],
                order_id=rows[0]["order_id"],
                number=number,
                delivered_on=rows[0]["delivery_date"],
                fingerprint=fingerprints[number],
                batch=batch,
            )
            for row in rows:
                lines.append((delivery, DeliveryLine(product_id=row["product_id"], quantity=row["quantity"])))
                delivery.quantity += row["quantity"]
            deliveries.append(delivery)
        Delivery.objects.bulk_create(deliveries, batch_size=CHUNK)
        for delivery, line in lines:
            line.delivery_id = delivery.pk
        DeliveryLine.objects.bulk_create([line for _delivery, line in lines], batch_size=CHUNK)
        return len(lines)


def order_totals_match(order: Order) -> bool:
    """Whether the stored totals are the sum of the lines (a check for tests and the admin)."""
    totals = order.lines.aggregate(q=Sum("quantity"), a=Sum("amount"))
    return (totals["q"] or 0) == order.quantity and (totals["a"] or 0) == order.amount


# What a service-job file may say in its kind column: the Chinese label, a synonym, or the code.
SERVICE_KIND_WORDS = {
    **{str(kind.label): kind.value for kind in ServiceKind},
    "维修": ServiceKind.REPAIR,
    "修理": ServiceKind.REPAIR,
    "汽修": ServiceKind.REPAIR,
    "安装": ServiceKind.INSTALLATION,
    "验收": ServiceKind.ACCEPTANCE,
    "项目验收": ServiceKind.ACCEPTANCE,
    "维护": ServiceKind.MAINTENANCE,
    "保养": ServiceKind.MAINTENANCE,
    **{kind.value: kind.value for kind in ServiceKind},
}


class ServiceJobRows(_CommerceRows):
    """Service jobs (repair, installation, acceptance, maintenance): kind ``commerce.service_jobs``.

    One row is one job; writing it owes the return visits its rules ask (R-FREQ-9), keyed by the job
    number, so a re-import owes nothing more."""

    kind = "commerce.service_jobs"
    label = gettext_lazy("service jobs")
    permission = "commerce.add_servicejob"
    document_column = "job_number"
    columns = (
        Column(
            "job_number",
            ("服务单号", "工单号", "维修单号", "job number"),
            parse_text(40),
            label=gettext_lazy("job number"),
        ),
        Column("job_kind", ("服务类型", "类型", "kind"), parse_text(20), label=gettext_lazy("kind")),
        Column("done_on", ("完成日期", "日期", "done on"), parse_day, label=gettext_lazy("done on")),
        Column(
            "customer_code",
            ("客户编码", "客户代码", "customer code"),
            parse_text(32),
            label=gettext_lazy("customer code"),
        ),
        Column("note", ("备注", "note"), parse_text(300), required=False, label=gettext_lazy("note")),
    )

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def check(self, rows: list[Row], report: Report) -> None:
        from django.utils import timezone

        customers = dict(
            values_in(
                Customer.objects.filter(merged_into__isnull=True),
                "code",
                (r["customer_code"] for r in rows),
                "code",
                "pk",
            )
        )
        today = timezone.localdate()
        for row in rows:
            code = row["customer_code"]
            if code not in customers:
                report.add(
                    row,
                    self._column("customer_code"),
                    _("Unknown customer code “%(c)s”.") % {"c": code},
                    "unknown_customer",
                )
            else:
                row.values["customer_id"] = customers[code]
            kind = SERVICE_KIND_WORDS.get((row["job_kind"] or "").strip())
            if kind is None:
                report.add(row, self._column("job_kind"), _("Unknown service kind."), "invalid_choice")
            else:
                row.values["service_kind"] = kind
            if row["done_on"] is not None and row["done_on"] > today:
                report.add(row, self._column("done_on"), _("A job cannot be done in the future."), "future")

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        report.add(
            row,
            self._column("job_number"),
            _("This job number is already on row %(r)s.") % {"r": first.number},
            "inconsistent_document",
        )

    def existing(self, numbers: list[str]) -> dict[str, str]:
        return dict(values_in(ServiceJob.objects, "number", numbers, "number", "fingerprint"))

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        from baifang.commerce.services import service_job_owes

        jobs = [
            ServiceJob(
                customer_id=rows[0]["customer_id"],
                kind=rows[0]["service_kind"],
                number=number,
                done_on=rows[0]["done_on"],
                note=rows[0]["note"] or "",
                fingerprint=fingerprints[number],
                recorded_by=batch.created_by if batch is not None else None,
                batch=batch,
            )
            for number, rows in documents.items()
        ]
        ServiceJob.objects.bulk_create(jobs, batch_size=CHUNK)
        for job in ServiceJob.objects.filter(number__in=list(documents)).select_related("customer"):
            service_job_owes(job, by=job.recorded_by)
        return len(jobs)
