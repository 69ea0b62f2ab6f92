"""Obligations API: due list, obligations, compliance, rules, special visits (R-OBL-1..3)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from baifang.customers.models import Customer
from baifang.customers.predicates import is_archive_admin
from baifang.org.models import OrgUnit
from baifang.rules import compliance, services
from baifang.rules.api.serializers import (
    ComplianceCellSerializer,
    ObligationQuerySerializer,
    ObligationSerializer,
    ReturnVisitRuleSerializer,
    RuleRevisionSerializer,
    SpecialCellSerializer,
    SpecialVisitSerializer,
    VisitRuleSerializer,
)
from baifang.rules.filtersets import ReturnVisitRuleFilterSet, SpecialVisitFilterSet, VisitRuleFilterSet
from baifang.rules.models import ReturnVisitRule, SpecialVisit, VisitRule

QUERY_PARAMS = [
    OpenApiParameter("date", str, description="YYYY-MM-DD; the periods containing it (default today)"),
    OpenApiParameter("unit", int, description="limit to this unit's subtree"),
]


def _query(request) -> dict:
    query = ObligationQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = dict(query.validated_data)
    data["date"] = data.get("date") or timezone.localdate()
    return data


def _scope(request, data) -> compliance.Scope:
    unit = get_object_or_404(OrgUnit, pk=data["unit"]) if data.get("unit") else None
    customer_id = None
    if data.get("customer"):
        customer_id = get_object_or_404(Customer.objects.visible_to(request.user), pk=data["customer"]).pk
    return compliance.Scope(user=request.user, unit_path=unit.path if unit else None, customer_id=customer_id)


class DueListView(APIView):
    """The caller's due list: customers owed a touch in the current periods, soonest due first."""

    @extend_schema(parameters=QUERY_PARAMS[:1], responses=ObligationSerializer(many=True))
    def get(self, request):
        data = _query(request)
        return Response(
            ObligationSerializer(
                services.due_list(request.user, data["date"], limit=data["limit"]), many=True
            ).data
        )


class ObligationListView(APIView):
    """Obligations within the caller's scope (R-OBL-1)."""

    @extend_schema(
        parameters=[
            *QUERY_PARAMS,
            OpenApiParameter("customer", int),
            OpenApiParameter("only_unmet", bool),
            OpenApiParameter("limit", int),
        ],
        responses=ObligationSerializer(many=True),
    )
    def get(self, request):
        data = _query(request)
        rows = compliance.obligations(
            data["date"], scope=_scope(request, data), only_unmet=data["only_unmet"], limit=data["limit"]
        )
        return Response(ObligationSerializer(rows, many=True).data)


class ComplianceView(APIView):
    """Due / met / unmet / overdue per rule, grouped by rule, owner, unit or responsible person (R-OBL-2)."""

    @extend_schema(
        parameters=[
            *QUERY_PARAMS,
            OpenApiParameter("group_by", str, enum=["rule", "owner", "unit", "responsible"]),
        ],
        responses=ComplianceCellSerializer(many=True),
    )
    def get(self, request):
        data = _query(request)
        cells = compliance.compliance(data["date"], scope=_scope(request, data), group_by=data["group_by"])
        return Response(ComplianceCellSerializer(cells, many=True).data)


class SpecialComplianceView(APIView):
    """Special and return visits due in the month of ``date``, per responsible person and kind (R-FREQ-9)."""

    @extend_schema(parameters=QUERY_PARAMS, responses=SpecialCellSerializer(many=True))
    def get(self, request):
        data = _query(request)
        unit = get_object_or_404(OrgUnit, pk=data["unit"]) if data.get("unit") else None
        cells = services.special_compliance(
            data["date"], user=request.user, unit_path=unit.path if unit else None
        )
        return Response(SpecialCellSerializer(cells, many=True).data)


class VisitRuleViewSet(ScopedReadOnlyViewSet):
    """Visit rules as data (R-FREQ-1); every version, with valid_from / valid_to."""

    queryset = VisitRule.objects.all()
    serializer_class = VisitRuleSerializer
    filterset_class = VisitRuleFilterSet

    def scope(self, queryset):
        return queryset.select_related("scheme", "tier").order_by("code", "valid_from")

    @extend_schema(request=RuleRevisionSerializer, responses=VisitRuleSerializer)
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        """Change the rule from ``effective`` (default today) on; earlier periods keep the old version."""
        rule = self.get_object()
        if not is_archive_admin(request.user):
            raise PermissionDenied
        body = RuleRevisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changes = dict(body.validated_data)
        effective = changes.pop("effective", None)
        new = services.revise_rule(rule, changes, by=request.user, effective=effective)
        return Response(VisitRuleSerializer(new).data)


class SpecialVisitViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Special visits owed now (R-OBL-3); POST with a ``reference`` is idempotent."""

    queryset = SpecialVisit.objects.all()
    serializer_class = SpecialVisitSerializer
    filterset_class = SpecialVisitFilterSet

    def scope(self, queryset):
        return queryset.select_related("customer").order_by("due_on", "id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "customer" in getattr(serializer, "fields", {}):
            serializer.fields["customer"].queryset = Customer.objects.editable_by(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = services.raise_special_visit(
            data["customer"],
            trigger=data["trigger"],
            by=request.user,
            note=data.get("note", ""),
            responsible=data.get("responsible"),
            workdays=data.get("workdays", 2),
            reference=data.get("dedup_key", ""),
        )
        return Response(SpecialVisitSerializer(visit).data, status=status.HTTP_201_CREATED)


class IsArchiveAdminOrReadOnly(BasePermission):
    """Everyone signed in reads rules; the market department and administrators change them."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or is_archive_admin(request.user)


class ReturnVisitRuleViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Event-driven return-visit rules (R-FREQ-9): when event E happens, N touches of channel C are owed."""

    queryset = ReturnVisitRule.objects.all()
    serializer_class = ReturnVisitRuleSerializer
    filterset_class = ReturnVisitRuleFilterSet
    permission_classes = [IsArchiveAdminOrReadOnly]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope(self, queryset):
        return queryset.order_by("event", "code")
