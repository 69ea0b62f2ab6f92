"""Day route API: today's suggested route for a rep, with ETAs and explained unassigned stops."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from baifang.maps.views import _day, _rep_for, map_data


class DayRouteView(APIView):
    """Customers (coloured by tier) and the suggested route of ``rep`` (default: the caller) for ``date``."""

    @extend_schema(
        parameters=[
            OpenApiParameter("rep", int),
            OpenApiParameter("date", str),
            OpenApiParameter("scheme", int),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request):
        return Response(map_data(request, _rep_for(request), _day(request)))
