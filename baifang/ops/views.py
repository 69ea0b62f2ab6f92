"""Admin pages of operations: background job runs and their failures (issue 18)."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from baifang.core.validators import validate_sane_date
from baifang.customers.models import Contact
from baifang.ops import jobs, personal
from baifang.ops.choices import RunStatus
from baifang.ops.models import JobRun, PersonalDataAccess
from baifang.org.models import User


class AccessLogForm(forms.Form):
    reader = forms.ModelChoiceField(
        label=gettext_lazy("Who read"), queryset=User.objects.order_by("username"), required=False
    )
    contact_id = forms.IntegerField(label=gettext_lazy("Contact id"), required=False, min_value=1)
    customer_id = forms.IntegerField(label=gettext_lazy("Customer id"), required=False, min_value=1)
    since = forms.DateField(
        label=gettext_lazy("Read on or after"), required=False, validators=[validate_sane_date]
    )
    until = forms.DateField(
        label=gettext_lazy("Read on or before"), required=False, validators=[validate_sane_date]
    )


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (the person's request and its date)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _admin_only(user) -> None:
    if not jobs.may_manage_jobs(user):
        raise PermissionDenied(_("Only administrators may see background jobs."))


@login_required
def job_list(request):
    _admin_only(request.user)
    show = request.GET.get("show", "failures")
    runs = JobRun.objects.select_related("resolved_by", "retry_of")
    if show == "failures":
        runs = runs.failures()
    elif show in RunStatus.values:
        runs = runs.filter(status=show)
    page = Paginator(runs.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "ops/job_list.html",
        {
            "page": page,
            "show": show,
            "statuses": RunStatus.choices,
            "failure_count": JobRun.objects.failures().count(),
        },
    )


@login_required
def job_detail(request, pk: int):
    _admin_only(request.user)
    run = get_object_or_404(JobRun.objects.select_related("resolved_by", "retry_of"), pk=pk)
    return render(
        request,
        "ops/job_detail.html",
        {"run": run, "can_retry": jobs.can_retry(run), "retries": run.retries.order_by("-id")},
    )


@login_required
@require_POST
def job_retry(request, pk: int):
    _admin_only(request.user)
    run = get_object_or_404(JobRun, pk=pk)
    new = jobs.retry(run, by=request.user)
    messages.success(request, _("The job was queued again."))
    return redirect(new)


@login_required
@require_POST
def job_dismiss(request, pk: int):
    _admin_only(request.user)
    run = get_object_or_404(JobRun, pk=pk)
    jobs.dismiss(run, by=request.user)
    messages.success(request, _("The failure was marked as handled."))
    return redirect("ops:jobs")


# --- personal information (PIPL) ---------------------------------------------------------------


def _officer_only(user) -> None:
    if not personal.is_data_protection_officer(user):
        raise PermissionDenied(_("Only the data-protection officer may do this."))


@login_required
def personal_home(request):
    """The officer's page: search the access log; contacts due for review under the retention setting."""
    _officer_only(request.user)
    form = AccessLogForm(request.GET or None)
    rows = PersonalDataAccess.objects.none()
    if form.is_valid():
        rows = personal.access_log(request.user, **form.cleaned_data)
    elif not request.GET:
        rows = personal.access_log(request.user)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ops/personal.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "review": personal.due_for_review(request.user)[:100],
            "retention_years": settings.BAIFANG["PERSONAL_RETENTION_YEARS"],
        },
    )


@login_required
def personal_contact(request, pk: int):
    _officer_only(request.user)
    contact = get_object_or_404(Contact.objects.select_related("customer"), pk=pk)
    form = ErasureForm(request.POST or None)
    if request.method == "POST":
        if request.POST.get("action") == "copy":
            copy = personal.subject_copy(request.user, contact)
            response = HttpResponse(
                json.dumps(copy, ensure_ascii=False, indent=1), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
            return response
        if form.is_valid():
            try:
                personal.erase(request.user, contact, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("The contact's personal information was erased."))
                return redirect("ops:personal-contact", pk=contact.pk)
    reads = PersonalDataAccess.objects.filter(contact_id=contact.pk).select_related("user")[:20]
    return render(
        request,
        "ops/personal_contact.html",
        {
            "contact": contact,
            "form": form,
            "reads": reads,
            "erased": personal.is_erased(contact),
            "versions": contact.history.count(),
        },
    )
