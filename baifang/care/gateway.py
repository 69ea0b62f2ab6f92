"""The message gateway: one interface, three backends — log, e-mail, HTTP webhook (R-CARE-4).

Which backend a channel uses is configured in ``settings.BAIFANG_CARE["GATEWAYS"]`` (``log`` by
default; ``email``; ``webhook``; or a dotted path to a class with the same ``send``). A backend
never raises for a delivery problem: it answers a :class:`Result`, and the sending service records
it on the message (sent, or failed with the reason). Retries with back-off happen inside the webhook
backend; a message that still fails is kept as *failed* with its last error and can be retried.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("baifang.care.gateway")


@dataclass(frozen=True)
class Outgoing:
    """One message as a backend sees it; ``token`` is stable across retries (the idempotency key)."""

    token: str
    channel: str
    address: str
    subject: str
    body: str
    recipient: str


@dataclass(frozen=True)
class Result:
    ok: bool
    error: str = ""
    attempts: int = 1


class Gateway:
    name = "base"

    def send(self, message: Outgoing) -> Result:  # pragma: no cover - interface
        raise NotImplementedError


class LogGateway(Gateway):
    """Writes each message to the ``baifang.care.gateway`` log: the default, safe on an intranet."""

    name = "log"

    def send(self, message: Outgoing) -> Result:
        logger.info(
            "care message %s to %s <%s>: %s", message.token, message.recipient, message.address, message.body
        )
        return Result(ok=True)


class EmailGateway(Gateway):
    """Sends through Django's configured e-mail backend (``EMAIL_BACKEND``)."""

    name = "email"

    def send(self, message: Outgoing) -> Result:
        from django.core.mail import EmailMessage

        try:
            sent = EmailMessage(
                subject=message.subject or message.body[:40],
                body=message.body,
                to=[message.address],
                headers={"X-Baifang-Message": message.token},
            ).send()
        except (OSError, ValueError) as exc:  # SMTP errors are OSErrors; a bad address a ValueError
            return Result(ok=False, error=f"{type(exc).__name__}: {exc}"[:300])
        return Result(ok=bool(sent), error="" if sent else "not accepted")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over ``timestamp.body``, hex: what a receiver recomputes to trust a request."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookGateway(Gateway):
    """POSTs each message as JSON to an SMS or enterprise-messaging provider's URL.

    Headers: ``X-Baifang-Timestamp`` (Unix seconds), ``X-Baifang-Signature: sha256=<hex>`` over
    ``timestamp.body`` with the shared secret, ``Idempotency-Key`` (the message token, the same on
    every retry). A 2xx answer is delivered; a timeout, a connection error, 429 or 5xx is retried
    ``retries`` times, waiting ``backoff × 2^n`` seconds; any other 4xx fails at once (retrying
    would not help).
    """

    name = "webhook"

    def __init__(
        self, url: str, secret: str = "", timeout: float = 5.0, retries: int = 2, backoff: float = 1.0
    ):
        if not url:
            raise ValueError("the webhook gateway needs a URL (BAIFANG_CARE_WEBHOOK_URL)")
        self.url, self.secret, self.timeout = url, secret, timeout
        self.retries, self.backoff = max(0, retries), max(0.0, backoff)

    def _request(self, message: Outgoing) -> urllib.request.Request:
        body = json.dumps(asdict(message), ensure_ascii=False, sort_keys=True).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Idempotency-Key": message.token,
            "X-Baifang-Timestamp": timestamp,
        }
        if self.secret:
            headers["X-Baifang-Signature"] = "sha256=" + sign(self.secret, timestamp, body)
        return urllib.request.Request(self.url, data=body, headers=headers, method="POST")

    def send(self, message: Outgoing) -> Result:
        error = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                with urllib.request.urlopen(self._request(message), timeout=self.timeout) as response:  # noqa: S310
                    response.read()
                    return Result(ok=True, attempts=attempt + 1)
            except urllib.error.HTTPError as exc:
                error = f"HTTP {exc.code}"
                if exc.code < 500 and exc.code != 429:
                    return Result(ok=False, error=error, attempts=attempt + 1)
            except TimeoutError:
                error = "timeout"
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                error = "timeout" if isinstance(reason, TimeoutError | socket.timeout) else f"{reason}"[:300]
        return Result(ok=False, error=error, attempts=self.retries + 1)


def _config() -> dict:
    return getattr(settings, "BAIFANG_CARE", {})


def gateway_for(channel: str) -> Gateway:
    """The configured backend for ``channel`` (``sms`` or ``email``)."""
    config = _config()
    name = config.get("GATEWAYS", {}).get(channel, "log")
    if name == "log":
        return LogGateway()
    if name == "email":
        return EmailGateway()
    if name == "webhook":
        return WebhookGateway(
            url=config.get("WEBHOOK_URL", ""),
            secret=config.get("WEBHOOK_SECRET", ""),
            timeout=config.get("WEBHOOK_TIMEOUT", 5.0),
            retries=config.get("WEBHOOK_RETRIES", 2),
            backoff=config.get("WEBHOOK_BACKOFF", 1.0),
        )
    return import_string(name)()
