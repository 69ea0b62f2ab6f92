"""Plan forms: they only parse and normalise input; services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baifang.core.widgets import DateInput, TimeInput
from baifang.customers.models import Customer
from baifang.plans.models import PlanItem, PlanPurpose
from baifang.plans.services import ITEM_FIELDS


class PlanItemForm(forms.ModelForm):
    """The fields of R-PLAN-1; the customer list is limited to the rep's visible customers."""

    lock_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = PlanItem
        fields = ITEM_FIELDS
        widgets = {
            "day": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "agenda": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owner, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Customer.objects.visible_to(owner).filter(merged_into=None).order_by("name")
        self.fields["customer"].queryset = customers
        self.fields["purpose"].queryset = PlanPurpose.objects.filter(is_active=True)
        self.fields["purpose"].required = True

    def item_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ITEM_FIELDS if name in self.cleaned_data}


class LockForm(forms.Form):
    lock_version = forms.IntegerField()
    comment = forms.CharField(required=False, max_length=2000)


class SummaryForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary and analysis"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MoveForm(forms.Form):
    lock_version = forms.IntegerField()
    day = forms.DateField(widget=DateInput())


class DecisionForm(forms.Form):
    """Approve or return one submitted version (R-PLAN-2)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
