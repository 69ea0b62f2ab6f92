"""Care pages: tasks, gifts, templates, batches; feedback forms and the quota (R-CARE-1..4, R-INFO-1)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from baifang.care import placeholders, services
from baifang.care.filtersets import CareTaskFilterSet, FeedbackFilterSet, GiftFilterSet, MessageFilterSet
from baifang.care.forms import BatchForm, FeedbackFormForm, GiftForm, SkipForm, TemplateForm
from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate
from baifang.customers.models import Contact
from baifang.customers.predicates import is_archive_admin

PAGE_SIZE = 50


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _back(request, default: str):
    """Where a form posted from a list goes back to: its own ``next`` if it is on this site."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- care tasks -------------------------------------------------------------------------------


@login_required
def tasks(request):
    """The care tasks in my scope, mine by default, soonest occasion first (R-CARE-4)."""
    data = request.GET.copy()
    if "mine" not in data:
        data["mine"] = "true"
    if "status" not in data:
        data["status"] = "open"
    qs = CareTask.objects.visible_to(request.user).select_related("customer", "contact", "assignee", "rule")
    filterset = CareTaskFilterSet(data, queryset=qs.order_by("occasion_date", "id"), request=request)
    page = _page(request, filterset.qs)
    return render(
        request,
        "care/tasks.html",
        {"filterset": filterset, "page": page, "today": timezone.localdate(), "skip_form": SkipForm()},
    )


@require_POST
@login_required
def task_change(request, pk: int, transition: str):
    if transition not in ("complete", "skip", "reopen"):
        raise PermissionDenied
    get_object_or_404(CareTask.objects.visible_to(request.user), pk=pk)
    try:
        services.change_task(pk, transition, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("Care task updated."))
    return _back(request, "care:tasks")


# --- gifts ------------------------------------------------------------------------------------


@login_required
def gifts(request):
    qs = Gift.objects.visible_to(request.user).select_related("customer", "contact", "given_by")
    filterset = GiftFilterSet(request.GET or None, queryset=qs, request=request)
    page = _page(request, filterset.qs)
    from django.db.models import Sum

    total = filterset.qs.aggregate(total=Sum("cost"))["total"] or 0
    return render(request, "care/gifts.html", {"filterset": filterset, "page": page, "total": total})


