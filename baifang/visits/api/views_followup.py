"""Follow-up API: appointments (R-VISIT-6), open questions (R-VISIT-7), commitments (R-FU-1) and
customer locations proposed from check-ins. Every queryset starts at ``visible_to(user)``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.core.api.viewsets import ScopedViewSetMixin
from baifang.customers.access import get_workable_customer
from baifang.visits import appointments, followup, locations, services
from baifang.visits.access import get_touch_for_user
from baifang.visits.api.serializers_followup import (
    AddCommitmentSerializer,
    AnswerSerializer,
    AppointmentDetailSerializer,
    AppointmentSerializer,
    ChangeAppointmentSerializer,
    CommitmentSerializer,
    CustomerToldSerializer,
    LocationProposalSerializer,
    MakeAppointmentSerializer,
    NoteSerializer,
    OpenQuestionSerializer,
    RecordQuestionSerializer,
)
from baifang.visits.api.views import _respond
from baifang.visits.choices import IdempotentAction
from baifang.visits.models import Appointment, Commitment, LocationProposal, OpenQuestion


def _valid(serializer_class, request) -> dict:
    params = serializer_class(data=request.data)
    params.is_valid(raise_exception=True)
    return params.validated_data


class ReadViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    pass


class AppointmentViewSet(ReadViewSet):
    """Appointments the caller may see; make, change and cancel one's own (R-VISIT-6)."""

    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer
    filterset_fields = ["customer", "rep", "status"]
    ordering_fields = ["starts_at", "id"]

    def scope(self, queryset):
        return queryset.for_lists().prefetch_related("changes__changed_by").order_by("starts_at", "pk")

    def get_serializer_class(self):
        return AppointmentDetailSerializer if self.action == "retrieve" else AppointmentSerializer

    def _answer(self, appointment, status=200):
        return status, AppointmentDetailSerializer(
            self.scope(Appointment.objects.all()).get(pk=appointment.pk)
        ).data

    @extend_schema(request=MakeAppointmentSerializer, responses={201: AppointmentDetailSerializer})
    def create(self, request):
        """Make an appointment at least the lead time ahead (half a day, or the tier rule's)."""
        data = _valid(MakeAppointmentSerializer, request)
        customer = get_workable_customer(request.user, data["customer"])

        def work():
            appointment = appointments.make_appointment(
                request.user,
                customer,
                starts_at=data["starts_at"],
                ends_at=data.get("ends_at"),
                place=data.get("place", ""),
                purpose=data["purpose"],
                notes=data.get("notes", ""),
            )
            return self._answer(appointment, 201)

        return _respond(request, IdempotentAction.APPOINTMENT, data, work)

    @extend_schema(request=ChangeAppointmentSerializer, responses={200: AppointmentDetailSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Move one's own appointment; the reason and when the customer was told are kept."""
        appointment = self.get_object()
        data = _valid(ChangeAppointmentSerializer, request)
        appointments.change_appointment(
            request.user,
            appointment,
            starts_at=data["starts_at"],
            ends_at=data.get("ends_at"),
            place=data.get("place"),
            reason=data["reason"],
            told_at=data.get("told_at"),
            told_whom=data.get("told_whom", ""),
        )
        return Response(self._answer(appointment)[1])

    @extend_schema(request=CustomerToldSerializer, responses={200: AppointmentDetailSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel one's own appointment; the reason and when the customer was told are kept."""
        appointment = self.get_object()
        data = _valid(CustomerToldSerializer, request)
        appointments.cancel_appointment(
            request.user,
            appointment,
            reason=data["reason"],
            told_at=data.get("told_at"),
            told_whom=data.get("told_whom", ""),
        )
        return Response(self._answer(appointment)[1])


class OpenQuestionViewSet(ReadViewSet):
    """Questions the rep could not answer on the spot, soonest due first (R-VISIT-7)."""

    queryset = OpenQuestion.objects.all()
    serializer_class = OpenQuestionSerializer
    filterset_fields = ["customer", "owner", "status", "touch"]
    ordering_fields = ["due_on", "id"]

    def scope(self, queryset):
        return queryset.for_lists().soonest_first()

    @extend_schema(request=RecordQuestionSerializer, responses={201: OpenQuestionSerializer})
    def create(self, request):
        """Record a question at one's own touch; due in 3 working days."""
        data = _valid(RecordQuestionSerializer, request)
        touch = get_touch_for_user(request.user, data["touch"])

        def work():
            question = followup.record_question(
                request.user, touch, text=data["text"], asked_by_name=data.get("asked_by_name", "")
            )
            return 201, OpenQuestionSerializer(
                self.scope(OpenQuestion.objects.all()).get(pk=question.pk)
            ).data

        return _respond(request, IdempotentAction.QUESTION, data, work)

    @extend_schema(request=AnswerSerializer, responses={200: OpenQuestionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer an open question (anyone who may see it)."""
        question = self.get_object()
        data = _valid(AnswerSerializer, request)
        followup.answer_question(request.user, question, text=data["text"])
        return Response(OpenQuestionSerializer(self.get_queryset().get(pk=question.pk)).data)


class CommitmentViewSet(ReadViewSet):
    """Promises made in visit records, with owner and due date (R-FU-1)."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_fields = ["customer", "owner", "status", "record"]
    ordering_fields = ["due_on", "id"]

    def scope(self, queryset):
        return queryset.for_lists().soonest_first()

    @extend_schema(request=AddCommitmentSerializer, responses={201: CommitmentSerializer})
    def create(self, request):
        """Add a promise to one's own visit record while it can be edited."""
        data = _valid(AddCommitmentSerializer, request)
        touch = get_touch_for_user(request.user, data["touch"])

        def work():
            record = services.record_for(touch)
            commitment = followup.add_commitment(
                request.user, record, text=data["text"], due_on=data["due_on"]
            )
            return 201, CommitmentSerializer(self.scope(Commitment.objects.all()).get(pk=commitment.pk)).data

        return _respond(request, IdempotentAction.COMMITMENT, data, work)

    @extend_schema(request=NoteSerializer, responses={200: CommitmentSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The promise was kept (owner or a manager)."""
        commitment = self.get_object()
        data = _valid(NoteSerializer, request)
        followup.complete_commitment(request.user, commitment, note=data.get("note", ""))
        return Response(CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data)

    @extend_schema(request=NoteSerializer, responses={200: CommitmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw the promise; ``note`` says why (owner or a manager)."""
        commitment = self.get_object()
        data = _valid(NoteSerializer, request)
        followup.cancel_commitment(request.user, commitment, reason=data.get("note", ""))
        return Response(CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data)


class LocationProposalViewSet(ReadViewSet):
    """Customer locations proposed from precise check-ins; the supervisor confirms or rejects."""

    queryset = LocationProposal.objects.all()
    serializer_class = LocationProposalSerializer
    filterset_fields = ["customer", "status"]
    ordering_fields = ["created_at", "id"]

    def scope(self, queryset):
        return queryset.for_lists().order_by("created_at", "pk")

    @extend_schema(request=NoteSerializer, responses={200: LocationProposalSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Write the proposed coordinates to the customer (field history and audit log)."""
        proposal = self.get_object()
        data = _valid(NoteSerializer, request)
        locations.confirm_location(request.user, proposal, note=data.get("note", ""))
        return Response(LocationProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=NoteSerializer, responses={200: LocationProposalSerializer})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Refuse the proposal; ``note`` says why."""
        proposal = self.get_object()
        data = _valid(NoteSerializer, request)
        locations.reject_location(request.user, proposal, note=data.get("note", ""))
        return Response(LocationProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)
