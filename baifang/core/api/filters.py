"""The API's filter backend: FilterSets built from ``filterset_fields`` are bounded too (R-SEC-1)."""

from django_filters.rest_framework import DjangoFilterBackend

from baifang.core.filtersets import BaseAPIFilterSet


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend with ``BaseAPIFilterSet`` under every generated FilterSet."""

    filterset_base = BaseAPIFilterSet
