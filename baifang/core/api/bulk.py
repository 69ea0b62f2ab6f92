"""``POST …/bulk/`` for any list taken in through ``core.intake`` (orders, deliveries, invoices, payments)."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.core import imports
from baifang.core.api.serializers import BulkSerializer, ImportBatchSerializer


class BulkIntakeMixin:
    """A viewset's ``bulk`` action for the intake kind ``intake_kind``."""

    intake_kind = ""

    @extend_schema(request=BulkSerializer, responses={202: ImportBatchSerializer})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Send rows (the file's columns as keys); all are checked, then written all or nothing.

        Answers 202 with the import batch (poll ``/api/v1/import-batches/{id}/``); a document number
        already imported with the same lines is skipped, so a re-sent batch changes nothing.
        """
        body = BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with transaction.atomic():
            batch = imports.start(
                self.intake_kind,
                by=request.user,
                rows=body.validated_data["rows"],
                dry_run=body.validated_data["dry_run"],
                source_name="API",
            )
        batch.refresh_from_db()
        return Response(ImportBatchSerializer(batch).data, status=status.HTTP_202_ACCEPTED)
