"""Complaint API shapes (R-COMP-1..4)."""

from __future__ import annotations

from rest_framework import serializers

from baifang.complaints.choices import ComplaintChannel, ComplaintStatus, Satisfaction
from baifang.complaints.models import Complaint, ComplaintCategory, ComplaintHandOn, ComplaintStatusChange
from baifang.core.api.fields import BoundedDateTimeField
from baifang.customers.models import Customer
from baifang.org.models import OrgUnit, User


class ComplaintCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintCategory
        fields = ["id", "code", "name", "unit", "is_active"]


class StatusChangeSerializer(serializers.ModelSerializer):
    old_status = serializers.ChoiceField(choices=ComplaintStatus.choices)
    new_status = serializers.ChoiceField(choices=ComplaintStatus.choices)

    class Meta:
        model = ComplaintStatusChange
        fields = ["old_status", "new_status", "transition", "changed_by", "comment", "changed_at"]


class HandOnSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplaintHandOn
        fields = ["from_user", "to_user", "note", "created_at"]


class ComplaintListSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    age_days = serializers.SerializerMethodField()
    status = serializers.ChoiceField(choices=ComplaintStatus.choices, read_only=True)
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices, read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "reference", "customer", "customer_name", "channel", "category", "category_name", "subject",
                  "status", "owner", "received_by", "received_at", "routed_unit", "is_valid", "responsible_unit",
                  "responsible_person", "age_days", "closed_at"]  # fmt: skip
        read_only_fields = fields

    def get_age_days(self, obj) -> int:
        return obj.age_days()


class ComplaintSerializer(ComplaintListSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    hand_ons = HandOnSerializer(many=True, read_only=True)
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, read_only=True, allow_blank=True)
    available_steps = serializers.SerializerMethodField()

    class Meta(ComplaintListSerializer.Meta):
        fields = [*ComplaintListSerializer.Meta.fields, "description", "complainant", "complainant_phone", "touch",
                  "special_visit", "investigation", "decided_at", "customer_told", "compensation_due",
                  "compensation_amount", "compensation_note", "rectification", "recheck_record", "rechecked_by",
                  "rechecked_at", "satisfaction", "satisfaction_note", "status_changes", "hand_ons",
                  "available_steps"]  # fmt: skip
        read_only_fields = fields

    def get_available_steps(self, obj) -> list[str]:
        request = self.context.get("request")
        return obj.workflow.available(obj, request.user) if request else []


class IntakeSerializer(serializers.Serializer):
    """A new complaint; the caller becomes its first receiver and owner. ``intake_key`` makes a retried
    call return the complaint the first call registered."""

    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    channel = serializers.ChoiceField(choices=ComplaintChannel.choices)
    category = serializers.PrimaryKeyRelatedField(queryset=ComplaintCategory.objects.filter(is_active=True))
    subject = serializers.CharField(max_length=120)
    description = serializers.CharField(max_length=4000)
    complainant = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    complainant_phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    received_at = BoundedDateTimeField(required=False)
    touch = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    intake_key = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class InvestigateSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=4000)


class ValidSerializer(serializers.Serializer):
    responsible_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    responsible_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    customer_told = serializers.CharField(max_length=4000)
    compensation_due = serializers.BooleanField(required=False, default=False)
    compensation_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    compensation_note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class NotValidSerializer(serializers.Serializer):
    explanation = serializers.CharField(max_length=4000)


class RectifySerializer(serializers.Serializer):
    rectification = serializers.CharField(max_length=4000)


class RecheckSerializer(serializers.Serializer):
    record = serializers.CharField(max_length=4000)


class SatisfactionSerializer(serializers.Serializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CloseSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class HandOnRequestSerializer(serializers.Serializer):
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    note = serializers.CharField(max_length=300)


class ValidCountSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["unit", "person"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    count = serializers.IntegerField()
    flagged = serializers.BooleanField()


class ValidCountQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    flagged_only = serializers.BooleanField(required=False, default=False)


STEP_SERIALIZERS = {
    "investigate": InvestigateSerializer,
    "find_valid": ValidSerializer,
    "find_not_valid": NotValidSerializer,
    "rectify": RectifySerializer,
    "recheck": RecheckSerializer,
    "ask_satisfaction": SatisfactionSerializer,
    "close": CloseSerializer,
}
