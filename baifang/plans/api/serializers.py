"""Plan API serializers: they validate shape; the plan services do the work (R-PLAN-1..4)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from rest_framework import serializers

from baifang.core.api.fields import BoundedDateField, BoundedDateTimeField
from baifang.customers.models import Customer
from baifang.plans import services
from baifang.plans.choices import CannotFitReason, ItemChannel, ItemSource, PlanKind, PlanStatus
from baifang.plans.models import (
    Plan,
    PlanItem,
    PlanPurpose,
    PlanStatusChange,
    UnplannedNeed,
)


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum component (``enum_name``).

    Plan statuses, kinds, sources and channels share field names ("status", "kind", ...) with other
    apps' choices; left to drf-spectacular's enum post-processing they would collide (a warning).
    """

    enum_name = ""
    enum_choices: list = []

    def __init__(self, **kwargs):
        super().__init__(choices=self.enum_choices, **kwargs)


def named_choice_field(name: str, choices) -> type[NamedChoiceField]:
    pairs = [(value, label) for value, label in getattr(choices, "choices", choices)]
    return type(f"{name}Field", (NamedChoiceField,), {"enum_name": f"{name}Enum", "enum_choices": pairs})


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.target.enum_name,
            schema=build_choice_field(self.target),
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


PlanStatusField = named_choice_field("PlanStatus", PlanStatus)
PlanKindField = named_choice_field("PlanKind", PlanKind)
ItemSourceField = named_choice_field("PlanItemSource", ItemSource)
ItemChannelField = named_choice_field("PlanItemChannel", ItemChannel)
CannotFitReasonField = named_choice_field("CannotFitReason", CannotFitReason)
RefineKindField = named_choice_field(
    "RefineKind", [(PlanKind.WEEK, PlanKind.WEEK.label), (PlanKind.DAY, PlanKind.DAY.label)]
)

LOCK_HELP = "The plan's lock_version as last read; a stale value is refused with 409 Conflict."
VERSION_HELP = "The submitted version being decided; a stale value is refused with 409 Conflict."


class PlanPurposeSerializer(serializers.ModelSerializer):
    label = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = PlanPurpose
        fields = ["id", "code", "name", "name_en", "label", "order"]
        read_only_fields = fields


class PlanItemSerializer(serializers.ModelSerializer):
    """One planned touch with the fields of R-PLAN-1."""

    customer_name = serializers.CharField(source="customer.name", read_only=True)
    purpose_code = serializers.CharField(source="purpose.code", read_only=True, allow_null=True)
    channel = ItemChannelField(read_only=True)
    source = ItemSourceField(read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "customer",
            "customer_name",
            "day",
            "start_time",
            "end_time",
            "sequence",
            "channel",
            "purpose",
            "purpose_code",
            "place",
            "expected_minutes",
            "expected_outcome",
            "participants",
            "agenda",
            "materials",
            "source",
            "reason",
            "appointment_by",
            "missed_deadline",
            "travel_minutes",
            "distance_m",
            "earliest",
            "latest",
        ]
        read_only_fields = fields


