"""Follow-up API: appointments (R-VISIT-6), open questions (R-VISIT-7), commitments (R-FU-1).
Every queryset starts at ``visible_to(user)``; the paths are those visits had before the split."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.customers.access import get_workable_customer
from baifang.followups import appointments
from baifang.followups import services as followup
from baifang.followups import showroom as showroom_svc
from baifang.followups.access import get_showroom_for_user
from baifang.followups.api.serializers import (
    AddCommitmentSerializer,
    AnswerSerializer,
    AppointmentDetailSerializer,
    AppointmentSerializer,
    ChangeAppointmentSerializer,
    CommitmentSerializer,
    CustomerToldSerializer,
    DutyOrderSerializer,
    FinishReceptionSerializer,
    MakeAppointmentSerializer,
    OpenQuestionSerializer,
    PunctualityQuerySerializer,
    PunctualityRowSerializer,
    RecordQuestionSerializer,
    RegisterSerializer,
    RegistrationSerializer,
    SetDutyOrderSerializer,
    ShowroomSerializer,
)
from baifang.followups.filtersets import AppointmentFilterSet, CommitmentFilterSet, OpenQuestionFilterSet
from baifang.followups.forms import MonthForm
from baifang.followups.models import Appointment, Commitment, OpenQuestion, Registration, Showroom
from baifang.org.models import User
from baifang.visits import services
from baifang.visits.access import get_touch_for_user
from baifang.visits.api.serializers import NoteSerializer
from baifang.visits.api.views import ReadViewSet, respond_once, valid
from baifang.visits.choices import IdempotentAction


class AppointmentViewSet(ReadViewSet):
    """Appointments the caller may see; make, change and cancel one's own (R-VISIT-6)."""

    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilterSet
    ordering_fields = ["starts_at", "id"]

    def scope(self, queryset):
        return queryset.for_lists().prefetch_related("changes__changed_by").order_by("starts_at", "pk")

    def get_serializer_class(self):
        return AppointmentDetailSerializer if self.action == "retrieve" else AppointmentSerializer

    def _answer(self, appointment, status=200):
        return status, AppointmentDetailSerializer(
            self.scope(Appointment.objects.all()).get(pk=appointment.pk)
        ).data

    @extend_schema(
        summary="Per rep, the month's appointments kept by a check-in and how punctual they were (R-VISIT-9)",
        parameters=[PunctualityQuerySerializer],
        responses=PunctualityRowSerializer(many=True),
        filters=False,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def punctuality(self, request):
        params = PunctualityQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        day = (
            dt.datetime.strptime(query["month"], "%Y-%m").date()
            if query.get("month")
            else timezone.localdate()
        )
        first, last = MonthForm.span_of(day)
        rows = appointments.punctuality_report(request.user, first, last)
        return Response(PunctualityRowSerializer(rows, many=True).data)

    @extend_schema(request=MakeAppointmentSerializer, responses={201: AppointmentDetailSerializer})
    def create(self, request):
        """Make an appointment at least the lead time ahead (half a day, or the tier rule's)."""
        data = valid(MakeAppointmentSerializer, request)
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

        return respond_once(request, IdempotentAction.APPOINTMENT, data, work)

    @extend_schema(request=ChangeAppointmentSerializer, responses={200: AppointmentDetailSerializer})
    @action(detail=True, methods=["post"])
    def change(self, request, pk=None):
        """Move one's own appointment; the reason and when the customer was told are kept."""
        appointment = self.get_object()
        data = valid(ChangeAppointmentSerializer, request)
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
        data = valid(CustomerToldSerializer, request)
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
    filterset_class = OpenQuestionFilterSet
    ordering_fields = ["due_on", "id"]

    def scope(self, queryset):
        return queryset.for_lists().soonest_first()

    @extend_schema(request=RecordQuestionSerializer, responses={201: OpenQuestionSerializer})
    def create(self, request):
        """Record a question at one's own touch; due in 3 working days."""
        data = valid(RecordQuestionSerializer, request)
        touch = get_touch_for_user(request.user, data["touch"])

        def work():
            question = followup.record_question(
                request.user, touch, text=data["text"], asked_by_name=data.get("asked_by_name", "")
            )
            return 201, OpenQuestionSerializer(
                self.scope(OpenQuestion.objects.all()).get(pk=question.pk)
            ).data

        return respond_once(request, IdempotentAction.QUESTION, data, work)

    @extend_schema(request=AnswerSerializer, responses={200: OpenQuestionSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer an open question (anyone who may see it)."""
        question = self.get_object()
        data = valid(AnswerSerializer, request)
        followup.answer_question(request.user, question, text=data["text"])
        return Response(OpenQuestionSerializer(self.get_queryset().get(pk=question.pk)).data)


class CommitmentViewSet(ReadViewSet):
    """Promises made in visit records, with owner and due date (R-FU-1)."""

    queryset = Commitment.objects.all()
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    ordering_fields = ["due_on", "id"]

    def scope(self, queryset):
        return queryset.for_lists().soonest_first()

    @extend_schema(request=AddCommitmentSerializer, responses={201: CommitmentSerializer})
    def create(self, request):
        """Add a promise to one's own visit record while it can be edited."""
        data = valid(AddCommitmentSerializer, request)
        touch = get_touch_for_user(request.user, data["touch"])

        def work():
            record = services.record_for(touch)
            commitment = followup.add_commitment(
                request.user, record, text=data["text"], due_on=data["due_on"]
            )
            return 201, CommitmentSerializer(self.scope(Commitment.objects.all()).get(pk=commitment.pk)).data

        return respond_once(request, IdempotentAction.COMMITMENT, data, work)

    @extend_schema(request=NoteSerializer, responses={200: CommitmentSerializer})
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """The promise was kept (owner or a manager)."""
        commitment = self.get_object()
        data = valid(NoteSerializer, request)
        followup.complete_commitment(request.user, commitment, note=data.get("note", ""))
        return Response(CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data)

    @extend_schema(request=NoteSerializer, responses={200: CommitmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Withdraw the promise; ``note`` says why (owner or a manager)."""
        commitment = self.get_object()
        data = valid(NoteSerializer, request)
        followup.cancel_commitment(request.user, commitment, reason=data.get("note", ""))
        return Response(CommitmentSerializer(self.get_queryset().get(pk=commitment.pk)).data)


# -- showrooms (R-FU-4) ----------------------------------------------------------------------------


class ShowroomViewSet(ReadViewSet):
    """Showrooms and sales offices the caller may see; today's duty order and who is next."""

    queryset = Showroom.objects.all()
    serializer_class = ShowroomSerializer
    ordering_fields = ["name", "id"]

    def scope(self, queryset):
        return queryset.order_by("name", "pk")

    def get_serializer_class(self):
        if self.action == "duty_order":
            return SetDutyOrderSerializer if self.request.method == "POST" else DutyOrderSerializer
        return ShowroomSerializer

    def _today(self, showroom):
        now = timezone.now()
        order, reception = showroom_svc.who_is_next(showroom, now)
        return {
            "day": timezone.localdate(now),
            "order": [rep.pk for rep in order],
            "busy": sorted(showroom_svc.busy_reps(showroom, now)),
            "next": reception.receiver,
        }

    @extend_schema(methods=["GET"], responses={200: DutyOrderSerializer})
    @extend_schema(methods=["POST"], request=SetDutyOrderSerializer, responses={200: DutyOrderSerializer})
    @action(detail=True, methods=["get", "post"], url_path="duty-order")
    def duty_order(self, request, pk=None):
        """Today's duty order and the next receiver; a manager of the showroom's unit sets it (POST)."""
        showroom = self.get_object()
        if request.method == "POST":
            data = valid(SetDutyOrderSerializer, request)
            candidates = User.objects.filter(pk__in=data["order"], is_active=True)
            by_id = {user.pk: user for user in candidates}
            missing = [pk for pk in data["order"] if pk not in by_id]
            if missing:
                raise ValidationError({"order": _("Unknown user: %(ids)s") % {"ids": missing}})
            showroom_svc.set_duty_order(
                request.user, showroom, timezone.localdate(), [by_id[pk] for pk in data["order"]]
            )
        return Response(DutyOrderSerializer(self._today(showroom)).data)


class RegistrationViewSet(ReadViewSet):
    """The visitor/caller register of the showrooms the caller may see (来店(电)顾客登记表)."""

    queryset = Registration.objects.all()
    serializer_class = RegistrationSerializer
    ordering_fields = ["time_in", "id"]

    def scope(self, queryset):
        return queryset.for_lists().order_by("-time_in", "-pk")

    def get_serializer_class(self):
        return {"create": RegisterSerializer, "finish": FinishReceptionSerializer}.get(
            self.action, RegistrationSerializer
        )

    @extend_schema(request=RegisterSerializer, responses={201: RegistrationSerializer})
    def create(self, request):
        """Register a visitor or caller; a retry with the same ``Idempotency-Key`` registers once."""
        data = valid(RegisterSerializer, request)
        showroom = get_showroom_for_user(request.user, data["showroom"])
        received_by = request.user
        if data.get("received_by"):
            received_by = User.objects.filter(pk=data["received_by"], is_active=True).first()
            if received_by is None:
                raise ValidationError({"received_by": _("Unknown user.")})

        def work():
            row = showroom_svc.register(
                request.user,
                showroom,
                kind=data["kind"],
                time_in=data["time_in"],
                time_out=data.get("time_out"),
                received_by=received_by,
                visitor_name=data["visitor_name"],
                phone=data.get("phone", ""),
                intended_product=data.get("intended_product", ""),
                intent_level=data.get("intent_level", ""),
                note=data.get("note", ""),
                bought_on_spot=data.get("bought_on_spot", False),
                named_rep=data.get("named_rep", False),
            )
            return 201, RegistrationSerializer(row).data

        return respond_once(request, showroom_svc.IDEMPOTENT_ACTION, data, work)

    @extend_schema(request=FinishReceptionSerializer, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"])
    def finish(self, request, pk=None):
        """The reception ended: the information to the customer is due 20 minutes later."""
        row = self.get_object()
        data = valid(FinishReceptionSerializer, request)
        showroom_svc.finish_reception(request.user, row, time_out=data["time_out"])
        return Response(RegistrationSerializer(row).data)

    @extend_schema(request=None, responses={200: RegistrationSerializer})
    @action(detail=True, methods=["post"], url_path="info-sent")
    def info_sent(self, request, pk=None):
        """The information was sent to the customer (the 20-minute follow-up)."""
        row = self.get_object()
        showroom_svc.mark_info_sent(request.user, row)
        return Response(RegistrationSerializer(row).data)
