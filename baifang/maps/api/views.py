"""Day route API: today's suggested route for a rep, with ETAs and explained unassigned stops."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.maps.views import _day, _rep_for, map_data


@extend_validation_errors(["invalid", "min_value", "max_value"], field_name="rep")
@extend_validation_errors(["invalid", "date_out_of_range"], field_name="date")
@extend_validation_errors(["invalid", "min_value", "max_value"], field_name="scheme")
class DayRouteView(APIView):
    """Customers (coloured by tier) and the suggested route of ``rep`` (default: the caller) for ``date``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("rep", int),
            OpenApiParameter("date", OpenApiTypes.DATE),
            OpenApiParameter("scheme", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        return Response(map_data(request, _rep_for(request), _day(request)))
