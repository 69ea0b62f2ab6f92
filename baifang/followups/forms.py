"""Follow-up forms: they normalise input; services do the work."""

from __future__ import annotations

import calendar
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.visits.choices import Purpose

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AppointmentForm(forms.Form):
    """A visit agreed with the customer in advance (R-VISIT-6)."""

    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME_LOCAL)
    ends_at = forms.DateTimeField(label=_("Ends at"), required=False, widget=DATETIME_LOCAL)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class CustomerToldForm(forms.Form):
    """What a change or cancellation records: why, and that the customer was told (R-VISIT-6)."""

    reason = forms.CharField(label=_("Reason told to the customer"), widget=forms.Textarea(attrs={"rows": 2}))
    told_whom = forms.CharField(label=_("Customer's person told"), required=False, max_length=60)
    told_at = forms.DateTimeField(label=_("Told at"), widget=DATETIME_LOCAL)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["told_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class AppointmentChangeForm(CustomerToldForm):
    starts_at = forms.DateTimeField(label=_("New start"), widget=DATETIME_LOCAL)
    ends_at = forms.DateTimeField(label=_("New end"), required=False, widget=DATETIME_LOCAL)
    place = forms.CharField(label=_("Place"), required=False, max_length=200)

    field_order = ["starts_at", "ends_at", "place", "reason", "told_whom", "told_at"]


class QuestionForm(forms.Form):
    """A question the rep could not answer on the spot (R-VISIT-7)."""

    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    asked_by_name = forms.CharField(label=_("Asked by"), required=False, max_length=60)


class AnswerForm(forms.Form):
    text = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))


class MonthForm(forms.Form):
    """A calendar month as ``YYYY-MM`` (this month when left out)."""

    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"])

    def span(self):
        """The first and last day of the chosen month."""
        return self.span_of(self.cleaned_data.get("month") or timezone.localdate())

    @staticmethod
    def span_of(day):
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


class RegistrationForm(forms.Form):
    """One line of the visitor/caller register (来店(电)顾客登记表, R-FU-4); no contact details needed."""

    kind = forms.ChoiceField(label=_("Walk-in or call"), choices=[])
    visitor_name = forms.CharField(
        label=_("Visitor name"),
        max_length=60,
        help_text=_("A name, or just 某先生 / 某女士 / the plate number."),
    )
    phone = forms.CharField(label=_("Phone (if left)"), required=False, max_length=30)
    time_in = forms.DateTimeField(label=_("Time in"), widget=DATETIME_LOCAL)
    time_out = forms.DateTimeField(label=_("Time out"), required=False, widget=DATETIME_LOCAL)
    received_by = forms.ChoiceField(label=_("Received by"), choices=[])
    named_rep = forms.BooleanField(label=_("The customer asked for this rep"), required=False)
    intended_product = forms.CharField(label=_("Intended model or product"), required=False, max_length=100)
    intent_level = forms.ChoiceField(label=_("Intent level"), required=False, choices=[])
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    bought_on_spot = forms.BooleanField(label=_("Bought on the spot"), required=False)
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, reps=(), default_rep=None, **kwargs):
        from baifang.followups.models.showroom import IntentLevel, VisitorKind

        super().__init__(*args, **kwargs)
        self.reps = {str(rep.pk): rep for rep in reps}
        self.fields["kind"].choices = VisitorKind.choices
        self.fields["intent_level"].choices = [("", "—"), *IntentLevel.choices]
        self.fields["received_by"].choices = [(key, str(rep)) for key, rep in self.reps.items()]
        self.fields["received_by"].initial = str(default_rep.pk) if default_rep else None
        self.fields["time_in"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def clean_received_by(self):
        return self.reps[self.cleaned_data["received_by"]]


class DutyOrderForm(forms.Form):
    """The day's duty order: the reps' user names, first to last, one per line or comma-separated."""

    reps = forms.CharField(
        label=_("Duty order"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("User names, first to last, one per line or separated by commas."),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {user.username: user for user in candidates}

    def clean_reps(self):
        names = [
            n.strip() for n in self.cleaned_data["reps"].replace("，", ",").replace("\n", ",").split(",")
        ]
        names = [n for n in names if n]
        unknown = [n for n in names if n not in self.candidates]
        if unknown:
            raise forms.ValidationError(
                _("Not a rep of this showroom: %(names)s") % {"names": "、".join(unknown)}
            )
        return [self.candidates[n] for n in names]
