"""Purchase reminders (R-FU-3): in-app notifications to the responsible rep, once per occasion.

Three occasions, each with its dedup key so the daily job never tells anyone twice:

- not purchased for more than N days (N per tier, ``ReminderThreshold``): once per last order;
- never purchased: once per customer;
- stock expected to run out within ``run_out_days``: once per product and stock count, estimated from
  the last count (visits registers the reader in ``commerce.stock_source``), what was ordered since,
  and the trailing sell-through (what the customer ordered of it over the last 90 days).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Max, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from baifang.commerce import engine, stock_source
from baifang.commerce.models import Order, OrderLine, Product, ReminderThreshold
from baifang.core.models import Notification
from baifang.customers.models import Customer
from baifang.tiers.models import CustomerTier

SELL_THROUGH_DAYS = 90


def thresholds_for(customer_ids) -> dict[int, ReminderThreshold]:
    """Each customer's threshold: one of its tiers' (the lowest N), else the default row, else 30 / 7 days."""
    rows = list(ReminderThreshold.objects.all())
    by_tier = {r.tier_id: r for r in rows if r.tier_id}
    default = (
        next((r for r in sorted(rows, key=lambda r: r.pk) if r.tier_id is None), None) or ReminderThreshold()
    )
    chosen: dict[int, ReminderThreshold] = {}
    if by_tier:
        for cid, tid in CustomerTier.objects.filter(
            customer__in=customer_ids, tier__in=list(by_tier)
        ).values_list("customer", "tier"):
            if cid not in chosen or by_tier[tid].days < chosen[cid].days:
                chosen[cid] = by_tier[tid]
    return {cid: chosen.get(cid, default) for cid in customer_ids}


def _page(customer_id: int) -> str:
    return reverse("customers:detail", args=[customer_id])


def send_purchase_reminders(today: dt.date, customers=None) -> dict:
    """Compose every reminder due today and send those not sent before (one insert)."""
    if customers is None:
        customers = Customer.objects.filter(owner__isnull=False, owner__is_active=True)
    rows = list(customers.values_list("pk", "name", "owner"))
    ids = [pk for pk, _n, _o in rows]
    thresholds = thresholds_for(ids)
    last = dict(
        Order.objects.filter(customer__in=ids, ordered_on__lte=today)
        .values("customer")
        .annotate(day=Max("ordered_on"))
        .values_list("customer", "day")
    )
    messages = []
    counts = {"not_purchased": 0, "never_purchased": 0, "runs_out": 0}
    for pk, name, owner in rows:
        threshold = thresholds[pk]
        day = last.get(pk)
        if day is None:
            if threshold.remind_never_purchased:
                counts["never_purchased"] += 1
                messages.append(
                    Notification.objects.compose(
                        _owner(owner),
                        "purchase_reminder",
                        _page(pk),
                        text=_("%(customer)s has never purchased.") % {"customer": name},
                        dedup_key=f"purchase:never:{pk}",
                    )
                )
            continue
        days = (today - day).days
        if engine.overdue_purchase(days, threshold.days):
            counts["not_purchased"] += 1
            messages.append(
                Notification.objects.compose(
                    _owner(owner),
                    "purchase_reminder",
                    _page(pk),
                    text=_(
                        "%(customer)s has not purchased for %(days)s days (last order %(day)s; reminder after %(n)s days)."
                    )
                    % {"customer": name, "days": days, "day": day, "n": threshold.days},
                    dedup_key=f"purchase:idle:{pk}:{day}",
                )
            )
    messages += _run_out_messages(rows, thresholds, today, counts)
    sent = Notification.objects.send_many(messages)
    return {**counts, "offered": sent}


def _owner(owner_id):
    """The rep by id alone (a notification needs only the key): no query per customer."""
    return get_user_model()(pk=owner_id)


def _run_out_messages(rows, thresholds, today: dt.date, counts: dict) -> list:
    names = {pk: (name, owner) for pk, name, owner in rows}
    latest = stock_source.latest_counts(list(names), today)
    if not latest:
        return []
    since = today - dt.timedelta(days=SELL_THROUGH_DAYS)
    first_count = min(day for by_product in latest.values() for _q, day in by_product.values())
    ordered: dict[tuple[int, int], list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for cid, pid, day, qty in (
        OrderLine.objects.filter(
            order__customer__in=list(latest),
            order__ordered_on__gte=min(since, first_count),
            order__ordered_on__lte=today,
        )
        .values("order__customer", "product", "order__ordered_on")
        .annotate(quantity=Sum("quantity"))
        .values_list("order__customer", "product", "order__ordered_on", "quantity")
    ):
        ordered[(cid, pid)].append((day, qty))
    products = Product.objects.in_bulk({pid for by_product in latest.values() for pid in by_product})
    out = []
    for cid, by_product in latest.items():
        name, owner = names[cid]
        horizon = thresholds[cid].run_out_days
        for pid, (quantity, counted_on) in sorted(by_product.items()):
            lines = ordered.get((cid, pid), [])
            sold = sum((q for d, q in lines if d >= since), Decimal(0))
            since_count = sum((q for d, q in lines if d >= counted_on), Decimal(0))
            stock = engine.expected_stock(
                quantity, since_count, sold, SELL_THROUGH_DAYS, (today - counted_on).days
            )
            left = engine.days_of_stock_left(stock, sold, SELL_THROUGH_DAYS)
            if left is None or left > horizon:
                continue
            counts["runs_out"] += 1
            out.append(
                Notification.objects.compose(
                    _owner(owner),
                    "purchase_reminder",
                    _page(cid),
                    text=_(
                        "%(customer)s: %(product)s runs out in about %(days)s days "
                        "(counted %(count)s on %(day)s, sells %(rate)s a day)."
                    )
                    % {
                        "customer": name,
                        "product": products[pid].name,
                        "days": int(left),
                        "count": f"{quantity.normalize():f}",
                        "day": counted_on,
                        "rate": f"{(sold / SELL_THROUGH_DAYS).quantize(Decimal('0.01'))}",
                    },
                    dedup_key=f"purchase:runout:{cid}:{pid}:{counted_on}",
                )
            )
    return out
