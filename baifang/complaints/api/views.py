"""Complaints API (R-COMP-1..4): the register, intake, each step of the flow, hand-on, the valid
counts per unit and person. Every queryset starts at ``Complaint.objects.visible_to(user)``."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.complaints import services
from baifang.complaints.api import serializers as s
from baifang.complaints.filtersets import ComplaintFilterSet
from baifang.complaints.models import Complaint, ComplaintCategory
from baifang.core.api.viewsets import ScopedViewSetMixin


class ComplaintCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Complaint categories and the department each routes to (R-COMP-4); edited in the admin."""

    queryset = ComplaintCategory.objects.order_by("sort_order", "code")
    serializer_class = s.ComplaintCategorySerializer


def _step_action(step: str):
    body = s.STEP_SERIALIZERS[step]

    @extend_schema(request=body, responses=s.ComplaintSerializer, operation_id=f"complaints_{step}")
    def view(self, request, pk=None):
        complaint = self.get_object()
        data = body(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.advance(complaint, step, by=request.user, **data.validated_data)
        return Response(s.ComplaintSerializer(self._fresh(updated.pk), context={"request": request}).data)

    view.__name__ = step
    view.__doc__ = (
        f"Step {step!r} of the complaint's flow (R-COMP-2); only its owner, only from the right state."
    )
    return action(detail=True, methods=["post"], url_path=step.replace("_", "-"))(view)


class ComplaintViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The complaint register: customers the caller sees, all for customer service (R-COMP-1).

    POST registers a complaint (the caller is its first receiver and owner, R-COMP-1; the customer's
    owner owes a special visit, R-OBL-3); each step of the flow is its own POST (R-COMP-2).
    """

    queryset = Complaint.objects.all()
    filterset_class = ComplaintFilterSet

    def scope(self, queryset):
        queryset = queryset.for_list().order_by("-received_at", "-id")
        if self.action != "list":
            queryset = queryset.prefetch_related("status_changes", "hand_ons")
        return queryset

    def paginate_queryset(self, queryset):
        """Page the ids, then join the page's rows only (as the page does: docs/complaints.md, "Search")."""
        ids = super().paginate_queryset(queryset.values_list("pk", flat=True))
        if ids is None:
            return None
        return list(self.scope(Complaint.objects.all()).filter(pk__in=ids))  # the ids are visible ones

    def _fresh(self, pk):
        return self.get_queryset().get(pk=pk)

    def get_serializer_class(self):
        if self.action == "list":
            return s.ComplaintListSerializer
        if self.action == "create":
            return s.IntakeSerializer
        if self.action in s.STEP_SERIALIZERS:  # the schema's error codes come from the step's body
            return s.STEP_SERIALIZERS[self.action]
        return s.ComplaintSerializer

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if self.action == "create":
            serializer.fields["customer"].queryset = services.intake_customers(self.request.user)
        return serializer

    @extend_schema(request=s.IntakeSerializer, responses={201: s.ComplaintSerializer})
    def create(self, request, *args, **kwargs):
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        touch = None
        if data.get("touch"):
            from baifang.visits.models import Touch

            touch = get_object_or_404(Touch, pk=data["touch"], user=request.user)
        intake = services.Intake(
            customer=data["customer"],
            channel=data["channel"],
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            complainant=data["complainant"],
            complainant_phone=data["complainant_phone"],
            received_at=data.get("received_at"),
            touch=touch,
        )
        complaint = services.receive(intake, by=request.user, key=data["intake_key"])
        return Response(
            s.ComplaintSerializer(self._fresh(complaint.pk), context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    investigate = _step_action("investigate")
    find_valid = _step_action("find_valid")
    find_not_valid = _step_action("find_not_valid")
    rectify = _step_action("rectify")
    recheck = _step_action("recheck")
    ask_satisfaction = _step_action("ask_satisfaction")
    close = _step_action("close")

    @extend_schema(request=s.HandOnRequestSerializer, responses=s.ComplaintSerializer)
    @action(detail=True, methods=["post"], url_path="hand-on")
    def hand_on(self, request, pk=None):
        """Hand the complaint on (首问负责制, R-COMP-1): the owner only; the receiver must see the customer."""
        complaint = self.get_object()
        body = s.HandOnRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        services.hand_on(complaint, by=request.user, to=data["to_user"], note=data["note"])
        return Response(
            s.ComplaintSerializer(self._fresh_or_none(complaint.pk), context={"request": request}).data
        )

    def _fresh_or_none(self, pk):
        # After a hand-on the caller may no longer see it (the owner clause): show what they handed on.
        return self.get_queryset().filter(pk=pk).first() or Complaint.objects.for_list().get(pk=pk)


class ValidCountView(APIView):
    """R-COMP-3: valid complaints per responsible unit and person in a year (3 or more: flagged)."""

    @extend_schema(parameters=[s.ValidCountQuerySerializer], responses=s.ValidCountSerializer(many=True))
    def get(self, request):
        query = s.ValidCountQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        year = query.validated_data.get("year") or timezone.localdate().year
        rows = services.valid_counts(request.user, year, flagged_only=query.validated_data["flagged_only"])
        return Response(s.ValidCountSerializer(rows, many=True).data)
