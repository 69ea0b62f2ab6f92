"""Demo data for customer care and the information-feedback quota (R-CARE-1..4, R-INFO-1).

Loads the seed-001 care rules, gives a few A-customer executives birthdays in the coming days, runs
the daily job as it would run today and on the eve of the coming festival (so the festival's gift
tasks are there), sends a greeting batch for the last festival through the log gateway, and files
this month's feedback forms: department 1 on track, the others short.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db.models import F


def _festival_before(today: dt.date):
    from baifang.care import occasions

    past = occasions.festivals_in(
        occasions.Window(today - dt.timedelta(days=200), today - dt.timedelta(days=1))
    )
    return past[-1] if past else None


def _festival_after(today: dt.date):
    from baifang.care import occasions

    coming = occasions.festivals_in(occasions.Window(today, today + dt.timedelta(days=200)))
    return coming[0] if coming else None


def populate(today: dt.date) -> str:
    from baifang.care import services
    from baifang.care.models import CareTask, FeedbackForm, Gift, MessageTemplate
    from baifang.customers.models import Contact, Customer
    from baifang.org.models import User
    from baifang.tiers.models import CustomerTier

    rng = random.Random(14)
    services.load_seed()
    rep = User.objects.get(username="rep")

    # A few A-customer executives of rep's have birthdays in the next three days.
    a_customers = CustomerTier.objects.filter(scheme__code="importance", tier__code="A").values("customer_id")
    executives = list(
        Contact.objects.filter(customer__in=a_customers, customer__owner=rep).order_by("pk")[:3]
    )
    for offset, contact in enumerate(executives, start=1):
        day = today + dt.timedelta(days=offset)
        contact.audience_class = "I"
        contact.birthday_calendar = "solar"
        contact.birthday = day.replace(year=day.year - 45 - offset)
        contact.save(update_fields=["audience_class", "birthday_calendar", "birthday"])

    services.generate(today)
    coming = _festival_after(today + dt.timedelta(days=1))
    if coming is not None and coming.date - dt.timedelta(days=7) > today:
        # As the job will run a week before it: the festival's gift tasks, shown ahead.
        services.generate(coming.date - dt.timedelta(days=7))

    # A greeting batch for the last festival, sent through the log gateway.
    sent = 0
    last = _festival_before(today)
    if last is not None:
        template = MessageTemplate.objects.get(name="节日问候短信")
        contacts = Contact.objects.filter(customer__owner=rep, audience_class__in=["II", "III"]).exclude(
            mobile=""
        )
        result = services.create_batch(
            by=rep,
            template=template,
            occasion_key=f"festival:{last.code}:{last.date.year}",
            occasion_label=last.name_zh,
            contacts=contacts,
        )
        sent = services.send_pending(result.batch).sent

    # Gifts given for that festival by rep.
    for task in CareTask.objects.filter(assignee=rep, action="gift").select_related("customer", "contact")[
        :3
    ]:
        Gift.objects.create(
            customer=task.customer,
            contact=task.contact,
            task=None,
            item=rng.choice(["月饼礼盒", "茶叶礼盒", "年货礼包"]),
            cost=rng.choice([188, 268, 388]),
            given_on=min(today, last.date if last else today),
            occasion_label=last.name_zh if last else "",
            given_by=rep,
        )

    # This month's feedback forms: each field department's reps file some; department 1 is on track.
    first = today.replace(day=1)
    span = max(1, (today - first).days + 1)
    topics = [
        {"market": "本区域夏季需求回升，客户计划增加备货。"},
        {"competitors": "竞品本月促销让利3%，客户在比价。"},
        {"needs": "客户希望把账期从30天延长到45天。"},
        {"credit": "客户回款比上月慢一周，需跟踪。"},
        {"other": "客户更换了采购负责人。"},
    ]
    filed = 0
    quota = services.active_quota()
    departments = list(services.field_departments())
    for index, department in enumerate(departments):
        reps = list(
            User.objects.filter(
                unit__path__startswith=department.path, owned_customers__isnull=False
            ).distinct()[:3]
        )
        wanted = 5 if index == 0 else 2
        for n in range(wanted):
            if not reps:
                break
            user = reps[n % len(reps)]
            grade = ["A", "A", "B", "B", "C"][n % 5]
            customer = (
                Customer.objects.filter(
                    owner=user, tiers__scheme=quota.scheme, tiers__tier__code=grade
                ).first()
                if quota and quota.scheme_id
                else None
            ) or Customer.objects.filter(owner=user).first()
            if customer is None:
                continue
            services.file_feedback(
                by=user,
                customer=customer,
                filed_on=first + dt.timedelta(days=rng.randrange(span)),
                source=rng.choice(["visit", "phone", "meeting"]),
                **topics[n % len(topics)],
            )
            filed += 1
    FeedbackForm.objects.filter(pk__in=FeedbackForm.objects.order_by("pk").values("pk")[:2]).update(
        read_by=User.objects.filter(username="market").first(), read_at=F("created_at")
    )
    tasks = CareTask.objects.count()
    return f"care: {tasks} care tasks, {sent} greetings sent, {filed} feedback forms this month"
