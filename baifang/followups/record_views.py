"""Follow-up record and stage pages (R-FU-2): record a follow-up from the phone, move a stage, see one record."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baifang.core.widgets import DateInput
from baifang.customers.access import get_workable_customer
from baifang.followups import recording
from baifang.followups.choices import FollowUpMethod
from baifang.followups.models import FollowUpRecord, StageHint
from baifang.tiers.models import Tier
from baifang.visits.views import add_errors


def _stage_choices():
    schemes = recording.follower_schemes()
    return Tier.objects.filter(scheme__in=[s.scheme_id for s in schemes]).select_related("scheme")


class FollowUpForm(forms.Form):
    method = forms.ChoiceField(label=gettext_lazy("Method"), choices=FollowUpMethod.choices)
    topic = forms.CharField(label=gettext_lazy("Topic"), max_length=120)
    followed_on = forms.DateField(label=gettext_lazy("Date"), required=False, widget=DateInput())
    situation = forms.CharField(
        label=gettext_lazy("Situation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=gettext_lazy("Next step"), required=False, max_length=200)
    next_on = forms.DateField(label=gettext_lazy("Next date"), required=False, widget=DateInput())
    stage = forms.ModelChoiceField(label=gettext_lazy("Stage"), queryset=Tier.objects.none(), required=False)
    stage_reason = forms.CharField(label=gettext_lazy("Why the stage moves"), required=False, max_length=500)
    client_token = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = _stage_choices()
        self.fields["client_token"].initial = uuid.uuid4().hex


class MoveStageForm(forms.Form):
    tier = forms.ModelChoiceField(label=gettext_lazy("New stage"), queryset=Tier.objects.none())
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].queryset = _stage_choices()


def _hints():
    return StageHint.objects.select_related("tier__scheme").order_by("tier__scheme__name", "tier__rank")


@login_required
def record_new(request, customer_pk):
    """Record a follow-up (seed 002 客户跟踪记录表); it counts on its method's channel."""
    customer = get_workable_customer(request.user, customer_pk)
    form = FollowUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = recording.record_follow_up(request.user, customer, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Follow-up recorded."))
            return redirect(record)
    return render(
        request, "followups/record_form.html", {"customer": customer, "form": form, "hints": _hints()}
    )


@login_required
def stage_move(request, customer_pk):
    """Move the customer's stage; going back needs a reason; the history shows every move (R-FU-2)."""
    customer = get_workable_customer(request.user, customer_pk)
    form = MoveStageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recording.move_stage(
                request.user, customer, form.cleaned_data["tier"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Stage moved."))
            return redirect(customer)
    return render(
        request,
        "followups/stage_form.html",
        {
            "customer": customer,
            "form": form,
            "hints": _hints(),
            "moves": recording.stage_history(request.user, customer)[:50],
        },
    )


@login_required
def record_detail(request, pk):
    record = get_object_or_404(FollowUpRecord.objects.visible_to(request.user).for_lists(), pk=pk)
    return render(request, "followups/record_detail.html", {"record": record})
