"""A hand-over moves the open work of the apps above customers through its signal (R-ARCH-7, issue 11)."""

from __future__ import annotations

from django.dispatch import receiver

from baifang.customers import services
from baifang.customers.signals import work_handed_over
from baifang.presets import loader
from baifang.rules.services import raise_special_visit
from baifang.tiers import screening
from baifang.tiers.choices import ScreeningStatus
from baifang.tiers.models import ScreeningChecklist


def test_hand_over_moves_draft_screenings_and_open_special_visits(org, customer):
    """R-ARCH-7: the successor gets the leaver's draft screenings (tiers) and special visits (rules)."""
    loader.load("pharma-channel")
    draft = screening.start(customer, ScreeningChecklist.objects.get(), by=org.rep)
    submitted = screening.submit(
        screening.start(customer, ScreeningChecklist.objects.get(), by=org.rep), by=org.rep
    )
    special = raise_special_visit(customer, trigger="customer_request", by=org.rep)

    services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="离职")

    draft.refresh_from_db()
    submitted.refresh_from_db()
    special.refresh_from_db()
    assert draft.status == ScreeningStatus.DRAFT and draft.submitted_by == org.teammate
    assert submitted.submitted_by == org.rep  # a submitted screening keeps who submitted it
    assert special.responsible == org.teammate


def test_hand_over_signal_carries_the_hand_over(org, customer):
    """Any app above can hear of a hand-over: the signal names leaver, successor and the hand-over row."""
    heard = []

    @receiver(work_handed_over, weak=False, dispatch_uid="test.heard")
    def hear(sender, *, leaver, successor, handover, **kwargs):
        heard.append((leaver, successor, handover.pk))

    try:
        result = services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="调岗")
    finally:
        work_handed_over.disconnect(dispatch_uid="test.heard")
    assert heard == [(org.rep, org.teammate, result.handover.pk)]
