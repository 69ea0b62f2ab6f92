"""Event-driven return visits (R-FREQ-9): something happened to a customer, so a return visit is owed.

The apps above call ``happened(customer, kind, ref=…, on=…, by=…)`` when a complaint closes, a service
job is done, an order is lost or a customer asks for help. For each active ``ReturnVisitRule`` of that
event whose scope the customer is in, one ``SpecialVisit`` (trigger ``return_visit``) is created per
occurrence of the rule's schedule (``engine.return_visit_schedule`` on the working-day calendar). Each is
an obligation like R-OBL-3's: due list, compliance page, plan generation and the customer's obligations
tab show it, and a counted touch of its channel within its own window fulfils it.

Idempotent: the rows carry ``dedup_key`` = rule, reference and occurrence, so a retried or repeated
event (a double submit, a re-import, a job run twice) never owes twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.rules import engine
from baifang.rules.choices import EventKind, Responsible, SpecialTrigger
from baifang.rules.models import ReturnVisitRule, SpecialVisit

REF_MAX = 60  # dedup_key is "r<rule>:<ref>:<occurrence>" within 80 characters


@dataclass
class Happened:
    """What one event owed: the special visits created now and those that already existed."""

    created: list[SpecialVisit] = field(default_factory=list)
    existing: list[SpecialVisit] = field(default_factory=list)

    @property
    def visits(self) -> list[SpecialVisit]:
        return [*self.existing, *self.created]


def rules_for(customer, kind: str):
    """The active return-visit rules of ``kind`` whose scope ``customer`` is in."""
    from baifang.tiers.models import CustomerTier

    rules = list(ReturnVisitRule.objects.filter(event=kind, is_active=True).order_by("pk"))
    if any(rule.tier_id for rule in rules):
        tiers = set(CustomerTier.objects.filter(customer=customer).values_list("tier_id", flat=True))
    else:
        tiers = set()
    return [rule for rule in rules if rule.tier_id is None or rule.tier_id in tiers]


def responsible_for(rule: ReturnVisitRule, customer):
    """The person who owes the return visit (R-OBL-1): the owner, their supervisor or department manager,
    or a company leader; the owner when nobody holds the position."""
    from baifang.org.choices import PositionKind
    from baifang.org.models import User

    owner = customer.owner
    if rule.responsible == Responsible.SUPERVISOR:
        person = owner.supervisor
    elif rule.responsible == Responsible.DEPT_MANAGER:
        person = owner.department_manager()
    elif rule.responsible == Responsible.LEADER:
        person = (
            User.objects.filter(
                is_active=True,
                assignments__position__kind__in=[PositionKind.LEADER, PositionKind.DEPUTY_LEADER],
            )
            .order_by("pk")
            .first()
        )
    else:
        person = owner
    return person if person is not None and person.is_active else owner


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic
def happened(
    customer, kind: str, *, ref: str, on: dt.date | None = None, by=None, note: str = ""
) -> Happened:
    """``kind`` happened to ``customer`` on ``on`` (default today): owe the return visits its rules ask.

    ``ref`` names the event for idempotency (e.g. ``complaint:12``, ``job:RX-001``); ``by`` is who
    recorded it (default: the customer's owner). Returns the special visits created and found.
    """
    if kind not in EventKind.values:
        raise ValidationError({"kind": ValidationError(_("Unknown event."), code="invalid_choice")})
    ref = str(ref or "").strip()
    if not ref:
        raise ValidationError({"ref": ValidationError(_("An event needs a reference."), code="required")})
    ref = ref[:REF_MAX]
    on = on or timezone.localdate()
    result = Happened()
    for rule in rules_for(customer, kind):
        responsible = responsible_for(rule, customer)
        schedule = engine.return_visit_schedule(
            on,
            offset=rule.offset,
            unit=rule.offset_unit,
            every_months=rule.repeat_every_months,
            until_months=rule.repeat_until_months,
            add_workdays=add_workdays,
        )
        for occ in schedule:
            key = f"r{rule.pk}:{ref}:{occ.index}"
            existing = SpecialVisit.objects.filter(
                customer=customer, trigger=SpecialTrigger.RETURN_VISIT, dedup_key=key
            ).first()
            if existing is not None:
                result.existing.append(existing)
                continue
            visit = SpecialVisit(
                customer=customer,
                trigger=SpecialTrigger.RETURN_VISIT,
                responsible=responsible,
                raised_by=by or customer.owner,
                note=note[:500],
                due_on=occ.due_on,
                dedup_key=key,
                channel=rule.channel,
                required=rule.min_count,
                anyone_counts=rule.counted_by_anyone,
                opens_at=_midnight(occ.opens_on),
                closes_at=_midnight(occ.closes_on) if occ.closes_on else None,
                return_rule=rule,
                event_on=on,
                occurrence=occ.index,
            )
            try:
                with transaction.atomic():
                    visit.save()
            except IntegrityError:  # a concurrent retry of the same event won
                result.existing.append(
                    SpecialVisit.objects.get(
                        customer=customer, trigger=SpecialTrigger.RETURN_VISIT, dedup_key=key
                    )
                )
                continue
            result.created.append(visit)
            if occ.index == 0:
                Notification.objects.send(
                    responsible,
                    "return_visit",
                    customer.get_absolute_url() + "?tab=obligations",
                    text=_("Return visit to %(customer)s due by %(due)s: %(rule)s")
                    % {"customer": customer.name, "due": visit.due_on, "rule": rule.name},
                    dedup_key=f"return-visit:{visit.pk}",
                )
    return result
