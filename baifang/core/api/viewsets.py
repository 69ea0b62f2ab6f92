"""Base viewsets: every queryset starts at visible_to(request.user) (R-SEC-1)."""

from __future__ import annotations

from rest_framework import viewsets


class ScopedViewSetMixin:
    """Start every queryset at ``Model.objects.visible_to(user)``; subclasses add eager loading."""

    def get_queryset(self):
        return self.scope(self.queryset.model.objects.visible_to(self.request.user))

    def scope(self, queryset):
        return queryset


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
