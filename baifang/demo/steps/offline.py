"""Demo data for field work offline (R-UX-2): two visits the demo rep made yesterday without signal.

Both were queued on the phone and uploaded this morning: one with a right clock (dated when it
happened, not flagged), one from a phone whose clock ran 40 minutes fast (corrected and flagged
"phone clock wrong"). Each has its record, saved on the phone.
"""

from __future__ import annotations

import datetime as dt


def populate(today: dt.date) -> str:
    from django.utils import timezone

    from baifang.customers.models import Customer
    from baifang.org.models import User
    from baifang.visits import services

    rep = User.objects.filter(username="rep").first()
    if rep is None or services.open_visit_of(rep) is not None:
        return "offline: skipped (no demo rep, or a visit of theirs is open)"
    customers = list(Customer.objects.filter(owner=rep, latitude__isnull=False).order_by("-pk")[:2])
    yesterday = today - dt.timedelta(days=1)
    sent = timezone.now()
    made = 0
    for customer, hour, fast_minutes, content in zip(
        customers,
        (10, 14),
        (0, 40),
        ("村里无信号，离线签到；检查陈列，补货两条", "离线拜访：了解竞品价格，客户反馈良好"),
        strict=False,
    ):
        fast = dt.timedelta(minutes=fast_minutes)
        start = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(hour, 0)))
        touch = services.check_in(
            rep,
            customer,
            latitude=customer.latitude,
            longitude=customer.longitude,
            coordinate_system=customer.coordinate_system,
            accuracy_m=12,
            clock=services.device_clock(start + fast, sent + fast),
        )
        services.check_out(
            rep, touch, clock=services.device_clock(start + dt.timedelta(minutes=25) + fast, sent + fast)
        )
        services.save_record(
            rep,
            touch,
            {"purpose": "sell", "content": content},
            clock=services.device_clock(start + dt.timedelta(minutes=30) + fast, sent + fast),
        )
        made += 1
    return f"offline: {made} visits made without signal yesterday and uploaded today"
