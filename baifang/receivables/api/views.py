"""Receivables API: invoices, payments (read + bulk intake), credit terms and their steps, ageing."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.core.api.bulk import BulkIntakeMixin
from baifang.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from baifang.customers.models import Customer
from baifang.receivables import services
from baifang.receivables.api import serializers as s
from baifang.receivables.filtersets import CreditTermsFilterSet, InvoiceFilterSet, PaymentFilterSet
from baifang.receivables.models import AgeingPolicy, CreditTerms, Invoice, Payment


class InvoiceViewSet(BulkIntakeMixin, ScopedReadOnlyViewSet):
    """Invoices of the customers the caller may see (finance staff: all); bulk intake from the ERP."""

    queryset = Invoice.objects.all()
    serializer_class = s.InvoiceSerializer
    filterset_class = InvoiceFilterSet
    intake_kind = "receivables.invoices"

    def scope(self, queryset):
        return queryset.with_list_data().order_by("-invoiced_on", "-id")


class PaymentViewSet(BulkIntakeMixin, ScopedReadOnlyViewSet):
    """Payments of the customers the caller may see (finance staff: all); bulk intake from the ERP."""

    queryset = Payment.objects.all()
    serializer_class = s.PaymentSerializer
    filterset_class = PaymentFilterSet
    intake_kind = "receivables.payments"

    def scope(self, queryset):
        return queryset.with_list_data().order_by("-paid_on", "-id")


STEPS = ("countersign", "approve", "reject")


def _step(name: str):
    @extend_schema(
        request=s.StepSerializer, responses=s.CreditTermsSerializer, operation_id=f"credit_terms_{name}"
    )
    def view(self, request, pk=None):
        terms = self.get_object()
        body = s.StepSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.act_on_terms(terms.pk, name, by=request.user, comment=body.validated_data["comment"])
        return Response(s.CreditTermsSerializer(self.get_queryset().get(pk=terms.pk)).data)

    view.__name__ = name
    view.__doc__ = (
        f"Step {name!r} of a credit-terms proposal (seed 002: market + finance, then a vice-president)."
    )
    return action(detail=True, methods=["post"])(view)


class CreditTermsViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Credit limits and terms: POST proposes (market or finance staff), then the steps (R-AR-1)."""

    queryset = CreditTerms.objects.all()
    filterset_class = CreditTermsFilterSet

    def scope(self, queryset):
        queryset = queryset.with_list_data().order_by("-created_at", "-id")
        if self.action != "list":
            queryset = queryset.prefetch_related("status_changes")
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return s.CreditTermsListSerializer
        if self.action == "create":
            return s.ProposalSerializer
        if self.action in STEPS:
            return s.StepSerializer
        return s.CreditTermsSerializer

    @extend_schema(request=s.ProposalSerializer, responses={201: s.CreditTermsSerializer})
    def create(self, request):
        body = s.ProposalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=data.pop("customer"))
        terms = services.propose_terms(customer, by=request.user, **data)
        return Response(
            s.CreditTermsSerializer(self.get_queryset().get(pk=terms.pk)).data, status=status.HTTP_201_CREATED
        )

    countersign = _step("countersign")
    approve = _step("approve")
    reject = _step("reject")


class AgeingView(generics.ListAPIView):
    """The ageing of every customer the caller may see receivables of, with something outstanding,
    worst first, paginated (``?over=1``: only those over the target). Computed in SQL over the open
    invoices: the page, its customers and their terms, whatever the number of customers."""

    serializer_class = s.AgeingSerializer
    filter_backends = []

    def get_queryset(self):
        today = timezone.localdate()
        return services.ageing_rows(
            self.request.user,
            today,
            AgeingPolicy.current(),
            only_over_target=self.request.query_params.get("over") == "1",
        )

    @extend_schema(
        parameters=[OpenApiParameter("over", str, enum=["1"], description="only customers over the target")]
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = services.ageing_page_rows(page, timezone.localdate())
        return self.get_paginated_response(s.AgeingSerializer(rows, many=True).data)


class CustomerAgeingView(APIView):
    """One customer's ageing, credit limit and whether it is exceeded."""

    @extend_schema(responses={200: s.AgeingSerializer})
    def get(self, request, customer_pk: int):
        customer = get_object_or_404(_customers_for(request.user), pk=customer_pk)
        check = services.credit_check(customer)
        row = services.AgeingRow(customer, check.ageing, check.limit)
        return Response(s.AgeingSerializer(row).data)


def _customers_for(user):
    """The customers whose receivables the user may read: visible ones, every one for finance staff."""
    from baifang.receivables.querysets import sees_all_receivables

    if sees_all_receivables(user):
        return Customer.objects.filter(merged_into__isnull=True)
    return Customer.objects.visible_to(user)
