"""Demo surveys (R-SURV-1..4): a half-yearly customer survey with answers, some returned and some not,
common opinions and rectifications, so the statistics page and the reply letter show numbers; and a few
checks after visits."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from baifang.customers.models import Customer
from baifang.org.models import User
from baifang.surveys import services
from baifang.surveys.choices import Channel, ResponseSource
from baifang.surveys.models import OpinionGroup, Rectification, SurveyCampaign, SurveyTemplate
from baifang.surveys.presets import load_templates

OPINIONS = [
    ("电梯高峰期等候太久", "elevators"),
    ("绿化面积太少", "greening"),
    ("空调夏天不够凉", "air-conditioning"),
    ("维修人员上门及时，态度好", "repairs"),
]


def populate(today: dt.date) -> str:
    rnd = random.Random(14)
    cs = User.objects.get(username="cs")
    rep = User.objects.get(username="rep")
    if not SurveyTemplate.objects.filter(code="property-building").exists():
        load_templates()  # shipped by a data migration; a flushed database (tests, restores) lacks it
    template = SurveyTemplate.objects.get(code="property-building")
    customers = list(Customer.objects.filter(merged_into__isnull=True).order_by("pk")[:60])
    campaign = SurveyCampaign.objects.create(
        template=template,
        title=f"{today.year} 年客户意见调查",
        owner=cs,
        starts_on=today - dt.timedelta(days=20),
        ends_on=today + dt.timedelta(days=10),
        greeting="为了征询对我司服务的宝贵意见，改进我们的工作，我们向各位客户发放了《客户意见调查表》。",
        closing="欢迎继续提出改进意见，我们将为提高服务水平不断努力。",
    )
    services.add_recipients(campaign, customers, by=cs, rule={"city": ""})
    recipients = list(campaign.recipients.order_by("pk"))
    distributed = recipients[: len(recipients) * 9 // 10]
    half = len(distributed) // 2
    services.record_distribution(campaign, [r.pk for r in distributed[:half]], Channel.PAPER, by=cs)
    services.record_distribution(campaign, [r.pk for r in distributed[half:]], Channel.LINK, by=cs)
    campaign.start(by=cs)
    weights = {"elevators": 0.6, "greening": 0.72, "air-conditioning": 0.7}
    codes = [item.code for item in template.items.all()]
    returned = 0
    for recipient in distributed[: len(distributed) * 3 // 4]:
        answers = {}
        for code in codes:
            if rnd.random() < 0.05:
                continue  # left blank
            p = weights.get(code, 0.94)
            roll = rnd.random()
            answers[code] = "satisfied" if roll < p * 0.7 else "basic" if roll < p else "dissatisfied"
        opinion = OPINIONS[rnd.randrange(len(OPINIONS))][0] if rnd.random() < 0.4 else ""
        source = ResponseSource.PAPER if recipient.channel == Channel.PAPER else ResponseSource.ONLINE
        services.submit_response(
            recipient,
            answers,
            opinion=opinion,
            source=source,
            by=cs if source == ResponseSource.PAPER else None,
            answered_on=today - dt.timedelta(days=rnd.randrange(1, 15))
            if source == ResponseSource.PAPER
            else None,
        )
        returned += 1
    items = {item.code: item for item in template.items.all()}
    for order, (text, code) in enumerate(OPINIONS[:3]):
        group = OpinionGroup.objects.create(campaign=campaign, name=text, item=items[code], order=order)
        campaign.responses.filter(opinion=text).update(opinion_group=group)
    Rectification.objects.create(
        campaign=campaign,
        item=items["elevators"],
        action="上、下班高峰期电梯改为高、低层分区停靠，保养时间改到周末。",
        owner=cs,
        due_on=today + dt.timedelta(days=40),
    )
    Rectification.objects.create(
        campaign=campaign,
        item=items["greening"],
        action="向空间发展，逐步实现立体绿化。",
        owner=cs,
        due_on=today + dt.timedelta(days=90),
    )
    # Checks after visits (R-SURV-4): the rep's customers rate their visits.
    after_visit = SurveyTemplate.objects.get(code="after-visit")
    checks = 0
    for customer in Customer.objects.workable_by(rep).order_by("pk")[:8]:
        services.record_check(
            customer,
            after_visit,
            {
                code: str(rnd.choice([3, 4, 4, 5, 5]))
                for code in after_visit.items.values_list("code", flat=True)
            },
            by=rep,
            source=ResponseSource.PHONE,
            answered_on=timezone.localdate() - dt.timedelta(days=rnd.randrange(1, 20)),
        )
        checks += 1
    return f"surveys: 1 campaign, {len(recipients)} recipients, {returned} returned; {checks} checks after visits"
