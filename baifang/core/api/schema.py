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


UNSAFE = ("PUT", "PATCH", "POST", "DELETE")

# The codes our services, model validators and workflows raise in Django ValidationErrors (besides
# ``invalid``); the handler keeps them, so any writing operation may answer them on any field.
# tests/core/test_api_schema_codes.py fails when a ``code="…"`` in baifang/ is missing here.
SERVICE_CODES = frozenset(
    {
        "bad_audience",
        "customer_and_tier",
        "campaign_ended",
        "campaign_over",
        "date_in_future",
        "date_out_of_range",
        "distribution_limit",
        "does_not_exist",
        "due_in_past",
        "due_too_far",
        "duplicate",
        "empty_batch",
        "empty_feedback",
        "future",
        "idempotency_key_reused",
        "importance",
        "impossible_window",
        "inactive_template",
        "invalid_choice",
        "invalid_credit_code",
        "invalid_criteria",
        "invalid_latitude",
        "invalid_longitude",
        "invalid_phone",
        "invalid_region",
        "invalid_transition",
        "lifecycle",
        "link_closed",
        "link_expired",
        "link_tampered",
        "link_used",
        "max_decimal_places",
        "max_length",
        "near_duplicate",
        "negative_amount",
        "negative_quantity",
        "no_department",
        "no_occasion",
        "no_recipients",
        "not_on_scale",
        "not_retryable",
        "null_island",
        "open_proposal",
        "open_visit",
        "placeholder_syntax",
        "placeholder_unknown",
        "reason_required",
        "report_required",
        "required",
        "too_far",
        "too_few_recipients",
        "too_old",
        "unknown_festival",
        "unknown_item",
        "unpaired",
        "use_handover",
    }
)


def query_parameter_codes(schema: dict) -> set[str]:
    """The codes a query serializer or form field of this OpenAPI type can answer."""
    kind, fmt = schema.get("type"), schema.get("format")
    if "enum" in schema:
        return {"invalid_choice", "required", "null"}
    if kind == "integer":
        return {"invalid", "required", "null", "min_value", "max_value", "max_string_length"}
    if kind == "boolean":
        return {"invalid", "null"}
    if kind == "string" and fmt == "date":
        return {"invalid", "required", "null", "date_out_of_range", "datetime"}
    return {"invalid", "required", "null", "blank", "max_length", "null_characters_not_allowed"}


class AutoSchema(StandardizedErrorsAutoSchema):
    """drf-standardized-errors' schema, told about the errors our one error path can add.

    - Services check what a serializer cannot (a closed plan, a duplicate, a limit reached) and raise
      Django ``ValidationError``s, which the exception handler returns field by field with their code
      (``invalid`` when the service gives none): every writing operation may answer ``invalid`` or one
      of ``SERVICE_CODES`` on any of its fields or on ``non_field_errors``, and 403 with the service's
      reason.
    - Errors inside lists and dicts are reported on the field (``FlatListField``), not per index.
    - Query parameters checked by a serializer or form in the view (``clean_query``, the obligation
      and calendar queries, strict ``page``/``page_size``) answer field-level 400s on that parameter.
    """

    def _query_parameters(self) -> dict[str, dict]:
        return {p["name"]: p.get("schema", {}) for p in self._get_parameters() if p.get("in") == "query"}

    def _get_validation_error_codes_by_field(self, data_fields):
        codes = super()._get_validation_error_codes_by_field(data_fields)
        for name in [n for n in codes if ".INDEX" in n or ".KEY" in n]:  # FlatListField / FlatDictField
            parent = name.replace(".KEY", ".INDEX").split(".INDEX")[0]
            codes[parent] = {*codes.get(parent, set()), *codes.pop(name)}
        if self.method in UNSAFE:
            for name in [*codes, api_settings.NON_FIELD_ERRORS_KEY]:
                codes[name] = {*codes.get(name, set()), "invalid", *SERVICE_CODES}
        for name, schema in self._query_parameters().items():
            if name not in codes:
                codes[name] = query_parameter_codes(schema)
        return codes

    def _should_add_validation_error_response(self) -> bool:
        return (
            self.method in UNSAFE
            or bool(self._query_parameters())
            or super()._should_add_validation_error_response()
        )

    def _should_add_http403_error_response(self) -> bool:
        return self.method in UNSAFE or super()._should_add_http403_error_response()
