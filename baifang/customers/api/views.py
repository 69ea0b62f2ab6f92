"""Archive API: customers, contacts, competitors, major changes, access requests, hand-over."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from baifang.core.api.pagination import KeysetOrPagePagination
from baifang.core.api.serializers import ImportBatchSerializer
from baifang.core.api.viewsets import ScopedViewSetMixin
from baifang.customers import services, signals
from baifang.customers.api.serializers import (
    AccessRequestSerializer,
    CompetitorSerializer,
    ContactSerializer,
    CustomerImportSerializer,
    CustomerListSerializer,
    CustomerSerializer,
    DecisionSerializer,
    HandoverPreviewSerializer,
    HandoverRecordSerializer,
    HandoverResultSerializer,
    HandoverSerializer,
    MajorChangeSerializer,
    ReassignSerializer,
    RegionDistributionLimitSerializer,
)
from baifang.customers.filtersets import (
    AccessRequestFilterSet,
    CompetitorFilterSet,
    ContactFilterSet,
    CustomerFilterSet,
    DistributionLimitFilterSet,
    MajorChangeFilterSet,
)
from baifang.customers.models import (
    AccessRequest,
    Competitor,
    Contact,
    Customer,
    Handover,
    MajorChange,
    RegionDistributionLimit,
)
from baifang.customers.predicates import is_archive_admin, may_hand_over


# The archive services' own refusals (a registered namesake, a full distribution region, R-ARCH-6).
@extend_validation_errors(
    ["duplicate", "distribution_limit"], field_name="non_field_errors", methods=["post", "put", "patch"]
)
class CustomerViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The customer archive (R-ARCH-1); only customers visible to the caller (R-ORG-4).

    Customers are never deleted: set the status to lost or blacklisted instead.
    """

    queryset = Customer.objects.all()
    filterset_class = CustomerFilterSet
    pagination_class = KeysetOrPagePagination  # ?cursor= walks 200,000 customers by keyset (issue 17)
    ordering_fields = ["name", "code", "id", "annual_value", "first_contact_on"]

    def scope(self, queryset):
        if self.action == "list":
            return queryset.with_list_data().order_by("-id")
        return queryset.select_related("owner", "unit").prefetch_related("co_owners")

    def get_serializer_class(self):
        if self.action == "import_rows":
            return CustomerImportSerializer
        return CustomerListSerializer if self.action == "list" else CustomerSerializer

    @extend_schema(request=CustomerImportSerializer, responses={202: ImportBatchSerializer})
    @action(detail=False, methods=["post"], url_path="import")
    def import_rows(self, request):
        """Import customers and contacts (R-ARCH-10): every row checked, then written all or nothing.

        Answers 202 with the import batch (poll ``/api/v1/import-batches/{id}/``). A row duplicating an
        archive customer (R-ARCH-9) is refused, skipped or merged per ``on_duplicate`` (or the row's
        ``on_duplicate``); one that adds nothing is unchanged, so a re-sent batch changes nothing.
        Market department and administrators only.
        """
        from baifang.core import imports
        from baifang.customers.intake import KIND

        body = CustomerImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = imports.start(
                KIND,
                by=request.user,
                rows=body.validated_data["rows"],
                dry_run=body.validated_data["dry_run"],
                source_name="API",
                options={"on_duplicate": body.validated_data["on_duplicate"]},
            )
        batch.refresh_from_db()
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        co_owners = data.pop("co_owners", [])
        register = data.pop("register", True)
        confirm = data.pop("confirm_near_duplicate", False)
        customer = Customer(**data)
        with transaction.atomic():
            services.create_customer(
                customer,
                by=self.request.user,
                co_owners=co_owners,
                register=register,
                confirm_near_duplicate=confirm,
            )
        serializer.instance = customer

    def perform_update(self, serializer):
        customer = serializer.instance
        if not Customer.objects.editable_by(self.request.user).filter(pk=customer.pk).exists():
            raise PermissionDenied
        data = dict(serializer.validated_data)  # owner and co-owners move by hand-over only
        data.pop("register", None)
        data.pop("confirm_near_duplicate", None)
        for field, value in data.items():
            setattr(customer, field, value)
        with transaction.atomic():
            services.update_customer(customer, by=self.request.user)

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        """Complete the registration (备案) of a pending customer (R-ARCH-5)."""
        customer = self.get_object()
        if not Customer.objects.editable_by(request.user).filter(pk=customer.pk).exists():
            raise PermissionDenied
        services.complete_registration(customer, by=request.user)
        return Response(CustomerSerializer(customer, context={"request": request}).data)

    @extend_schema(
        request=ReassignSerializer,
        responses={200: HandoverPreviewSerializer, 201: HandoverResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request, pk=None):
        """Change the owner and co-owners as a hand-over: preview, then ``confirm: true`` (R-ARCH-7)."""
        customer = self.get_object()
        if not may_hand_over(request.user, customer.owner):
            raise PermissionDenied
        serializer = ReassignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        plan = services.plan_reassignment(customer, owner=data["owner"], co_owners=data["co_owners"])
        return _preview_or_apply(request, plan, data)

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"], url_path="merge/(?P<duplicate_pk>[0-9]+)")
    def merge(self, request, pk=None, duplicate_pk=None):
        """Fold customer ``duplicate_pk`` into this one (R-ARCH-9); market department and admins."""
        survivor = self.get_object()
        duplicate = get_object_or_404(self.get_queryset(), pk=duplicate_pk)
        if not is_archive_admin(request.user):
            raise PermissionDenied
        services.merge_customers(survivor=survivor, duplicate=duplicate, by=request.user)
        return Response(CustomerSerializer(survivor, context={"request": request}).data)


class CustomerChildViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Rows belonging to a customer: readable when it is visible, writable when it is editable."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def scope(self, queryset):
        return queryset.select_related("customer").order_by("-id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "customer" in fields:
            # Unseen customers look exactly like missing ones (R-SEC-1).
            fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer

    def _check_editable(self, customer):
        if not Customer.objects.editable_by(self.request.user).filter(pk=customer.pk).exists():
            raise PermissionDenied

    def perform_create(self, serializer):
        self._check_editable(serializer.validated_data["customer"])
        self.save_new(serializer)

    def save_new(self, serializer):
        serializer.save()

    def perform_update(self, serializer):
        self._check_editable(serializer.instance.customer)
        if "customer" in serializer.validated_data:
            self._check_editable(serializer.validated_data["customer"])
        serializer.save()

    def perform_destroy(self, instance):
        self._check_editable(instance.customer)
        instance.delete()


class ContactViewSet(CustomerChildViewSet):
    """Key people at customers (R-ARCH-2)."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet

    def finalize_response(self, request, response, *args, **kwargs):
        """Personal fields went out: say whose (the PIPL access log hears ``contacts_read``)."""
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method == "GET" and response.status_code == 200 and isinstance(response.data, dict):
            rows = response.data.get("results", [response.data])
            ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
            if ids:
                signals.contacts_read.send(sender=Contact, user=request.user, contact_ids=ids, channel="api")
        return response


class CompetitorViewSet(CustomerChildViewSet):
    """Competitors at customers (R-ARCH-3)."""

    queryset = Competitor.objects.all()
    serializer_class = CompetitorSerializer
    filterset_class = CompetitorFilterSet


class MajorChangeViewSet(CustomerChildViewSet):
    """Dated major changes (R-ARCH-4); kept as history, so they cannot be edited or deleted."""

    queryset = MajorChange.objects.all()
    serializer_class = MajorChangeSerializer
    filterset_class = MajorChangeFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def save_new(self, serializer):
        change = MajorChange(**serializer.validated_data)
        services.record_major_change(change, by=self.request.user)
        serializer.instance = change


class AccessRequestViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests to read archive data outside one's scope (R-ARCH-8)."""

    queryset = AccessRequest.objects.all()
    serializer_class = AccessRequestSerializer
    filterset_class = AccessRequestFilterSet

    def scope(self, queryset):
        return queryset.select_related("requester", "approver", "customer", "unit").order_by("-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.request_access(
            requester=self.request.user,
            customer=data.get("customer"),
            unit=data.get("unit"),
            reason=data["reason"],
            days=data.get("days"),
        )

    def _decide(self, request, decide):
        access = self.get_object()
        decision = DecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        access = decide(access, by=request.user, note=decision.validated_data["note"])
        return Response(AccessRequestSerializer(access).data)

    @extend_schema(request=DecisionSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the requester may read the target until valid_until."""
        return self._decide(request, services.approve_access)

    @extend_schema(request=DecisionSerializer, responses=AccessRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, services.reject_access)


def _preview_or_apply(request, plan, data) -> Response:
    """``confirm: false`` answers the preview (nothing changes); ``true`` applies it (R-ARCH-7)."""
    services.check_may_hand_over(request.user, plan)
    if not data["confirm"]:
        return Response(HandoverPreviewSerializer(plan.as_dict()).data)
    result = services.confirm_hand_over(
        plan, by=request.user, reason=data["reason"], digest=data.get("digest")
    )
    body = {"handover": result.handover.pk, "customers": result.customers, "notices": result.notices}
    return Response(body, status=status.HTTP_201_CREATED)


class HandoverViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Hand-overs (R-ARCH-7): listed in the caller's scope; made after a preview; undone by whoever may."""

    queryset = Handover.objects.all()
    serializer_class = HandoverRecordSerializer

    def scope(self, queryset):
        return queryset.order_by("-created_at", "-pk")

    @extend_schema(
        request=HandoverSerializer,
        responses={200: HandoverPreviewSerializer, 201: HandoverResultSerializer},
    )
    def create(self, request):
        """Preview (``confirm: false``) or apply (``confirm: true``) all of a leaver's customers to a successor."""
        serializer = HandoverSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if not may_hand_over(request.user, data["leaver"]):
            raise PermissionDenied
        plan = services.plan_hand_over(
            leaver=data["leaver"], successor=data["successor"], deactivate=data["deactivate"]
        )
        return _preview_or_apply(request, plan, data)

    @extend_schema(request=None, responses=HandoverResultSerializer)
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Put back what the hand-over moved, where nothing changed since; audited."""
        handover = self.get_object()
        result = services.undo_hand_over(handover, by=request.user)
        return Response({"handover": handover.pk, "customers": result.customers, "notices": 0})


class RegionDistributionLimitViewSet(viewsets.ModelViewSet):
    """Regional distribution types and limits (R-TIER-5); everyone reads, the market department edits."""

    queryset = RegionDistributionLimit.objects.all()
    serializer_class = RegionDistributionLimitSerializer
    filterset_class = DistributionLimitFilterSet

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not is_archive_admin(request.user):
            raise PermissionDenied
