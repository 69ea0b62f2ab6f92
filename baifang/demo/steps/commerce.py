"""Demo commerce: a tobacco catalogue, a year of orders and deliveries, stock counts on rep's records.

Deterministic (seeded). Orders go to the first customers with an owner (rep's and rep2's among them), about every two weeks,
with 2–5 lines; each order is delivered the next day, a few short (R-OBL-3: delivery ≠ order). The
rep's visit records of the last months get shelf counts, so the stock guidance (R-INV-1) has a last
count to work from on the visit page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from decimal import Decimal

from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine, Product, ProductGroup
from baifang.customers.models import Customer

MAX_CUSTOMERS = 400  # a year of orders for this many keeps `bootstrap` quick
GROUPS = [
    ("HHL", "黄鹤楼系列", Decimal("2.0")),
    ("ZH", "中华系列", None),
    ("LQ", "利群系列", None),
    ("YX", "玉溪系列", None),
]
PRODUCTS = [
    ("6901028001", "黄鹤楼(硬珍品)", "黄鹤楼", "HHL", "260.00"),
    ("6901028002", "黄鹤楼(软蓝)", "黄鹤楼", "HHL", "190.00"),
    ("6901028011", "中华(硬)", "中华", "ZH", "450.00"),
    ("6901028012", "中华(软)", "中华", "ZH", "650.00"),
    ("6901028021", "利群(新版)", "利群", "LQ", "140.00"),
    ("6901028022", "利群(长嘴)", "利群", "LQ", "230.00"),
    ("6901028023", "利群(阳光)", "利群", "LQ", "160.00"),
    ("6901028031", "玉溪(软)", "玉溪", "YX", "220.00"),
    ("6901028032", "玉溪(硬)", "玉溪", "YX", "200.00"),
    ("6901028041", "南京(炫赫门)", "南京", None, "150.00"),
    ("6901028042", "云烟(紫)", "云烟", None, "110.00"),
    ("6901028051", "芙蓉王(硬)", "芙蓉王", None, "250.00"),
]


def _catalogue(today: dt.date) -> list[Product]:
    groups = {
        code: ProductGroup.objects.create(code=code, name=name, stock_factor=k) for code, name, k in GROUPS
    }
    products = [
        Product(code=code, name=name, brand=brand, group=groups.get(group), price=Decimal(price))
        for code, name, brand, group, price in PRODUCTS
    ]
    products[4].new_from, products[4].new_until = (
        today - dt.timedelta(days=60),
        today + dt.timedelta(days=120),
    )
    products[10].promoted_from = today - dt.timedelta(days=30)
    return Product.objects.bulk_create(products)


def _fingerprint(*parts) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _orders(rng: random.Random, customers, products, today: dt.date) -> tuple[int, int]:
    orders, lines, deliveries, delivery_lines = [], [], [], []
    for customer in customers:
        usual = rng.sample(products, rng.randint(3, 6))
        day = today - dt.timedelta(days=365 - rng.randint(0, 13))
        while day <= today:
            order = Order(customer=customer, number=f"DD{day:%Y%m%d}{customer.pk:06d}", ordered_on=day)
            chosen = rng.sample(usual, rng.randint(2, min(5, len(usual))))
            for product in chosen:
                quantity = Decimal(rng.choice((5, 10, 10, 15, 20, 25, 30, 40)))
                amount = quantity * product.price
                lines.append(
                    (order, OrderLine(product=product, quantity=quantity, price=product.price, amount=amount))
                )
                order.quantity += quantity
                order.amount += amount
            order.fingerprint = _fingerprint(order.number, order.quantity, order.amount)
            orders.append(order)
            day += dt.timedelta(days=rng.choice((7, 14, 14, 21)))
    Order.objects.bulk_create(orders, batch_size=2000)
    for order, line in lines:
        line.order_id = order.pk
    OrderLine.objects.bulk_create([line for _o, line in lines], batch_size=2000)
    by_order: dict[int, list[OrderLine]] = {}
    for order, line in lines:
        by_order.setdefault(order.pk, []).append(line)
    for order in orders:
        if order.ordered_on >= today:
            continue  # today's orders are not delivered yet
        delivery = Delivery(
            customer_id=order.customer_id,
            order=order,
            number=f"SH{order.number[2:]}",
            delivered_on=order.ordered_on + dt.timedelta(days=1),
        )
        short = rng.random() < 0.03  # a few deliveries fall short of their order
        for i, line in enumerate(by_order[order.pk]):
            quantity = line.quantity - (Decimal(5) if short and i == 0 else 0)
            delivery_lines.append((delivery, DeliveryLine(product_id=line.product_id, quantity=quantity)))
            delivery.quantity += quantity
        delivery.fingerprint = _fingerprint(delivery.number, delivery.quantity)
        deliveries.append(delivery)
    Delivery.objects.bulk_create(deliveries, batch_size=2000)
    for delivery, line in delivery_lines:
        line.delivery_id = delivery.pk
    DeliveryLine.objects.bulk_create([line for _d, line in delivery_lines], batch_size=2000)
    return len(orders), len(lines)


def _stock_counts(rng: random.Random, today: dt.date) -> int:
    """Shelf counts on rep's on-site visits of the last 90 days (a draft record where none was written),
    for up to four of the products each customer buys."""
    from baifang.org.models import User
    from baifang.visits.models import StockCount, Touch, VisitRecord

    rep = User.objects.filter(username="rep").first()
    if rep is None:
        return 0
    touches = list(
        Touch.objects.filter(
            user=rep,
            channel="visit",
            ended_at__isnull=False,
            started_at__date__gte=today - dt.timedelta(days=90),
            started_at__date__lt=today,
        ).order_by("started_at")
    )
    bought: dict[int, set[int]] = {}
    for customer_id, product_id in (
        OrderLine.objects.filter(order__customer__owner=rep)
        .values_list("order__customer_id", "product_id")
        .distinct()
    ):
        bought.setdefault(customer_id, set()).add(product_id)
    counts = []
    for touch in touches:
        products = sorted(bought.get(touch.customer_id, []))[:4]
        if not products:
            continue
        record, _created = VisitRecord.objects.get_or_create(
            touch=touch, defaults={"content": "盘点货架，了解动销情况", "stock_observed": "见库存盘点"}
        )
        for product_id in products:
            counts.append(
                StockCount(
                    record=record, product_id=product_id, quantity=Decimal(rng.randint(2, 30)), counted_by=rep
                )
            )
    StockCount.objects.bulk_create(counts)
    return len(counts)


def _triggers(today: dt.date) -> str:
    """A company band of ±60 %, a 30-day reminder; rep's first buying customer gets its own ±20 % band and
    a stocking-up order last month, so the nightly job raises a special visit with its numbers (R-OBL-3),
    and the reminders job tells rep who has not bought lately (R-FU-3). Both jobs run once here."""
    from baifang.commerce import reminders, triggers
    from baifang.commerce.models import ReminderThreshold, SalesBand

    SalesBand.objects.get_or_create(customer=None, tier=None, defaults={"percent": Decimal(60)})
    ReminderThreshold.objects.get_or_create(tier=None, defaults={"days": 30, "run_out_days": 7})
    first = (
        Order.objects.filter(customer__owner__username="rep")
        .order_by("customer_id")
        .values("customer")
        .first()
    )
    if first is None:
        return ""
    customer = Customer.objects.get(pk=first["customer"])
    SalesBand.objects.get_or_create(customer=customer, defaults={"percent": Decimal(20)})
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=15)
    product = Product.objects.order_by("code").first()
    quantity = Decimal(600)
    order = Order.objects.create(
        customer=customer,
        number=f"DD{last_month:%Y%m%d}{customer.pk:06d}X",
        ordered_on=last_month,
        quantity=quantity,
        amount=quantity * product.price,
        fingerprint=_fingerprint("stock-up", customer.pk),
    )
    OrderLine.objects.create(
        order=order, product=product, quantity=quantity, price=product.price, amount=quantity * product.price
    )
    scope = Customer.objects.filter(owner__username="rep")
    run = triggers.raise_automatic_special_visits(today, customers=scope)
    sent = reminders.send_purchase_reminders(today, customers=scope)
    return f", special visits raised {sum(run.raised.values())}, reminders {sent['offered']}"


def populate(today: dt.date) -> str:
    rng = random.Random(12)
    products = _catalogue(today)
    customers = list(
        Customer.objects.filter(merged_into__isnull=True, owner__isnull=False).order_by("pk")[:MAX_CUSTOMERS]
    )
    n_orders, n_lines = _orders(rng, customers, products, today)
    n_counts = _stock_counts(rng, today)
    extra = _triggers(today)
    return f"commerce: {len(products)} products, {n_orders:,} orders ({n_lines:,} lines) with deliveries, {n_counts} stock counts{extra}"
