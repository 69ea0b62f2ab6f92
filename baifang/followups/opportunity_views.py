"""Opportunity and lost-order pages (R-FU-5, R-FU-6): list, detail with history, create/edit, update
from a visit record, lose with the report, a report on its own, the monthly analysis and its export."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from baifang.commerce.models import Product
from baifang.core.widgets import DateInput
from baifang.customers.access import can_work_on, get_workable_customer
from baifang.followups import opportunities as svc
from baifang.followups.choices import OPEN_OPPORTUNITY_STAGES, OpportunityStage
from baifang.followups.exports import lost_orders_xlsx
from baifang.followups.filtersets import OpportunityFilterSet
from baifang.followups.forms import MonthForm
from baifang.followups.models import LostReason, Opportunity
from baifang.org.models import OrgUnit, User
from baifang.visits.access import get_own_touch
from baifang.visits.models import VisitRecord
from baifang.visits.views import add_errors

PAGE_SIZE = 30
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


def _stage_choices(*stages):
    labels = dict(OpportunityStage.choices)
    return [(s, labels[s]) for s in stages]


def _rep_choices(customer, user, current=None):
    """The reps one may give an opportunity to: people of the owner's unit, the owner, oneself."""
    ids = {user.pk, *(pk for pk in (customer.owner_id, getattr(current, "pk", None)) if pk)}
    people = User.objects.filter(is_active=True)
    if customer.owner_id and customer.owner.unit_id:
        people = people.filter(unit_id=customer.owner.unit_id) | User.objects.filter(
            pk__in=ids, is_active=True
        )
    else:
        people = people.filter(pk__in=ids)
    return people.distinct().order_by("username")


class OpportunityForm(forms.Form):
    """A new opportunity, or its facts edited (R-FU-6)."""

    title = forms.CharField(label=gettext_lazy("Title"), max_length=120)
    stage = forms.ChoiceField(label=pgettext_lazy("opportunity", "Stage"), choices=[])
    expected_amount = forms.DecimalField(label=gettext_lazy("Expected amount (yuan)"), **MONEY)
    expected_close_on = forms.DateField(label=gettext_lazy("Expected close date"), widget=DateInput())
    owner = forms.ModelChoiceField(label=gettext_lazy("Rep"), queryset=User.objects.none())
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, customer, user, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _stage_choices(*OPEN_OPPORTUNITY_STAGES)
        self.fields["owner"].queryset = _rep_choices(customer, user, kwargs.get("initial", {}).get("owner"))
        self.fields["idempotency_key"].initial = uuid.uuid4().hex
        if editing:
            del self.fields["stage"]


