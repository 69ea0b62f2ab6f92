"""Opportunities (R-FU-6) and lost orders (R-FU-5) over the API; every queryset starts at ``visible_to``.

Errors come through the one exception handler: 400 with the field and code (``report_required`` when
``PATCH`` asks for ``lost``; ``required`` lessons; ``negative_amount``; ``date_in_future``;
``does_not_exist`` for an unknown rep, product or visit record; ``invalid_transition`` for a won or lost
opportunity), 403 for someone who may only read the customer, 404 for a customer or opportunity one
cannot see.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.commerce.models import Product
from baifang.core.api.fields import BoundedDateField, IdField
from baifang.customers.access import get_workable_customer
from baifang.followups import opportunities as svc
from baifang.followups.choices import OPEN_STAGE_CHOICES, OpportunityStage
from baifang.followups.filtersets import LostOrderFilterSet, OpportunityFilterSet
from baifang.followups.forms import MonthForm
from baifang.followups.models import LostOrder, LostReason, Opportunity, OpportunityStageChange
from baifang.org.models import OrgUnit
from baifang.visits.api.views import ReadViewSet, respond_once, valid
from baifang.visits.models import VisitRecord

MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class OpportunitySerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "customer",
            "customer_name",
            "title",
            "stage",
            "is_open",
            "expected_amount",
            "expected_close_on",
            "owner",
            "owner_name",
            "note",
            "source_record",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields


class StageChangeSerializer(serializers.ModelSerializer):
    # blank on the first row (the opportunity was created in that stage)
    old_status = serializers.ChoiceField(choices=OpportunityStage.choices, allow_blank=True, read_only=True)
    changed_by_name = serializers.CharField(source="changed_by.__str__", read_only=True)

    class Meta:
        model = OpportunityStageChange
        fields = ["old_status", "new_status", "transition", "changed_by", "changed_by_name", "comment",
                  "changed_at", "record"]  # fmt: skip
        read_only_fields = fields


class LostOrderSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    reason_name = serializers.CharField(source="reason.name", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True, default="")
    rep_name = serializers.CharField(source="rep.__str__", read_only=True)

    class Meta:
        model = LostOrder
        fields = ["id", "customer", "customer_name", "opportunity", "lost_on", "competitor", "reason",
                  "reason_name", "product", "product_name", "amount", "lessons", "rep", "rep_name",
                  "created_at"]  # fmt: skip
        read_only_fields = fields


class OpportunityDetailSerializer(OpportunitySerializer):
    history = StageChangeSerializer(source="stage_changes", many=True, read_only=True)
    lost_order = LostOrderSerializer(read_only=True, allow_null=True, default=None)

    class Meta(OpportunitySerializer.Meta):
        fields = [*OpportunitySerializer.Meta.fields, "history", "lost_order"]
        read_only_fields = fields


class CreateOpportunitySerializer(serializers.Serializer):
    customer = IdField()
    title = serializers.CharField(max_length=120)
    stage = serializers.ChoiceField(
        choices=OPEN_STAGE_CHOICES,
        required=False,
        default=OpportunityStage.CONTACT,
    )
    expected_amount = serializers.DecimalField(required=False, **MONEY)
    expected_close_on = BoundedDateField()
    owner = IdField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    record = IdField(required=False, allow_null=True)


class UpdateOpportunitySerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=OpportunityStage.choices, required=False)
    title = serializers.CharField(required=False, max_length=120)
    expected_amount = serializers.DecimalField(required=False, **MONEY)
    expected_close_on = BoundedDateField(required=False)
    owner = IdField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    record = IdField(required=False, allow_null=True)


class ReportSerializer(serializers.Serializer):
    lost_on = BoundedDateField(required=False)
    reason = serializers.PrimaryKeyRelatedField(queryset=LostReason.objects.filter(is_active=True))
    competitor = serializers.CharField(required=False, allow_blank=True, max_length=100)
    product = IdField(required=False, allow_null=True)
    amount = serializers.DecimalField(required=False, allow_null=True, **MONEY)
    lessons = serializers.CharField(max_length=4000)


class LoseSerializer(ReportSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    record = IdField(required=False, allow_null=True)


class RecordLostOrderSerializer(ReportSerializer):
    customer = IdField()


class AnalysisQuerySerializer(serializers.Serializer):
    # 1900–2099 by the pattern itself (within DATE_MIN..DATE_MAX): a year 0000 or 9999 is a 400, never a 500.
    month = serializers.RegexField(
        r"^(19|20)\d\d-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM; this month if left out"
    )
    unit = IdField(required=False)


class GroupSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class AnalysisSerializer(serializers.Serializer):
    first = serializers.DateField()
    last = serializers.DateField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    by_reason = GroupSerializer(many=True)
    by_competitor = GroupSerializer(many=True)
    by_product = GroupSerializer(many=True)
    by_rep = GroupSerializer(many=True)


class LostReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "code", "name", "sort_order"]
        read_only_fields = fields


def _record(pk, customer):
    if pk is None:
        return None
    record = VisitRecord.objects.select_related("touch").filter(pk=pk, touch__customer=customer).first()
    if record is None:
        raise ValidationError(
            {"record": ValidationError(_("No such visit record of this customer."), code="does_not_exist")}
        )
    return record


def _product(pk):
    if pk is None:
        return None
    product = Product.objects.filter(pk=pk, is_active=True).first()
    if product is None:
        raise ValidationError({"product": ValidationError(_("No such product."), code="does_not_exist")})
    return product


def _report_fields(data: dict) -> dict:
    return {
        "lost_on": data.get("lost_on") or timezone.localdate(),
        "reason": data["reason"],
        "lessons": data["lessons"],
        "competitor": data.get("competitor", ""),
        "product": _product(data.get("product")),
        "amount": data.get("amount"),
    }


class OpportunityViewSet(ReadViewSet):
    """Opportunities of the customers the caller may see, soonest expected close first (R-FU-6)."""

    queryset = Opportunity.objects.all()
    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    ordering_fields = ["expected_close_on", "expected_amount", "id"]

    def scope(self, queryset):
        queryset = queryset.for_lists().order_by("expected_close_on", "pk")
        if self.action != "list":
            queryset = queryset.select_related("lost_order__reason", "lost_order__product", "lost_order__rep")
            queryset = queryset.prefetch_related("stage_changes__changed_by")
        return queryset

    def get_serializer_class(self):
        return {
            "create": CreateOpportunitySerializer,
            "partial_update": UpdateOpportunitySerializer,
            "lose": LoseSerializer,
            "retrieve": OpportunityDetailSerializer,
        }.get(self.action, OpportunitySerializer)

    def _answer(self, opportunity):
        return OpportunityDetailSerializer(self.scope(Opportunity.objects.all()).get(pk=opportunity.pk)).data

    @extend_schema(request=CreateOpportunitySerializer, responses={201: OpportunityDetailSerializer})
    def create(self, request):
        """A new opportunity; the rep defaults to the customer's owner; ``record``: the visit record it came from."""
        data = valid(CreateOpportunitySerializer, request)
        customer = get_workable_customer(request.user, data["customer"])

        def work():
            opportunity = svc.create(
                request.user,
                customer,
                title=data["title"],
                stage=data["stage"],
                expected_amount=data.get("expected_amount"),
                expected_close_on=data["expected_close_on"],
                owner=svc.user_by_id(data.get("owner")),
                note=data.get("note", ""),
                record=_record(data.get("record"), customer),
            )
            return 201, self._answer(opportunity)

        return respond_once(request, "opportunity", data, work)

    @extend_schema(request=UpdateOpportunitySerializer, responses={200: OpportunityDetailSerializer})
    def partial_update(self, request, pk=None):
        """Change an open opportunity; a new ``stage`` is a move with its history row (``lost``: use lose)."""
        opportunity = self.get_object()
        data = valid(UpdateOpportunitySerializer, request)
        svc.update(
            request.user,
            opportunity,
            stage=data.get("stage"),
            title=data.get("title"),
            expected_amount=data.get("expected_amount"),
            expected_close_on=data.get("expected_close_on"),
            owner=svc.user_by_id(data["owner"]) if "owner" in data else None,
            note=data.get("note"),
            comment=data.get("comment", ""),
            record=_record(data.get("record"), opportunity.customer),
        )
        return Response(self._answer(opportunity))

    @extend_schema(request=LoseSerializer, responses={201: LostOrderSerializer})
    @action(detail=True, methods=["post"])
    def lose(self, request, pk=None):
        """The opportunity is lost: its stage and the lost-order report, all or nothing (R-FU-5)."""
        opportunity = self.get_object()
        data = valid(LoseSerializer, request)
        report = svc.lose(
            request.user,
            opportunity,
            comment=data.get("comment", ""),
            record=_record(data.get("record"), opportunity.customer),
            **_report_fields(data),
        )
        return Response(LostOrderSerializer(LostOrder.objects.for_lists().get(pk=report.pk)).data, status=201)


