"""OpenAPI corrections applied to every operation (the schema must tell the truth, R-UX-1).

- Error codes: see ``AutoSchema``.

- Times: DRF's ``TimeField`` reads and writes ``"08:30:00"`` (no UTC offset), but OpenAPI's
  ``format: time`` is RFC 3339 ``full-time``, which requires one. Declared as a pattern instead.
"""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_standardized_errors.openapi import AutoSchema as StandardizedErrorsAutoSchema
from rest_framework.settings import api_settings

TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$"


class LocalTimeFieldExtension(OpenApiSerializerFieldExtension):
    """A wall-clock time of day, ``HH:MM[:SS]``, in the company's time zone."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": TIME_PATTERN, "example": "08:30:00"}


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' schema, told about the errors our one error path can add.

    Services check what a serializer cannot (a closed plan, a duplicate, a limit reached) and raise
    Django ``ValidationError``s, which the exception handler returns field by field with their code
    (``invalid`` when the service gives none). So every writing operation may answer ``invalid`` on
    any of its fields or on ``non_field_errors``, and every paginated list on ``page``/``page_size``.
    """

    def _get_validation_error_codes_by_field(self, data_fields):
        codes = super()._get_validation_error_codes_by_field(data_fields)
        if self.method in ("PUT", "PATCH", "POST"):
            for name in [*codes, api_settings.NON_FIELD_ERRORS_KEY]:
                codes[name] = {*codes.get(name, set()), "invalid"}
        if self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            codes["page"] = {*codes.get("page", set()), "invalid", "min_value", "max_value"}
            codes["page_size"] = {*codes.get("page_size", set()), "invalid", "min_value", "max_value"}
        return codes

    def _should_add_validation_error_response(self) -> bool:
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        return paginated or super()._should_add_validation_error_response()
