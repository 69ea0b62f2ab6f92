"""The message gateway's backends against a local provider (R-CARE-4): signed body, retries with
back-off, timeouts and 5xx retried then failed, 4xx failed at once; Django's e-mail backend."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from baifang.care import gateway
from tests.care.webhook_server import Provider

MESSAGE = gateway.Outgoing(
    token="7f9c0000-0000-0000-0000-000000000001",
    channel="sms",
    address="13900000001",
    subject="",
    body="王总您好，中秋节快乐！",
    recipient="王建国",
)


def _hook(url, **kwargs):
    kwargs.setdefault("backoff", 0.01)
    return gateway.WebhookGateway(url, secret="s3cret", **kwargs)


def test_webhook_posts_a_signed_json_body_the_receiver_can_verify():
    with Provider() as provider:
        result = _hook(provider.url).send(MESSAGE)
    assert result.ok and result.attempts == 1
    (request,) = provider.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert request["json"]["address"] == "13900000001" and request["json"]["body"] == MESSAGE.body
    assert headers["idempotency-key"] == MESSAGE.token
    expected = gateway.sign("s3cret", headers["x-baifang-timestamp"], request["body"])
    assert headers["x-baifang-signature"] == f"sha256={expected}"
    assert gateway.sign("other", headers["x-baifang-timestamp"], request["body"]) != expected


def test_webhook_retries_5xx_with_backoff_then_succeeds():
    with Provider(script=[503, 500, "ok"]) as provider:
        started = time.monotonic()
        result = _hook(provider.url, retries=2, backoff=0.1).send(MESSAGE)
        waited = time.monotonic() - started
    assert result.ok and result.attempts == 3
    assert len(provider.requests) == 3
    assert {r["headers"]["Idempotency-Key"] for r in provider.requests} == {MESSAGE.token}
    assert waited >= 0.1 + 0.2  # back-off 0.1 s, then 0.2 s


def test_webhook_that_keeps_answering_5xx_is_marked_failed_not_lost():
    with Provider(script=[500, 502, 503]) as provider:
        result = _hook(provider.url, retries=2).send(MESSAGE)
    assert not result.ok and result.error == "HTTP 503" and result.attempts == 3
    assert len(provider.requests) == 3


def test_webhook_timeout_is_retried_then_failed():
    with Provider(script=["slow", "slow"], slow_seconds=1.0) as provider:
        result = _hook(provider.url, retries=1, timeout=0.2).send(MESSAGE)
    assert not result.ok and result.error == "timeout" and result.attempts == 2
    assert len(provider.requests) == 2


def test_webhook_4xx_is_not_retried():
    with Provider(script=[400]) as provider:
        result = _hook(provider.url, retries=3).send(MESSAGE)
    assert not result.ok and result.error == "HTTP 400" and len(provider.requests) == 1


def test_webhook_429_is_retried():
    with Provider(script=[429]) as provider:
        result = _hook(provider.url, retries=1).send(MESSAGE)
    assert result.ok and len(provider.requests) == 2


def test_webhook_connection_refused_fails_with_the_reason():
    with Provider() as provider:
        url = provider.url
    result = _hook(url, retries=1).send(MESSAGE)  # the server is gone
    assert not result.ok and result.error


def test_webhook_needs_a_url():
    with pytest.raises(ValueError):
        gateway.WebhookGateway("")


def test_email_backend_sends_through_djangos_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    message = gateway.Outgoing(MESSAGE.token, "email", "wang@example.com", "中秋问候", MESSAGE.body, "王建国")
    assert gateway.EmailGateway().send(message).ok
    (sent,) = mail.outbox
    assert sent.to == ["wang@example.com"] and sent.subject == "中秋问候" and sent.body == MESSAGE.body
    assert sent.extra_headers["X-Baifang-Message"] == MESSAGE.token


def test_log_backend_is_the_default(settings, caplog):
    settings.BAIFANG_CARE = {}
    backend = gateway.gateway_for("sms")
    assert isinstance(backend, gateway.LogGateway)
    with caplog.at_level("INFO", logger="baifang.care.gateway"):
        assert backend.send(MESSAGE).ok
    assert MESSAGE.token in caplog.text


def test_gateway_for_reads_the_settings(settings):
    settings.BAIFANG_CARE = {
        "GATEWAYS": {"sms": "webhook", "email": "email"},
        "WEBHOOK_URL": "http://127.0.0.1:9/x",
        "WEBHOOK_RETRIES": 4,
    }
    hook = gateway.gateway_for("sms")
    assert isinstance(hook, gateway.WebhookGateway) and hook.retries == 4
    assert isinstance(gateway.gateway_for("email"), gateway.EmailGateway)
