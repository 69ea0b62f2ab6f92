from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from baifang.core.api.viewsets import ScopedReadOnlyViewSet
from baifang.org.api.serializers import OrgUnitSerializer, UserSerializer
from baifang.org.filtersets import OrgUnitFilterSet, UserFilterSet
from baifang.org.models import OrgUnit, User


class OrgUnitViewSet(ScopedReadOnlyViewSet):
    """The organisation tree (R-ORG-1)."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilterSet
    ordering_fields = ["path", "name"]


class UserViewSet(ScopedReadOnlyViewSet):
    """Colleagues: a read-only directory (R-ORG-2)."""

    queryset = User.objects.all()
    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username"]

    def scope(self, queryset):
        return queryset.prefetch_related("assignments__position").order_by("username")

    @extend_schema(responses=UserSerializer)
    @action(detail=False)
    def me(self, request):
        """The signed-in user."""
        return Response(UserSerializer(request.user).data)
