"""Request context for the audit log: the acting user and a request id."""

from __future__ import annotations

import contextvars
import uuid

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
