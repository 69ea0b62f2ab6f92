from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from baifang.commerce.models import Delivery, DeliveryLine, Order, OrderLine, Product, ServiceJob
from baifang.core.api.fields import BoundedDateField


class ProductSerializer(serializers.ModelSerializer):
    group_code = serializers.CharField(source="group.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Product
        fields = [
            "id",
            "code",
            "name",
            "brand",
            "group",
            "group_code",
            "unit",
            "price",
            "new_from",
            "new_until",
            "promoted_from",
            "promoted_until",
            "stock_factor",
            "is_active",
        ]


class OrderLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["product", "product_code", "quantity", "price", "amount"]


class OrderSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "customer_code",
            "ordered_on",
            "quantity",
            "amount",
            "batch",
            "lines",
        ]


class DeliveryLineSerializer(serializers.ModelSerializer):
    product_code = serializers.CharField(source="product.code", read_only=True)

    class Meta:
        model = DeliveryLine
        fields = ["product", "product_code", "quantity"]


class DeliverySerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True)
    lines = DeliveryLineSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "number",
            "customer",
            "customer_code",
            "order",
            "order_number",
            "delivered_on",
            "quantity",
            "batch",
            "lines",
        ]


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class TopProductSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    product_code = serializers.CharField(source="product.code")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=3)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class PurchaseSummarySerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    months = MonthSerializer(many=True)
    last_order = OrderSerializer(allow_null=True)
    days_since_last_order = serializers.IntegerField(allow_null=True)
    orders_12m = serializers.IntegerField()
    quantity_12m = serializers.DecimalField(max_digits=16, decimal_places=3)
    amount_12m = serializers.DecimalField(max_digits=16, decimal_places=2)
    top_products = TopProductSerializer(many=True)


class SalesBandSerializer(serializers.ModelSerializer):
    """A warning band (R-OBL-3): customer, tier, or neither (company-wide); ±percent of the trailing mean."""

    class Meta:
        from baifang.commerce.models import SalesBand

        model = SalesBand
        fields = ["id", "customer", "tier", "percent", "trailing_months"]

    def validate(self, attrs):
        customer = attrs.get("customer", getattr(self.instance, "customer", None))
        tier = attrs.get("tier", getattr(self.instance, "tier", None))
        if customer is not None and tier is not None:
            raise serializers.ValidationError(
                {"tier": _("A band belongs to a customer or to a tier, not both.")}, code="customer_and_tier"
            )
        user = self.context["request"].user
        if customer is not None:
            from baifang.customers.models import Customer

            if not Customer.objects.visible_to(user).filter(pk=customer.pk).exists():
                raise serializers.ValidationError({"customer": _("Unknown customer.")}, code="does_not_exist")
        return attrs


class ReminderThresholdSerializer(serializers.ModelSerializer):
    """Purchase-reminder thresholds (R-FU-3) of a tier, or the default (no tier)."""

    class Meta:
        from baifang.commerce.models import ReminderThreshold

        model = ReminderThreshold
        fields = ["id", "tier", "days", "run_out_days", "remind_never_purchased"]


class ServiceJobSerializer(serializers.ModelSerializer):
    """A repair, installation, acceptance or maintenance; creating one owes its return visits (R-FREQ-9)."""

    customer_code = serializers.CharField(source="customer.code", read_only=True)
    done_on = BoundedDateField()

    class Meta:
        model = ServiceJob
        fields = [
            "id",
            "customer",
            "customer_code",
            "kind",
            "number",
            "done_on",
            "note",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = ["recorded_by", "created_at"]
        # A repeated number is answered by the service (the same job again, or a clear refusal).
        validators = []
        extra_kwargs = {"number": {"validators": []}}
