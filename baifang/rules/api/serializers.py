from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField, IdField
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import ReturnVisitRule, SpecialVisit, VisitRule
from baifang.rules.services import REVISABLE_FIELDS


class VisitRuleSerializer(serializers.ModelSerializer):
    tier_code = serializers.CharField(source="tier.code", read_only=True)
    scheme_code = serializers.CharField(source="scheme.code", read_only=True)

    class Meta:
        model = VisitRule
        fields = [
            "id",
            "code",
            "name",
            "scheme",
            "scheme_code",
            "tier",
            "tier_code",
            "responsible",
            "counted_by_anyone",
            "channel",
            "period",
            "min_count",
            "min_duration_minutes",
            "appointment_lead_hours",
            "first_due_day",
            "season",
            "geography",
            "valid_from",
            "valid_to",
            "is_active",
            "source",
        ]
        read_only_fields = ["code", "scheme", "tier", "valid_from", "valid_to"]


class RuleRevisionSerializer(serializers.ModelSerializer):
    effective = BoundedDateField(required=False)

    class Meta:
        model = VisitRule
        fields = [*REVISABLE_FIELDS, "effective"]
        extra_kwargs = {name: {"required": False} for name in fields}


class ObligationSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    rule = serializers.IntegerField(source="rule.pk")
    rule_name = serializers.CharField(source="rule.name")
    responsible = serializers.IntegerField(source="responsible_id", allow_null=True)
    window_start = serializers.DateField(source="window.start")
    window_end = serializers.DateField(source="window.end")
    required = serializers.IntegerField()
    done = serializers.IntegerField(help_text="touches that count (R-VISIT-8)")
    pending = serializers.IntegerField(help_text="flagged visits waiting for the supervisor's review")
    due = BoundedDateField()
    status = serializers.ChoiceField(choices=["met", "pending_review", "open", "overdue"])


class ComplianceCellSerializer(serializers.Serializer):
    rule = serializers.IntegerField(source="rule.pk")
    rule_name = serializers.CharField(source="rule.name")
    key = serializers.IntegerField(allow_null=True, help_text="owner / unit / responsible id, per group_by")
    window_start = serializers.DateField(source="window.start")
    window_end = serializers.DateField(source="window.end")
    due = serializers.IntegerField()
    met = serializers.IntegerField()
    pending = serializers.IntegerField(help_text="met once the visits pending review are accepted")
    unmet = serializers.IntegerField(help_text="neither met nor pending review")
    overdue = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ObligationQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False)
    unit = IdField(required=False)
    customer = IdField(required=False)
    only_unmet = serializers.BooleanField(required=False, default=False)
    group_by = serializers.ChoiceField(
        choices=["rule", "owner", "unit", "responsible"], required=False, default="rule"
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=5000, default=500)


class SpecialVisitSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(
        source="dedup_key",
        required=False,
        allow_blank=True,
        max_length=80,
        help_text="Idempotency: a repeated reference returns the first special visit.",
    )
    workdays = serializers.IntegerField(write_only=True, required=False, min_value=0, max_value=30, default=2)
    trigger = serializers.ChoiceField(choices=SpecialTrigger.choices)

    class Meta:
        model = SpecialVisit
        fields = [
            "id",
            "customer",
            "trigger",
            "responsible",
            "raised_by",
            "note",
            "due_on",
            "fulfilled_at",
            "cancelled",
            "reference",
            "workdays",
            "channel",
            "required",
            "opens_at",
            "closes_at",
            "return_rule",
            "event_on",
            "occurrence",
            "created_at",
        ]
        read_only_fields = [
            "raised_by",
            "due_on",
            "fulfilled_at",
            "cancelled",
            "channel",
            "required",
            "opens_at",
            "closes_at",
            "return_rule",
            "event_on",
            "occurrence",
            "created_at",
        ]
        extra_kwargs = {"responsible": {"required": False}}
        # A repeated reference is answered by the service with the first special visit (idempotent retry).
        validators = []


RETURN_RULE_FIELDS = [
    "code",
    "name",
    "event",
    "responsible",
    "counted_by_anyone",
    "channel",
    "min_count",
    "offset",
    "offset_unit",
    "repeat_every_months",
    "repeat_until_months",
    "scheme",
    "tier",
    "is_active",
    "source",
]


class ReturnVisitRuleSerializer(serializers.ModelSerializer):
    """An event-driven return-visit rule (R-FREQ-9); an impossible schedule is refused (model clean)."""

    description = serializers.CharField(source="describe", read_only=True)

    class Meta:
        model = ReturnVisitRule
        fields = ["id", *RETURN_RULE_FIELDS, "description"]

    def validate(self, attrs):
        rule = ReturnVisitRule(**{**self._current(), **attrs})
        rule.clean()  # a Django ValidationError with its code: the one exception handler answers it
        if rule.tier_id and "scheme" not in attrs:
            attrs["scheme"] = rule.tier.scheme
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        return {name: getattr(self.instance, name) for name in RETURN_RULE_FIELDS}


class SpecialCellSerializer(serializers.Serializer):
    """Special and return visits of one kind for one person, due in the month (R-OBL-3, R-FREQ-9)."""

    responsible = serializers.IntegerField(source="responsible_id")
    return_rule = serializers.IntegerField(source="return_rule_id", allow_null=True)
    trigger = serializers.ChoiceField(choices=SpecialTrigger.choices)
    window_start = serializers.DateField(source="window.start")
    window_end = serializers.DateField(source="window.end")
    due = serializers.IntegerField()
    met = serializers.IntegerField()
    unmet = serializers.IntegerField()
    overdue = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
