"""Demo event-driven return visits (R-FREQ-9): the after-sales preset's rules, a few service jobs of the
demo rep's customers (a repair a week ago, a maintenance three days ago, a project accepted forty days
ago) and the return visits of the closed complaints, so the rep's due list shows them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baifang.commerce.choices import ServiceKind
from baifang.commerce.models import ServiceJob
from baifang.commerce.services import record_service_job
from baifang.complaints.choices import ComplaintStatus
from baifang.complaints.models import Complaint
from baifang.customers.models import Customer
from baifang.org.models import User
from baifang.presets import loader
from baifang.rules import events
from baifang.rules.choices import EventKind
from baifang.rules.models import SpecialVisit
from baifang.visits.models import Touch

JOBS = (  # kind, days ago, note
    (ServiceKind.REPAIR, 7, "更换冷柜压缩机，客户取走前试机正常。"),
    (ServiceKind.MAINTENANCE, 3, "年度设备保养：清洗冷凝器，更换密封条。"),
    (ServiceKind.ACCEPTANCE, 40, "门店货架与收银系统改造项目验收合格，进入保修期。"),
)


def populate(today: dt.date) -> str:
    if ServiceJob.objects.exists():
        return "return visits: already there"
    loader.load("after-sales")
    rep = User.objects.get(username="rep")
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=45), dt.time.min))
    touched = Touch.objects.filter(user=rep, started_at__gte=since).values("customer_id")
    customers = list(
        Customer.objects.filter(owner=rep, merged_into__isnull=True)
        .exclude(pk__in=touched)
        .order_by("pk")[: len(JOBS)]
    )
    for i, ((kind, days_ago, note), customer) in enumerate(zip(JOBS, customers, strict=False), start=1):
        record_service_job(
            customer,
            kind=kind,
            number=f"{today:%Y%m%d}{i:03d}",
            done_on=today - dt.timedelta(days=days_ago),
            note=note,
            by=rep,
        )
    # Complaints the demo closed before the rules were loaded owe their return visit now (same reference
    # as the live hook, so closing again never owes twice).
    for complaint in Complaint.objects.filter(status=ComplaintStatus.CLOSED).select_related("customer"):
        events.happened(
            complaint.customer,
            EventKind.COMPLAINT_CLOSED,
            ref=f"complaint:{complaint.pk}",
            on=timezone.localdate(complaint.closed_at) if complaint.closed_at else today,
            by=complaint.owner,
        )
    owed = SpecialVisit.objects.filter(return_rule__isnull=False).count()
    return f"return visits: {ServiceJob.objects.count()} service jobs, {owed} return visits owed"
