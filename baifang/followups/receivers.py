"""What followups adds to visits: a check-in fulfils the day's appointment, and the today page, the
visit page and the record form show and take appointments, questions and promises (connected in
``FollowupsConfig.ready``; visits never imports followups)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baifang.core.widgets import DateInput
from baifang.customers.signals import detail_tab_context
from baifang.followups import appointments, services
from baifang.followups.signals import order_lost
from baifang.rules import events
from baifang.rules.choices import EventKind
from baifang.visits import extensions
from baifang.visits.signals import checked_in


@receiver(checked_in, dispatch_uid="followups.fulfil_appointment")
def fulfil_the_appointment(sender, touch, **kwargs) -> None:
    """A check-in at the customer fulfils the day's appointment (R-VISIT-6)."""
    appointments.fulfil_by_check_in(touch)


@receiver(order_lost, dispatch_uid="followups.lost_order_return_visit")
def owe_the_lost_order_return_visit(sender, instance, **kwargs) -> None:
    """A lost order owes the return visits the customer's "order lost" rules ask (R-FREQ-9, R-FU-5)."""
    events.happened(
        instance.customer,
        EventKind.ORDER_LOST,
        ref=f"lost_order:{instance.pk}",
        on=instance.lost_on,
        by=instance.recorded_by,
    )


@receiver(detail_tab_context, dispatch_uid="followups.customer_opportunities")
def opportunities_panel(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's open opportunities on its page's first tab (R-FU-6)."""
    if tab != "basic":
        return {}
    from baifang.customers.access import can_work_on
    from baifang.followups.models import Opportunity

    rows = Opportunity.objects.visible_to(user).open().filter(customer=customer).select_related("owner")
    return {
        "panels": ["followups/_customer_opportunities.html"],
        "open_opportunities": list(rows.order_by("expected_close_on", "pk")[:20]),
        "opportunity_can_work": can_work_on(user, customer),
    }


# -- the today page and the visit page ---------------------------------------------------------------


def _today_appointments(user, *, day, **kwargs) -> dict:
    return {"appointments": appointments.upcoming_for(user, day)[:50]}


def _today_questions(user, **kwargs) -> dict:
    return {"questions": services.my_open_questions(user)[:50]}


def _today_commitments(user, **kwargs) -> dict:
    return {"commitments": services.my_open_commitments(user)[:50]}


def _visit_appointment(user, *, touch, **kwargs) -> dict:
    appointment = getattr(touch, "appointment", None)
    return {
        "appointment": appointment,
        "punctuality": appointments.punctuality_of(appointment) if appointment else None,  # R-VISIT-9
    }


def _visit_questions(user, *, touch, **kwargs) -> dict:
    return {"questions": touch.questions.select_related("owner", "answered_by")}


def _visit_commitments(user, *, record, **kwargs) -> dict:
    return {"commitments": record.commitments.select_related("owner") if record else []}


# -- the record form: one promise with its due date per save (R-FU-1) --------------------------------


def _promise_fields() -> dict:
    return {
        "new_commitment": forms.CharField(label=_("Promise to the customer"), required=False, max_length=300),
        "new_commitment_due": forms.DateField(label=_("Promise due on"), required=False, widget=DateInput()),
    }


def _promise_clean(data: dict) -> dict:
    if data.get("new_commitment") and not data.get("new_commitment_due"):
        return {"new_commitment_due": gettext("Give the promise a due date.")}
    return {}


def _promise_save(user, record, data: dict) -> None:
    if not data.get("new_commitment"):
        return
    try:
        services.add_commitment(user, record, text=data["new_commitment"], due_on=data["new_commitment_due"])
    except ValidationError as exc:
        raise ValidationError({"new_commitment_due": exc.messages}) from exc


def _promise_context(user, record) -> dict:
    return {"commitments": record.commitments.all()}


def _promises_missing(record) -> dict:
    """R-FU-1: every promise becomes a commitment with a due date before the record is submitted."""
    if record.promises.strip() and not record.commitments.exists():
        return {"promises": gettext("Add each promise below with its due date before submitting.")}
    return {}


def register() -> None:
    extensions.today_links.register(
        extensions.Link("open-questions", _("Open questions"), "followups:questions", order=30)
    )
    extensions.customer_actions.register(
        extensions.Link("appointment", _("Appointment"), "followups:appointment_new", order=30)
    )
    extensions.visit_actions.register(
        extensions.Link(
            "question", _("Question to answer later"), "followups:question_new", order=20, mine_only=True
        ),
        extensions.Link(
            "opportunity",
            _("Update opportunity"),
            "followups:opportunity_from_visit",
            order=25,
            mine_only=True,
        ),
    )
    extensions.today_sections.register(
        extensions.Section("appointments", "followups/_today_appointments.html", _today_appointments, 10),
        extensions.Section("questions", "followups/_today_questions.html", _today_questions, 20),
        extensions.Section("commitments", "followups/_today_commitments.html", _today_commitments, 30),
    )
    extensions.visit_sections.register(
        extensions.Section("appointment", "followups/_visit_appointment.html", _visit_appointment, 10),
        extensions.Section("questions", "followups/_visit_questions.html", _visit_questions, 20),
        extensions.Section("commitments", "followups/_visit_commitments.html", _visit_commitments, 30),
    )
    extensions.record_parts.register(
        extensions.RecordPart(
            "promises",
            "followups/_record_promises.html",
            fields=_promise_fields,
            save=_promise_save,
            context=_promise_context,
            clean=_promise_clean,
            missing_for_submit=_promises_missing,
        )
    )
