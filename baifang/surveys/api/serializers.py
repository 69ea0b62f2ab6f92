"""Survey API serializers: they validate shape; the survey services do the work (R-SURV-1..4)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField, FlatDictField, FlatListField, IdField
from baifang.customers.choices import CustomerType
from baifang.surveys.choices import STAFF_SOURCES, Channel
from baifang.surveys.models import Recipient, SurveyCampaign, SurveyItem, SurveyResponse, SurveyTemplate


class SurveyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyItem
        fields = ["id", "code", "label", "order"]


class SurveyTemplateSerializer(serializers.ModelSerializer):
    items = SurveyItemSerializer(many=True, read_only=True)
    scale_values = serializers.ListField(child=serializers.CharField(), read_only=True)
    satisfied = serializers.SerializerMethodField()

    class Meta:
        model = SurveyTemplate
        fields = [
            "id",
            "code",
            "name",
            "purpose",
            "scale",
            "scale_values",
            "satisfied",
            "intro",
            "opinion_prompt",
            "min_recipients",
            "source",
            "is_active",
            "items",
        ]

    def get_satisfied(self, obj) -> list[str]:
        return sorted(obj.satisfied_set)


class SurveyCampaignSerializer(serializers.ModelSerializer):
    owner = serializers.StringRelatedField()
    template = serializers.PrimaryKeyRelatedField(queryset=SurveyTemplate.objects.filter(is_active=True))
    starts_on = BoundedDateField()
    ends_on = BoundedDateField()
    targets = serializers.IntegerField(read_only=True)
    returned = serializers.IntegerField(read_only=True)

    class Meta:
        model = SurveyCampaign
        fields = [
            "id",
            "template",
            "title",
            "owner",
            "status",
            "starts_on",
            "ends_on",
            "target_rule",
            "greeting",
            "closing",
            "published_at",
            "targets",
            "returned",
            "created_at",
        ]
        read_only_fields = ["status", "target_rule", "published_at", "created_at"]

    def validate(self, attrs):
        start = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        end = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"ends_on": SurveyCampaign._meta.constraints[0].violation_error_message}
            )
        if self.instance is not None and "template" in attrs and attrs["template"] != self.instance.template:
            raise serializers.ValidationError(
                {"template": _("The template of a campaign cannot be changed.")}
            )
        return attrs


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class TargetSerializer(serializers.Serializer):
    """Add recipients: explicit customer ids, or a target rule (all filters optional, combined with AND)."""

    customers = FlatListField(child=IdField(), required=False, max_length=10000)
    customer_type = serializers.ChoiceField(choices=CustomerType.choices, required=False)
    tier = IdField(required=False)
    city = serializers.CharField(max_length=30, required=False)
    district = serializers.CharField(max_length=30, required=False)
    address = serializers.CharField(max_length=60, required=False)


class AddedSerializer(serializers.Serializer):
    added = serializers.IntegerField()


class DistributeSerializer(serializers.Serializer):
    recipients = FlatListField(child=IdField(), max_length=10000, allow_empty=False)
    channel = serializers.ChoiceField(
        choices=[(Channel.PAPER, Channel.PAPER.label), (Channel.LINK, Channel.LINK.label)]
    )


class CountSerializer(serializers.Serializer):
    count = serializers.IntegerField()


class RecipientSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    returned = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Recipient
        fields = ["id", "customer", "customer_name", "channel", "distributed_at", "returned", "response"]

    def get_returned(self, obj) -> bool:
        return hasattr(obj, "response")

    def get_response(self, obj) -> int | None:
        return obj.response.pk if hasattr(obj, "response") else None


class RateSerializer(serializers.Serializer):
    satisfied = serializers.IntegerField()
    answered = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    percent = serializers.IntegerField(allow_null=True)


class ItemRateSerializer(RateSerializer):
    code = serializers.CharField()
    label = serializers.CharField()


class StatisticsSerializer(serializers.Serializer):
    targets = serializers.IntegerField()
    distributed = serializers.IntegerField()
    returned = serializers.IntegerField()
    distribution_rate = serializers.FloatField(allow_null=True)
    return_rate = serializers.FloatField(allow_null=True)
    overall = RateSerializer()
    items = ItemRateSerializer(many=True)
    definitions = serializers.ListField(child=serializers.CharField())


class SurveyResponseSerializer(serializers.ModelSerializer):
    answers = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "template",
            "campaign",
            "recipient",
            "customer",
            "touch",
            "source",
            "entered_by",
            "answered_on",
            "respondent",
            "opinion",
            "opinion_group",
            "answers",
        ]

    def get_answers(self, obj) -> dict[str, str]:
        return {answer.item.code: answer.value for answer in obj.answers.all()}


class ResponseCreateSerializer(serializers.Serializer):
    """Staff enter a returned questionnaire (``recipient``), or a check after a visit, repair or complaint
    (``customer`` + ``template``, R-SURV-4). ``answers``: ``{item_code: answer}``; a blank is left out."""

    recipient = IdField(required=False)
    customer = IdField(required=False)
    template = IdField(required=False)
    touch = IdField(required=False)
    answers = FlatDictField(
        child=serializers.CharField(max_length=20, allow_blank=True, allow_null=True),
    )
    opinion = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    respondent = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    source = serializers.ChoiceField(choices=STAFF_SOURCES)
    answered_on = BoundedDateField(required=False)

    def validate(self, attrs):
        if "recipient" in attrs:
            return attrs
        if "customer" not in attrs or "template" not in attrs:
            raise serializers.ValidationError(
                {
                    "recipient": serializers.ErrorDetail(
                        "Give a recipient, or a customer and a template.", code="required"
                    )
                }
            )
        return attrs
