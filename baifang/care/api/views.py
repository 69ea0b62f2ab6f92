"""Care API: tasks, gifts, templates, batches and messages, opt-outs, feedback forms and the quota."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.care import services
from baifang.care.api import serializers as s
from baifang.care.filtersets import (
    CareTaskFilterSet,
    FeedbackFilterSet,
    GiftFilterSet,
    MessageBatchFilterSet,
    MessageFilterSet,
    MessageTemplateFilterSet,
    OptOutFilterSet,
)
from baifang.care.models import CareTask, FeedbackForm, Gift, Message, MessageBatch, MessageTemplate, OptOut
from baifang.core.api.viewsets import ScopedReadOnlyViewSet, ScopedViewSetMixin
from baifang.customers.models import Contact, Customer
from baifang.customers.predicates import is_archive_admin


class CareTaskViewSet(ScopedReadOnlyViewSet):
    """Care tasks in the caller's scope (R-CARE-4); ``complete``, ``skip`` (with a note), ``reopen``."""

    queryset = CareTask.objects.all()
    serializer_class = s.CareTaskSerializer
    filterset_class = CareTaskFilterSet

    def scope(self, queryset):
        return queryset.select_related("customer", "contact", "rule").order_by("occasion_date", "id")

    def _change(self, request, pk, transition):
        self.get_object()
        body = s.TaskChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        task = services.change_task(int(pk), transition, by=request.user, note=body.validated_data["note"])
        return Response(s.CareTaskSerializer(task).data)

    @extend_schema(request=s.TaskChangeSerializer, responses=s.CareTaskSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._change(request, pk, "complete")

    @extend_schema(request=s.TaskChangeSerializer, responses=s.CareTaskSerializer)
    @action(detail=True, methods=["post"])
    def skip(self, request, pk=None):
        return self._change(request, pk, "skip")

    @extend_schema(request=None, responses=s.CareTaskSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._change(request, pk, "reopen")


class GiftViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The gift register (R-CARE-1): what, to whom, what it cost, when."""

    queryset = Gift.objects.all()
    serializer_class = s.GiftSerializer
    filterset_class = GiftFilterSet

    def scope(self, queryset):
        return queryset.select_related("customer")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        fields = getattr(serializer, "fields", {})
        if "customer" in fields:
            customers = Customer.objects.workable_by(self.request.user)
            fields["customer"].queryset = customers
            fields["contact"].queryset = Contact.objects.filter(customer__in=customers.values("pk"))
            fields["task"].queryset = CareTask.objects.visible_to(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        gift = services.record_gift(by=request.user, customer=data.pop("customer"), **data)
        return Response(s.GiftSerializer(gift).data, status=status.HTTP_201_CREATED)


class MessageTemplateViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Message templates (R-CARE-4); an unknown placeholder is refused. The market department edits."""

    queryset = MessageTemplate.objects.all()
    serializer_class = s.MessageTemplateSerializer
    filterset_class = MessageTemplateFilterSet
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def scope(self, queryset):
        return queryset.order_by("name")

    def check_permissions(self, request):
        super().check_permissions(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and not is_archive_admin(request.user):
            raise PermissionDenied("只有市场部和管理员可以编辑短信模板。")

    def perform_create(self, serializer):
        serializer.instance = _saved(MessageTemplate(**serializer.validated_data))

    def perform_update(self, serializer):
        instance = serializer.instance
        for key, value in serializer.validated_data.items():
            setattr(instance, key, value)
        _saved(instance)

    def perform_destroy(self, instance):
        if instance.batches.exists() or instance.rules.exists():
            instance.is_active = False
            instance.save(update_fields=["is_active", "updated_at"])
        else:
            instance.delete()


def _saved(template: MessageTemplate) -> MessageTemplate:
    template.save()  # validates the placeholders (ValidationError → 400)
    return template


class MessageBatchViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Message batches with their delivery counts; POST creates one, ``retry`` resends the failed ones."""

    queryset = MessageBatch.objects.all()
    serializer_class = s.MessageBatchSerializer
    filterset_class = MessageBatchFilterSet

    def scope(self, queryset):
        return queryset.order_by("-created_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":  # the schema's error codes come from the request body
            return s.BatchCreateSerializer
        return s.MessageBatchSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["counts"] = getattr(self, "_counts", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        self._counts = services.batch_counts([b.pk for b in rows])
        return page

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        self._counts = services.batch_counts([obj.pk])
        return Response(self.get_serializer(obj).data)

    @extend_schema(request=s.BatchCreateSerializer, responses={201: s.MessageBatchSerializer})
    def create(self, request):
        body = s.BatchCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data.get("festival"):
            key, label, _date = services.festival_occasion(data["festival"], timezone.localdate())
        else:
            label = data["occasion"].strip()
            key = f"custom:{label}"
        contacts = services.batch_audience(
            request.user,
            audience_classes=data.get("audience_classes") or (),
            customer_ids=data.get("customers") or (),
        )
        result = services.create_batch(
            by=request.user,
            template=data["template"],
            occasion_key=key,
            occasion_label=label,
            contacts=contacts,
        )
        self._counts = services.batch_counts([result.batch.pk])
        return Response(
            s.MessageBatchSerializer(result.batch, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses=s.MessageBatchSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, pk=None):
        obj = self.get_object()
        services.retry_failed(obj, by=request.user)
        services.send_pending(obj)
        self._counts = services.batch_counts([obj.pk])
        return Response(self.get_serializer(obj).data)


class MessageViewSet(ScopedReadOnlyViewSet):
    """Per-recipient delivery status (R-CARE-4)."""

    queryset = Message.objects.all()
    serializer_class = s.MessageSerializer
    filterset_class = MessageFilterSet

    def scope(self, queryset):
        return queryset.select_related("contact").order_by("id")


class OptOutViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Contacts who receive no greetings (R-CARE-4)."""

    queryset = OptOut.objects.all()
    serializer_class = s.OptOutSerializer
    filterset_class = OptOutFilterSet

    def scope(self, queryset):
        return queryset.order_by("-recorded_at", "-id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "contact" in getattr(serializer, "fields", {}):
            serializer.fields["contact"].queryset = Contact.objects.visible_to(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact = serializer.validated_data["contact"]
        services.set_opt_out(
            contact, by=request.user, opted_out=True, reason=serializer.validated_data.get("reason", "")
        )
        return Response(
            s.OptOutSerializer(OptOut.objects.get(contact=contact)).data, status=status.HTTP_201_CREATED
        )

    def perform_destroy(self, instance):
        services.set_opt_out(instance.contact, by=self.request.user, opted_out=False)


class FeedbackFormViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """客户信息反馈表 (R-INFO-1); filed for the caller's department, graded by the customer's tier."""

    queryset = FeedbackForm.objects.all()
    serializer_class = s.FeedbackFormSerializer
    filterset_class = FeedbackFilterSet

    def scope(self, queryset):
        return queryset.select_related("customer").order_by("-filed_on", "-id")

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if "customer" in getattr(serializer, "fields", {}):
            serializer.fields["customer"].queryset = Customer.objects.visible_to(self.request.user)
        return serializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        form = services.file_feedback(by=request.user, customer=data.pop("customer"), **data)
        return Response(s.FeedbackFormSerializer(form).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.FeedbackFormSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        form = self.get_object()
        services.mark_read(form, by=request.user)
        form.refresh_from_db()
        return Response(s.FeedbackFormSerializer(form).data)


class QuotaProgressView(APIView):
    """Each field department's feedback forms in a month against the quota (R-INFO-1)."""

    @extend_schema(
        parameters=[OpenApiParameter("month", str, description="YYYY-MM (default: this month, as of today)")],
        responses=s.QuotaProgressSerializer(many=True),
    )
    def get(self, request):
        query = s.QuotaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.localdate()
        day = today
        if query.validated_data.get("month"):
            day = dt.datetime.strptime(query.validated_data["month"], "%Y-%m").date()
            if (day.year, day.month) != (today.year, today.month):
                day = services.month_span(day)[1]
        rows = (
            services.quota_progress(services.departments_for(request.user), day)
            if services.active_quota()
            else []
        )
        return Response(s.QuotaProgressSerializer(rows, many=True).data)
