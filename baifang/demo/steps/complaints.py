"""Demo complaints (R-COMP-1..4): one being handled, one closed with the customer's satisfaction, one
handed on by the rep who heard it during a visit, one found not valid."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baifang.complaints import services
from baifang.complaints.defaults import ensure_default_categories
from baifang.complaints.models import Complaint, ComplaintCategory
from baifang.customers.models import Customer
from baifang.org.models import OrgUnit, User

QUALITY_UNIT = "quality"  # the org unit code of 技术质检部


def _at(today: dt.date, days_ago: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(hour, 20)))


def populate(today: dt.date) -> str:
    if Complaint.objects.exists():
        return "complaints: already there"
    cs, rep = User.objects.get(username="cs"), User.objects.get(username="rep")
    company = OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    # Seed 004 第十条: product-quality information goes to the technical quality department.
    OrgUnit.objects.get_or_create(
        code=QUALITY_UNIT,
        defaults={"name": "技术质检部", "kind": "other", "parent": company, "sort_order": 5},
    )
    active = Customer.objects.filter(merged_into__isnull=True)
    mine = list(active.filter(owner=rep).order_by("pk")[:4])
    if not mine:
        return "complaints: the rep has no customers"
    others = list(active.exclude(pk__in=[c.pk for c in mine]).order_by("pk")[: 4 - len(mine)])
    customers = [*mine[1:], *others][:3]
    customers.insert(2, mine[0])  # the one the rep hears during a visit is the rep's own
    ensure_default_categories()
    category = {c.code: c for c in ComplaintCategory.objects.all()}
    now = min(timezone.now(), _at(today, 0, 23))

    def receive(customer, by, code, channel, subject, description, days_ago, **extra):
        received = min(_at(today, days_ago, 9 + days_ago % 8), now)
        intake = services.Intake(customer=customer, channel=channel, category=category[code], subject=subject,
                                 description=description, received_at=received, **extra)  # fmt: skip
        return services.receive(intake, by=by, key=f"demo-{customer.pk}-{code}")

    # 1. In progress: found valid, the rectification is due.
    late = receive(customers[0], cs, "delivery", "phone", "送货晚到三天", "客户来电：上周订的货晚了三天才到，影响了周末促销。",
                   3, complainant="王店长", complainant_phone="13905710001")  # fmt: skip
    services.advance(
        late, "investigate", by=cs, findings="物流排班失误，当周司机请假未调整线路，确认晚到三天。"
    )
    services.advance(late, "find_valid", by=cs, responsible_unit=rep.unit.get_department(), responsible_person=None,
                     customer_told="已电话告知客户调查结果并致歉，承诺本周起固定周二送货。")  # fmt: skip

    # 2. Closed: product quality, compensated, rectified, re-checked, the customer satisfied.
    quality = receive(customers[1], cs, "product_quality", "mailbox", "一批货包装破损",
                      "投诉信箱来信：3 月到货的一批产品外包装破损约 20 箱。", 26)  # fmt: skip
    services.advance(quality, "investigate", by=cs, findings="仓库抽查同批次，装车时堆码过高导致压损。")
    services.advance(quality, "find_valid", by=cs, responsible_unit=rep.unit.get_department(), responsible_person=rep,
                     customer_told="已上门说明原因并致歉。", compensation_due=True, compensation_amount=1200,
                     compensation_note="破损 20 箱按进价补偿")  # fmt: skip
    services.advance(quality, "rectify", by=cs, rectification="装车规范修订：限高五层，加护角。")
    services.advance(quality, "recheck", by=cs, record="两周后复查：后续三批到货无破损，整改有效。")
    services.advance(
        quality, "ask_satisfaction", by=cs, satisfaction="satisfied", note="客户对补偿和整改表示满意"
    )
    services.advance(quality, "close", by=cs)

    # 3. Heard by the rep during a visit, handed on to customer service (首问负责制: the rep owned it first).
    heard = receive(customers[2], rep, "service", "visit", "业务员回复不及时",
                    "拜访时客户反映：上月两次询价，隔天才得到回复。", 1)  # fmt: skip
    services.hand_on(heard, by=rep, to=cs, note="涉及客服热线响应，请客服部跟进处理")

    # 4. Found not valid, explained; the customer declined to rate the handling; closed.
    price = receive(
        customers[3], cs, "price_billing", "online", "对账单金额有误", "网上留言：对账单多算了一笔。", 12
    )
    services.advance(price, "investigate", by=cs, findings="核对发货单与回款记录，该笔为客户上月未付的尾款。")
    services.advance(
        price, "find_not_valid", by=cs, explanation="已将发货单和签收单发给客户核对，说明该笔为上月尾款。"
    )
    services.advance(price, "ask_satisfaction", by=cs, satisfaction="refused", note="客户未作评价")
    services.advance(price, "close", by=cs)
    return "complaints: 4 complaints (1 in progress, 2 closed, 1 handed on)"
