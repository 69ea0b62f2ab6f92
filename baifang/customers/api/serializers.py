"""Archive API serializers: they validate shape; services do the work."""

from __future__ import annotations

from rest_framework import serializers

from baifang.core.api.fields import FlatListField
from baifang.customers.models import (
    CONTACT_FIELDS,
    AccessRequest,
    Competitor,
    Contact,
    Customer,
    Handover,
    MajorChange,
    RegionDistributionLimit,
)
from baifang.org.models import OrgUnit, User


class CustomerSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False)
    owner_name = serializers.CharField(source="owner.__str__", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    co_owners = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )
    register = serializers.BooleanField(
        write_only=True,
        required=False,
        default=True,
        help_text="false keeps the customer awaiting registration (备案) until completed.",
    )
    confirm_near_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="true registers the customer although one with the same name but for a branch suffix "
        "and the same address or phone exists (otherwise 400 with code near_duplicate on name).",
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "customer_type",
            "enterprise_nature",
            "competent_unit",
            "industry",
            "credit_code",
            "registered_capital",
            "production_lines",
            "scale",
            "phone",
            "registered_address",
            "delivery_address",
            "province",
            "city",
            "district",
            "province_code",
            "city_code",
            "district_code",
            "latitude",
            "longitude",
            "coordinate_system",
            "opens_at",
            "closes_at",
            "order_weekday",
            "retail_grade",
            "business_format",
            "market_type",
            "cooperation_since",
            "annual_value",
            "monthly_contract_volume",
            "purchase_share",
            "credit_limit",
            "credit_term_days",
            "status",
            "source",
            "notes",
            "is_key",
            "is_potential_key",
            "main_needs",
            "potential_needs",
            "budget",
            "price_sensitivity",
            "purchase_timeline",
            "preferences",
            "decision_process",
            "key_decision_makers",
            "owner",
            "owner_name",
            "co_owners",
            "unit",
            "unit_name",
            "first_contact_on",
            "registration_status",
            "registration_due",
            "registered_at",
            "registered_late",
            "created_at",
            "updated_at",
            "register",
            "confirm_near_duplicate",
        ]
        read_only_fields = [
            "code",
            "unit",
            "registration_status",
            "registration_due",
            "registered_at",
            "registered_late",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "name": {"min_length": 2},
            "province_code": {
                "help_text": "Administrative division code (国家统计局, 2 digits). With codes, the names are the "
                "dataset's and a city must lie in the province, a district in the city (400 invalid_region); "
                "with names only, the names are matched to codes where they name a real place."
            },
            "city_code": {"help_text": "Division code of the city (4 digits), within province_code."},
            "district_code": {
                "help_text": "Division code of the district or county (6 digits; 9 for the towns of 东莞, 中山, "
                "儋州, 嘉峪关), within city_code."
            },
        }

    def validate(self, attrs):
        if self.instance is not None:
            self._refuse_ownership_change(attrs)
        # A new customer's people are checked by services.create_customer (page, API and import alike).
        lat = attrs.get("latitude", getattr(self.instance, "latitude", None))
        lng = attrs.get("longitude", getattr(self.instance, "longitude", None))
        if (lat is None) != (lng is None):
            raise serializers.ValidationError(
                {"latitude": ["Latitude and longitude must be given together."]}
            )
        return attrs

    def _refuse_ownership_change(self, attrs) -> None:
        """Owner and co-owners are read-only once archived: they move by hand-over (R-ARCH-7, R-SEC-1).

        Sending the current values back (a full PUT) is fine; any change is a field error.
        """
        from baifang.customers.services import handover_only_message

        errors = {}
        if "owner" in attrs and attrs["owner"].pk != self.instance.owner_id:
            errors["owner"] = [handover_only_message()]
        if "co_owners" in attrs:
            current = set(self.instance.co_owners.values_list("pk", flat=True))
            if {user.pk for user in attrs["co_owners"]} != current:
                errors["co_owners"] = [handover_only_message()]
        if errors:
            raise serializers.ValidationError(errors, code="use_handover")
        attrs.pop("owner", None)
        attrs.pop("co_owners", None)


