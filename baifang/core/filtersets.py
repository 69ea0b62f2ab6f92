"""The base of every FilterSet (page and API): no filter value can reach the database unchecked.

django-filter hands a filter's cleaned value straight to the ORM, so an out-of-range id
(``?customer=1e19``) overflows SQLite's integers, a year-9999 date overflows date arithmetic and a
50,000-character search string is "too complex" for ``LIKE``. ``BaseFilterSet`` bounds every filter
once, from the model field it reads (R-SEC-1, R-UX-1):

- number filters on integer fields (ids included) take integers within the column's range;
- date filters take dates within ``settings.DATE_MIN``–``DATE_MAX``;
- text filters take at most ``settings.SEARCH_MAX_LENGTH`` characters.

An invalid value is refused with a field-level message (400 in the API, a form error on pages).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from django_filters.utils import get_model_field

from baifang.core.models import ImportBatch

ID_RANGE = (1, 2**63 - 1)  # BigAutoField on both databases


def validate_date_in_range(value) -> None:
    """A date (or each end of a date range) within settings.DATE_MIN..DATE_MAX."""
    dates = [value.start, value.stop] if isinstance(value, slice) else [value]
    for day in dates:
        if isinstance(day, dt.datetime):
            day = day.date()
        if isinstance(day, dt.date) and not settings.DATE_MIN <= day <= settings.DATE_MAX:
            raise ValidationError(
                _("Enter a date between %(min)s and %(max)s."),
                code="date_out_of_range",
                params={
                    "min": date_format(settings.DATE_MIN, "Y-m-d"),
                    "max": date_format(settings.DATE_MAX, "Y-m-d"),
                },
            )


validate_date_in_range.code = "date_out_of_range"  # documented in the API's error codes


def _integer_range(model, field_name: str) -> tuple[int, int] | None:
    try:
        field = get_model_field(model, field_name) if model else None
    except FieldDoesNotExist:
        field = None
    if field is None:
        return None
    if field.is_relation and field.target_field is not None:
        field = field.target_field
    if not isinstance(field, models.IntegerField):
        return None
    if field.primary_key:
        return ID_RANGE
    return connection.ops.integer_field_range(field.get_internal_type())


DATE_FILTERS = (
    django_filters.DateFilter,
    django_filters.DateFromToRangeFilter,
    django_filters.DateTimeFilter,
)


def bound_filter(flt: django_filters.Filter, model) -> None:
    """Give one filter the bounds of the column it reads (see the module docstring)."""
    if isinstance(flt, django_filters.NumberFilter) and flt.field_class is forms.DecimalField:
        bounds = _integer_range(model, flt.field_name)
        if bounds is not None:
            flt.field_class = forms.IntegerField
            flt.extra.setdefault("min_value", bounds[0])
            flt.extra.setdefault("max_value", bounds[1])
        else:
            flt.extra.setdefault("max_digits", 18)  # a number the database can compare
    elif isinstance(flt, DATE_FILTERS):
        validators = flt.extra.setdefault("validators", [])
        if validate_date_in_range not in validators:
            validators.append(validate_date_in_range)
    elif isinstance(flt, django_filters.CharFilter):
        flt.extra.setdefault("max_length", settings.SEARCH_MAX_LENGTH)


class BoundedFiltersMixin:
    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        for flt in filters.values():
            bound_filter(flt, cls._meta.model)
        return filters


class BaseFilterSet(BoundedFiltersMixin, django_filters.FilterSet):
    """The base of every list's FilterSet, shared by the page and the API."""


class BaseAPIFilterSet(BoundedFiltersMixin, drf_filters.FilterSet):
    """The base of API-only FilterSets: django-filter's DRF flavour (booleans as ``true``/``false``).

    Every list names its FilterSet (``filterset_class``), never ``filterset_fields``
    (tests/core/test_filtersets_named.py holds that); the backend still bases generated ones on this."""


class ImportBatchFilterSet(BaseAPIFilterSet):
    """Import batches by kind and status (R-ARCH-10)."""

    class Meta:
        model = ImportBatch
        fields = ["kind", "status"]
