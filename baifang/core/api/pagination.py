"""Default API pagination: page-number based, page size adjustable up to 500.

Strict: a ``page`` or ``page_size`` that is not a whole number in range is a field-level 400
(R-UX-1), never silently replaced by the default; a page past the last one stays a 404.
"""

from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination


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
