from rest_framework import serializers

from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate, OptOut
from baifang.core.api.fields import BoundedDateField, FlatListField, IdField


class CareTaskSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    contact_name = serializers.CharField(source="contact.name", read_only=True)
    contact_title = serializers.CharField(source="contact.title", read_only=True)
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = CareTask
        fields = [
            "id",
            "rule",
            "rule_name",
            "customer",
            "customer_name",
            "contact",
            "contact_name",
            "contact_title",
            "assignee",
            "action",
            "occasion",
            "occasion_key",
            "occasion_label",
            "occasion_date",
            "remind_on",
            "status",
            "note",
        ]
        read_only_fields = fields


class TaskChangeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class GiftSerializer(serializers.ModelSerializer):
    given_on = BoundedDateField(required=False)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = Gift
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "task",
            "item",
            "quantity",
            "cost",
            "given_on",
            "occasion_label",
            "given_by",
            "notes",
        ]
        read_only_fields = ["given_by"]


class MessageTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MessageTemplate
        fields = ["id", "name", "channel", "subject", "body", "is_active"]


class MessageSerializer(serializers.ModelSerializer):
    contact_name = serializers.CharField(source="contact.name", read_only=True)

    class Meta:
        model = Message
        fields = [
            "id",
            "batch",
            "customer",
            "contact",
            "contact_name",
            "occasion_key",
            "channel",
            "address",
            "body",
            "delivery",
            "attempts",
            "last_error",
            "sent_at",
            "token",
        ]
        read_only_fields = fields


class DeliveryCountsSerializer(serializers.Serializer):
    pending = serializers.IntegerField()
    sending = serializers.IntegerField()
    sent = serializers.IntegerField()
    failed = serializers.IntegerField()
    opted_out = serializers.IntegerField()
    no_address = serializers.IntegerField()


class MessageBatchSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()

    class Meta:
        model = MessageBatch
        fields = [
            "id",
            "name",
            "template",
            "rule",
            "occasion_key",
            "occasion_label",
            "created_by",
            "created_at",
            "counts",
        ]
        read_only_fields = fields

    def get_counts(self, obj) -> DeliveryCountsSerializer:
        counts = self.context.get("counts", {}).get(obj.pk)
        return counts or dict.fromkeys(DeliveryCountsSerializer().fields, 0)


class BatchCreateSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=MessageTemplate.objects.filter(is_active=True))
    festival = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    occasion = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    customers = FlatListField(child=IdField(), required=False, max_length=5000)
    audience_classes = FlatListField(
        child=serializers.ChoiceField(choices=["I", "II", "III"]), required=False
    )

    def validate(self, attrs):
        if not attrs.get("festival") and not attrs.get("occasion", "").strip():
            raise serializers.ValidationError("请选择节日或填写场合。", code="required")
        return attrs


class OptOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = OptOut
        fields = ["id", "contact", "reason", "recorded_by", "recorded_at"]
        read_only_fields = ["recorded_by", "recorded_at"]


class FeedbackFormSerializer(serializers.ModelSerializer):
    filed_on = BoundedDateField(required=False)
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = FeedbackForm
        fields = [
            "id",
            "customer",
            "customer_name",
            "department",
            "filed_by",
            "filed_on",
            "grade",
            "market",
            "competitors",
            "needs",
            "credit",
            "other",
            "source",
            "source_detail",
            "read_by",
            "read_at",
        ]
        read_only_fields = ["department", "filed_by", "grade", "read_by", "read_at"]

    def validate(self, attrs):
        return attrs  # the model's own rules run in the service (full_clean)


class GradeProgressSerializer(serializers.Serializer):
    grade = serializers.CharField()
    filed = serializers.IntegerField()
    minimum = serializers.IntegerField()
    missing = serializers.IntegerField()


class QuotaProgressSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    month = serializers.DateField()
    days_left = serializers.IntegerField()
    filed = serializers.IntegerField(source="progress.filed")
    total = serializers.IntegerField(source="progress.total")
    still_needed = serializers.IntegerField(source="progress.still_needed")
    met = serializers.BooleanField(source="progress.met")
    grades = GradeProgressSerializer(source="progress.grades", many=True)


class QuotaQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(r"^(19|20)\d\d-(0[1-9]|1[0-2])$", required=False)