class CustomerListSerializer(CustomerSerializer):
    """Lean list representation; the detail endpoint returns every field."""

    co_owner_count = serializers.IntegerField(read_only=True)

    class Meta(CustomerSerializer.Meta):
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "customer_type",
            "status",
            "province",
            "city",
            "district",
            "province_code",
            "city_code",
            "district_code",
            "latitude",
            "longitude",
            "coordinate_system",
            "is_key",
            "is_potential_key",
            "owner",
            "owner_name",
            "unit",
            "unit_name",
            "co_owner_count",
            "registration_status",
            "registration_due",
            "registered_late",
        ]


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "customer", *CONTACT_FIELDS]

    def validate(self, attrs):
        calendar = attrs.get("birthday_calendar", getattr(self.instance, "birthday_calendar", "solar"))
        month = attrs.get("lunar_birth_month", getattr(self.instance, "lunar_birth_month", None))
        day = attrs.get("lunar_birth_day", getattr(self.instance, "lunar_birth_day", None))
        if calendar == "lunar" and (not month or not day):
            raise serializers.ValidationError(
                {"lunar_birth_month": ["A lunar birthday needs both the lunar month and day."]}
            )
        return attrs


class CompetitorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Competitor
        fields = ["id", "customer", "name", "products", "customer_view", "tactics"]


class MajorChangeSerializer(serializers.ModelSerializer):
    recorded_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MajorChange
        fields = [
            "id",
            "customer",
            "kind",
            "occurred_on",
            "description",
            "recorded_by",
            "report_due",
            "reported_late",
            "created_at",
        ]
        read_only_fields = ["report_due", "reported_late", "created_at"]


class AccessRequestSerializer(serializers.ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.filter(merged_into__isnull=True), required=False, allow_null=True
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False, allow_null=True)

    class Meta:
        model = AccessRequest
        fields = [
            "id",
            "requester",
            "scope",
            "customer",
            "unit",
            "reason",
            "days",
            "approver",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "valid_until",
            "created_at",
        ]
        read_only_fields = [
            "requester",
            "scope",
            "approver",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "valid_until",
            "created_at",
        ]
        extra_kwargs = {"reason": {"min_length": 2}}


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ConfirmationSerializer(serializers.Serializer):
    """``confirm: false`` (the default) only previews; ``true`` applies, checked against ``digest``."""

    reason = serializers.CharField(max_length=200, min_length=2)
    confirm = serializers.BooleanField(
        default=False, help_text="false: answer the preview and change nothing; true: apply it."
    )
    digest = serializers.CharField(
        max_length=64,
        required=False,
        help_text="The preview's digest; when given, the hand-over is refused if the preview changed since.",
    )


class HandoverSerializer(ConfirmationSerializer):
    leaver = serializers.PrimaryKeyRelatedField(queryset=User.objects.all())
    successor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    deactivate = serializers.BooleanField(default=False)


class ReassignSerializer(ConfirmationSerializer):
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    co_owners = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False, default=list
    )


class OwnershipSerializer(serializers.Serializer):
    owner = serializers.IntegerField()
    unit = serializers.IntegerField(allow_null=True)
    co_owners = serializers.ListField(child=serializers.IntegerField())


class CustomerMoveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    before = OwnershipSerializer()
    after = OwnershipSerializer()


class HandoverPreviewSerializer(serializers.Serializer):
    """What a hand-over would move; nothing has changed yet."""

    from_user = serializers.IntegerField()
    to_user = serializers.IntegerField()
    customer = serializers.IntegerField(allow_null=True)
    customers = CustomerMoveSerializer(many=True)
    special_visits = serializers.ListField(child=serializers.IntegerField())
    approvals = serializers.ListField(child=serializers.IntegerField())
    draft_screenings = serializers.ListField(child=serializers.IntegerField())
    deactivate = serializers.BooleanField()
    digest = serializers.CharField()


class HandoverRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Handover
        fields = [
            "id",
            "created_at",
            "from_user",
            "to_user",
            "performed_by",
            "reason",
            "customer",
            "customer_count",
            "deactivated_leaver",
            "undone_at",
            "undone_by",
        ]
        read_only_fields = fields


class HandoverResultSerializer(serializers.Serializer):
    handover = serializers.IntegerField()
    customers = serializers.IntegerField()
    notices = serializers.IntegerField()


class RegionDistributionLimitSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegionDistributionLimit
        fields = ["id", "province", "city", "district", "kind", "max_distributors"]


class CustomerImportSerializer(serializers.Serializer):
    """Customer rows for the archive (R-ARCH-10): each an object keyed by the import's column keys.

    Keys: code, name, short_name, customer_type, status, province, city, district, registered_address,
    delivery_address, phone, credit_code, industry, business_format, retail_grade, annual_value,
    cooperation_since, owner, contact_name, contact_title, contact_mobile, on_duplicate.
    """

    dry_run = serializers.BooleanField(default=False)
    on_duplicate = serializers.ChoiceField(choices=["refuse", "skip", "merge"], default="refuse")
    rows = FlatListField(
        child=serializers.DictField(
            child=serializers.CharField(allow_blank=True, allow_null=True, max_length=200)
        ),
        min_length=1,
        max_length=100_000,
    )
