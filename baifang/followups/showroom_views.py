"""Showroom pages (R-FU-4): today's duty order with who is next, the register form (375 px), a
register line with its customer card, and the reports over the register."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from baifang.followups import showroom as svc
from baifang.followups.access import get_registration_for_user, get_showroom_for_user
from baifang.followups.forms import DutyOrderForm, RegistrationForm
from baifang.followups.models import Registration, Showroom
from baifang.org.models import User
from baifang.visits.idempotency import request_fingerprint, run_once
from baifang.visits.views import add_errors


def _candidates(showroom: Showroom):
    return User.objects.filter(is_active=True, unit__path__startswith=showroom.unit.path).order_by("username")


@login_required
def showrooms(request):
    rows = Showroom.objects.visible_to(request.user).select_related("unit")
    return render(request, "followups/showrooms.html", {"showrooms": rows[:200]})


@login_required
@require_http_methods(["GET", "POST"])
def showroom_today(request, pk):
    """Today's duty order, who is next, who is busy, and today's register."""
    showroom = get_showroom_for_user(request.user, pk)
    now = timezone.now()
    day = timezone.localdate(now)
    can_manage = svc.may_manage(request.user, showroom)
    form = DutyOrderForm(request.POST or None, candidates=_candidates(showroom)) if can_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                svc.set_duty_order(request.user, showroom, day, form.cleaned_data["reps"])
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Duty order saved."))
                return redirect("followups:showroom", pk=showroom.pk)
    order, reception = svc.who_is_next(showroom, now)
    busy = svc.busy_reps(showroom, now)
    if form is not None and not form.is_bound:
        form.initial = {"reps": "\n".join(rep.username for rep in order)}
    today_rows = Registration.objects.filter(showroom=showroom).on_day(day).for_lists()
    return render(
        request,
        "followups/showroom_today.html",
        {
            "showroom": showroom,
            "day": day,
            "order": [
                {"rep": rep, "busy": rep.pk in busy, "next": rep.pk == reception.receiver} for rep in order
            ],
            "reception": reception,
            "registrations": today_rows[:300],
            "form": form,
            "may_register": svc.may_register(request.user, showroom),
            "info_due": svc.info_due_for(request.user)[:20],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_new(request, pk):
    """Register a visitor or caller; a double submit registers once (idempotency key)."""
    showroom = get_showroom_for_user(request.user, pk)
    if not svc.may_register(request.user, showroom):
        raise PermissionDenied
    reps = list(_candidates(showroom))
    order, reception = svc.who_is_next(showroom)
    default = next((rep for rep in order if rep.pk == reception.receiver), request.user)
    form = RegistrationForm(request.POST or None, reps=reps, default_rep=default)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            row = svc.register(
                request.user,
                showroom,
                kind=data["kind"],
                time_in=data["time_in"],
                time_out=data["time_out"],
                received_by=data["received_by"],
                visitor_name=data["visitor_name"],
                phone=data["phone"],
                intended_product=data["intended_product"],
                intent_level=data["intent_level"],
                note=data["note"],
                bought_on_spot=data["bought_on_spot"],
                named_rep=data["named_rep"],
            )
            return 201, {"id": row.pk}

        try:
            _status, body, _replayed = run_once(
                request.user,
                data["idempotency_key"],
                svc.IDEMPOTENT_ACTION,
                work,
                bound_to=request_fingerprint(request, data),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Registered."))
            return redirect("followups:registration", pk=body["id"])
    return render(
        request,
        "followups/registration_form.html",
        {"showroom": showroom, "form": form, "next_rep": default},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_detail(request, pk):
    """A register line and its customer card (客户管理卡); end the reception, mark the information sent."""
    row = get_registration_for_user(request.user, pk)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "finish":
                svc.finish_reception(request.user, row, time_out=timezone.now())
            else:
                svc.mark_info_sent(request.user, row)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("followups:registration", pk=row.pk)
    return render(request, "followups/registration_detail.html", {"row": row, "card": svc.customer_card(row)})


@login_required
def showroom_reports(request, pk):
    """The views over the register: level-promotion table, daily activity, consistency check, statistics."""
    showroom = get_showroom_for_user(request.user, pk)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    rows = Registration.objects.filter(showroom=showroom)
    return render(
        request,
        "followups/showroom_reports.html",
        {
            "showroom": showroom,
            "day": day,
            "promotion": svc.promotion_table(rows),
            "activity": svc.daily_activity(rows, day),
            "violations": svc.consistency_violations(rows),
            "stats": svc.walk_in_statistics(rows),
        },
    )
