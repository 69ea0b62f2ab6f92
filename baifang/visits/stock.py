"""Stock counts on the visit record and the guidance they give (R-INV-1): the visits side of commerce.

Visits sits above commerce: the counts live here (a visit is where they are made), the formula and the
order history in ``commerce`` (``commerce.services.stock_guidance_rows`` over ``commerce.engine``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.commerce import services as commerce
from baifang.commerce.models import Product
from baifang.visits.models import StockCount

FIELD_PREFIX = "stock-"
LOOK_BACK_DAYS = 366  # an earlier count older than this is no "last stock"


def counts_from_post(post) -> dict[int, str]:
    """The stock inputs of the record form: ``stock-<product id>`` and the "add a product" pair."""
    entries: dict[int, str] = {}
    for name, value in post.items():
        if name.startswith(FIELD_PREFIX) and name[len(FIELD_PREFIX) :].isdigit():
            entries[int(name[len(FIELD_PREFIX) :])] = value
    extra_product, extra_quantity = post.get("stock_new_product", ""), post.get("stock_new_quantity", "")
    if extra_product.isdigit() and extra_quantity.strip():
        entries[int(extra_product)] = extra_quantity
    return entries


def _quantity(text) -> Decimal | None:
    text = str(text).strip().replace(",", "")
    if not text:
        return None
    try:
        quantity = Decimal(text)
    except InvalidOperation:
        raise ValidationError(
            {"stock": _("“%(v)s” is not a number.") % {"v": text}}, code="invalid"
        ) from None
    if (
        not quantity.is_finite()
        or quantity >= Decimal(10) ** 11
        or quantity != quantity.quantize(Decimal("0.001"))
    ):
        raise ValidationError({"stock": _("“%(v)s” is not a number.") % {"v": text}}, code="invalid")
    if quantity < 0:
        raise ValidationError(
            {"stock": _("A counted quantity cannot be negative.")}, code="negative_quantity"
        )
    return quantity


def check_counts(entries: dict[int, str]) -> dict[int, Decimal]:
    """The entries as quantities (empty ones left out); a bad one raises before anything is saved."""
    parsed = {pid: _quantity(text) for pid, text in entries.items()}
    parsed = {pid: q for pid, q in parsed.items() if q is not None}
    known = set(Product.objects.filter(pk__in=list(parsed)).values_list("pk", flat=True)) if parsed else set()
    if known != set(parsed):
        raise ValidationError({"stock": _("Unknown product.")}, code="invalid")
    return parsed


def save_counts(user, record, entries: dict[int, str], *, reason: str = "") -> int:
    """Record the counts (an empty entry changes nothing); a changed count is corrected, never overwritten.

    Returns how many rows were written. The record must be the user's and still editable (the view
    checks both before it calls).
    """
    parsed = check_counts(entries)
    if not parsed:
        return 0
    written = 0
    with transaction.atomic():
        current = {c.product_id: c for c in record.stock_counts.current().select_for_update()}
        for pid, quantity in sorted(parsed.items()):
            previous = current.get(pid)
            if previous is not None and previous.quantity == quantity:
                continue
            if previous is not None:
                previous.is_current = False
                previous.save(update_fields=["is_current"])
            StockCount.objects.create(
                record=record,
                product_id=pid,
                quantity=quantity,
                counted_by=user,
                corrects=previous,
                reason=reason[:200] if previous is not None else "",
            )
            written += 1
    return written


def last_counts(customer, before: dt.datetime) -> dict[int, tuple[Decimal, dt.date]]:
    """Per product, the count in force at this customer's latest earlier visit that counted it."""
    rows = (
        StockCount.objects.current()
        .filter(
            record__touch__customer=customer,
            record__touch__started_at__lt=before,
            record__touch__started_at__gte=before - dt.timedelta(days=LOOK_BACK_DAYS),
        )
        .order_by("-record__touch__started_at", "-id")
        .values_list("product_id", "quantity", "record__touch__started_at")
    )
    found: dict[int, tuple[Decimal, dt.date]] = {}
    for pid, quantity, started_at in rows:
        found.setdefault(pid, (quantity, timezone.localdate(started_at)))
    return found


def guidance_for_record(record) -> list[commerce.GuidanceRow]:
    """The guidance for what was counted on this record, against the previous count and the orders since."""
    touch = record.touch
    current = {c.product_id: c.quantity for c in record.stock_counts.current()}
    if not current:
        return []
    last = {pid: v for pid, v in last_counts(touch.customer, touch.started_at).items() if pid in current}
    return commerce.stock_guidance_rows(
        touch.customer, current=current, last=last, on=timezone.localdate(touch.started_at)
    )


def corrections(record) -> list[StockCount]:
    """The replaced counts of a record, each with the count that corrected it (the history)."""
    return list(
        record.stock_counts.filter(is_current=False).select_related(
            "product", "corrected_by__counted_by", "counted_by"
        )
    )


def form_rows(record) -> list[dict]:
    """The products offered for counting: counted here, counted last time, or bought in the last 90 days."""
    touch = record.touch
    day = timezone.localdate(touch.started_at)
    current = {c.product_id: c.quantity for c in record.stock_counts.current()}
    last = last_counts(touch.customer, touch.started_at)
    ids = set(current) | set(last) | {p.pk for p in commerce.recently_bought(touch.customer, day)}
    products = Product.objects.filter(pk__in=ids).order_by("code")
    return [
        {"product": p, "name": f"{FIELD_PREFIX}{p.pk}", "value": current.get(p.pk), "last": last.get(p.pk)}
        for p in products
    ]


def other_products(rows: list[dict]):
    """Active products not yet offered (the "add a product" list)."""
    return (
        Product.objects.filter(is_active=True)
        .exclude(pk__in=[r["product"].pk for r in rows])
        .order_by("code")
    )


def before_visit(customer, *, now: dt.datetime | None = None) -> dict:
    """What to review before a visit (seed 003): purchases, last counts and what was ordered since."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    last = last_counts(customer, now)
    rows = commerce.stock_guidance_rows(customer, current={}, last=last, on=today + dt.timedelta(days=1))
    return {**commerce.purchase_context(customer, today), "stock_rows": rows}


def detail_context(touch, record) -> dict:
    """The visit page's stock section: the record's guidance once counted, else what to review before."""
    if record is not None and record.stock_counts.exists():
        return {
            **commerce.purchase_context(touch.customer, timezone.localdate(touch.started_at)),
            "stock_guidance": guidance_for_record(record),
            "stock_corrections": corrections(record),
        }
    return before_visit(touch.customer, now=touch.started_at)


def form_context(record) -> dict:
    rows = form_rows(record)
    return {"stock_rows": rows, "stock_others": other_products(rows)}


def latest_counts_by_customer(customer_ids, today: dt.date) -> dict[int, dict[int, tuple[Decimal, dt.date]]]:
    """Per customer and product, the latest count in force within the look-back (commerce's reminders)."""
    rows = (
        StockCount.objects.current()
        .filter(
            record__touch__customer__in=customer_ids,
            record__touch__started_at__gte=timezone.now() - dt.timedelta(days=LOOK_BACK_DAYS),
        )
        .order_by("-record__touch__started_at", "-id")
        .values_list("record__touch__customer", "product_id", "quantity", "record__touch__started_at")
    )
    found: dict[int, dict[int, tuple[Decimal, dt.date]]] = {}
    for cid, pid, quantity, started_at in rows:
        day = timezone.localdate(started_at)
        if day <= today:
            found.setdefault(cid, {}).setdefault(pid, (quantity, day))
    return found
