"""Demo data for opportunities (商机, R-FU-6) and lost orders (丢单报告, R-FU-5).

The demo rep follows a few deals at their customers, in different stages (one moved forward, one won),
and three orders were lost this month for different reasons — so the lost-order analysis of the
current month shows a chart. Chinese strings only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

DEALS = [
    # title, stage the deal reaches, expected amount, days to close
    ("年度饮料供货合同", "negotiation", Decimal("86000"), 20),
    ("门店冷柜投放", "needs", Decimal("12000"), 45),
    ("端午节礼盒团购", "proposal", Decimal("23500"), 30),
    ("新品首批铺货", "won", Decimal("8800"), 5),
    ("季度促销陈列", "contact", Decimal("5000"), 60),
]
PATH = ["contact", "needs", "proposal", "negotiation"]
# reason code, competitor, lessons, amount (for a lost deal: its expected amount)
LOSSES = [
    ("price", "农夫山泉", "对手报价低 8%，我方未及时申请特价，下次提前备好价格方案。", None),
    (
        "delivery",
        "怡宝",
        "客户急需两天到货，我方仓库缺货，交期无法保证；需与仓储协调安全库存。",
        Decimal("6400"),
    ),
    ("service", "", "上次投诉处理慢，客户对服务不满意；投诉要当天回复。", Decimal("3200")),
]


def populate(today: dt.date) -> str:
    from baifang.commerce.models import Product
    from baifang.customers.models import Customer
    from baifang.followups import opportunities as svc
    from baifang.followups.models import LostReason
    from baifang.org.models import User

    svc.ensure_default_reasons()
    rep = User.objects.get(username="rep")
    customers = list(Customer.objects.filter(owner=rep).order_by("pk")[: len(DEALS) + 2])
    if not customers:
        return "opportunities: no customers of the demo rep"
    products = list(Product.objects.filter(is_active=True).order_by("code")[:3])
    made = []
    for i, (title, stage, amount, days) in enumerate(DEALS):
        customer = customers[i % len(customers)]
        opportunity = svc.create(
            rep,
            customer,
            title=title,
            expected_amount=amount,
            expected_close_on=today + dt.timedelta(days=days),
            note="拜访中客户提出需求。",
        )
        target = PATH.index(stage) if stage in PATH else len(PATH) - 1
        for step in PATH[1 : target + 1]:
            svc.update(rep, opportunity, stage=step, comment="拜访后更新进展")
        if stage == "won":
            svc.update(rep, opportunity, stage="won", comment="客户已下单")
        made.append(opportunity)
    reasons = {r.code: r for r in LostReason.objects.all()}
    first = today.replace(day=1)
    lost_on = [max(first, today - dt.timedelta(days=d)) for d in (1, 3, 6)]
    # the first loss ends a deal followed to the quote; the others were lost with no deal followed
    lost_deal = svc.create(
        rep,
        customers[-1],
        title="中秋团购订单",
        expected_amount=Decimal("15800"),
        expected_close_on=today + dt.timedelta(days=10),
    )
    svc.update(rep, lost_deal, stage="proposal", comment="已报价")
    code, competitor, lessons, _amount = LOSSES[0]
    svc.lose(
        rep,
        lost_deal,
        lost_on=lost_on[0],
        reason=reasons[code],
        competitor=competitor,
        product=products[0] if products else None,
        lessons=lessons,
    )
    for (code, competitor, lessons, amount), day, product in zip(
        LOSSES[1:], lost_on[1:], (products[1:] or [None, None]) + [None], strict=False
    ):
        svc.record_lost_order(
            rep,
            customers[-2] if len(customers) > 1 else customers[0],
            lost_on=day,
            reason=reasons[code],
            competitor=competitor,
            product=product,
            amount=amount,
            lessons=lessons,
        )
    return f"opportunities: {len(made) + 1} opportunities, {len(LOSSES)} lost orders"
