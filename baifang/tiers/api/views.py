"""Classification API: schemes, customer tiers, overrides, batch re-rating (R-TIER-1..3)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.customers.models import Customer
from baifang.tiers import services
from baifang.tiers.api.serializers import (
    ApplySerializer,
    CustomerTierSerializer,
    DecideSerializer,
    OverrideSerializer,
    ProposalSerializer,
    RatingBatchSerializer,
    SchemeSerializer,
    ScreeningAnswerSerializer,
    ScreeningSerializer,
    TierChangeSerializer,
)
from baifang.tiers.filtersets import (
    CustomerTierFilterSet,
    RatingBatchFilterSet,
    ScreeningFilterSet,
    TierChangeFilterSet,
)
from baifang.tiers.models import ClassificationScheme, CustomerTier, RatingBatch, Screening, TierChange


class SchemeViewSet(viewsets.ReadOnlyModelViewSet):
    """Classification schemes with their tiers and criteria."""

    queryset = ClassificationScheme.objects.prefetch_related("tiers").order_by("name")
    serializer_class = SchemeSerializer


class CustomerTierViewSet(viewsets.ReadOnlyModelViewSet):
    """Tiers of the customers the caller may see."""

    queryset = CustomerTier.objects.all()
    serializer_class = CustomerTierSerializer
    filterset_class = CustomerTierFilterSet

    def get_queryset(self):
        visible = Customer.objects.visible_to(self.request.user).values("pk")
        return CustomerTier.objects.filter(customer__in=visible).select_related("tier").order_by("id")


class TierChangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Every tier change with who, when, why, old and new (R-TIER-3)."""

    queryset = TierChange.objects.all()
    serializer_class = TierChangeSerializer
    filterset_class = TierChangeFilterSet

    def get_queryset(self):
        visible = Customer.objects.visible_to(self.request.user).values("pk")
        return TierChange.objects.filter(customer__in=visible).order_by("-changed_at", "-id")


class OverrideView(APIView):
    """Set a customer's tier by hand; a reason is required (R-TIER-3)."""

    @extend_schema(request=OverrideSerializer, responses={201: TierChangeSerializer})
    def post(self, request):
        body = OverrideSerializer(data=request.data)
        body.fields["customer"].queryset = Customer.objects.visible_to(request.user)
        body.is_valid(raise_exception=True)
        change = services.override_tier(
            body.validated_data["customer"],
            body.validated_data["tier"],
            by=request.user,
            reason=body.validated_data["reason"],
        )
        return Response(TierChangeSerializer(change).data, status=status.HTTP_201_CREATED)


class RatingBatchViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Batch re-rating: POST {scheme} proposes; /apply/ and /discard/ decide (market department)."""

    queryset = RatingBatch.objects.all()
    serializer_class = RatingBatchSerializer
    filterset_class = RatingBatchFilterSet

    def get_queryset(self):
        return RatingBatch.objects.order_by("-created_at")

    def perform_create(self, serializer):
        scheme = serializer.validated_data["scheme"]
        serializer.instance = services.propose_rerating(
            scheme,
            Customer.objects.visible_to(self.request.user),
            by=self.request.user,
        )

    @extend_schema(responses=ProposalSerializer(many=True))
    @action(detail=True)
    def proposals(self, request, pk=None):
        batch = self.get_object()
        visible = Customer.objects.visible_to(request.user).values("pk")
        page = self.paginate_queryset(batch.proposals.filter(customer__in=visible).order_by("id"))
        return self.get_paginated_response(ProposalSerializer(page, many=True).data)

    @extend_schema(request=ApplySerializer, responses=RatingBatchSerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        batch = self.get_object()
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.apply_batch(batch, by=request.user, rejected_ids=set(body.validated_data["rejected"]))
        batch.refresh_from_db()
        return Response(RatingBatchSerializer(batch).data)

    @extend_schema(request=None, responses=RatingBatchSerializer)
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        batch = self.get_object()
        services.discard_batch(batch, by=request.user)
        batch.refresh_from_db()
        return Response(RatingBatchSerializer(batch).data)


class ScreeningViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Admission screenings (R-TIER-4): POST {customer, checklist}; /submit/; /decide/ {approved, note}."""

    queryset = Screening.objects.all()
    serializer_class = ScreeningSerializer
    filterset_class = ScreeningFilterSet

    def get_queryset(self):
        from baifang.tiers.screening import visible_screenings

        return (
            visible_screenings(self.request.user)
            .prefetch_related("answers", "decisions")
            .order_by("-created_at")
        )

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "customer" in getattr(serializer, "fields", {}):
            # Starting a screening writes: read-only archive grants are not enough.
            serializer.fields["customer"].queryset = Customer.objects.editable_by(self.request.user)
        return serializer

    def perform_create(self, serializer):
        from baifang.tiers import screening

        serializer.instance = screening.start(
            serializer.validated_data["customer"],
            serializer.validated_data["checklist"],
            by=self.request.user,
        )

    @extend_schema(request=ScreeningAnswerSerializer(many=True), responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Optionally send answers [{item_code, passed, note}], then submit the draft."""
        from baifang.tiers import screening

        item = self.get_object()
        answers = {
            str(a.get("item_code", "")): {"passed": a.get("passed"), "note": a.get("note", "")}
            for a in (request.data if isinstance(request.data, list) else [])
            if isinstance(a, dict)
        }
        with transaction.atomic():
            if answers:
                screening.save_answers(item, answers, by=request.user)
            screening.submit(item, by=request.user)
        item.refresh_from_db()
        return Response(ScreeningSerializer(item).data)

    @extend_schema(request=DecideSerializer, responses=ScreeningSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        from baifang.tiers import screening

        item = self.get_object()
        body = DecideSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        screening.decide(item, by=request.user, **body.validated_data)
        item.refresh_from_db()
        return Response(ScreeningSerializer(item).data)
