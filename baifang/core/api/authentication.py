"""API token sign-in that slows down guessing (R-SEC-2).

django-axes watches password sign-ins only; a token is checked by DRF without Django's
`authenticate()`, so failed tokens are counted here, per client address, in DRF's throttle store.
"""

from __future__ import annotations

from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled

from baifang.core.api.throttling import TokenFailureThrottle


class ThrottledTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`; after too many wrong tokens from one address, 429 until the window passes."""

    def authenticate(self, request):
        scheme = get_authorization_header(request).split()[:1]
        if not scheme or scheme[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: nothing to guess
        throttle = TokenFailureThrottle()
        if not throttle.allow_request(request):
            raise Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            throttle.record_failure()
            raise
