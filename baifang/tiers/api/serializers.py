from rest_framework import serializers

from baifang.core.api.fields import FlatListField
from baifang.customers.models import Customer
from baifang.tiers.models import (
    ClassificationScheme,
    CustomerTier,
    RatingBatch,
    RatingProposal,
    Screening,
    ScreeningAnswer,
    ScreeningDecision,
    Tier,
    TierChange,
)


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tier
        fields = [
            "id",
            "scheme",
            "code",
            "name",
            "rank",
            "criteria",
            "description",
            "is_important",
            "expected_share_min",
            "expected_share_max",
        ]
        read_only_fields = ["scheme", "code", "rank"]


class SchemeSerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, read_only=True)

    class Meta:
        model = ClassificationScheme
        fields = ["id", "code", "name", "description", "source", "is_active", "tiers"]


class CustomerTierSerializer(serializers.ModelSerializer):
    tier_code = serializers.CharField(source="tier.code", read_only=True)

    class Meta:
        model = CustomerTier
        fields = [
            "id",
            "customer",
            "scheme",
            "tier",
            "tier_code",
            "source",
            "reason",
            "assigned_by",
            "assigned_at",
        ]


class OverrideSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all())
    reason = serializers.CharField(max_length=300, min_length=2)


class TierChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = TierChange
        fields = [
            "id",
            "customer",
            "scheme",
            "old_tier",
            "new_tier",
            "source",
            "reason",
            "changed_by",
            "changed_at",
            "batch",
        ]


class ProposalSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingProposal
        fields = ["id", "customer", "current_tier", "proposed_tier", "reason", "decision"]


class RatingBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = RatingBatch
        fields = [
            "id",
            "scheme",
            "status",
            "created_by",
            "created_at",
            "decided_by",
            "decided_at",
            "rated_count",
        ]
        read_only_fields = ["status", "created_by", "created_at", "decided_by", "decided_at", "rated_count"]


class ApplySerializer(serializers.Serializer):
    rejected = FlatListField(child=serializers.IntegerField(), required=False, default=list)


class ScreeningAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScreeningAnswer
        fields = ["item_code", "passed", "note", "evidence"]
        read_only_fields = ["item_code", "evidence"]


class ScreeningDecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ScreeningDecision
        fields = ["stage", "approved", "note", "decided_by", "decided_at"]


class ScreeningSerializer(serializers.ModelSerializer):
    answers = ScreeningAnswerSerializer(many=True, read_only=True)
    decisions = ScreeningDecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Screening
        fields = [
            "id",
            "customer",
            "checklist",
            "status",
            "stage",
            "submitted_by",
            "created_at",
            "answers",
            "decisions",
        ]
        read_only_fields = ["status", "stage", "submitted_by", "created_at"]


class DecideSerializer(serializers.Serializer):
    approved = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
