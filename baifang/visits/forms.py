"""Visit forms: they normalise input; services do the work."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.core.validators import validate_coordinates
from baifang.core.widgets import DateInput
from baifang.visits.choices import QUICK_CHANNELS, Channel, Purpose
from baifang.visits.models import VisitRecord
from baifang.visits.services import RECORD_FIELDS


class CheckInForm(forms.Form):
    """What the check-in page posts: the phone's position (or why there is none) and a retry key."""

    latitude = forms.DecimalField(required=False, max_digits=12, decimal_places=9, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=12, decimal_places=9, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    coordinate_system = forms.ChoiceField(
        choices=CoordinateSystem.choices, initial=CoordinateSystem.WGS84, widget=forms.HiddenInput
    )
    location_error = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)
    # Shown only when another visit is still open (R-VISIT-1).
    override_reason = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex

    def ask_override_reason(self) -> None:
        """Show the reason field: the rep is still checked in elsewhere."""
        field = self.fields["override_reason"]
        field.widget = forms.Textarea(attrs={"rows": 2})
        field.label = _("Why check in here while the other visit is still open?")

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None
        try:
            validate_coordinates(data.get("latitude"), data.get("longitude"))
        except forms.ValidationError as exc:
            # The position fields are hidden: say it above the button (R-VISIT-1).
            raise forms.ValidationError(exc.messages) from exc
        return data


class TouchForm(forms.Form):
    """A phone, online, SMS or email touch in four fields (R-VISIT-5)."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in QUICK_CHANNELS], initial=Channel.PHONE
    )
    started_at = forms.DateTimeField(
        label=_("When"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    minutes = forms.IntegerField(label=_("Minutes"), required=False, min_value=1, max_value=600)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    idempotency_key = forms.CharField(required=False, max_length=80, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class VisitRecordForm(forms.ModelForm):
    """The 客户拜访记录表 fields; signatures come as typed names or a drawn image (R-VISIT-3)."""

    customer_signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    rep_signature_data = forms.CharField(required=False, widget=forms.HiddenInput)
    photo = forms.FileField(
        label=_("Add a photo"), required=False, widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )
    # R-FU-1: one promise with its due date per save; the text field ``promises`` stays the summary.
    new_commitment = forms.CharField(label=_("Promise to the customer"), required=False, max_length=300)
    new_commitment_due = forms.DateField(label=_("Promise due on"), required=False, widget=DateInput())

    class Meta:
        model = VisitRecord
        fields = [*RECORD_FIELDS, "customer_signed_name", "rep_signed_name"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in RECORD_FIELDS
            if name not in ("place", "our_participants", "customer_participants", "purpose")
        }

    def clean(self):
        data = super().clean()
        if data.get("new_commitment") and not data.get("new_commitment_due"):
            self.add_error("new_commitment_due", _("Give the promise a due date."))
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FlagFilterForm(forms.Form):
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput())


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


class NoteForm(forms.Form):
    """A note or reason with a decision (commitment closed, location rejected)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