@login_required
@require_http_methods(["GET", "POST"])
def gift_new(request):
    task = None
    initial = {}
    if request.GET.get("task", "").isdigit():
        task = CareTask.objects.visible_to(request.user).filter(pk=int(request.GET["task"])).first()
        if task:
            initial = {
                "customer": task.customer_id,
                "contact": task.contact_id,
                "occasion_label": task.occasion_label,
            }
    form = GiftForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "customer"}
        try:
            services.record_gift(by=request.user, customer=form.cleaned_data["customer"], task=task, **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Gift recorded."))
            return redirect("care:gifts")
    return render(request, "care/gift_form.html", {"form": form, "task": task})


# --- templates --------------------------------------------------------------------------------


@login_required
def templates(request):
    rows = list(MessageTemplate.objects.order_by("-is_active", "name"))
    for row in rows:
        row.body_segments = placeholders.segments(row.body)
    return render(
        request,
        "care/templates.html",
        {"rows": rows, "can_edit": is_archive_admin(request.user), "placeholders": placeholders.PLACEHOLDERS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_form(request, pk: int | None = None):
    if not is_archive_admin(request.user):
        raise PermissionDenied
    instance = get_object_or_404(MessageTemplate, pk=pk) if pk else None
    form = TemplateForm(request.POST or None, instance=instance)
    sample = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            sample = _sample(form.instance)
        else:
            form.save()
            messages.success(request, _("Template saved."))
            return redirect("care:templates")
    return render(
        request,
        "care/template_form.html",
        {"form": form, "instance": instance, "sample": sample, "placeholders": placeholders.PLACEHOLDERS},
    )


def _sample(template: MessageTemplate) -> dict:
    values = {
        "name": "王建国",
        "title": "总经理",
        "festival": "中秋节",
        "customer": "杭州华联超市",
        "sender": "张伟",
        "company": "本公司",
    }
    subject, body = template.render(values)
    return {"subject": subject, "body": body}


# --- batches ----------------------------------------------------------------------------------


@login_required
def batches(request):
    qs = MessageBatch.objects.visible_to(request.user).select_related("template", "created_by", "rule")
    page = _page(request, qs)
    counts = services.batch_counts([b.pk for b in page])
    rows = [(b, counts.get(b.pk)) for b in page]
    return render(request, "care/batches.html", {"page": page, "rows": rows})


@login_required
def batch(request, pk: int):
    obj = get_object_or_404(
        MessageBatch.objects.visible_to(request.user).select_related("template", "created_by"), pk=pk
    )
    qs = (
        Message.objects.visible_to(request.user)
        .filter(batch=obj)
        .select_related("contact", "customer", "contact__care_opt_out")
    )
    filterset = MessageFilterSet(request.GET or None, queryset=qs, request=request)
    page = _page(request, filterset.qs)
    counts = services.batch_counts([obj.pk]).get(obj.pk)
    return render(
        request, "care/batch.html", {"batch": obj, "filterset": filterset, "page": page, "counts": counts}
    )


@require_POST
@login_required
def batch_retry(request, pk: int):
    obj = get_object_or_404(MessageBatch.objects.visible_to(request.user), pk=pk)
    n = services.retry_failed(obj, by=request.user)
    sent = services.send_pending(obj)
    messages.info(
        request,
        _("%(n)s failed messages retried: %(sent)s sent, %(failed)s failed again.")
        % {"n": n, "sent": sent.sent, "failed": sent.failed},
    )
    return redirect(obj)


@require_POST
@login_required
def opt_out(request, contact_pk: int):
    contact = get_object_or_404(Contact.objects.visible_to(request.user), pk=contact_pk)
    opted = request.POST.get("opt_out") == "1"
    services.set_opt_out(contact, by=request.user, opted_out=opted, reason=request.POST.get("reason", ""))
    messages.success(
        request,
        _("%(name)s will receive no greetings.") % {"name": contact.name}
        if opted
        else _("%(name)s receives greetings again.") % {"name": contact.name},
    )
    return _back(request, "care:batches")


@login_required
@require_http_methods(["GET", "POST"])
def batch_new(request):
    form = BatchForm(request.POST or None)
    preview_rows, audience_count = None, None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["festival"]:
            key, label, _date = services.festival_occasion(data["festival"], timezone.localdate())
        else:
            label = data["occasion"].strip()
            key = f"custom:{label}"
        contacts = services.batch_audience(
            request.user, tiers=data["tiers"], audience_classes=data["audience_classes"]
        )
        if "preview" in request.POST:
            audience_count = contacts.count()
            preview_rows = services.preview(data["template"], contacts, occasion_label=label)
        else:
            try:
                result = services.create_batch(
                    by=request.user,
                    template=data["template"],
                    occasion_key=key,
                    occasion_label=label,
                    contacts=contacts,
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if result.added <= 200:
                    services.send_pending(result.batch)
                messages.success(
                    request,
                    _(
                        "Batch created: %(added)s messages; %(already)s contacts already greeted for this occasion were left out."
                    )
                    % {"added": result.added, "already": result.already},
                )
                return redirect(result.batch)
    return render(
        request,
        "care/batch_form.html",
        {"form": form, "preview": preview_rows, "audience_count": audience_count},
    )


# --- feedback forms and the quota (R-INFO-1) ---------------------------------------------------


@login_required
def feedback(request):
    qs = FeedbackForm.objects.visible_to(request.user).select_related("customer", "department", "filed_by")
    filterset = FeedbackFilterSet(request.GET or None, queryset=qs, request=request)
    page = _page(request, filterset.qs)
    return render(request, "care/feedback_list.html", {"filterset": filterset, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def feedback_new(request):
    initial = {}
    if request.GET.get("customer", "").isdigit():
        initial["customer"] = int(request.GET["customer"])
    form = FeedbackFormForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "customer"}
        try:
            obj = services.file_feedback(by=request.user, customer=form.cleaned_data["customer"], **fields)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Feedback form filed to the market department."))
            return redirect(obj)
    return render(request, "care/feedback_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def feedback_detail(request, pk: int):
    obj = get_object_or_404(
        FeedbackForm.objects.visible_to(request.user).select_related(
            "customer", "department", "filed_by", "read_by"
        ),
        pk=pk,
    )
    if request.method == "POST":
        services.mark_read(obj, by=request.user)
        messages.success(request, _("Marked as read."))
        return redirect(obj)
    return render(
        request,
        "care/feedback_detail.html",
        {"form_obj": obj, "can_mark_read": is_archive_admin(request.user) and not obj.read_at},
    )


def _month(request) -> dt.date:
    value = request.GET.get("month", "")
    try:
        day = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        return timezone.localdate()
    today = timezone.localdate()
    # Within the current month the progress is "as of today"; other months are shown whole.
    if (day.year, day.month) == (today.year, today.month):
        return today
    return services.month_span(day)[1] if dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 1) else today


@login_required
def quota(request):
    """Each field department's feedback forms this month against the quota (R-INFO-1)."""
    day = _month(request)
    active = services.active_quota()
    rows = services.quota_progress(services.departments_for(request.user), day, active) if active else []
    return render(request, "care/quota.html", {"rows": rows, "quota": active, "day": day})