class LostOrderViewSet(ReadViewSet):
    """Lost-order reports of the customers the caller may see, newest first (R-FU-5)."""

    queryset = LostOrder.objects.all()
    serializer_class = LostOrderSerializer
    filterset_class = LostOrderFilterSet
    ordering_fields = ["lost_on", "amount", "id"]

    def scope(self, queryset):
        return queryset.for_lists().order_by("-lost_on", "-pk")

    def get_serializer_class(self):
        return RecordLostOrderSerializer if self.action == "create" else LostOrderSerializer

    @extend_schema(request=RecordLostOrderSerializer, responses={201: LostOrderSerializer})
    def create(self, request):
        """A lost-order report with no opportunity; the rep is the customer's owner."""
        data = valid(RecordLostOrderSerializer, request)
        customer = get_workable_customer(request.user, data["customer"])

        def work():
            report = svc.record_lost_order(request.user, customer, **_report_fields(data))
            return 201, LostOrderSerializer(LostOrder.objects.for_lists().get(pk=report.pk)).data

        return respond_once(request, "lost_order", data, work)

    @extend_schema(
        summary="The month's lost orders by reason, competitor, product and rep (R-FU-5)",
        parameters=[AnalysisQuerySerializer],
        responses=AnalysisSerializer,
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def analysis(self, request):
        params = AnalysisQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        day = dt.date(int(query["month"][:4]), int(query["month"][5:]), 1) if query.get("month") else None
        first, last = MonthForm.span_of(day or timezone.localdate())
        unit = None
        if query.get("unit"):
            unit = OrgUnit.objects.filter(pk=query["unit"]).first()
            if unit is None:
                # "invalid": the code an integer query parameter documents (docs/api.md)
                raise ValidationError({"unit": ValidationError(_("No such unit."), code="invalid")})
        return Response(AnalysisSerializer(svc.analysis(request.user, first, last, unit)).data)

    @extend_schema(responses=LostReasonSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def reasons(self, request):
        """The active lost-order reasons (data, edited in the admin)."""
        return Response(LostReasonSerializer(LostReason.objects.filter(is_active=True), many=True).data)
