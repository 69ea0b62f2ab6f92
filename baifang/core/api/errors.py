"""The API's one error path: domain errors raised by services become standard error responses.

Services and models raise Django's ``ValidationError`` (field-level through ``error_dict``),
``StaleVersion`` and ``InvalidTransition`` (``baifang.core.exceptions``); no view or viewset catches
them. This handler, plugged into drf-standardized-errors (``DRF_STANDARDIZED_ERRORS``), turns them
into the same responses everywhere:

- ``StaleVersion`` → 409 Conflict, code ``conflict``, nothing changed;
- any other ``ValidationError`` (``InvalidTransition`` included) → 400 with one entry per field
  (``attr`` = the field, ``non_field_errors`` for the whole object — Django's ``__all__`` too),
  keeping Django's error code;
- a body nested too deeply is refused by the parser (``DepthLimitedJSONParser``) as 400 ``parse_error``,
  and so is a form with more fields or files than Django accepts, or a body over its size limit.

Django's ``PermissionDenied`` becomes 403 with the service's reason; ``Http404`` 404 (the package's).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from drf_standardized_errors.handler import ExceptionHandler as StandardExceptionHandler
from rest_framework import exceptions, serializers, status
from rest_framework.fields import get_error_detail
from rest_framework.settings import api_settings

from baifang.core.exceptions import StaleVersion


class Conflict(exceptions.APIException):
    """409: someone else changed the object since the caller read it (optimistic locking)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Someone else changed this in the meantime; reload and try again.")
    default_code = "conflict"


def as_drf_error(exc: DjangoValidationError) -> exceptions.APIException:
    """The DRF error for a domain error: 409 for a stale version, else a field-level 400."""
    if isinstance(exc, StaleVersion):
        return Conflict(" ".join(exc.messages))
    if hasattr(exc, "error_dict"):
        detail = get_error_detail(exc)
        # full_clean() puts the whole object's errors under Django's "__all__"; the API calls that key
        # "non_field_errors" (documented on every operation), as DRF's own serializers do
        if NON_FIELD_ERRORS in detail:
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, [])
            detail[api_settings.NON_FIELD_ERRORS_KEY] += detail.pop(NON_FIELD_ERRORS)
        return serializers.ValidationError(detail)
    return serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: get_error_detail(exc)})


def _refused_body(exc: Exception) -> str | None:
    """Why Django's request parser refused a body beyond its limits (None: not such a refusal).

    Raised while DRF parses ``request.data``: a form with more fields or files than settings allow,
    or a body over ``DATA_UPLOAD_MAX_MEMORY_SIZE``. Django answers these 400 on its own pages; inside
    an API view they would otherwise reach drf-standardized-errors as unknown errors (500).
    """
    if isinstance(exc, TooManyFieldsSent):
        return _("The request has more than %(n)s fields.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    if isinstance(exc, TooManyFilesSent):
        return _("The request has more than %(n)s files.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
    if isinstance(exc, RequestDataTooBig):
        return _("The request body is larger than %(n)s bytes.") % {"n": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
    return None


class ExceptionHandler(StandardExceptionHandler):
    """drf-standardized-errors' handler, taught our domain errors (the one place they are mapped)."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return as_drf_error(exc)
        if isinstance(exc, DjangoPermissionDenied):  # keep the service's reason, if it gave one
            return exceptions.PermissionDenied(str(exc) or None)
        refused = _refused_body(exc)
        if refused is not None:
            return exceptions.ParseError(refused)
        return super().convert_known_exceptions(exc)


class ApiNotFoundMiddleware:
    """An /api/ address no route matches (``/api/v1/contacts/0.5/``) answers the API's JSON 404.

    Django's own 404 page is HTML; an API client (and the schema) expects the standard error body.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == status.HTTP_404_NOT_FOUND
            and request.path.startswith("/api/v1/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse(
                {
                    "type": "client_error",
                    "errors": [
                        {"code": "not_found", "detail": str(exceptions.NotFound.default_detail), "attr": None}
                    ],
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return response