class UpdateForm(forms.Form):
    """Move the stage and bring amount and date up to date, e.g. after a visit (R-FU-6)."""

    stage = forms.ChoiceField(label=pgettext_lazy("opportunity", "Stage"), choices=[])
    expected_amount = forms.DecimalField(label=gettext_lazy("Expected amount (yuan)"), **MONEY)
    expected_close_on = forms.DateField(label=gettext_lazy("Expected close date"), widget=DateInput())
    comment = forms.CharField(
        label=gettext_lazy("What happened"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    record = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = _stage_choices(*OPEN_OPPORTUNITY_STAGES, OpportunityStage.WON)


class LostOrderForm(forms.Form):
    """The lost-order report (丢单报告, R-FU-5)."""

    lost_on = forms.DateField(label=gettext_lazy("Lost on"), widget=DateInput())
    reason = forms.ModelChoiceField(label=gettext_lazy("Reason"), queryset=LostReason.objects.none())
    competitor = forms.CharField(
        label=gettext_lazy("Lost to (competitor)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "competitor-names", "autocomplete": "off"}),
    )
    product = forms.ModelChoiceField(
        label=gettext_lazy("Product"), required=False, queryset=Product.objects.none()
    )
    amount = forms.DecimalField(label=gettext_lazy("Amount (yuan)"), required=False, **MONEY)
    lessons = forms.CharField(label=gettext_lazy("Lessons learned"), widget=forms.Textarea(attrs={"rows": 3}))
    record = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].queryset = LostReason.objects.filter(is_active=True)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).order_by("name")
        self.fields["lost_on"].initial = timezone.localdate()

    def clean_lessons(self):
        lessons = self.cleaned_data["lessons"].strip()
        if not lessons:
            raise forms.ValidationError(_("Write the lessons learned."))
        return lessons


class AnalysisForm(MonthForm):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        required=False,
        queryset=OrgUnit.objects.none(),
        empty_label=gettext_lazy("All"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["month"].widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
        self.fields["month"].initial = timezone.localdate()


def _record_of(customer, pk):
    """A visit record of this customer named in the request (the update came from it), or None."""
    if not pk:
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return VisitRecord.objects.select_related("touch").filter(pk=pk, touch__customer=customer).first()


def _opportunity(user, pk) -> Opportunity:
    return get_object_or_404(Opportunity.objects.visible_to(user).for_lists(), pk=pk)


# -- opportunities --------------------------------------------------------------------------------------


@login_required
def opportunity_list(request):
    """Opportunities of the customers one may see, soonest expected close first (R-FU-6)."""
    base = Opportunity.objects.visible_to(request.user).for_lists()
    filterset = OpportunityFilterSet(request.GET, queryset=base, request=request)
    rows = filterset.qs.order_by("expected_close_on", "pk") if filterset.is_valid() else base.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "followups/opportunities.html", {"filter": filterset, "page": page})


@login_required
def opportunity_new(request, customer_pk):
    """A new opportunity at a customer; ``?record=`` names the visit record it came from."""
    customer = get_workable_customer(request.user, customer_pk)
    record = _record_of(customer, request.GET.get("record") or request.POST.get("record"))
    initial = {"owner": customer.owner or request.user, "stage": OpportunityStage.CONTACT}
    form = OpportunityForm(request.POST or None, customer=customer, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
        try:
            opportunity = svc.create(request.user, customer, record=record, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Opportunity recorded."))
            return redirect(opportunity)
    return render(
        request, "followups/opportunity_form.html", {"customer": customer, "form": form, "record": record}
    )


@login_required
def opportunity_detail(request, pk):
    """One opportunity with its stage history; the update form for its rep (or a manager)."""
    opportunity = _opportunity(request.user, pk)
    may = svc.may_change(request.user, opportunity)
    if request.method == "POST" and not may:
        raise PermissionDenied
    may_change = may and opportunity.is_open
    record = _record_of(opportunity.customer, request.GET.get("record") or request.POST.get("record"))
    form = None
    if may_change:
        initial = {
            "stage": opportunity.stage,
            "expected_amount": opportunity.expected_amount,
            "expected_close_on": opportunity.expected_close_on,
            "record": record.pk if record else None,
        }
        form = UpdateForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                svc.update(
                    request.user,
                    opportunity,
                    stage=data["stage"],
                    expected_amount=data["expected_amount"],
                    expected_close_on=data["expected_close_on"],
                    comment=data["comment"],
                    record=record,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Opportunity updated."))
                return redirect(opportunity)
    elif request.method == "POST":
        messages.error(request, _("A won or lost opportunity cannot be changed any more."))
        return redirect(opportunity)
    history = opportunity.stage_changes.select_related("changed_by", "record__touch")
    return render(
        request,
        "followups/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "form": form,
            "record": record,
            "history": history,
            "lost_order": getattr(opportunity, "lost_order", None),
            "may_change": may_change,
        },
    )


@login_required
def opportunity_edit(request, pk):
    """Edit the facts of an open opportunity (title, amount, date, rep, note)."""
    opportunity = _opportunity(request.user, pk)
    if not svc.may_change(request.user, opportunity):
        raise PermissionDenied
    initial = {
        "title": opportunity.title,
        "expected_amount": opportunity.expected_amount,
        "expected_close_on": opportunity.expected_close_on,
        "owner": opportunity.owner,
        "note": opportunity.note,
    }
    form = OpportunityForm(
        request.POST or None, customer=opportunity.customer, user=request.user, editing=True, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "idempotency_key"}
        try:
            svc.update(request.user, opportunity, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Opportunity updated."))
            return redirect(opportunity)
    return render(
        request,
        "followups/opportunity_form.html",
        {"customer": opportunity.customer, "form": form, "opportunity": opportunity},
    )


@login_required
def opportunity_lose(request, pk):
    """The opportunity is lost: the stage and the lost-order report in one go (R-FU-5)."""
    opportunity = _opportunity(request.user, pk)
    if not svc.may_change(request.user, opportunity):
        raise PermissionDenied
    record = _record_of(opportunity.customer, request.GET.get("record") or request.POST.get("record"))
    form = LostOrderForm(
        request.POST or None,
        initial={"amount": opportunity.expected_amount, "record": record.pk if record else None},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "record"}
        try:
            svc.lose(request.user, opportunity, record=record, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Lost-order report recorded."))
            return redirect(opportunity)
    return render(
        request,
        "followups/lost_order_form.html",
        {
            "customer": opportunity.customer,
            "opportunity": opportunity,
            "form": form,
            "competitors": svc.competitor_suggestions(request.user, opportunity.customer),
        },
    )


@login_required
def lost_order_new(request, customer_pk):
    """A lost-order report with no opportunity followed (R-FU-5)."""
    customer = get_workable_customer(request.user, customer_pk)
    form = LostOrderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "record"}
        try:
            report = svc.record_lost_order(request.user, customer, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Lost-order report recorded."))
            return redirect(f"{_analysis_url()}?month={report.lost_on:%Y-%m}")
    return render(
        request,
        "followups/lost_order_form.html",
        {
            "customer": customer,
            "form": form,
            "competitors": svc.competitor_suggestions(request.user, customer),
        },
    )


@login_required
def opportunity_from_visit(request, pk):
    """From one's own visit: the customer's open opportunities to bring up to date, or a new one."""
    touch = get_own_touch(request.user, pk)
    if not can_work_on(request.user, touch.customer):
        raise PermissionDenied
    record = VisitRecord.objects.filter(touch=touch).first()
    rows = Opportunity.objects.visible_to(request.user).open().filter(customer=touch.customer).for_lists()
    return render(
        request,
        "followups/opportunity_from_visit.html",
        {"touch": touch, "customer": touch.customer, "record": record, "opportunities": rows[:50]},
    )


# -- the monthly analysis -------------------------------------------------------------------------------


def _analysis_url() -> str:
    from django.urls import reverse

    return reverse("followups:lost_orders")


def _period(request):
    form = AnalysisForm(request.GET or None)
    if request.GET and not form.is_valid():
        first, last = MonthForm.span_of(timezone.localdate())
        return form, first, last, None
    first, last = form.span() if form.is_bound else MonthForm.span_of(timezone.localdate())
    unit = form.cleaned_data.get("unit") if form.is_bound else None
    return form, first, last, unit


def chart_of(groups) -> dict:
    """A bar chart (``static/baifang/bar-chart.js``) of lost orders per group: the same counts as the table."""
    return {
        "labels": [str(g["label"]) for g in groups],
        "values": [g["count"] for g in groups],
        "horizontal": True,
        "minInterval": 1,
        "colour": "#c8372d",
    }


@login_required
def lost_orders(request):
    """丢单汇总分析: the month's lost orders by reason, competitor, product and rep, with the rows (R-FU-5)."""
    form, first, last, unit = _period(request)
    figures = svc.analysis(request.user, first, last, unit)
    rows = svc.lost_orders_in(request.user, first, last, unit).for_lists().order_by("-lost_on", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "followups/lost_orders.html",
        {
            "form": form,
            "figures": figures,
            "reason_chart": chart_of(figures["by_reason"]),
            "page": page,
            "month": f"{first:%Y-%m}",
            "unit": unit,
        },
    )


@login_required
def lost_orders_export(request):
    """The same figures and the rows as Excel; the export is audited (R-SEC-1)."""
    _form, first, last, unit = _period(request)
    body = lost_orders_xlsx(
        svc.analysis(request.user, first, last, unit), svc.export_rows(request.user, first, last, unit)
    )
    response = HttpResponse(
        body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="lost-orders-{first:%Y-%m}.xlsx"'
    return response
