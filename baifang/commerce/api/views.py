"""Commerce API: products, orders, deliveries (read), bulk intake from the ERP, purchase history."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.commerce.api.serializers import (
    DeliverySerializer,
    OrderSerializer,
    ProductSerializer,
    PurchaseSummarySerializer,
    ReminderThresholdSerializer,
    SalesBandSerializer,
    ServiceJobSerializer,
)
from baifang.commerce.filtersets import (
    DeliveryFilterSet,
    OrderFilterSet,
    ProductFilterSet,
    ServiceJobFilterSet,
)
from baifang.commerce.models import Delivery, Order, Product, ReminderThreshold, SalesBand, ServiceJob
from baifang.commerce.services import purchase_summary, record_service_job
from baifang.core.api.bulk import BulkIntakeMixin
from baifang.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from baifang.customers.models import Customer
from baifang.customers.predicates import is_archive_admin


class ProductViewSet(viewsets.ReadOnlyModelViewSet):
    """The catalogue: every signed-in user may read it."""

    queryset = Product.objects.select_related("group").order_by("code")
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet


class OrderViewSet(BulkIntakeMixin, ScopedReadOnlyViewSet):
    """Orders of the customers the caller may see, with their lines."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    intake_kind = "commerce.orders"

    def scope(self, queryset):
        return queryset.with_list_data().order_by("-ordered_on", "-id")


class DeliveryViewSet(BulkIntakeMixin, ScopedReadOnlyViewSet):
    """Deliveries of the customers the caller may see, each with its order and lines."""

    queryset = Delivery.objects.all()
    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    intake_kind = "commerce.deliveries"

    def scope(self, queryset):
        return queryset.with_list_data().order_by("-delivered_on", "-id")


class PurchaseSummaryView(APIView):
    """A customer's last 12 months: monthly volume, last order, main products."""

    @extend_schema(responses={200: PurchaseSummarySerializer})
    def get(self, request, customer_pk: int):
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
        summary = purchase_summary(customer, timezone.localdate())
        fields = {name: getattr(summary, name) for name in summary.__dataclass_fields__}
        return Response(PurchaseSummarySerializer({"customer": customer.pk, **fields}).data)


class IsArchiveAdminOrReadOnly(BasePermission):
    """Everyone signed in reads; the market department and administrators configure (R-OBL-3, R-FU-3)."""

    def has_permission(self, request, view) -> bool:
        if not request.user.is_authenticated:
            return False
        return request.method in SAFE_METHODS or is_archive_admin(request.user)


class SalesBandViewSet(viewsets.ModelViewSet):
    """Warning bands: a customer's band is seen only by who sees the customer; tier and company bands by all."""

    serializer_class = SalesBandSerializer
    permission_classes = [IsArchiveAdminOrReadOnly]
    queryset = SalesBand.objects.none()

    def get_queryset(self):
        visible = Customer.objects.visible_to(self.request.user).values("pk")
        return (
            SalesBand.objects.filter(Q(customer__isnull=True) | Q(customer__in=visible))
            .select_related("customer", "tier")
            .order_by("id")
        )


class ReminderThresholdViewSet(viewsets.ModelViewSet):
    """Purchase-reminder thresholds per tier (the row without a tier is the default)."""

    serializer_class = ReminderThresholdSerializer
    permission_classes = [IsArchiveAdminOrReadOnly]
    queryset = ReminderThreshold.objects.select_related("tier").order_by("id")


class ServiceJobViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Service jobs of the customers the caller may see; POST records one and owes its return visits
    (R-FREQ-9). The same number again returns the first job (idempotent retry)."""

    queryset = ServiceJob.objects.all()
    serializer_class = ServiceJobSerializer
    filterset_class = ServiceJobFilterSet

    def scope(self, queryset):
        return queryset.select_related("customer").order_by("-done_on", "-id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "customer" in getattr(serializer, "fields", {}):
            serializer.fields["customer"].queryset = Customer.objects.editable_by(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = record_service_job(
            data["customer"],
            kind=data["kind"],
            number=data["number"],
            done_on=data["done_on"],
            note=data.get("note", ""),
            by=request.user,
        )
        return Response(ServiceJobSerializer(job).data, status=status.HTTP_201_CREATED)
