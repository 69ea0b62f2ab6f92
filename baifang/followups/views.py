"""Follow-up pages, phone-first: appointments (R-VISIT-6), open questions (R-VISIT-7), commitments (R-FU-1)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.customers.access import get_workable_customer
from baifang.followups import appointments, conf
from baifang.followups import services as followup
from baifang.followups.access import get_appointment_for_user, get_commitment_for_user, get_question_for_user
from baifang.followups.choices import QuestionStatus
from baifang.followups.filtersets import OpenQuestionFilterSet
from baifang.followups.forms import (
    AnswerForm,
    AppointmentChangeForm,
    AppointmentForm,
    CustomerToldForm,
    MonthForm,
    QuestionForm,
)
from baifang.followups.models import OpenQuestion
from baifang.visits.access import get_touch_for_user
from baifang.visits.choices import IdempotentAction
from baifang.visits.forms import NoteForm
from baifang.visits.idempotency import request_fingerprint, run_once
from baifang.visits.views import add_errors

# -- appointments (R-VISIT-6) ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request, customer_pk):
    """Book a visit with the customer, at least the lead time ahead."""
    customer = get_workable_customer(request.user, customer_pk)
    form = AppointmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            appointment = appointments.make_appointment(
                request.user,
                customer,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                purpose=data["purpose"],
                notes=data["notes"],
            )
            return 201, {"id": appointment.pk}

        try:
            _status, body, _replayed = run_once(
                request.user,
                data["idempotency_key"],
                IdempotentAction.APPOINTMENT,
                work,
                bound_to=request_fingerprint(request, data),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Appointment made."))
            return redirect("followups:appointment", pk=body["id"])
    lead = appointments.lead_hours_for(customer, timezone.localdate())
    return render(
        request, "followups/appointment_form.html", {"customer": customer, "form": form, "lead": lead}
    )


@login_required
def appointment_detail(request, pk):
    appointment = get_appointment_for_user(request.user, pk)
    mine = appointment.rep_id == request.user.pk and appointment.is_active
    return render(
        request,
        "followups/appointment_detail.html",
        {
            "appointment": appointment,
            "punctuality": appointments.punctuality_of(appointment),
            "history": appointment.changes.select_related("changed_by"),
            "change_form": AppointmentChangeForm(
                initial={
                    "starts_at": appointment.starts_at,
                    "ends_at": appointment.ends_at,
                    "place": appointment.place,
                }
            )
            if mine
            else None,
            "cancel_form": CustomerToldForm(prefix="cancel") if mine else None,
        },
    )


@login_required
@require_POST
def appointment_change(request, pk):
    """Move the appointment; the reason and that the customer was told are kept."""
    appointment = get_appointment_for_user(request.user, pk)
    form = AppointmentChangeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointments.change_appointment(
                request.user,
                appointment,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                reason=data["reason"],
                told_at=data["told_at"],
                told_whom=data["told_whom"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Appointment changed."))
            return redirect("followups:appointment", pk=appointment.pk)
    return _detail_with_errors(request, appointment, change_form=form)


@login_required
@require_POST
def appointment_cancel(request, pk):
    """Call the appointment off; the reason and that the customer was told are kept."""
    appointment = get_appointment_for_user(request.user, pk)
    form = CustomerToldForm(request.POST, prefix="cancel")
    if form.is_valid():
        data = form.cleaned_data
        try:
            appointments.cancel_appointment(
                request.user,
                appointment,
                reason=data["reason"],
                told_at=data["told_at"],
                told_whom=data["told_whom"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Appointment cancelled."))
            return redirect("visits:today")
    return _detail_with_errors(request, appointment, cancel_form=form)


def _detail_with_errors(request, appointment, **forms):
    if appointment.rep_id != request.user.pk:
        raise PermissionDenied
    context = {
        "appointment": appointment,
        "history": appointment.changes.select_related("changed_by"),
        "change_form": AppointmentChangeForm(),
        "cancel_form": CustomerToldForm(prefix="cancel"),
        **forms,
    }
    return render(request, "followups/appointment_detail.html", context, status=400)


# -- open questions (R-VISIT-7) --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_new(request, pk):
    """Record a question the rep could not answer at this touch."""
    touch = get_touch_for_user(request.user, pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = followup.record_question(
                request.user,
                touch,
                text=form.cleaned_data["text"],
                asked_by_name=form.cleaned_data["asked_by_name"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("Question recorded; answer due %(due)s.") % {"due": f"{question.due_on:%Y-%m-%d}"}
            )
            return redirect("visits:detail", pk=touch.pk)
    return render(request, "followups/question_form.html", {"touch": touch, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def question_detail(request, pk):
    """A question and its answer; anyone who may see it can answer while it is open."""
    question = get_question_for_user(request.user, pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            followup.answer_question(request.user, question, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Answer recorded."))
            return redirect("followups:question", pk=question.pk)
    return render(
        request,
        "followups/question_detail.html",
        {
            "question": question,
            "form": form,
            "can_answer": followup.may_answer(request.user, question),
            "history": question.status_changes.select_related("changed_by"),
        },
    )


@login_required
def questions(request):
    """Questions the user may see, open ones by default, soonest due first, overdue flagged; filtered
    like the API list (``OpenQuestionFilterSet``)."""
    params = request.GET.copy()
    params.setdefault("status", QuestionStatus.OPEN)
    base = OpenQuestion.objects.visible_to(request.user).for_lists().soonest_first()
    filterset = OpenQuestionFilterSet(params, queryset=base, request=request)
    questions = filterset.qs if filterset.is_valid() else OpenQuestion.objects.none()
    return render(request, "followups/questions.html", {"questions": questions[:200], "filterset": filterset})


# -- punctuality (R-VISIT-9) -----------------------------------------------------------------------


@login_required
def punctuality(request):
    """Per rep, the month's appointments kept by a check-in and how punctual they were; scoped like
    the appointments (a rep sees their own, a manager their units', the company-wide everyone)."""
    form = MonthForm(request.GET)
    valid = form.is_valid()
    month_chosen = valid and form.cleaned_data.get("month") is not None
    if month_chosen:
        first, last = form.span()
    else:  # no month chosen: the last 30 days, so the first days of a month are not an empty page
        last = timezone.localdate()
        first = last - dt.timedelta(days=29)
    rows = appointments.punctuality_report(request.user, first, last) if valid else []
    return render(
        request,
        "followups/punctuality.html",
        {
            "form": form,
            "rows": rows,
            "first": first,
            "last": last,
            "month_chosen": month_chosen,
            "early_minutes": conf.setting("APPOINTMENT_ARRIVE_EARLY_MINUTES"),
            "grace_minutes": conf.setting("APPOINTMENT_GRACE_MINUTES"),
        },
    )


# -- commitments (R-FU-1) --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def commitment_detail(request, pk):
    """A promise and its source visit; the owner (or a manager) marks it done or cancels it."""
    commitment = get_commitment_for_user(request.user, pk)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if request.POST.get("action") == "cancel":
                followup.cancel_commitment(request.user, commitment, reason=note)
            else:
                followup.complete_commitment(request.user, commitment, note=note)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Commitment closed."))
            return redirect("visits:today")
    return render(
        request,
        "followups/commitment_detail.html",
        {
            "commitment": commitment,
            "form": form,
            "can_close": commitment.can_complete(request.user),
            "history": commitment.status_changes.select_related("changed_by"),
        },
    )
