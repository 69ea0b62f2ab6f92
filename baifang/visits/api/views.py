"""Visit API for mobile clients: list, check-in, check-out, record, photos, quick touches.

Every write accepts an idempotency key (``Idempotency-Key`` header or ``idempotency_key`` field):
a retried request returns the first result and never creates a duplicate.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound
from rest_framework.response import Response

from baifang.core.api.viewsets import ScopedViewSetMixin
from baifang.customers.access import get_workable_customer
from baifang.visits import locations, services
from baifang.visits.api.serializers import (
    CheckInSerializer,
    CheckOutSerializer,
    LocationProposalSerializer,
    NoteSerializer,
    PhotoSerializer,
    QuickTouchSerializer,
    TouchSerializer,
    VisitRecordSerializer,
)
from baifang.visits.choices import Channel, IdempotentAction
from baifang.visits.exceptions import IdempotencyConflict
from baifang.visits.filtersets import LocationProposalFilterSet, TouchFilterSet
from baifang.visits.idempotency import request_fingerprint, run_once
from baifang.visits.models import LocationProposal, Touch


class IdempotencyKeyReused(APIException):
    """422: the key was first sent with another request; replaying that answer would be wrong."""

    status_code = 422
    default_code = "idempotency_key_reused"


def respond_once(request, action_name: str, data: dict, work) -> Response:
    key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or ""
    try:
        status, body, replayed = run_once(
            request.user, key, action_name, work, bound_to=request_fingerprint(request, data)
        )
    except IdempotencyConflict as exc:  # 422, not the handler's 400: the request is fine, its key is not
        raise IdempotencyKeyReused(" ".join(exc.messages)) from exc
    response = Response(body, status=status)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def valid(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class ReadViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass


class VisitViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """On-site visits the caller may see (R-ORG-4), with their flags (R-VISIT-1, R-VISIT-2)."""

    queryset = Touch.objects.all()
    serializer_class = TouchSerializer
    filterset_class = TouchFilterSet
    ordering_fields = ["started_at", "id"]

    def scope(self, queryset):
        return queryset.visits().for_lists().order_by("-started_at", "-pk")

    @extend_schema(request=CheckInSerializer, responses={201: TouchSerializer})
    @action(detail=False, methods=["post"], url_path="check-in")
    def check_in(self, request):
        """Check in at a customer; no position is allowed and flagged "no location" (R-VISIT-1).

        Impossible coordinates are refused; so is a second open visit, unless ``override_reason`` is given.
        """
        params = CheckInSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        customer = get_workable_customer(request.user, data["customer"])

        def work():
            clock = services.device_clock(data.get("device_time"), data.get("sent_at"))
            touch = services.check_in(
                request.user,
                customer,
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
                coordinate_system=data["coordinate_system"],
                accuracy_m=data.get("accuracy_m"),
                location_error=data.get("location_error", ""),
                override_reason=data.get("override_reason", ""),
                clock=clock if data.get("device_time") else None,
            )
            return 201, TouchSerializer(self.scope(Touch.objects.all()).get(pk=touch.pk)).data

        return respond_once(request, IdempotentAction.CHECK_IN, data, work)

    @extend_schema(request=CheckOutSerializer, responses={200: TouchSerializer})
    @action(detail=True, methods=["post"], url_path="check-out")
    def check_out(self, request, pk=None):
        """Check out of one's own open visit; too short is flagged (R-VISIT-1).

        Sent later from a phone's offline queue, ``device_time`` dates the check-out (R-UX-2)."""
        touch = self.get_object()
        params = CheckOutSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data

        def work():
            clock = services.device_clock(data.get("device_time"), data.get("sent_at"))
            services.check_out(request.user, touch, clock=clock if data.get("device_time") else None)
            return 200, TouchSerializer(self.scope(Touch.objects.all()).get(pk=touch.pk)).data

        return respond_once(request, IdempotentAction.CHECK_OUT, params.validated_data, work)

    @extend_schema(
        request=VisitRecordSerializer,
        responses={200: VisitRecordSerializer},
        description="GET answers 404 (code `not_found`) while the visit has no record yet.",
    )
    @action(detail=True, methods=["get", "post"])
    def record(self, request, pk=None):
        """Read, save, and with ``submit: true`` submit the visit record (R-VISIT-3, R-VISIT-4)."""
        touch = self.get_object()
        if request.method == "GET":
            if not hasattr(touch, "record"):
                raise NotFound(_("This visit has no record yet."))
            return Response(VisitRecordSerializer(touch.record).data)
        params = VisitRecordSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)

        def work():
            submit = data.pop("submit", False)
            data.pop("idempotency_key", None)
            checklist = data.pop("checklist", None)
            clock = services.device_clock(data.pop("device_time", None), data.pop("sent_at", None))
            offline = clock.device_time is not None
            record = services.save_record(
                request.user, touch, data, checklist=checklist, clock=clock if offline else None
            )
            if submit:
                record = services.submit_record(request.user, record, at=clock.at if offline else None)
            return 200, VisitRecordSerializer(record).data

        return respond_once(request, IdempotentAction.RECORD, params.validated_data, work)

    @extend_schema(request=PhotoSerializer, responses={201: PhotoSerializer})
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        """Upload a photo (multipart ``image``); refused with a clear message when too big or not an image."""
        touch = self.get_object()
        params = PhotoSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data

        def work():
            try:
                photo = services.add_photo(
                    request.user, touch, data["image"], caption=data.get("caption", "")
                )
            except DjangoValidationError as exc:
                raise DjangoValidationError({"image": exc.messages}) from exc
            return 201, PhotoSerializer(photo, context={"request": request}).data

        return respond_once(request, IdempotentAction.PHOTO, data, work)


class QuickTouchViewSet(viewsets.GenericViewSet):
    """Phone, online, SMS and email touches, logged with few fields (R-VISIT-5)."""

    serializer_class = QuickTouchSerializer
    queryset = Touch.objects.none()

    @extend_schema(request=QuickTouchSerializer, responses={201: TouchSerializer})
    def create(self, request):
        params = QuickTouchSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        customer = get_workable_customer(request.user, data["customer"])

        def work():
            clock = services.device_clock(data.get("device_time"), data.get("sent_at"))
            touch = services.log_touch(
                request.user,
                customer,
                channel=data.get("channel", Channel.PHONE),
                started_at=data.get("started_at"),
                minutes=data.get("minutes"),
                notes=data.get("notes", ""),
                clock=clock if data.get("device_time") else None,
            )
            return 201, TouchSerializer(Touch.objects.for_lists().get(pk=touch.pk)).data

        return respond_once(request, IdempotentAction.TOUCH, data, work)


class LocationProposalViewSet(ReadViewSet):
    """Customer locations proposed from precise check-ins; the supervisor confirms or rejects."""

    queryset = LocationProposal.objects.all()
    serializer_class = LocationProposalSerializer
    filterset_class = LocationProposalFilterSet
    ordering_fields = ["created_at", "id"]

    def scope(self, queryset):
        return queryset.for_lists().order_by("created_at", "pk")

    @extend_schema(request=NoteSerializer, responses={200: LocationProposalSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Write the proposed coordinates to the customer (field history and audit log)."""
        proposal = self.get_object()
        data = valid(NoteSerializer, request)
        locations.confirm_location(request.user, proposal, note=data.get("note", ""))
        return Response(LocationProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=NoteSerializer, responses={200: LocationProposalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse the proposal; ``note`` says why."""
        proposal = self.get_object()
        data = valid(NoteSerializer, request)
        locations.reject_location(request.user, proposal, note=data.get("note", ""))
        return Response(LocationProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)
