"""The API's one error path: domain errors raised by services become standard error responses.

Services and models raise Django's ``ValidationError`` (field-level through ``error_dict``),
``StaleVersion`` and ``InvalidTransition`` (``baifang.core.exceptions``); no view or viewset catches
them. This handler, plugged into drf-standardized-errors (``DRF_STANDARDIZED_ERRORS``), turns them
into the same responses everywhere:

- ``StaleVersion`` → 409 Conflict, code ``conflict``, nothing changed;
- any other ``ValidationError`` (``InvalidTransition`` included) → 400 with one entry per field
  (``attr`` = the field, ``non_field_errors`` for the whole object — Django's ``__all__`` too),
  keeping Django's error code;
- a body nested too deeply is refused by the parser (``DepthLimitedJSONParser``) as 400 ``parse_error``.

Django's ``PermissionDenied`` becomes 403 with the service's reason; ``Http404`` 404 (the package's).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
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


class ExceptionHandler(StandardExceptionHandler):
    """drf-standardized-errors' handler, taught our domain errors (the one place they are mapped)."""

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DjangoValidationError):
            return as_drf_error(exc)
        if isinstance(exc, DjangoPermissionDenied):  # keep the service's reason, if it gave one
            return exceptions.PermissionDenied(str(exc) or None)
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
