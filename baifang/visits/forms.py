"""Visit forms: they normalise input; services do the work."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.core.validators import validate_coordinates
from baifang.visits import extensions
from baifang.visits.choices import QUICK_CHANNELS, Channel
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

    class Meta:
        model = VisitRecord
        fields = [*RECORD_FIELDS, "customer_signed_name", "rep_signed_name"]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in RECORD_FIELDS
            if name not in ("place", "our_participants", "customer_participants", "purpose")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Parts of the form the apps above add (extensions.record_parts, e.g. a promise with its due date).
        self.part_fields: list[str] = []
        for part in extensions.record_parts:
            for name, form_field in part.fields().items():
                self.fields[name] = form_field
                self.part_fields.append(name)

    def clean(self):
        data = super().clean()
        for part in extensions.record_parts:
            for name, message in part.clean(data).items():
                self.add_error(name, message)
        return data


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    """A note or reason with a decision (a location rejected; followups closes commitments with it)."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
