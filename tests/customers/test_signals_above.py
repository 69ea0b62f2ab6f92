"""customers tells the apps above it through signals, never imports them (issue 11): a hand-over moves
their open work (R-ARCH-7); the customer page's obligations tab is filled by rules and tiers (R-OBL-1, R-TIER-3)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from baifang.customers import services
from baifang.customers.signals import open_work_handed_over
from baifang.presets import loader
from baifang.rules.services import raise_special_visit
from baifang.tiers import screening
from baifang.tiers.choices import ScreeningStatus
from baifang.tiers.models import ScreeningChecklist
from tests.conftest import client_for


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


def test_hand_over_signal_names_the_people_and_the_previewed_work(org, customer):
    """Any app above hears of a hand-over and of its undo (people swapped), with the previewed work."""
    special = raise_special_visit(customer, trigger="customer_request", by=org.rep)
    heard = []

    @receiver(open_work_handed_over, weak=False, dispatch_uid="test.heard")
    def hear(sender, *, ids, from_user, to_user, **kwargs):
        heard.append((from_user, to_user, list(ids.get("special_visits", []))))
        return {}

    try:
        result = services.hand_over(leaver=org.rep, successor=org.teammate, by=org.manager, reason="调岗")
        services.undo_hand_over(result.handover, by=org.manager)
    finally:
        open_work_handed_over.disconnect(dispatch_uid="test.heard")
    assert heard == [(org.rep, org.teammate, [special.pk]), (org.teammate, org.rep, [special.pk])]
    special.refresh_from_db()
    assert special.responsible == org.rep  # the undo gave it back


def test_obligations_tab_is_filled_by_rules_and_tiers(org, customer):
    """R-OBL-1, R-TIER-3: the tab shows the schemes with the customer's tier, obligations, special visits."""
    loader.load("distribution")
    special = raise_special_visit(customer, trigger="customer_request", by=org.rep)
    response = client_for(org.rep).get(
        reverse("customers:detail", args=[customer.pk]), {"tab": "obligations"}
    )
    assert response.status_code == 200
    context = response.context
    assert [row["scheme"].code for row in context["scheme_rows"]]  # tiers' receiver
    assert list(context["specials"]) == [special]  # rules' receiver
    assert "obligations" in context and "tier_changes" in context
    basic = client_for(org.rep).get(reverse("customers:detail", args=[customer.pk]), {"tab": "basic"})
    assert "scheme_rows" not in basic.context and "specials" not in basic.context
