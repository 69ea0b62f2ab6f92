"""Survey forms: campaigns, target sets, distribution, answers (R-SURV-2..4)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.widgets import DateInput
from baifang.customers.choices import CustomerType
from baifang.surveys.choices import STAFF_SOURCES, Channel, TemplatePurpose
from baifang.surveys.models import OpinionGroup, Rectification, SurveyCampaign, SurveyTemplate


class CampaignForm(forms.ModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["template", "title", "starts_on", "ends_on", "greeting", "closing"]
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "greeting": forms.Textarea(attrs={"rows": 3}),
            "closing": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(
            is_active=True, purpose=TemplatePurpose.PERIODIC
        )
        if not self.instance.pk:
            today = timezone.localdate()
            self.initial.setdefault("starts_on", today)
            self.initial.setdefault("ends_on", today + dt.timedelta(days=30))
        else:
            self.fields["template"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The campaign cannot end before it starts."))
        return data


class LetterForm(forms.ModelForm):
    class Meta:
        model = SurveyCampaign
        fields = ["greeting", "closing"]
        widgets = {
            "greeting": forms.Textarea(attrs={"rows": 4}),
            "closing": forms.Textarea(attrs={"rows": 4}),
        }


class TargetForm(forms.Form):
    """Which customers to add (R-SURV-2): by type (households), tier, area or building; all optional."""

    customer_type = forms.ChoiceField(
        label=_("Customer type"), choices=[("", "—"), *CustomerType.choices], required=False
    )
    tier = forms.ModelChoiceField(label=_("Tier"), queryset=None, required=False)
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    district = forms.CharField(label=_("District"), max_length=30, required=False)
    address = forms.CharField(
        label=_("Building or estate"),
        max_length=60,
        required=False,
        help_text=_("Part of the address, e.g. 永辉楼."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from baifang.tiers.models import Tier

        self.fields["tier"].queryset = Tier.objects.select_related("scheme").order_by("scheme__name", "rank")

    def rule(self) -> dict:
        data = self.cleaned_data
        return {
            "customer_type": data["customer_type"],
            "tier": data["tier"].pk if data["tier"] else None,
            "city": data["city"].strip(),
            "district": data["district"].strip(),
            "address": data["address"].strip(),
        }


class DistributeForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Distributed by"),
        choices=[(Channel.PAPER, Channel.PAPER.label), (Channel.LINK, Channel.LINK.label)],
    )


class AnswerForm(forms.Form):
    """One field per item on the template's scale, blanks allowed, and the free-text opinion."""

    def __init__(self, *args, template: SurveyTemplate, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.template = template
        choices = template.scale_choices()
        self.items = list(template.items.all())
        for item in self.items:
            self.fields[f"item_{item.code}"] = forms.ChoiceField(
                label=item.label, choices=choices, required=False, widget=forms.RadioSelect
            )
        if template.opinion_prompt:
            self.fields["opinion"] = forms.CharField(
                label=template.opinion_prompt,
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
        if staff:
            self.fields["respondent"] = forms.CharField(label=_("Respondent"), max_length=60, required=False)
            self.fields["source"] = forms.ChoiceField(
                label=_("How it came back"),
                choices=STAFF_SOURCES,
            )
            self.fields["answered_on"] = forms.DateField(
                label=_("Answered on"),
                initial=timezone.localdate,
                widget=DateInput(),
            )

    def item_fields(self):
        return [self[f"item_{item.code}"] for item in self.items]

    def answers(self) -> dict[str, str | None]:
        return {item.code: self.cleaned_data.get(f"item_{item.code}") or None for item in self.items}


class CheckForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = SurveyTemplate.objects.filter(is_active=True).exclude(
            purpose=TemplatePurpose.PERIODIC
        )


class OpinionGroupForm(forms.ModelForm):
    class Meta:
        model = OpinionGroup
        fields = ["name", "item"]

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.campaign = campaign
        self.fields["item"].queryset = campaign.template.items.all()
        self.fields["item"].required = False
        self.fields["item"].label = _("Survey item")


class RectificationForm(forms.ModelForm):
    class Meta:
        model = Rectification
        fields = ["item", "action", "owner", "due_on"]
        widgets = {
            "due_on": DateInput(),
            "action": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        from baifang.org.models import User

        self.instance.campaign = campaign
        self.fields["item"].queryset = campaign.template.items.all()
        self.fields["item"].label = _("Survey item")
        self.fields["owner"].queryset = User.objects.filter(is_active=True).order_by("username")
