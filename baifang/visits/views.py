"""Visit pages, phone-first: today, check-in, visit, record form, review queue, flags, quick touch."""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.customers.access import get_workable_customer
from baifang.rules.services import due_list
from baifang.visits import extensions, locations, services, stock
from baifang.visits.access import get_own_touch, get_proposal_for_user, get_touch_for_user
from baifang.visits.choices import Channel, IdempotentAction
from baifang.visits.exceptions import OpenVisitExists
from baifang.visits.filtersets import TouchFilterSet
from baifang.visits.forms import CheckInForm, NoteForm, ReviewForm, TouchForm, VisitRecordForm
from baifang.visits.idempotency import request_fingerprint, run_once
from baifang.visits.images import signature_from_data_url
from baifang.visits.models import Touch, VisitRecord
from baifang.visits.services import RECORD_FIELDS


def add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in exc.messages:
            form.add_error(None, message)


@login_required
def today(request):
    """The rep's day: customers due (R-OBL-2), today's touches with their next step (R-VISIT-1), and
    the cards the apps above add (followups: appointments R-VISIT-6, questions R-VISIT-7, commitments R-FU-1)."""
    day = timezone.localdate()
    return render(
        request,
        "visits/today.html",
        {
            "day": day,
            "due": due_list(request.user, day, limit=50),
            "touches": services.todays_touches(request.user, day),
            "sections": extensions.sections(extensions.today_sections, request.user, day=day),
            "links": list(extensions.today_links),
            "customer_actions": list(extensions.customer_actions),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, customer_pk):
    """Check in at a customer with the browser's position; no position is allowed and flagged."""
    customer = get_workable_customer(request.user, customer_pk)
    form = CheckInForm(request.POST or None)
    open_visit = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            touch = services.check_in(
                request.user,
                customer,
                latitude=data["latitude"],
                longitude=data["longitude"],
                coordinate_system=data["coordinate_system"] or "WGS84",
                accuracy_m=data["accuracy_m"],
                location_error=data["location_error"],
                override_reason=data["override_reason"],
            )
            return 201, {"id": touch.pk}

        try:
            _status, body, _replayed = run_once(
                request.user,
                data["idempotency_key"],
                IdempotentAction.CHECK_IN,
                work,
                bound_to=request_fingerprint(request, data),
            )
        except OpenVisitExists as exc:
            form.add_error(None, exc.messages)
            form.ask_override_reason()
            open_visit = exc.open_visit
        except ValidationError as exc:
            form.add_error(None, exc.messages)  # the position fields are hidden
        else:
            messages.success(request, _("Checked in at %(customer)s.") % {"customer": customer.name})
            return redirect("visits:detail", pk=body["id"])
    context = {
        "customer": customer,
        "form": form,
        "open_visit": open_visit,
        # The record form of a visit checked in offline, kept with this page on the phone (R-UX-2).
        "offline_record_form": VisitRecordForm(auto_id="offline_%s"),
        "record_fields": RECORD_FIELDS,
        "checklists": services.active_checklists(),
        **stock.before_visit(customer),
    }
    return render(request, "visits/check_in.html", context)


@login_required
def visit_detail(request, pk):
    touch = get_touch_for_user(request.user, pk)
    record = VisitRecord.objects.filter(touch=touch).first()
    can_review = record is not None and services.may_review(request.user, record)
    can_decide = touch.is_pending_review and services.may_review_visit(request.user, touch)
    return render(
        request,
        "visits/detail.html",
        {
            "touch": touch,
            "record": record,
            "flags": touch.flags.all(),
            "photos": touch.photos.all(),
            "history": record.status_changes.select_related("changed_by") if record else [],
            "is_mine": touch.user_id == request.user.pk,
            "can_review": can_review,
            "review_form": ReviewForm() if can_review or can_decide else None,
            "can_decide": can_decide,
            "checklists": _checklist_rows(record) if record else [],
            "sections": extensions.sections(
                extensions.visit_sections, request.user, touch=touch, record=record
            ),
            "actions": [
                (a.label, a.url_for(touch.pk))
                for a in extensions.visit_actions
                if not a.mine_only or touch.user_id == request.user.pk
            ],
            **(stock.detail_context(touch, record) if touch.channel == Channel.VISIT else {}),
        },
    )


def _checklist_rows(record) -> list[dict]:
    rows = []
    for checklist in services.active_checklists():
        checked = set(record.checklist.get(checklist.code, []))
        rows.append(
            {"name": checklist.name, "rows": [(t, i in checked) for i, t in enumerate(checklist.items)]}
        )
    return rows


@login_required
@require_POST
def check_out(request, pk):
    touch = get_own_touch(request.user, pk)
    try:
        services.check_out(request.user, touch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Checked out after %(min)s minutes.") % {"min": touch.duration_minutes})
    return redirect("visits:record", pk=touch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request, pk):
    """The record form; the browser keeps a draft in localStorage until the server has it (R-VISIT-3)."""
    touch = get_own_touch(request.user, pk)
    try:
        record = services.record_for(touch)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("visits:detail", pk=touch.pk)
    if not record.is_editable:
        return redirect("visits:detail", pk=touch.pk)
    checklists = services.active_checklists()
    form = VisitRecordForm(request.POST or None, request.FILES or None, instance=record)
    if request.method == "POST" and form.is_valid():
        try:
            _save_record_form(request, touch, form, checklists)
            if request.POST.get("action") == "submit":
                services.submit_record(request.user, services.record_for(touch))
                messages.success(request, _("Record submitted for review."))
                return redirect("visits:detail", pk=touch.pk)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("visits:record", pk=touch.pk)
    for checklist in checklists:
        checklist.checked = set(record.checklist.get(checklist.code, []))
    return render(
        request,
        "visits/record_form.html",
        {
            "touch": touch,
            "record": record,
            "form": form,
            "checklists": checklists,
            "photos": touch.photos.all(),
            "parts": [
                {"template": part.template, **part.context(request.user, record)}
                for part in extensions.record_parts
            ],
            **stock.form_context(record),
        },
    )


def _save_record_form(request, touch, form, checklists) -> None:
    data = form.cleaned_data
    counts = stock.counts_from_post(request.POST)
    stock.check_counts(counts)  # refuse a bad count before anything is saved
    services.save_record(
        request.user,
        touch,
        {name: data.get(name, "") for name in form.Meta.fields},
        checklist={c.code: request.POST.getlist(f"checklist-{c.code}") for c in checklists},
        customer_signature=signature_from_data_url(data["customer_signature_data"]),
        rep_signature=signature_from_data_url(data["rep_signature_data"]),
    )
    stock.save_counts(
        request.user,
        services.record_for(touch),
        counts,
        reason=request.POST.get("stock_reason", ""),
    )
    for part in extensions.record_parts:
        part.save(request.user, services.record_for(touch), data)
    if data.get("photo"):
        try:
            services.add_photo(request.user, touch, data["photo"])
        except ValidationError as exc:
            raise ValidationError({"photo": exc.messages}) from exc


@login_required
def review_queue(request):
    """Submitted records (R-VISIT-4) and flagged visits pending review (R-VISIT-8), oldest first."""
    context = {
        "records": services.review_queue(request.user)[:100],
        "pending_visits": services.visits_to_review(request.user)[:100],
    }
    return render(request, "visits/review_queue.html", context)


@login_required
@require_POST
def decide(request, pk):
    """The supervisor accepts a flagged visit (it counts) or rejects it (it never counts), R-VISIT-8."""
    touch = get_touch_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    form.is_valid()
    accept = request.POST.get("decision") == "accept"
    try:
        services.decide_visit(
            request.user, touch, accept=accept, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("visits:detail", pk=touch.pk)
    messages.success(
        request, _("Visit accepted: it counts.") if accept else _("Visit rejected: it does not count.")
    )
    return redirect("visits:review_queue")


@login_required
@require_POST
def review(request, pk):
    touch = get_touch_for_user(request.user, pk)
    record = VisitRecord.objects.filter(touch=touch).first()
    if record is None:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if request.POST.get("action") == "return":
            services.return_record(request.user, record, reason=comment)
            messages.success(request, _("Record returned to %(rep)s.") % {"rep": touch.user})
        else:
            services.sign_record(request.user, record, comment=comment)
            messages.success(request, _("Record signed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("visits:detail", pk=touch.pk)
    return redirect("visits:review_queue")


@login_required
def flags(request):
    """Flagged visits per rep with the explanation of each flag (R-VISIT-2)."""
    last_month = timezone.localdate() - dt.timedelta(days=30)
    params = request.GET.copy()
    params["since"] = params.get("since") or f"{last_month:%Y-%m-%d}"
    base = Touch.objects.visible_to(request.user).visits().flagged().for_lists()
    filterset = TouchFilterSet(params, queryset=base, request=request)
    if not filterset.is_valid():  # a day that is no day shows the last 30 days, as it always did
        params["since"] = f"{last_month:%Y-%m-%d}"
        filterset = TouchFilterSet(params, queryset=base, request=request)
    valid = filterset.is_valid()
    since = filterset.form.cleaned_data.get("since") if valid else last_month
    visits = list(filterset.qs.order_by("user__username", "user_id", "-started_at")[:300]) if valid else []
    groups = [{"rep": rep, "visits": list(items)} for rep, items in groupby(visits, key=lambda t: t.user)]
    return render(request, "visits/flags.html", {"groups": groups, "since": since, "filterset": filterset})


@login_required
@require_http_methods(["GET", "POST"])
def log_touch(request, customer_pk):
    """Log a phone, online, SMS or email touch quickly (R-VISIT-5)."""
    customer = get_workable_customer(request.user, customer_pk)
    form = TouchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def work():
            touch = services.log_touch(
                request.user,
                customer,
                channel=data["channel"],
                started_at=data["started_at"],
                minutes=data["minutes"],
                notes=data["notes"],
            )
            return 201, {"id": touch.pk}

        try:
            run_once(
                request.user,
                data["idempotency_key"],
                IdempotentAction.TOUCH,
                work,
                bound_to=request_fingerprint(request, data),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Touch recorded."))
            return redirect("visits:today")
    return render(request, "visits/touch_form.html", {"customer": customer, "form": form})


@login_required
def visit_photo(request, pk, photo_pk):
    """A visit photo, only for users who may read the visit (media is never served publicly)."""
    touch = get_touch_for_user(request.user, pk)
    photo = get_object_or_404(touch.photos.all(), pk=photo_pk)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


@login_required
def visit_signature(request, pk, who):
    """The customer's or the rep's signature image of a visit record, scoped like the visit."""
    touch = get_touch_for_user(request.user, pk)
    record = get_object_or_404(VisitRecord, touch=touch)
    image = {"customer": record.customer_signature, "rep": record.rep_signature}.get(who)
    if not image:
        raise Http404
    return FileResponse(image.open("rb"), content_type="image/png")


# -- location proposals ----------------------------------------------------------------------------


@login_required
def location_queue(request):
    """Customer locations proposed from check-ins, waiting for the supervisor's confirmation."""
    return render(
        request,
        "visits/locations.html",
        {"proposals": locations.location_queue(request.user)[:100], "form": NoteForm()},
    )


@login_required
@require_POST
def location_decide(request, pk):
    proposal = get_proposal_for_user(request.user, pk)
    form = NoteForm(request.POST)
    form.is_valid()
    note = form.cleaned_data.get("note", "")
    try:
        if request.POST.get("action") == "reject":
            locations.reject_location(request.user, proposal, note=note)
            messages.success(request, _("Location rejected."))
        else:
            locations.confirm_location(request.user, proposal, note=note)
            messages.success(
                request, _("Location of %(customer)s confirmed.") % {"customer": proposal.customer.name}
            )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("visits:locations")
