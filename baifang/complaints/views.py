"""Complaint pages: the register (list, export), intake, one complaint with its next step, the
valid-complaint counts per unit and person (R-COMP-1..4)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from baifang.complaints import services
from baifang.complaints.access import get_complaint_for_user
from baifang.complaints.choices import VALID_COMPLAINTS_FLAG
from baifang.complaints.exports import complaints_xlsx
from baifang.complaints.filtersets import ComplaintFilterSet
from baifang.complaints.forms import STEP_FORMS, HandOnForm, IntakeForm
from baifang.complaints.models import Complaint

PAGE_SIZE = 25

STEP_LABELS = {
    "investigate": gettext_lazy("Record the investigation"),
    "find_valid": gettext_lazy("Found valid"),
    "find_not_valid": gettext_lazy("Found not valid"),
    "rectify": gettext_lazy("Record the rectification"),
    "recheck": gettext_lazy("Record the re-check"),
    "ask_satisfaction": gettext_lazy("Record the customer's satisfaction"),
    "close": gettext_lazy("Close the complaint"),
}


def _filtered(request):
    base = Complaint.objects.visible_to(request.user)
    data = request.GET.copy()
    if "state" not in data:
        data["state"] = "open"  # the register opens on the complaints still being handled
    return ComplaintFilterSet(data, queryset=base, request=request)


@login_required
def complaint_list(request):
    filterset = _filtered(request)
    qs = filterset.qs if filterset.is_valid() else Complaint.objects.none()
    # Page the ids, then join the page's rows only: the planner often misjudges a search's matches
    # and would join all of them before sorting (docs/complaints.md, "Search").
    ids = qs.order_by("-received_at", "-id").values_list("pk", flat=True)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("page"))
    complaints = list(
        Complaint.objects.for_list().filter(pk__in=page.object_list).order_by("-received_at", "-id")
    )
    now = timezone.now()
    for complaint in complaints:
        complaint.age = complaint.age_days(now)
    template = "complaints/_list_results.html" if request.htmx else "complaints/list.html"
    return render(request, template, {"filter": filterset, "page": page, "complaints": complaints})


@login_required
def owner_choices(request):
    """The owner filter's options for what was typed in its search box (the list page, htmx)."""
    term = request.GET.get("term", "").strip()[: settings.SEARCH_MAX_LENGTH]
    owner = request.GET.get("owner", "")
    chosen = int(owner) if owner.isascii() and owner.isdigit() and len(owner) < 19 else None
    people = services.owners_matching(request.user, term, chosen=chosen)
    context = {"people": people, "term": term, "chosen": chosen}
    return render(request, "complaints/_owner_choices.html", context)


