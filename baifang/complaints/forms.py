"""Complaint forms: intake, the handling steps, hand-on (R-COMP-1, R-COMP-2)."""

from __future__ import annotations

import uuid

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from baifang.complaints.choices import ComplaintChannel, Satisfaction
from baifang.complaints.models import ComplaintCategory
from baifang.core.widgets import DateTimeInput
from baifang.org.models import OrgUnit, User


def _text(label, *, rows=3, required=True, max_length=4000, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class IntakeForm(forms.Form):
    """A complaint as customer service (or whoever hears it first) takes it down."""

    customer_query = forms.CharField(
        label=_("Customer"),
        max_length=100,
        required=False,
        help_text=_("Name or code of the customer."),
    )
    customer_id = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1
    )
    touch_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**63 - 1)
    channel = forms.ChoiceField(label=_("Received by way of"), choices=ComplaintChannel.choices)
    category = forms.ModelChoiceField(ComplaintCategory.objects.none(), label=_("Category"))
    subject = forms.CharField(label=_("Subject"), max_length=120)
    description = _text(_("What the customer says"), rows=4)
    complainant = forms.CharField(label=_("Complainant"), max_length=60, required=False)
    complainant_phone = forms.CharField(label=_("Complainant's phone"), max_length=30, required=False)
    received_at = forms.DateTimeField(label=_("Received at"), widget=DateTimeInput, required=False)
    intake_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, customers, customer=None, touch=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customers = customers
        self.fixed_customer = customer
        self.fields["category"].queryset = ComplaintCategory.objects.filter(is_active=True).order_by(
            "sort_order"
        )
        if not self.is_bound:
            self.initial.setdefault("intake_key", uuid.uuid4().hex)
            self.initial.setdefault("received_at", timezone.localtime().replace(second=0, microsecond=0))
        if customer is not None:
            self.fields["customer_query"].widget = forms.HiddenInput()
            self.initial["customer_id"] = customer.pk
        if touch is not None:
            self.initial["touch_id"] = touch.pk
            self.initial.setdefault("channel", ComplaintChannel.VISIT)

    def clean(self):
        data = super().clean()
        if self.fixed_customer is not None:
            data["customer"] = self.fixed_customer
            return data
        query = (data.get("customer_query") or "").strip()
        if not query:
            self.add_error("customer_query", _("Name the customer who complains."))
            return data
        exact = list(self.customers.filter(Q(code=query) | Q(name=query))[:2])
        matches = exact or list(self.customers.filter(name__icontains=query).order_by("name")[:6])
        if len(matches) == 1:
            data["customer"] = matches[0]
        elif not matches:
            self.add_error("customer_query", _("No customer you can see has this name or code."))
        else:
            names = "、".join(c.name for c in matches[:5])
            self.add_error(
                "customer_query", _("Several customers match: %(names)s. Be more precise.") % {"names": names}
            )
        return data


class InvestigateForm(forms.Form):
    findings = _text(_("Investigation findings"))


class ValidForm(forms.Form):
    responsible_unit = forms.ModelChoiceField(OrgUnit.objects.none(), label=_("Responsible unit"))
    responsible_person = forms.ModelChoiceField(
        User.objects.none(), label=_("Responsible person"), required=False
    )
    customer_told = _text(_("What the customer was told about the result"))
    compensation_due = forms.BooleanField(label=_("Compensation due"), required=False)
    compensation_amount = forms.DecimalField(
        label=_("Compensation (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    compensation_note = forms.CharField(label=_("Compensation details"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_unit"].queryset = OrgUnit.objects.order_by("path")
        self.fields["responsible_person"].queryset = User.objects.filter(is_active=True).order_by("username")


class NotValidForm(forms.Form):
    explanation = _text(_("The explanation given to the customer"))


class RectifyForm(forms.Form):
    rectification = _text(_("Rectification and corrective measures"))


class RecheckForm(forms.Form):
    record = _text(_("Re-check record"), help_text=_("Whether the rectification worked, checked by you."))


class SatisfactionForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("The customer's satisfaction with the handling"), choices=Satisfaction.choices
    )
    note = forms.CharField(label=_("Customer's words"), max_length=300, required=False)


class CloseForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=300, required=False)


class HandOnForm(forms.Form):
    to_user = forms.ModelChoiceField(User.objects.none(), label=_("Hand on to"))
    note = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, exclude=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "username")
        if exclude is not None:
            people = people.exclude(pk=exclude.pk)
        self.fields["to_user"].queryset = people
        self.fields["to_user"].label_from_instance = lambda u: f"{u} · {u.unit}" if u.unit_id else str(u)


# Each step's form and how its cleaned data becomes the model method's arguments.
STEP_FORMS = {
    "investigate": InvestigateForm,
    "find_valid": ValidForm,
    "find_not_valid": NotValidForm,
    "rectify": RectifyForm,
    "recheck": RecheckForm,
    "ask_satisfaction": SatisfactionForm,
    "close": CloseForm,
}


class RemoteSelect(forms.Select):
    """A select of many people that holds only the chosen one; a search box beside it fills it from
    ``source`` (htmx, a few matches at a time) instead of rendering a thousand options on every page."""

    def __init__(self, *, source, find_label, attrs=None):
        super().__init__(attrs)
        self.source = source
        self.find_label = find_label

    def optgroups(self, name, value, attrs=None):
        iterator = self.choices  # a ModelChoiceIterator: iterating it would read every row
        field = iterator.field
        chosen = [v for v in value if v and str(v).isdecimal() and len(str(v)) < 19]
        choices = [("", field.empty_label)] if field.empty_label is not None else []
        if chosen:
            choices += [
                (obj.pk, field.label_from_instance(obj)) for obj in field.queryset.filter(pk__in=chosen)
            ]
        self.choices = choices
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = iterator

    def render(self, name, value, attrs=None, renderer=None):
        select = super().render(name, value, attrs, renderer)
        target = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        # form="": the box belongs to no form, so it is never sent with the filters.
        finder = format_html(
            '<input type="search" class="remote-select-find" name="term" form="" autocomplete="off"'
            ' placeholder="{label}" aria-label="{label}" hx-get="{source}" hx-target="#{target}"'
            ' hx-include="#{target}"'
            ' hx-trigger="input changed delay:300ms, search" hx-sync="this:replace">',
            label=self.find_label,
            source=self.source,
            target=target,
        )
        return format_html('<div class="remote-select">{}{}</div>', finder, select)
