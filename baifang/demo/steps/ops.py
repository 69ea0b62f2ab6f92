"""Demo data of operations (issue 18): last night's job runs with one failure for the admin to see,
the data-protection officer's group (market persona), and some reads of contacts' personal facts."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from baifang.customers.models import Contact
from baifang.ops.choices import AccessPurpose, RunStatus
from baifang.ops.models import JobRun, PersonalDataAccess
from baifang.org.models import User

NIGHTLY = (
    ("baifang.visits.tasks.touch_count_states", 0, 10, "0"),
    ("baifang.rules.tasks.compliance_windows_refresh", 0, 20, '{"built": 9, "kept": 0, "dropped": 0}'),
    ("baifang.ops.tasks.nightly_backup", 1, 30, '{"archive": "baifang-demo.tar.gz", "deleted": 0}'),
    ("baifang.plans.tasks.plan_deadline_reminders", 7, 40, "3"),
)
FAILED_ERROR = """Traceback (most recent call last):
  File "baifang/visits/followup.py", line 88, in send_reminders
    ...
django.db.utils.OperationalError: database is locked
"""


def populate(today: dt.date) -> str:
    rng = random.Random(18)
    tz = timezone.get_current_timezone()
    night = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(0, 0), tzinfo=tz)
    runs = []
    for name, hour, minute, result in NIGHTLY:
        at = night + dt.timedelta(days=1 if hour < 7 else 0, hours=hour, minutes=minute)
        runs.append(
            JobRun(
                task_id=f"demo-{name}",
                name=name,
                periodic=True,
                status=RunStatus.SUCCEEDED,
                enqueued_at=at,
                started_at=at,
                finished_at=at + dt.timedelta(seconds=rng.randint(1, 40)),
                result=result,
            )
        )
    failed_at = night + dt.timedelta(hours=8, minutes=10)
    runs.append(
        JobRun(
            task_id="demo-follow-up",
            name="baifang.visits.tasks.follow_up_reminders",
            periodic=True,
            status=RunStatus.FAILED,
            enqueued_at=failed_at,
            started_at=failed_at,
            finished_at=failed_at + dt.timedelta(seconds=31),
            error=FAILED_ERROR,
        )
    )
    JobRun.objects.bulk_create(runs)

    officers, _created = Group.objects.get_or_create(name="个人信息保护负责人")
    officers.permissions.add(
        Permission.objects.get(codename="protect_personal_data", content_type__app_label="ops")
    )
    market = User.objects.filter(username="market").first()
    if market is not None:
        market.groups.add(officers)

    readers = list(User.objects.filter(username__in=["rep", "rep2", "supervisor", "market"]))
    contacts = list(Contact.objects.order_by("pk").values_list("pk", "customer_id")[:40])
    reads = []
    for _ in range(min(60, len(contacts) * 2)):
        contact_id, customer_id = rng.choice(contacts)
        reads.append(
            PersonalDataAccess(
                user=rng.choice(readers),
                contact_id=contact_id,
                customer_id=customer_id,
                purpose=rng.choice([AccessPurpose.PAGE, AccessPurpose.PAGE, AccessPurpose.API]),
            )
        )
    PersonalDataAccess.objects.bulk_create(reads)
    return f"ops: {len(runs)} job runs (1 failed), {len(reads)} reads of personal information, officer group for market"
