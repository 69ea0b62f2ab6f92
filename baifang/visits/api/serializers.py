"""Visit API serializers: they validate shape; services do the work."""

from __future__ import annotations

from rest_framework import serializers

from baifang.core.api.fields import BoundedDateTimeField, FlatDictField
from baifang.core.choices import CoordinateSystem
from baifang.core.validators import validate_latitude, validate_longitude
from baifang.visits.choices import QUICK_CHANNELS, Channel, ProposalStatus
from baifang.visits.models import LocationProposal, Touch, VisitFlag, VisitPhoto, VisitRecord
from baifang.visits.services import RECORD_FIELDS

IDEMPOTENCY_HELP = (
    "Idempotency: a retry with the same key (or Idempotency-Key header) returns the first result."
)
DEVICE_TIME_HELP = (
    "Offline queue (R-UX-2): the phone's clock when the act happened; the server dates the act by it, "
    "corrected by the clock error measured with sent_at."
)
SENT_AT_HELP = (
    "The phone's clock when it sent this request (each retry sends its own): the server compares it "
    "with its own clock and flags a difference beyond CLOCK_SKEW_MAX_MINUTES (flag kind clock)."
)


class DeviceClockFields(serializers.Serializer):
    """What a phone's offline queue sends with each act: when it happened and when it was sent."""

    device_time = BoundedDateTimeField(
        required=False, allow_null=True, write_only=True, help_text=DEVICE_TIME_HELP
    )
    sent_at = BoundedDateTimeField(required=False, allow_null=True, write_only=True, help_text=SENT_AT_HELP)


def status_field(choices) -> serializers.CharField:
    """A read-only status as a plain string: an enum named "status" here would collide in the OpenAPI
    schema with other apps' status enums (settings.ENUM_NAME_OVERRIDES is not ours to edit)."""
    return serializers.CharField(read_only=True, help_text=" | ".join(choices.values))


class VisitFlagSerializer(serializers.ModelSerializer):
    explanation = serializers.CharField(read_only=True)

    class Meta:
        model = VisitFlag
        fields = ["kind", "detail", "explanation"]


class TouchSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    flags = VisitFlagSerializer(many=True, read_only=True)
    record_status = serializers.SerializerMethodField()

    class Meta:
        model = Touch
        fields = [
            "id",
            "customer",
            "customer_name",
            "user",
            "user_name",
            "channel",
            "started_at",
            "ended_at",
            "duration_seconds",
            "min_duration_minutes",
            "latitude",
            "longitude",
            "coordinate_system",
            "accuracy_m",
            "location_error",
            "distance_m",
            "notes",
            "overlap_reason",
            "device_time",
            "device_ended_at",
            "clock_skew_seconds",
            "created_at",
            "flags",
            "record_status",
        ]
        read_only_fields = fields

    def get_record_status(self, touch) -> str | None:
        try:
            return touch.record.status
        except VisitRecord.DoesNotExist:
            return None


class CheckInSerializer(DeviceClockFields):
    customer = serializers.IntegerField()
    latitude = serializers.DecimalField(
        max_digits=12, decimal_places=9, required=False, allow_null=True, validators=[validate_latitude]
    )
    longitude = serializers.DecimalField(
        max_digits=12, decimal_places=9, required=False, allow_null=True, validators=[validate_longitude]
    )
    coordinate_system = serializers.ChoiceField(
        choices=CoordinateSystem.choices, default=CoordinateSystem.WGS84
    )
    accuracy_m = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    location_error = serializers.CharField(
        required=False, allow_blank=True, max_length=120, help_text="Why the phone gave no position."
    )
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Why you check in while another visit is still open; the new visit is flagged. Without it "
        "such a check-in is refused (400, field open_visit).",
    )
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )

    def validate(self, attrs):
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise serializers.ValidationError({"longitude": "Latitude and longitude must be given together."})
        return attrs


class CheckOutSerializer(DeviceClockFields):
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )


class VisitRecordSerializer(serializers.ModelSerializer):
    submit = serializers.BooleanField(write_only=True, required=False, default=False)
    idempotency_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )
    checklist = FlatDictField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0)), required=False
    )
    device_time = BoundedDateTimeField(required=False, allow_null=True, help_text=DEVICE_TIME_HELP)
    sent_at = BoundedDateTimeField(required=False, allow_null=True, write_only=True, help_text=SENT_AT_HELP)

    class Meta:
        model = VisitRecord
        fields = [
            "id",
            "touch",
            "status",
            *RECORD_FIELDS,
            "checklist",
            "customer_signed_name",
            "rep_signed_name",
            "customer_signature_method",
            "rep_signature_method",
            "submitted_at",
            "is_late",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "submit",
            "idempotency_key",
            "device_time",
            "sent_at",
        ]
        read_only_fields = [
            "id",
            "touch",
            "status",
            "customer_signature_method",
            "rep_signature_method",
            "submitted_at",
            "is_late",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        extra_kwargs = {
            name: {"required": False} for name in [*RECORD_FIELDS, "customer_signed_name", "rep_signed_name"]
        }


class PhotoSerializer(serializers.ModelSerializer):
    idempotency_key = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )
    image = serializers.FileField(help_text="JPEG, PNG, WebP or GIF; resized before it is stored.")

    class Meta:
        model = VisitPhoto
        fields = ["id", "touch", "image", "width", "height", "caption", "created_at", "idempotency_key"]
        read_only_fields = ["id", "touch", "width", "height", "created_at"]


class QuickTouchSerializer(DeviceClockFields):
    customer = serializers.IntegerField()
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in QUICK_CHANNELS], default=Channel.PHONE
    )
    started_at = BoundedDateTimeField(required=False)
    minutes = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=600)
    notes = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class LocationProposalSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    rep = serializers.IntegerField(source="touch.user_id", read_only=True)
    status = status_field(ProposalStatus)

    class Meta:
        model = LocationProposal
        fields = [
            "id",
            "customer",
            "customer_name",
            "touch",
            "rep",
            "latitude",
            "longitude",
            "coordinate_system",
            "accuracy_m",
            "status",
            "decided_by",
            "decided_at",
            "note",
            "created_at",
        ]
        read_only_fields = fields
