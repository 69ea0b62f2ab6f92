"""Notifications and the working-day calendar for API clients (R-CAL-1, R-CAL-2)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.core.api.serializers import (
    CalendarQuerySerializer,
    FestivalSerializer,
    ImportBatchSerializer,
    NotificationSerializer,
    WorkdaySerializer,
    YearQuerySerializer,
)
from baifang.core.api.viewsets import ScopedReadOnlyViewSet
from baifang.core.calendar import calendar_for, festivals
from baifang.core.filtersets import ImportBatchFilterSet
from baifang.core.models import ImportBatch, Notification


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The caller's own notifications."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer

    def get_queryset(self):
        return Notification.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        self.get_queryset().mark_read()
        return Response(status=204)


class WorkdaysView(APIView):
    """Working-day status of each date in a range, with its source."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", dt.date, required=True),
            OpenApiParameter("end", dt.date, required=True),
        ],
        responses=WorkdaySerializer(many=True),
    )
    def get(self, request):
        query = CalendarQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        calendar = calendar_for(start, end)
        days = [asdict(calendar.day(start + dt.timedelta(days=i))) for i in range((end - start).days + 1)]
        return Response(WorkdaySerializer(days, many=True).data)


class FestivalsView(APIView):
    """The care festivals of a year (元旦, 除夕, 春节, 劳动节, 端午, 中秋, 国庆)."""

    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=True)], responses=FestivalSerializer(many=True)
    )
    def get(self, request):
        query = YearQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(
            FestivalSerializer([asdict(f) for f in festivals(query.validated_data["year"])], many=True).data
        )


class ImportBatchViewSet(ScopedReadOnlyViewSet):
    """Import batches (``core.intake``) the caller started, all for administrators, with their error report."""

    queryset = ImportBatch.objects.all()
    serializer_class = ImportBatchSerializer
    filterset_class = ImportBatchFilterSet

    def scope(self, queryset):
        return queryset.order_by("-created_at", "-id")
