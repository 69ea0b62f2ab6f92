"""What commerce tells the pages above it: purchase history, last-order facts and stock guidance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.commerce import engine
from baifang.commerce.choices import ServiceKind
from baifang.commerce.models import Order, OrderLine, Product, ServiceJob, StockFactor
from baifang.rules import events
from baifang.rules.choices import EventKind


@dataclass
class PurchaseSummary:
    """A customer's buying over the last 12 months, for its page, the visit page and the API."""

    months: list[dict] = field(default_factory=list)  # [{"month": date, "quantity", "amount"}], oldest first
    last_order: Order | None = None
    days_since_last_order: int | None = None
    orders_12m: int = 0
    amount_12m: Decimal = Decimal(0)
    quantity_12m: Decimal = Decimal(0)
    top_products: list[dict] = field(default_factory=list)  # [{"product", "quantity", "amount"}]

    @property
    def has_data(self) -> bool:
        return self.last_order is not None


def _month_start(day: dt.date, back: int) -> dt.date:
    month = day.year * 12 + day.month - 1 - back
    return dt.date(month // 12, month % 12 + 1, 1)


def purchase_summary(customer, today: dt.date) -> PurchaseSummary:
    """Monthly volume (12 months with the current one, empty months as 0), last order, top products."""
    since = _month_start(today, 11)
    orders = Order.objects.filter(customer=customer)
    by_month = {
        row["month"].date() if isinstance(row["month"], dt.datetime) else row["month"]: row
        for row in orders.filter(ordered_on__gte=since, ordered_on__lte=today)
        .annotate(month=TruncMonth("ordered_on"))
        .values("month")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"), n=Count("id"))
    }
    summary = PurchaseSummary()
    for back in range(11, -1, -1):
        month = _month_start(today, back)
        row = by_month.get(month, {})
        summary.months.append(
            {
                "month": month,
                "quantity": row.get("quantity") or Decimal(0),
                "amount": row.get("amount") or Decimal(0),
            }
        )
        summary.orders_12m += row.get("n", 0)
    summary.quantity_12m = sum((m["quantity"] for m in summary.months), Decimal(0))
    summary.amount_12m = sum((m["amount"] for m in summary.months), Decimal(0))
    summary.last_order = (
        orders.filter(ordered_on__lte=today)
        .prefetch_related("lines__product")
        .order_by("-ordered_on", "-id")
        .first()
    )
    if summary.last_order:
        summary.days_since_last_order = (today - summary.last_order.ordered_on).days
    top = (
        OrderLine.objects.filter(
            order__customer=customer, order__ordered_on__gte=since, order__ordered_on__lte=today
        )
        .values("product")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
        .order_by("-quantity", "product")[:5]
    )
    products = Product.objects.in_bulk([row["product"] for row in top])
    summary.top_products = [{**row, "product": products[row["product"]]} for row in top]
    return summary


def chart_data(summary: PurchaseSummary) -> dict:
    """The monthly volume as the chart script reads it."""
    return {
        "labels": [m["month"].strftime("%Y-%m") for m in summary.months],
        "values": [float(m["quantity"]) for m in summary.months],
        "series": _("Quantity"),
        "unit": "",
    }


def purchase_context(customer, today=None) -> dict:
    """The purchase panel's context: ``commerce/_purchases.html`` (customer page, visit page)."""
    summary = purchase_summary(customer, today or timezone.localdate())
    return {
        "purchases": summary,
        "purchase_chart": chart_data(summary),
        "purchase_chart_id": "purchase-chart-data",
    }


def stock_factors(customer, products) -> dict[int, Decimal]:
    """k per product for this customer (``engine.resolve_k``: pair, customer, product, group, 1.5)."""
    rows = StockFactor.objects.filter(customer=customer).filter(
        Q(product__isnull=True) | Q(product__in=[p.pk for p in products])
    )
    pairs = {row.product_id: row.k for row in rows}
    customer_k = pairs.pop(None, None)
    return {
        p.pk: engine.resolve_k(
            pair=pairs.get(p.pk),
            customer=customer_k,
            product=p.stock_factor,
            group=p.group.stock_factor if p.group_id else None,
        )
        for p in products
    }


def ordered_between(customer, product_ids, start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Quantity ordered per product on days ``start <= day < end`` (the orders since the last count)."""
    rows = (
        OrderLine.objects.filter(
            order__customer=customer,
            product__in=product_ids,
            order__ordered_on__gte=start,
            order__ordered_on__lt=end,
        )
        .values("product")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["product"]: row["quantity"] for row in rows}


@dataclass
class GuidanceRow:
    """One product's line of the stock guidance on a visit (R-INV-1)."""

    product: Product
    current_stock: Decimal | None
    last_stock: Decimal | None = None
    last_counted_on: dt.date | None = None
    ordered_since: Decimal = Decimal(0)
    guidance: engine.StockGuidance | None = None  # None: no earlier count, or not counted yet


def stock_guidance_rows(
    customer, *, current: dict[int, Decimal], last: dict[int, tuple[Decimal, dt.date]], on: dt.date
) -> list[GuidanceRow]:
    """The guidance for each product counted now or last time.

    ``current``: product id → counted now; ``last``: product id → (counted, day) at the previous
    count. "Last order" is what was ordered from the day of the last count up to the day before this
    one (an order placed at the visit comes after the count).
    """
    ids = sorted(set(current) | set(last))
    products = Product.objects.select_related("group").in_bulk(ids)
    factors = stock_factors(customer, list(products.values()))
    starts = {d for _q, d in last.values()}
    ordered: dict[tuple[int, dt.date], Decimal] = {}
    for start in starts:  # one query per distinct last-count day (usually one)
        pids = [pid for pid, (_q, d) in last.items() if d == start]
        for pid, qty in ordered_between(customer, pids, start, on).items():
            ordered[(pid, start)] = qty
    rows = []
    for pid in ids:
        if pid not in products:
            continue
        row = GuidanceRow(product=products[pid], current_stock=current.get(pid))
        if pid in last:
            row.last_stock, row.last_counted_on = last[pid]
            row.ordered_since = ordered.get((pid, row.last_counted_on), Decimal(0))
            if row.current_stock is not None:
                row.guidance = engine.stock_guidance(
                    row.last_stock, row.ordered_since, row.current_stock, factors[pid]
                )
        rows.append(row)
    rows.sort(key=lambda r: (r.guidance is None, r.product.code))
    return rows


def last_order_day(customer) -> dt.date | None:
    return Order.objects.filter(customer=customer).aggregate(day=Max("ordered_on"))["day"]


def recently_bought(customer, today: dt.date, days: int = 90) -> list[Product]:
    """Products this customer ordered in the last ``days`` days: the rows offered for a stock count."""
    ids = (
        OrderLine.objects.filter(
            order__customer=customer, order__ordered_on__gte=today - dt.timedelta(days=days)
        )
        .values_list("product", flat=True)
        .distinct()
    )
    return list(Product.objects.filter(pk__in=ids, is_active=True).order_by("code"))


# --- Service jobs owe return visits (R-FREQ-9) -------------------------------------------------------

EVENT_OF_SERVICE = {
    ServiceKind.REPAIR: EventKind.REPAIR_DONE,
    ServiceKind.INSTALLATION: EventKind.INSTALLATION_DONE,
    ServiceKind.ACCEPTANCE: EventKind.ACCEPTANCE_DONE,
    ServiceKind.MAINTENANCE: EventKind.MAINTENANCE_DONE,
}


def service_job_owes(job: ServiceJob, *, by=None):
    """The return visits ``job`` owes (idempotent: keyed by the job number)."""
    return events.happened(
        job.customer, EVENT_OF_SERVICE[job.kind], ref=f"job:{job.number}", on=job.done_on, by=by
    )


@transaction.atomic
def record_service_job(
    customer, *, kind: str, number: str, done_on: dt.date, note: str = "", by=None, batch=None
) -> ServiceJob:
    """Record a service job and owe its return visits; the same number again returns the first job."""
    number = (number or "").strip()
    if kind not in ServiceKind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown service kind."), code="invalid_choice")})
    if not number:
        raise ValidationError({"number": ValidationError(_("A job needs its number."), code="required")})
    if done_on > timezone.localdate():
        raise ValidationError(
            {"done_on": ValidationError(_("A job cannot be done in the future."), code="future")}
        )
    existing = ServiceJob.objects.filter(number=number).select_related("customer").first()
    if existing is not None:
        if existing.customer_id != customer.pk or existing.kind != kind:
            raise ValidationError(
                {
                    "number": ValidationError(
                        _("This job number is already recorded for another customer or kind."),
                        code="duplicate",
                    )
                }
            )
        service_job_owes(existing, by=by)
        return existing
    job = ServiceJob(customer=customer, kind=kind, number=number, done_on=done_on, note=note[:300])
    job.recorded_by = by
    job.batch = batch
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:  # a concurrent double submit won
        return ServiceJob.objects.get(number=number)
    service_job_owes(job, by=by)
    return job