class PlanItemWriteSerializer(serializers.ModelSerializer):
    """Create (``plan``, ``customer``, ``day`` required) or change (any subset) an item."""

    plan = serializers.IntegerField(help_text="The plan to add the item to (create only).")
    lock_version = serializers.IntegerField(min_value=0, help_text=LOCK_HELP)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.none())
    channel = ItemChannelField(required=False)
    purpose = serializers.PrimaryKeyRelatedField(
        queryset=PlanPurpose.objects.filter(is_active=True), allow_null=True, required=False
    )

    class Meta:
        model = PlanItem
        fields = ["plan", "lock_version", *services.ITEM_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A customer outside the caller's scope is "does not exist", like one that does not.
            self.fields["customer"].queryset = Customer.objects.visible_to(request.user)
        if self.partial:
            self.fields.pop("plan")

    def values(self) -> dict:
        """The item fields for the service (without plan and lock_version)."""
        return {k: v for k, v in self.validated_data.items() if k in services.ITEM_FIELDS}


class LockSerializer(serializers.Serializer):
    lock_version = serializers.IntegerField(min_value=0, help_text=LOCK_HELP)


class GenerateSerializer(LockSerializer):
    today = BoundedDateField(
        required=False, help_text="Plan from this day on (default today); days before it are left alone."
    )


class SubmitSerializer(LockSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenSerializer(LockSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApproveSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text=VERSION_HELP)
    reason = serializers.CharField(help_text="What the rep should change (required).")


class PlanCreateSerializer(serializers.Serializer):
    kind = PlanKindField()
    date = BoundedDateField(required=False, help_text="Any day of the period (default today).")

    def validate(self, attrs):
        if "date" not in attrs and "date" in getattr(self, "initial_data", {}):
            # An empty date is a mistake, not "today": only a missing field means today.
            raise serializers.ValidationError(
                {"date": _("Enter a date (YYYY-MM-DD), or leave the field out for today.")}
            )
        attrs.setdefault("date", timezone.localdate())
        return attrs


class RefineSerializer(serializers.Serializer):
    kind = RefineKindField()
    date = BoundedDateField(help_text="Any day of the week (or the day) to plan.")


class UnplannedNeedSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    reason = CannotFitReasonField(read_only=True)

    class Meta:
        model = UnplannedNeed
        fields = ["id", "customer", "customer_name", "need_key", "reason", "missing", "label"]
        read_only_fields = fields


class PlanStatusChangeSerializer(serializers.ModelSerializer):
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)
    old_status = PlanStatusField(read_only=True)
    new_status = PlanStatusField(read_only=True)

    class Meta:
        model = PlanStatusChange
        fields = [
            "old_status",
            "new_status",
            "version",
            "changed_by",
            "changed_by_name",
            "comment",
            "changed_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer):
    """A plan in a list: status, versions, deadline and lateness (R-PLAN-2, R-PLAN-3)."""

    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    kind = PlanKindField(read_only=True)
    status = PlanStatusField(read_only=True)
    owner_unit = serializers.CharField(source="owner.unit.name", read_only=True, allow_null=True)
    period_label = serializers.CharField(read_only=True)
    approved_by_name = serializers.SerializerMethodField()
    item_count = serializers.IntegerField(read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True,
        help_text="Late: submitted after the deadline, or still not submitted once it has passed (R-PLAN-3).",
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "owner",
            "owner_name",
            "owner_unit",
            "kind",
            "period_start",
            "period_end",
            "period_label",
            "parent",
            "status",
            "version",
            "lock_version",
            "deadline",
            "submitted_at",
            "is_late",
            "is_overdue",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "approved_version",
            "generated_at",
            "comment",
            "item_count",
        ]
        read_only_fields = fields

    def get_approved_by_name(self, plan) -> str | None:
        return str(plan.approved_by) if plan.approved_by_id else None


class PlanDetailSerializer(PlanSerializer):
    """A plan with its items, what could not be planned, and its approval history."""

    items = PlanItemSerializer(many=True, read_only=True)
    unplanned = UnplannedNeedSerializer(many=True, read_only=True)
    status_changes = PlanStatusChangeSerializer(many=True, read_only=True)
    can_edit = serializers.SerializerMethodField()
    can_approve = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "can_edit",
            "can_approve",
            "items",
            "unplanned",
            "status_changes",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return request.user if request is not None else None

    def get_can_edit(self, plan) -> bool:
        user = self._user()
        return bool(user and plan.can_edit(user))

    def get_can_approve(self, plan) -> bool:
        user = self._user()
        return bool(user and plan.can_approve(user))


class DiffItemSerializer(serializers.Serializer):
    """An item as a version keeps it (``PlanItem.snapshot``)."""

    id = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text="The item's identity across versions (absent in old versions).",
    )
    customer = serializers.IntegerField()
    customer_name = serializers.CharField()
    day = BoundedDateField()
    start = serializers.CharField(help_text="HH:MM or empty")
    channel = serializers.CharField()
    purpose = serializers.IntegerField(allow_null=True)
    minutes = serializers.IntegerField()
    outcome = serializers.CharField()
    agenda = serializers.CharField()


class MovedItemSerializer(DiffItemSerializer):
    from_day = BoundedDateField()


class ChangedItemSerializer(DiffItemSerializer):
    before = DiffItemSerializer()


class PlanDiffSerializer(serializers.Serializer):
    """What changed in the latest submitted version against the one before (R-PLAN-2)."""

    base = serializers.IntegerField(allow_null=True, help_text="The version compared against.")
    added = DiffItemSerializer(many=True)
    removed = DiffItemSerializer(many=True)
    moved = MovedItemSerializer(many=True)
    changed = ChangedItemSerializer(many=True)


class ItemOutcomeSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    customer = serializers.IntegerField(source="item.customer_id")
    customer_name = serializers.CharField(source="item.customer.name")
    day = serializers.DateField(source="item.day")
    channel = serializers.CharField(source="item.channel")
    status = serializers.ChoiceField(choices=["done", "elsewhere", "missed", "open"])
    touch = serializers.IntegerField(source="touch_id", allow_null=True)
    before_approval = serializers.BooleanField()


class UnplannedTouchSerializer(serializers.Serializer):
    touch = serializers.IntegerField(source="pk")
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer.name")
    channel = serializers.CharField()
    started_at = BoundedDateTimeField()


class PlanActualsSerializer(serializers.Serializer):
    """Plan vs. actual (R-PLAN-3): each item done / elsewhere / missed / open, and unplanned touches."""

    plan = serializers.IntegerField(source="plan.pk")
    planned = serializers.IntegerField()
    done = serializers.IntegerField()
    completion = serializers.FloatField(allow_null=True)
    before_approval = serializers.IntegerField()
    items = ItemOutcomeSerializer(source="outcomes", many=True)
    unplanned = UnplannedTouchSerializer(many=True)


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ConflictResponseSerializer(serializers.Serializer):
    """409: someone else changed the plan (or decided on that version) since the caller read it."""

    type = serializers.ChoiceField(choices=ClientErrorEnum.choices)
    errors = ConflictErrorSerializer(many=True)


class AreaLoadSerializer(serializers.Serializer):
    """One area of the rep's territory in a typical week (R-ROUTE-3)."""

    number = serializers.IntegerField()
    customers = serializers.IntegerField()
    calls_per_week = serializers.FloatField()
    call_minutes_per_week = serializers.FloatField()
    visits_needed_per_week = serializers.FloatField()
    visits_planned_per_week = serializers.FloatField()


class ChannelWidthSerializer(serializers.Serializer):
    """The cap on the rep's customer count at their tier mix, and whether it is exceeded (R-ROUTE-4)."""

    cap = serializers.IntegerField()
    actual = serializers.IntegerField()
    exceeded = serializers.BooleanField()
    binding = serializers.CharField()
    explanation = serializers.CharField()


class WorkloadSerializer(serializers.Serializer):
    """The rep's weekly call load by area and channel width for the plan's period (R-ROUTE-3, R-ROUTE-4)."""

    calls_per_week = serializers.FloatField(source="load.calls_per_week")
    calls_per_day = serializers.FloatField(source="load.calls_per_day")
    call_minutes_per_week = serializers.FloatField()
    visits_needed_per_week = serializers.FloatField(source="load.visits_per_week")
    visits_planned_per_week = serializers.FloatField()
    calls_planned_per_week = serializers.FloatField()
    visits_per_week_capacity = serializers.FloatField()
    calls_per_week_capacity = serializers.FloatField()
    unlocated = serializers.IntegerField()
    areas = AreaLoadSerializer(many=True)
    channel_width = ChannelWidthSerializer(source="width")
