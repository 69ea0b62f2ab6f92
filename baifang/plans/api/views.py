"""Plan API: plans and their approval (R-PLAN-2, R-PLAN-3), items (R-PLAN-1), generation (R-PLAN-4).

Every queryset starts at ``visible_to(user)`` (R-SEC-1): a plan or item outside the caller's scope
is 404. Writes go through ``baifang.plans.services``; the caller sends the plan's ``lock_version``
(or, to approve or return, the submitted ``version``) it last read, and a stale one is answered
409 Conflict with nothing changed.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from baifang.core.api.viewsets import ScopedViewSetMixin
from baifang.plans import actuals, periods, services, workload
from baifang.plans.api.serializers import (
    ApproveSerializer,
    ConflictResponseSerializer,
    GenerateSerializer,
    LockSerializer,
    PlanActualsSerializer,
    PlanCreateSerializer,
    PlanDetailSerializer,
    PlanDiffSerializer,
    PlanItemSerializer,
    PlanItemWriteSerializer,
    PlanPurposeSerializer,
    PlanSerializer,
    RefineSerializer,
    ReopenSerializer,
    ReturnSerializer,
    SubmitSerializer,
    WorkloadSerializer,
)
from baifang.plans.filtersets import PlanFilterSet, PlanItemFilterSet
from baifang.plans.models import Plan, PlanItem, PlanPurpose, PlanStatusChange, UnplannedNeed

CONFLICT = {409: OpenApiResponse(ConflictResponseSerializer, description="Changed by someone else; reload.")}


def _params(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


@extend_schema_view(
    list=extend_schema(summary="Plans the caller may see (R-ORG-4)"),
    retrieve=extend_schema(summary="A plan with its items, unplanned needs and approval history"),
)
class PlanViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Month, week and day plans (R-PLAN-3) and their approval by the supervisor (R-PLAN-2)."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    ordering_fields = ["period_start", "deadline", "submitted_at", "id"]

    def scope(self, queryset):
        queryset = queryset.for_lists()
        if self.action == "list":
            return queryset.order_by("-period_start", "kind", "owner__username", "pk")
        return queryset.prefetch_related(
            Prefetch("items", queryset=PlanItem.objects.for_lists()),
            Prefetch("unplanned", queryset=UnplannedNeed.objects.select_related("customer")),
            Prefetch("status_changes", queryset=PlanStatusChange.objects.select_related("changed_by")),
        )

    def get_serializer_class(self):
        return PlanSerializer if self.action in ("list", "approvals") else PlanDetailSerializer

    def _detail(self, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.scope(Plan.objects.visible_to(self.request.user)).get(pk=plan.pk)
        return Response(PlanDetailSerializer(fresh, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="The caller's plan for the period containing a date (created as a draft if missing)",
        request=PlanCreateSerializer,
        responses={200: PlanDetailSerializer, 201: PlanDetailSerializer},
    )
    def create(self, request):
        data = _params(PlanCreateSerializer, request)
        start, _end = periods.bounds(data["kind"], data["date"])
        existed = Plan.objects.filter(owner=request.user, kind=data["kind"], period_start=start).exists()
        plan = services.open_own_plan(request.user, data["kind"], data["date"], refine_above=False)
        return self._detail(plan, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary="Draft (or redraft) a monthly plan from the rep's obligations (R-PLAN-4)",
        request=GenerateSerializer,
        responses={200: PlanDetailSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def generate(self, request, pk=None):
        plan = self.get_object()
        data = _params(GenerateSerializer, request)
        services.generate_month(
            plan,
            by=request.user,
            lock_version=data["lock_version"],
            today=data.get("today"),
        )
        return self._detail(plan)

    @extend_schema(
        summary="Submit the plan to the supervisor (R-PLAN-2, R-PLAN-3)",
        request=SubmitSerializer,
        responses={200: PlanDetailSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        plan = self.get_object()
        data = _params(SubmitSerializer, request)
        services.submit(plan, by=request.user, lock_version=data["lock_version"], comment=data["comment"])
        return self._detail(plan)

    @extend_schema(
        summary="Approve the submitted version; approving it again changes nothing (R-PLAN-2)",
        request=ApproveSerializer,
        responses={200: PlanDetailSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        plan = self.get_object()
        data = _params(ApproveSerializer, request)
        services.approve(plan, by=request.user, version=data["version"], comment=data["comment"])
        return self._detail(plan)

    @extend_schema(
        summary="Return the submitted version to the rep with comments (R-PLAN-2)",
        request=ReturnSerializer,
        responses={200: PlanDetailSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_plan(self, request, pk=None):
        plan = self.get_object()
        data = _params(ReturnSerializer, request)
        services.return_plan(plan, by=request.user, version=data["version"], reason=data["reason"])
        return self._detail(plan)

    @extend_schema(
        summary="Reopen an approved plan to change it; it must be approved again",
        request=ReopenSerializer,
        responses={200: PlanDetailSerializer, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        plan = self.get_object()
        data = _params(ReopenSerializer, request)
        services.reopen(plan, by=request.user, lock_version=data["lock_version"], reason=data["reason"])
        return self._detail(plan)

    @extend_schema(
        summary="What changed in the latest version against the one before", responses=PlanDiffSerializer
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        return Response(PlanDiffSerializer(services.diff(self.get_object())).data)

    @extend_schema(summary="Plan vs. actual (R-PLAN-3)", responses=PlanActualsSerializer)
    @action(detail=True, methods=["get"])
    def actuals(self, request, pk=None):
        return Response(PlanActualsSerializer(actuals.plan_actuals(self.get_object())).data)

    @extend_schema(
        summary="The rep's weekly call load by area and channel width (R-ROUTE-3, R-ROUTE-4)",
        responses=WorkloadSerializer,
    )
    @action(detail=True, methods=["get"], url_path="call-load")
    def call_load(self, request, pk=None):
        return Response(WorkloadSerializer(workload.workload(self.get_object())).data)

    @extend_schema(
        summary="Submitted plans waiting for the caller's approval, oldest first (R-PLAN-2)",
        responses=PlanSerializer(many=True),
    )
    @action(detail=False, methods=["get"])
    def approvals(self, request):
        queue = services.approval_queue(request.user).select_related("approved_by")
        page = self.paginate_queryset(self.filter_queryset(queue))
        return self.get_paginated_response(PlanSerializer(page, many=True).data)

    @extend_schema(
        summary="Create the week or day plan from the plan above (R-PLAN-3)",
        request=RefineSerializer,
        responses={200: PlanDetailSerializer, 201: PlanDetailSerializer},
    )
    @action(detail=False, methods=["post"])
    def refine(self, request):
        data = _params(RefineSerializer, request)
        start, _end = periods.bounds(data["kind"], data["date"])
        existed = Plan.objects.filter(owner=request.user, kind=data["kind"], period_start=start).exists()
        plan = services.refine(request.user, data["kind"], data["date"], by=request.user)
        return self._detail(plan, status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


LOCK_QUERY = OpenApiParameter(
    "lock_version", int, required=False, description="The plan's lock_version (or send it in the body)."
)


@extend_schema_view(
    list=extend_schema(summary="Plan items the caller may see"),
    create=extend_schema(
        summary="Add an item to a plan (R-PLAN-1)",
        request=PlanItemWriteSerializer,
        responses={201: PlanItemSerializer, **CONFLICT},
    ),
    partial_update=extend_schema(
        summary="Change an item (move it by changing its day)",
        request=PlanItemWriteSerializer,
        responses={200: PlanItemSerializer, **CONFLICT},
    ),
    destroy=extend_schema(
        summary="Remove an item", parameters=[LOCK_QUERY], responses={204: None, **CONFLICT}
    ),
)
@extend_validation_errors(["required"], field_name="lock_version", actions=["partial_update"])
class PlanItemViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Items of plans the caller may see (R-ORG-4); writes need the plan's ``lock_version``."""

    queryset = PlanItem.objects.all()
    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilterSet
    ordering_fields = ["day", "sequence", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope(self, queryset):
        return queryset.for_lists()

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return PlanItemWriteSerializer
        return PlanItemSerializer

    def _item(self, item: PlanItem, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(PlanItemSerializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        params = self.get_serializer(data=request.data)
        params.is_valid(raise_exception=True)
        plan = get_object_or_404(Plan.objects.visible_to(request.user), pk=params.validated_data["plan"])
        item = services.add_item(
            plan,
            by=request.user,
            lock_version=params.validated_data["lock_version"],
            **params.values(),
        )
        return self._item(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        params = self.get_serializer(item, data=request.data, partial=True)
        params.is_valid(raise_exception=True)
        if "lock_version" not in params.validated_data:
            required = params.fields["lock_version"].error_messages["required"]
            raise serializers.ValidationError({"lock_version": [ErrorDetail(required, code="required")]})
        item = services.update_item(
            item,
            by=request.user,
            lock_version=params.validated_data["lock_version"],
            **params.values(),
        )
        return self._item(item)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        value = request.data.get("lock_version") if hasattr(request.data, "get") else None
        if value is None:  # some clients cannot send a body with DELETE
            value = request.query_params.get("lock_version")
        params = LockSerializer(data={} if value is None else {"lock_version": value})
        params.is_valid(raise_exception=True)
        services.remove_item(item, by=request.user, lock_version=params.validated_data["lock_version"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanPurposeViewSet(viewsets.ReadOnlyModelViewSet):
    """The purposes a plan item may state (R-PLAN-1); the list is data."""

    queryset = PlanPurpose.objects.filter(is_active=True).order_by("order", "code")
    serializer_class = PlanPurposeSerializer
    pagination_class = None
