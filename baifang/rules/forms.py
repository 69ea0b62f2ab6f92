"""Forms for obligations pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.queries import BoundedDateField
from baifang.org.models import OrgUnit
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import ReturnVisitRule, VisitRule
from baifang.rules.services import REVISABLE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ComplianceFilterForm(forms.Form):
    date = BoundedDateField(label=_("Date"), required=False, widget=DATE)
    unit = forms.ModelChoiceField(
        OrgUnit.objects.all(), label=_("Unit"), required=False, empty_label=_("All")
    )

    def day(self):
        return (self.cleaned_data.get("date") if self.is_valid() else None) or timezone.localdate()


class SpecialVisitForm(forms.Form):
    trigger = forms.ChoiceField(label=_("Trigger"), choices=SpecialTrigger.choices)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    workdays = forms.IntegerField(label=_("Due within working days"), min_value=0, max_value=30, initial=2)


class RuleRevisionForm(forms.ModelForm):
    effective = forms.DateField(label=_("Effective from"), widget=DATE, initial=timezone.localdate)

    class Meta:
        model = VisitRule
        fields = list(REVISABLE_FIELDS)


class ReturnVisitRuleForm(forms.ModelForm):
    """An event-driven return-visit rule (R-FREQ-9); the model refuses an impossible schedule."""

    class Meta:
        model = ReturnVisitRule
        fields = [
            "code",
            "name",
            "event",
            "channel",
            "min_count",
            "offset",
            "offset_unit",
            "repeat_every_months",
            "repeat_until_months",
            "responsible",
            "counted_by_anyone",
            "tier",
            "is_active",
            "source",
        ]
