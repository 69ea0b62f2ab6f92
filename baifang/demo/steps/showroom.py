"""Demo data for the showroom lead intake (R-FU-4): a showroom in rep's unit, yesterday's full day of
walk-ins and calls received in turn (some returning, some naming a rep, a few leaving no details, one
registered late), and today's duty order with the morning's arrivals up to now."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

PRODUCTS = ["轩逸 1.6L", "天籁 2.0T", "奇骏 2.5L", "逍客 2.0L", "楼王 A 户型", "洋房 120㎡"]
LEVELS = ["H", "A", "A", "B", "B", "B", "C", "C", ""]


def _day(showroom, reps, day: dt.date, rng: random.Random, *, until: dt.datetime, arrivals: int) -> int:
    from baifang.followups import showroom as svc
    from baifang.org.models import User

    svc.set_duty_order(User.objects.get(username="manager"), showroom, day, reps)
    minute = dt.datetime.combine(day, dt.time(9, 0), tzinfo=timezone.get_current_timezone())
    known: list[tuple[str, str]] = []
    made = 0
    for i in range(arrivals):
        minute += dt.timedelta(minutes=rng.randint(3, 14))
        if minute > until:
            break
        returning = known and rng.random() < 0.15
        named = not returning and rng.random() < 0.05
        if returning:
            name, phone = rng.choice(known)
        else:
            leaves = rng.random() > 0.3
            surname = rng.choice("王李张刘陈杨赵黄周吴")
            name = (
                f"{surname}{rng.choice(['先生', '女士'])}"
                if leaves
                else rng.choice(["某先生", "某女士", "浙A·8K2" + str(i)])
            )
            phone = f"139{rng.randint(10000000, 99999999)}" if leaves else ""
        first = svc.first_registration(showroom, phone) if phone else None
        _order, reception = svc.who_is_next(
            showroom,
            minute,
            returning_rep_id=first.credited_to_id if first else None,
            named_rep_id=rng.choice(reps).pk if named else None,
        )
        receiver = next((rep for rep in reps if rep.pk == reception.receiver), None)
        if receiver is None:
            continue  # everyone busy: the customer waits, the next arrival comes later
        out = minute + dt.timedelta(minutes=rng.randint(10, 40))
        ended = out <= until
        svc.register(
            receiver,
            showroom,
            kind="call" if rng.random() < 0.25 else "walk_in",
            time_in=minute,
            time_out=out if ended else None,
            received_by=receiver,
            visitor_name=name,
            phone=phone,
            intended_product=rng.choice(PRODUCTS),
            intent_level=rng.choice(LEVELS),
            note=rng.choice(["看车试驾，关注油耗", "询问首付和贷款", "比较竞品，犹豫中", "带家人再来", ""]),
            bought_on_spot=rng.random() < 0.06,
            named_rep=named,
            now=(out if ended else minute) + dt.timedelta(minutes=rng.choice([2, 5, 10, 600])),
        )
        if phone and not returning:
            known.append((name, phone))
        made += 1
    return made


def populate(today: dt.date) -> str:
    from baifang.followups.models import Registration, Showroom
    from baifang.org.models import User

    rng = random.Random(13)
    rep = User.objects.get(username="rep")
    showroom = Showroom.objects.create(name=f"{rep.unit.name}展厅", unit=rep.unit)
    reps = list(User.objects.filter(unit=rep.unit, is_active=True).order_by("username")[:12])
    now = timezone.now()
    yesterday = today - dt.timedelta(days=1)
    end_of_yesterday = dt.datetime.combine(yesterday, dt.time(18, 0), tzinfo=timezone.get_current_timezone())
    _day(showroom, reps, yesterday, rng, until=end_of_yesterday, arrivals=40)
    _day(showroom, reps, today, rng, until=min(now, end_of_yesterday + dt.timedelta(days=1)), arrivals=40)
    for row in Registration.objects.filter(showroom=showroom, info_due_at__isnull=False).order_by("pk")[::2]:
        row.info_sent_at = row.info_due_at - dt.timedelta(minutes=rng.randint(1, 15))
        row.save(update_fields=["info_sent_at"])
    count = Registration.objects.filter(showroom=showroom).count()
    return f"followups: showroom {showroom.name}, {len(reps)} reps on duty, {count} registrations"
