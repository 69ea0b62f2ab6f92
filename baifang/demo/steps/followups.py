"""Demo data for follow-up records and stages (R-FU-2) and touch reminders (R-FU-3).

Marks the close-time grade and the purchase intent as moved by the follower (the seed-002 suggested
methods as hints), the lifecycle as moved by the data, gives the importance tiers a not-touched
threshold, records a few follow-ups for the demo rep's customers by phone, SMS and invited visit, moves
their stages (one backwards, with its reason) and runs the reminder job as it would run today.
"""

from __future__ import annotations

import datetime as dt
import random

CLOSE_GRADE = [
    ("A", "A 一个月内成交"),
    ("B", "B 三个月内成交"),
    ("C", "C 六个月内成交"),
    ("D", "D 潜在/六个月以上"),
]
# Seed 002: 准客户 直接登门或电话; 意向客户 邀约登门或网络对话; the others by phone and SMS.
HINTS = {
    "A": ("direct_visit,phone", "准客户：直接登门或电话跟进"),
    "B": ("invited,online", "意向客户：邀约登门或网络对话"),
    "C": ("phone,sms", ""),
    "D": ("phone,sms", ""),
}
THRESHOLDS = {"A": 15, "B": 30, "C": 60}


def populate(today: dt.date) -> str:
    from baifang.customers.models import Customer
    from baifang.followups import recording
    from baifang.followups.models import StageHint, StageScheme, TouchReminderRule
    from baifang.org.models import User
    from baifang.tiers.models import ClassificationScheme, Tier

    rng = random.Random(13)
    scheme, _created = ClassificationScheme.objects.get_or_create(
        code="close-grade", defaults={"name": "成交时间等级 A–E", "source": "《销售管理制度》客户跟踪记录表"}
    )
    for rank, (code, name) in enumerate(CLOSE_GRADE, start=1):
        if not scheme.tiers.filter(code=code).exists() and not scheme.tiers.filter(rank=rank).exists():
            Tier.objects.create(scheme=scheme, code=code, name=name, rank=rank)
    StageScheme.objects.get_or_create(scheme=scheme, defaults={"moved_by_follower": True})
    for tier in scheme.tiers.all():
        if tier.code in HINTS:
            methods, note = HINTS[tier.code]
            StageHint.objects.get_or_create(tier=tier, defaults={"methods": methods, "note": note})
    for code in ("purchase-intent",):
        other = ClassificationScheme.objects.filter(code=code).first()
        if other:
            StageScheme.objects.get_or_create(scheme=other, defaults={"moved_by_follower": True})
    lifecycle = ClassificationScheme.objects.filter(code="lifecycle").first()
    if lifecycle:
        StageScheme.objects.get_or_create(
            scheme=lifecycle,
            defaults={"moved_by_follower": False, "forward_is_lower": False, "is_lifecycle": True},
        )
    for tier in Tier.objects.filter(scheme__code="importance", code__in=THRESHOLDS):
        TouchReminderRule.objects.get_or_create(tier=tier, defaults={"days": THRESHOLDS[tier.code]})

    rep = User.objects.get(username="rep")
    tiers = {t.code: t for t in scheme.tiers.all()}
    customers = list(Customer.objects.filter(owner=rep).order_by("pk")[:6])
    topics = ["产品介绍", "报价跟进", "样品反馈", "合同条款", "节日问候", "回款确认"]
    records = moves = 0
    for i, customer in enumerate(customers):
        method = ("phone", "sms", "invited", "online")[i % 4]
        stage = tiers.get("CBA"[i % 3])
        recording.record_follow_up(
            rep,
            customer,
            method=method,
            topic=topics[i],
            followed_on=today - dt.timedelta(days=rng.randint(1, 5)),
            situation="客户有意向，需要进一步沟通价格。",
            next_step="下周再联系",
            next_on=today + dt.timedelta(days=rng.randint(3, 10)),
            stage=stage,
        )
        records += 1
        moves += 1 if stage else 0
    if customers and "D" in tiers:
        recording.move_stage(rep, customers[0], tiers["D"], reason="客户预算推迟到明年")
        moves += 1
    sent = recording.send_touch_reminders(today)
    return f"followups: {records} follow-up records, {moves} stage moves, {sent} touch reminders"
