"""Demo appointments (R-VISIT-6, R-VISIT-9): the past month's visits of the two demo reps were booked
ahead, and the check-ins that kept them were on time, early or a few minutes late, so the visit page,
the appointment page and 守时 (the manager's punctuality report) show something real; plus a few
appointments booked for the coming days."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from baifang.followups.choices import AppointmentStatus
from baifang.followups.models import Appointment
from baifang.org.models import User
from baifang.visits.choices import Channel, Purpose
from baifang.visits.models import Touch

# Minutes between the appointment's start and the check-in that kept it (negative: early).
PURPOSES = (Purpose.SELL, Purpose.NEEDS, Purpose.COLLECT, Purpose.NEW_PRODUCT)
LATENESS = (-8, -2, 0, 0, 3, -5, 12, 0, -1, 6, 0, 25, -3, 0, 2)


def populate(today: dt.date) -> str:
    if Appointment.objects.exists():
        return "appointments: already there"
    rng = random.Random(9)
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=30), dt.time.min))
    kept = booked = 0
    for n, username in enumerate(("rep", "rep2")):
        rep = User.objects.filter(username=username).first()
        if rep is None:
            continue
        visits = (
            Touch.objects.filter(
                user=rep, channel=Channel.VISIT, started_at__gte=since, appointment__isnull=True
            )
            .select_related("customer")
            .order_by("started_at")[:15]
        )
        for touch, late in zip(visits, LATENESS[n * 5 + rng.randrange(3) :] + LATENESS, strict=False):
            starts_at = touch.started_at - dt.timedelta(minutes=late)
            Appointment.objects.create(
                customer=touch.customer,
                rep=rep,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=45),
                place=touch.customer.delivery_address[:200],
                purpose=PURPOSES[kept % len(PURPOSES)],
                status=AppointmentStatus.DONE,
                touch=touch,
                lead_hours=24,
            )
            kept += 1
        customers = list(rep.owned_customers.filter(merged_into__isnull=True).order_by("pk")[:3])
        for days, customer in enumerate(customers, start=1):
            starts_at = timezone.make_aware(
                dt.datetime.combine(today + dt.timedelta(days=days), dt.time(10, 0))
            )
            Appointment.objects.create(
                customer=customer,
                rep=rep,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(hours=1),
                purpose=Purpose.RELATIONSHIP,
                lead_hours=24,
            )
            booked += 1
    return f"appointments: {kept} kept by a check-in (on time, early and late), {booked} booked ahead"
