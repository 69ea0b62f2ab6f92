"""Follow-up records and stage moves over the API (R-FU-2); every queryset starts at ``visible_to``.

Errors of ``POST /api/v1/follow-ups/`` and ``POST /api/v1/stage-moves/move/`` come through the
one exception handler: 400 with the field and code (``reason_required``, ``same_stage``), 403 when not the
follower or the scheme is not follower-moved (the message says which) and for read-only grants, 404 for a customer one cannot see.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.core.api.fields import BoundedDateField, IdField
from baifang.customers.access import get_workable_customer
from baifang.followups import recording
from baifang.followups.choices import FollowUpMethod
from baifang.followups.filtersets import FollowUpRecordFilterSet
from baifang.followups.models import FollowUpRecord, StageMove
from baifang.tiers.models import Tier
from baifang.visits.api.views import ReadViewSet, valid


class FollowUpRecordSerializer(serializers.ModelSerializer):
    follower_name = serializers.CharField(source="follower.__str__", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    channel = serializers.CharField(source="touch.channel", read_only=True)
    counts = serializers.CharField(source="touch.count_state", read_only=True)

    class Meta:
        model = FollowUpRecord
        fields = [
            "id",
            "customer",
            "customer_name",
            "follower",
            "follower_name",
            "followed_on",
            "method",
            "channel",
            "counts",
            "stage",
            "topic",
            "situation",
            "next_step",
            "next_on",
            "touch",
            "created_at",
        ]
        read_only_fields = fields


class RecordFollowUpSerializer(serializers.Serializer):
    customer = IdField()
    method = serializers.ChoiceField(choices=FollowUpMethod.choices)
    topic = serializers.CharField(max_length=120)
    followed_on = BoundedDateField(required=False)
    situation = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=200)
    next_on = BoundedDateField(required=False, allow_null=True)
    stage = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all(), required=False, allow_null=True)
    stage_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    client_token = serializers.CharField(required=False, allow_blank=True, max_length=40)


class StageMoveSerializer(serializers.ModelSerializer):
    moved_by_name = serializers.CharField(source="moved_by.__str__", read_only=True, default="")

    class Meta:
        model = StageMove
        fields = [
            "id",
            "customer",
            "scheme",
            "from_tier",
            "to_tier",
            "reason",
            "backwards",
            "automatic",
            "moved_by",
            "moved_by_name",
            "moved_at",
            "record",
        ]
        read_only_fields = fields


class MoveStageSerializer(serializers.Serializer):
    customer = IdField()
    tier = serializers.PrimaryKeyRelatedField(queryset=Tier.objects.all())
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class FollowUpRecordViewSet(ReadViewSet):
    """Follow-up records of customers the caller may see; record one from the phone (R-FU-2)."""

    queryset = FollowUpRecord.objects.all()
    serializer_class = FollowUpRecordSerializer
    filterset_class = FollowUpRecordFilterSet
    ordering_fields = ["followed_on", "id"]

    def scope(self, queryset):
        return queryset.for_lists().order_by("-followed_on", "-pk")

    def get_serializer_class(self):
        return RecordFollowUpSerializer if self.action == "create" else FollowUpRecordSerializer

    @extend_schema(request=RecordFollowUpSerializer, responses={201: FollowUpRecordSerializer})
    def create(self, request):
        """Record a follow-up; it stands on a touch of its method's channel and counts like one."""
        data = valid(RecordFollowUpSerializer, request)
        customer = get_workable_customer(request.user, data.pop("customer"))
        record = recording.record_follow_up(request.user, customer, **data)
        return Response(FollowUpRecordSerializer(record).data, status=201)


class StageMoveViewSet(ReadViewSet):
    """Stage history of customers the caller may see; move a stage (R-FU-2)."""

    queryset = StageMove.objects.all()
    serializer_class = StageMoveSerializer
    ordering_fields = ["moved_at", "id"]

    def scope(self, queryset):
        return queryset.select_related("from_tier", "to_tier", "moved_by").order_by("-moved_at", "-pk")

    def get_serializer_class(self):
        return MoveStageSerializer if self.action == "move" else StageMoveSerializer

    @extend_schema(request=MoveStageSerializer, responses={201: StageMoveSerializer})
    @action(detail=False, methods=["post"])
    def move(self, request):
        """Move a customer's stage: the follower (a reason when going back) or market staff (a reason)."""
        data = valid(MoveStageSerializer, request)
        customer = get_workable_customer(request.user, data["customer"])
        move = recording.move_stage(request.user, customer, data["tier"], reason=data.get("reason", ""))
        return Response(StageMoveSerializer(move).data, status=201)
