"""Default API pagination: page-number based, page size adjustable up to 500.

Strict: a ``page`` or ``page_size`` that is not a whole number in range is a field-level 400
(R-UX-1), never silently replaced by the default; a page past the last one stays a 404.
"""

from collections import OrderedDict

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from baifang.core import keyset


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        params = self.parameters_serializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return super().paginate_queryset(queryset, request, view)

    @property
    def parameters_serializer(self):
        max_page_size = self.max_page_size

        class PageParameters(serializers.Serializer):
            page = serializers.IntegerField(min_value=1, required=False)
            page_size = serializers.IntegerField(min_value=1, max_value=max_page_size, required=False)

        return PageParameters

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class KeysetOrPagePagination(StandardPagination):
    """Page numbers by default; ``?cursor=`` walks a large list by keyset (issue 17, R-SCALE-1).

    ``?cursor=`` (empty) starts at the first row; each answer's ``next`` carries the cursor of the
    following rows, so the 4,000th page costs what the first does. In cursor mode ``count`` is exact up
    to ``BAIFANG["LIST_COUNT_CAP"]`` rows; past it ``count_exact`` is false and ``count`` is PostgreSQL's
    estimate (or the cap + 1 on SQLite), shown by the pages as "约 20 万". Cursor mode needs an
    ordering over non-null fields (``id``, ``name``, ``code`` …): another one is a 400 naming it.
    """

    cursor_query_param = "cursor"

    def paginate_queryset(self, queryset, request, view=None):
        self.cursor_mode = self.cursor_query_param in request.query_params
        self.count_exact = True
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        params = self.parameters_serializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        if self.page_query_param in request.query_params:
            raise serializers.ValidationError(
                {self.page_query_param: [_("Give either a page number or a cursor, not both.")]}
            )
        ordering = keyset.keyset_ordering(
            queryset.model, queryset.query.order_by or queryset.model._meta.ordering
        )
        if ordering is None:
            raise serializers.ValidationError(
                {
                    self.cursor_query_param: [
                        _("This sort order cannot be walked by cursor; use page numbers.")
                    ]
                }
            )
        size = self.get_page_size(request)
        try:
            page = keyset.page(
                queryset, ordering, request.query_params[self.cursor_query_param] or None, size
            )
        except keyset.BadCursor as exc:
            raise serializers.ValidationError({self.cursor_query_param: [str(exc)]}) from exc
        counted = keyset.capped_count(queryset, settings.BAIFANG["LIST_COUNT_CAP"])
        self.count, self.count_exact = counted.shown, counted.exact
        self.request = request
        self.next_cursor = page.next_cursor
        return page.rows

    def get_next_link(self):
        if not getattr(self, "cursor_mode", False):
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        return replace_query_param(
            self.request.build_absolute_uri(), self.cursor_query_param, self.next_cursor
        )

    def get_previous_link(self):
        if not getattr(self, "cursor_mode", False):
            return super().get_previous_link()
        return None  # a cursor walks forward; the first page is ?cursor=

    def get_paginated_response(self, data):
        if not getattr(self, "cursor_mode", False):
            self.count = self.page.paginator.count
        return Response(
            OrderedDict(
                [
                    ("count", self.count),
                    ("count_exact", self.count_exact),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "False when count is an estimate (cursor mode past the count cap).",
        }
        response["required"] = [*response.get("required", ["count", "results"]), "count_exact"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        parameters.append(
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Walk the list by keyset: empty for the first rows, then the cursor in `next`.",
                "schema": {"type": "string", "maxLength": 2000},
            }
        )
        return parameters
