"""Forms of the care pages; the models validate, the services decide (R-CARE-1..4, R-INFO-1)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baifang.care.models import FESTIVAL_CHOICES, FeedbackForm, Gift, MessageTemplate
from baifang.core.widgets import DateInput
from baifang.customers.choices import AudienceClass
from baifang.customers.models import Contact, Customer


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "channel", "subject", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}


class GiftForm(forms.ModelForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())

    class Meta:
        model = Gift
        fields = ["customer", "contact", "item", "quantity", "cost", "given_on", "occasion_label", "notes"]
        widgets = {"given_on": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        customers = Customer.objects.workable_by(user)
        self.fields["customer"].queryset = customers
        self.fields["contact"].queryset = Contact.objects.filter(
            customer__in=customers.values("pk")
        ).select_related("customer")
        self.fields["contact"].label_from_instance = lambda c: f"{c.customer.name} · {c}"


class FeedbackFormForm(forms.ModelForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())

    class Meta:
        model = FeedbackForm
        fields = [
            "customer",
            "filed_on",
            "market",
            "competitors",
            "needs",
            "credit",
            "other",
            "source",
            "source_detail",
        ]
        widgets = {
            "filed_on": DateInput(),
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in ("market", "competitors", "needs", "credit", "other")
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)

    def _post_clean(self):
        # The service sets department, filer and grade before the model is validated.
        pass


class BatchForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Message template"), queryset=MessageTemplate.objects.filter(is_active=True)
    )
    festival = forms.ChoiceField(
        label=_("Festival"), required=False, choices=[("", _("— another occasion —")), *FESTIVAL_CHOICES]
    )
    occasion = forms.CharField(
        label=_("Other occasion"), required=False, max_length=50, help_text=_("e.g. 新品上市, 公司周年庆")
    )
    tiers = forms.ModelMultipleChoiceField(label=_("Tiers"), required=False, queryset=None)
    audience_classes = forms.MultipleChoiceField(
        label=_("Audience classes"),
        required=False,
        choices=AudienceClass.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from baifang.tiers.models import Tier

        self.fields["tiers"].queryset = Tier.objects.filter(scheme__is_active=True).select_related("scheme")
        self.fields["tiers"].widget = forms.CheckboxSelectMultiple(choices=self.fields["tiers"].choices)

    def clean(self):
        data = super().clean()
        if not data.get("festival") and not (data.get("occasion") or "").strip():
            raise forms.ValidationError(_("Choose a festival or name the occasion."), code="no_occasion")
        return data


class SkipForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=300)