@login_required
def complaint_export(request):
    """The filtered, visible list as Excel; every export is audited (R-SEC-1)."""
    filterset = _filtered(request)
    qs = filterset.qs.order_by("-received_at", "-id") if filterset.is_valid() else Complaint.objects.none()
    filters = {name: request.GET.get(name) for name in filterset.form.fields if name in request.GET}
    response = HttpResponse(
        complaints_xlsx(services.export_rows(request.user, qs, filters=filters)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="complaints-{stamp}.xlsx"'
    return response


def _source(request):
    """The customer (and visit) a complaint is registered for, from ?customer= or ?touch=."""
    from baifang.visits.access import get_own_touch

    source = request.POST if request.method == "POST" else request.GET
    touch_id = source.get("touch") or source.get("touch_id")
    customer_id = source.get("customer") or source.get("customer_id")
    if touch_id:
        if not str(touch_id).isdigit():
            raise Http404
        touch = get_own_touch(request.user, int(touch_id))
        return touch.customer, touch
    if customer_id:
        if not str(customer_id).isdigit() or len(str(customer_id)) > 18:
            raise Http404
        return get_object_or_404(services.intake_customers(request.user), pk=int(customer_id)), None
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def complaint_create(request):
    """Intake: whoever takes the complaint down is its first receiver and owner (R-COMP-1)."""
    customer, touch = _source(request)
    form = IntakeForm(
        request.POST or None,
        customers=services.intake_customers(request.user),
        customer=customer,
        touch=touch,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        intake = services.Intake(
            customer=data["customer"],
            channel=data["channel"],
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            complainant=data["complainant"],
            complainant_phone=data["complainant_phone"],
            received_at=data.get("received_at"),
            touch=touch,
        )
        try:
            complaint = services.receive(intake, by=request.user, key=data.get("intake_key", ""))
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Complaint %(ref)s registered; you own it until you hand it on.")
                             % {"ref": complaint.reference})  # fmt: skip
            return redirect(complaint)
    return render(request, "complaints/form.html", {"form": form, "customer": customer, "touch": touch})


def _errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error.messages)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _detail_context(request, complaint, *, bound_step=None, bound_form=None, hand_on_form=None) -> dict:
    steps = []
    for name in complaint.workflow.available(complaint, request.user):
        form = bound_form if name == bound_step else STEP_FORMS[name](prefix=name)
        steps.append({"name": name, "label": STEP_LABELS[name], "form": form})
    can_hand_on = complaint.can_hand_on(request.user)
    return {
        "complaint": complaint,
        "steps": steps,
        "can_hand_on": can_hand_on,
        "hand_on_form": hand_on_form
        or (HandOnForm(exclude=request.user, prefix="hand_on") if can_hand_on else None),
        "history": complaint.status_changes.select_related("changed_by"),
        "hand_ons": complaint.hand_ons.select_related("from_user", "to_user"),
        "age": complaint.age_days(),
    }


@login_required
def complaint_detail(request, pk):
    complaint = get_complaint_for_user(request.user, pk)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


@login_required
@require_POST
def complaint_step(request, pk, step):
    """One step of the flow (R-COMP-2); the model refuses the wrong person (403) and skipped steps."""
    complaint = get_complaint_for_user(request.user, pk)
    if step not in STEP_FORMS:
        raise Http404
    form = STEP_FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        data = dict(form.cleaned_data)
        if step == "investigate":
            data = {"findings": data["findings"]}
        try:
            services.advance(complaint, step, by=request.user, **data)
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Saved: %(step)s.") % {"step": STEP_LABELS[step]})
            return redirect(complaint)
    elif not complaint.workflow.may(complaint, step, request.user):
        complaint.workflow.check(complaint, step, by=request.user)  # the 403 for the wrong person
    complaint.refresh_from_db()
    context = _detail_context(request, complaint, bound_step=step, bound_form=form)
    if not any(s["name"] == step for s in context["steps"]):
        messages.error(request, " ".join(form.non_field_errors()) or _("This step cannot be taken now."))
    return render(request, "complaints/detail.html", context, status=400)


@login_required
@require_POST
def complaint_hand_on(request, pk):
    """首问负责制: the owner hands the complaint on to someone who may see the customer (R-COMP-1)."""
    complaint = get_complaint_for_user(request.user, pk)
    form = HandOnForm(request.POST, exclude=None, prefix="hand_on")
    if form.is_valid():
        try:
            row = services.hand_on(complaint, by=request.user, to=form.cleaned_data["to_user"],
                                   note=form.cleaned_data["note"])  # fmt: skip
        except ValidationError as exc:
            _errors_to(form, exc)
        else:
            messages.success(request, _("Handed on to %(person)s.") % {"person": row.to_user})
            return redirect(complaint)
    elif complaint.owner_id != request.user.pk:
        services.hand_on(complaint, by=request.user, to=None, note="")  # the 403 for the wrong person
    complaint.refresh_from_db()
    return render(
        request, "complaints/detail.html", _detail_context(request, complaint, hand_on_form=form), status=400
    )


def _year(request) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


@login_required
def valid_report(request):
    """R-COMP-3: valid complaints per responsible unit and person in a year; 3 or more are flagged."""
    year = _year(request)
    counts = services.valid_counts(request.user, year)
    return render(
        request,
        "complaints/report.html",
        {
            "year": year,
            "years": services.years_with_complaints(request.user),
            "units": [c for c in counts if c.kind == "unit"],
            "people": [c for c in counts if c.kind == "person"],
            "threshold": VALID_COMPLAINTS_FLAG,
        },
    )
