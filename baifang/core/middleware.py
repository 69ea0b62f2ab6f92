"""Request context for the audit log (the acting user and a request id), page language, error pages."""

from __future__ import annotations

import contextvars
import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.urls import get_resolver, get_urlconf

_current_user: contextvars.ContextVar = contextvars.ContextVar("baifang_user", default=None)
_request_id: contextvars.ContextVar = contextvars.ContextVar("baifang_request_id", default="")


def current_user():
    """The authenticated user of the request being served, or None (tasks, shell)."""
    return _current_user.get()


def current_request_id() -> str:
    return _request_id.get()


class RequestContextMiddleware:
    """Sets the current user and a request id for the duration of a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        token_user = _current_user.set(user if user is not None and user.is_authenticated else None)
        request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        token_id = _request_id.set(request_id[:36])
        try:
            response = self.get_response(request)
        finally:
            _current_user.reset(token_user)
            _request_id.reset(token_id)
        response["X-Request-ID"] = request_id[:36]
        return response


class PageLocaleMiddleware:
    """Pages are Chinese unless the user chose English (R-UX-1); the API honours Accept-Language.

    Runs before LocaleMiddleware: a browser set to English does not switch a Chinese-first product,
    but API clients keep the standard header.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ProductErrorPagesMiddleware:
    """Our own Chinese 404 and 500 pages also while DEBUG is on (``make run``), for all but staff (R-UX-1).

    With DEBUG off Django already renders templates/404.html, 403.html, 400.html and 500.html. With
    DEBUG on it answers a missing page or an uncaught error with its English technical page, which
    is right for a developer and wrong for a tester trying the demo as ``rep``. So under DEBUG:
    staff (``admin``) keep the technical pages; everyone else gets the product's page, and the
    traceback of a 500 still goes to the console through the ``django.request`` logger. 403 needs
    nothing here: Django renders handler403 (templates/403.html, with the refusal's message) in
    both modes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None  # no URL matched: the technical page
            and self._product_page_wanted(request)
        ):
            return self._error_page(request, 404, Http404())
        return response

    def process_exception(self, request, exception):
        if not self._product_page_wanted(request):
            return None
        if isinstance(exception, Http404):
            return self._error_page(request, 404, exception)
        if isinstance(exception, PermissionDenied | SuspiciousOperation):
            return None  # Django renders handler403/handler400 itself, in every mode
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", request.path, exc_info=exception, extra={"request": request}
        )
        return self._error_page(request, 500, exception)

    @staticmethod
    def _product_page_wanted(request) -> bool:
        user = getattr(request, "user", None)
        return settings.DEBUG and not (user is not None and user.is_staff)

    @staticmethod
    def _error_page(request, status: int, exception):
        handler = get_resolver(get_urlconf()).resolve_error_handler(status)
        return handler(request) if status == 500 else handler(request, exception)
