"""Follow-up API serializers: appointments, open questions, commitments, location proposals.

They validate shape; services do the work.
"""

from __future__ import annotations

from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField
from baifang.visits.api.serializers import IDEMPOTENCY_HELP
from baifang.visits.choices import (
    AppointmentStatus,
    CommitmentStatus,
    ProposalStatus,
    Purpose,
    QuestionStatus,
)
from baifang.visits.models import Appointment, AppointmentChange, Commitment, LocationProposal, OpenQuestion


def _status(choices) -> serializers.CharField:
    """A read-only status as a plain string: an enum named "status" here would collide in the OpenAPI
    schema with other apps' status enums (settings.ENUM_NAME_OVERRIDES is not ours to edit)."""
    return serializers.CharField(read_only=True, help_text=" | ".join(choices.values))


def _key():
    return serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=80, help_text=IDEMPOTENCY_HELP
    )


class AppointmentChangeSerializer(serializers.ModelSerializer):
    old_status = _status(AppointmentStatus)
    new_status = _status(AppointmentStatus)
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


class AppointmentSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)
    status = _status(AppointmentStatus)

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
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    purpose = serializers.ChoiceField(choices=Purpose.choices)
    notes = serializers.CharField(required=False, allow_blank=True)
    idempotency_key = _key()


class CustomerToldSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="The reason told to the customer (R-VISIT-6).")
    told_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Default: now.")
    told_whom = serializers.CharField(required=False, allow_blank=True, max_length=60)


class ChangeAppointmentSerializer(CustomerToldSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OpenQuestionSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    is_overdue = serializers.BooleanField(source="overdue", read_only=True)
    status = _status(QuestionStatus)

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
    status = _status(CommitmentStatus)

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


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class LocationProposalSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    rep = serializers.IntegerField(source="touch.user_id", read_only=True)
    status = _status(ProposalStatus)

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
