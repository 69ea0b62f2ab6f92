from rest_framework import serializers

from baifang.core.api.fields import IdField
from baifang.receivables.models import CreditTerms, CreditTermsChange, Invoice, Payment

MONEY = {"max_digits": 16, "decimal_places": 2}


class InvoiceSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "source",
            "number",
            "customer",
            "customer_code",
            "invoiced_on",
            "due_on",
            "amount",
            "order",
            "order_number",
            "new_products",
            "batch",
        ]


class PaymentSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    invoice_number = serializers.CharField(
        source="invoice.number", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "source",
            "number",
            "customer",
            "customer_code",
            "paid_on",
            "amount",
            "invoice",
            "invoice_number",
            "batch",
        ]


class CreditTermsChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditTermsChange
        fields = ["old_status", "new_status", "transition", "changed_by", "comment", "changed_at"]


class CreditTermsSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    history = CreditTermsChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = CreditTerms
        fields = [
            "id",
            "customer",
            "customer_code",
            "credit_limit",
            "term_days",
            "reason",
            "status",
            "proposed_by",
            "countersigned_by",
            "decided_by",
            "decided_at",
            "created_at",
            "history",
        ]
        read_only_fields = fields


class CreditTermsListSerializer(CreditTermsSerializer):
    class Meta(CreditTermsSerializer.Meta):
        fields = [f for f in CreditTermsSerializer.Meta.fields if f != "history"]
        read_only_fields = fields


class ProposalSerializer(serializers.Serializer):
    customer = IdField()
    credit_limit = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    term_days = serializers.IntegerField(min_value=0, max_value=365)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class StepSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AgeingSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    customer_code = serializers.CharField(source="customer.code")
    customer_name = serializers.CharField(source="customer.name")
    days_0_30 = serializers.DecimalField(**MONEY)
    days_31_60 = serializers.DecimalField(**MONEY)
    days_61_90 = serializers.DecimalField(**MONEY)
    days_over_90 = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(source="ageing.outstanding", **MONEY)
    over_target = serializers.DecimalField(source="ageing.over_target", **MONEY)
    overdue = serializers.DecimalField(source="ageing.overdue", **MONEY)
    unapplied = serializers.DecimalField(source="ageing.unapplied", **MONEY)
    oldest_days = serializers.IntegerField(source="ageing.oldest_days", allow_null=True)
    credit_limit = serializers.DecimalField(source="limit", allow_null=True, **MONEY)
    limit_exceeded = serializers.BooleanField(source="exceeded")
