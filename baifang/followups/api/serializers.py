"""Follow-up API serializers: appointments, open questions, commitments.

They validate shape; services do the work.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField, BoundedDateTimeField, FlatListField, IdField
from baifang.followups import appointments
from baifang.followups.choices import AppointmentStatus, CommitmentStatus, QuestionStatus
from baifang.followups.models import (
    Appointment,
    AppointmentChange,
    Commitment,
    OpenQuestion,
    Registration,
    Showroom,
)
from baifang.followups.models.showroom import IntentLevel, VisitorKind
from baifang.visits.api.serializers import IDEMPOTENCY_HELP, status_field
from baifang.visits.choices import Purpose


def _key():
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )


class AppointmentChangeSerializer(serializers.ModelSerializer):
    old_status = status_field(AppointmentStatus)
    new_status = status_field(AppointmentStatus)
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)

    class Meta:
        model = AppointmentChange
        fields = [
            "old_status",
            "new_status",
            "old_starts_at",
            "new_starts_at",
            "old_place",
            "new_place",
            "reason",
            "customer_told_at",
            "customer_told_whom",
            "changed_by",
            "changed_by_name",
            "changed_at",
        ]
        read_only_fields = fields


class PunctualitySerializer(serializers.Serializer):
    on_time = serializers.BooleanField()
    minutes_late = serializers.IntegerField()
    minutes_early = serializers.IntegerField()


class AppointmentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    status = status_field(AppointmentStatus)
    punctuality = serializers.SerializerMethodField(
        help_text="The check-in that kept it against its start (R-VISIT-9); null until one does."
    )

    @extend_schema_field(PunctualitySerializer(allow_null=True))
    def get_punctuality(self, obj):
        judged = appointments.punctuality_of(obj)
        return PunctualitySerializer(judged).data if judged else None

    class Meta:
        model = Appointment
        fields = [
            "id",
            "customer",
            "customer_name",
            "rep",
            "rep_name",
            "starts_at",
            "ends_at",
            "place",
            "purpose",
            "notes",
            "status",
            "lead_hours",
            "touch",
            "punctuality",
            "created_at",
        ]
        read_only_fields = fields


class AppointmentDetailSerializer(AppointmentSerializer):
    changes = AppointmentChangeSerializer(many=True, read_only=True)

    class Meta(AppointmentSerializer.Meta):
        fields = [*AppointmentSerializer.Meta.fields, "changes"]
        read_only_fields = fields


class MakeAppointmentSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    notes = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = _key()


class CustomerToldSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The reason told to the customer (R-VISIT-6).")
    told_at = BoundedDateTimeField(required=False, allow_null=True, help_text="Default: now.")
    told_whom = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ChangeAppointmentSerializer(CustomerToldSerializer):
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OpenQuestionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    is_overdue = serializers.BooleanField(source="overdue", read_only=True)
    status = status_field(QuestionStatus)

    class Meta:
        model = OpenQuestion
        fields = [
            "id",
            "customer",
            "customer_name",
            "touch",
            "text",
            "asked_by_name",
            "owner",
            "owner_name",
            "due_on",
            "is_overdue",
            "status",
            "answer",
            "answered_by",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields


class RecordQuestionSerializer(serializers.Serializer):
    touch = serializers.IntegerField(help_text="The visit or touch where the question was asked.")
    text = serializers.CharField()
    asked_by_name = serializers.CharField(required=False, allow_blank=True, max_length=60)
    idempotency_key = _key()


class AnswerSerializer(serializers.Serializer):
    text = serializers.CharField()


class CommitmentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    touch = serializers.IntegerField(source="record.touch_id", read_only=True)
    is_overdue = serializers.BooleanField(source="overdue", read_only=True)
    status = status_field(CommitmentStatus)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "customer",
            "customer_name",
            "record",
            "touch",
            "owner",
            "owner_name",
            "text",
            "due_on",
            "is_overdue",
            "status",
            "closed_by",
            "closed_at",
            "close_note",
            "created_at",
        ]
        read_only_fields = fields


class AddCommitmentSerializer(serializers.Serializer):
    touch = serializers.IntegerField(help_text="The visit whose record the promise was made in.")
    text = serializers.CharField(max_length=300)
    due_on = BoundedDateField()
    idempotency_key = _key()


class PunctualityQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^(19|20)\d\d-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM; this month if left out"
    )


class PunctualityRowSerializer(serializers.Serializer):
    rep = serializers.IntegerField(source="rep_id")
    rep_name = serializers.CharField()
    kept = serializers.IntegerField(source="tally.kept")
    on_time = serializers.IntegerField(source="tally.on_time")
    late = serializers.IntegerField(source="tally.late")
    on_time_rate = serializers.FloatField(source="tally.on_time_rate")
    average_minutes_late = serializers.FloatField(source="tally.average_minutes_late", allow_null=True)
    worst_minutes_late = serializers.IntegerField(source="tally.worst_minutes_late")


# -- showrooms (R-FU-4) ----------------------------------------------------------------------------


class ShowroomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Showroom
        fields = ["id", "name", "unit", "day_ends_at"]


class DutyOrderSerializer(serializers.Serializer):
    """Today's duty order and who receives the next first-time customer (None: everyone is busy)."""

    day = serializers.DateField(read_only=True)
    order = serializers.ListField(child=serializers.IntegerField(), help_text="User ids, first to last.")
    busy = serializers.ListField(child=serializers.IntegerField(), read_only=True)
    next = serializers.IntegerField(read_only=True, allow_null=True)


class SetDutyOrderSerializer(serializers.Serializer):
    # ids the database can hold (a larger number was a 500 on SQLite: schemathesis found it)
    order = FlatListField(child=IdField(), min_length=1, max_length=200, help_text="User ids, first to last.")


class RegistrationSerializer(serializers.ModelSerializer):
    left_details = serializers.BooleanField(read_only=True)
    # blank when the visitor gave no intent: the schema must say "" is an answer too (schemathesis found it)
    intent_level = serializers.ChoiceField(choices=IntentLevel.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Registration
        fields = [
            "id",
            "showroom",
            "kind",
            "time_in",
            "time_out",
            "received_by",
            "credited_to",
            "visitor_name",
            "phone",
            "left_details",
            "intended_product",
            "intent_level",
            "note",
            "bought_on_spot",
            "first_visit",
            "in_turn",
            "named_rep",
            "returning_of",
            "customer",
            "due_at",
            "late",
            "info_due_at",
            "info_sent_at",
            "registered_by",
            "registered_at",
        ]
        read_only_fields = fields


class RegisterSerializer(serializers.Serializer):
    """One visitor or caller; only the name (or 某先生 / 某女士 / plate) and the time in are required."""

    showroom = IdField()
    kind = serializers.ChoiceField(choices=VisitorKind.choices)
    time_in = BoundedDateTimeField()
    time_out = BoundedDateTimeField(required=False, allow_null=True)
    received_by = serializers.IntegerField(required=False, help_text="User id; the caller when left out.")
    visitor_name = serializers.CharField(max_length=60)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    intended_product = serializers.CharField(max_length=100, required=False, allow_blank=True)
    intent_level = serializers.ChoiceField(choices=IntentLevel.choices, required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True)
    bought_on_spot = serializers.BooleanField(required=False, default=False)
    named_rep = serializers.BooleanField(required=False, default=False)
    idempotency_key = _key()


class FinishReceptionSerializer(serializers.Serializer):
    time_out = BoundedDateTimeField()
