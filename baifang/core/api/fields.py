"""Serializer fields with the bounds every API input shares (settings.DATE_MIN..DATE_MAX)."""

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.utils import html

from baifang.core.filtersets import ID_RANGE, validate_date_in_range


class BoundedDateField(serializers.DateField):
    """A date within settings.DATE_MIN..DATE_MAX: year 9999 or 0001 is a 400, not an overflow."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_date_in_range]
        super().__init__(**kwargs)

    def get_value(self, dictionary):
        # DRF reads an empty form value of an optional field as "not sent" and uses the default;
        # an empty date is a mistake (POST /plans/ with date="" planned today), so it is refused.
        if html.is_html_input(dictionary) and dictionary.get(self.field_name) == "":
            return ""
        return super().get_value(dictionary)


class BoundedDateTimeField(serializers.DateTimeField):
    """A moment whose date lies within settings.DATE_MIN..DATE_MAX: a time in year 0411 is a 400, never
    stored (and never answered back with the zone's local-mean-time offset of that year)."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", []), validate_date_in_range]
        super().__init__(**kwargs)


class IdField(serializers.IntegerField):
    """A row id given as a parameter: a whole number the database can hold."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", ID_RANGE[0])
        kwargs.setdefault("max_value", ID_RANGE[1])
        super().__init__(**kwargs)


def _flatten(detail, prefix: str = ""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{prefix}{key}.")
    elif isinstance(detail, list):
        for item in detail:
            if isinstance(item, ErrorDetail):
                yield ErrorDetail(f"{prefix.rstrip('.')}: {item}" if prefix else str(item), code=item.code)
            else:
                yield from _flatten(item, prefix)


class FlatErrorsMixin:
    """Report errors inside a list or dict on the field itself (``attr`` = the field, the item's place
    in the message), so the answer matches the documented ``attr`` (the schema cannot list indexes)."""

    def run_validation(self, data=serializers.empty):
        try:
            return super().run_validation(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(list(_flatten(exc.detail))) from None


class FlatListField(FlatErrorsMixin, serializers.ListField):
    pass


class FlatDictField(FlatErrorsMixin, serializers.DictField):
    pass
