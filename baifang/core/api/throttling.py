"""API rate limits (R-SEC-2), read from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` at each request.

DRF's own throttles freeze the rates when first imported; these read the live setting, so a deployment
(or a test) that changes the rates is obeyed.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings


class LiveRates:
    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError as exc:
            raise ImproperlyConfigured(f"No throttle rate set for scope {self.scope!r}") from exc


class AnonRateThrottle(LiveRates, throttling.AnonRateThrottle):
    """Requests per client address before sign-in (rate `anon`)."""


class UserRateThrottle(LiveRates, throttling.UserRateThrottle):
    """Requests per signed-in user (rate `user`)."""


class TokenFailureThrottle(LiveRates, throttling.SimpleRateThrottle):
    """Failed token sign-ins per client address (rate `token_failure`); successes are not counted."""

    scope = "token_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view=None) -> bool:
        """True while the address has failures left; asking does not count as a failure."""
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]
        return len(self.history) < self.num_requests

    def record_failure(self) -> None:
        if self.rate is None:
            return
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)
