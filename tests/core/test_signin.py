"""Sign-in is protected against guessing and audited (R-SEC-2).

The settings are the product's own (django-axes on, database handler); each test's attempts live in its
own transaction, so lockouts here never reach other tests.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from axes.utils import reset
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from baifang.core.choices import AuditAction
from baifang.core.models import AuditLog

PASSWORD = "pw-123456"


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    return 3


def fail(client: Client, username: str, times: int):
    for _ in range(times):
        assert sign_in(client, username, "wrong-password").status_code in (200, 429)


def test_r_sec_2_right_password_refused_after_failure_limit(org, limit):
    client = Client()
    fail(client, "rep", limit)
    response = sign_in(client, "rep", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # The login page itself, explaining the lockout, not a bare error page.
    assert b'data-testid="lockout"' in response.content
    assert b'name="password"' in response.content


def test_r_sec_2_lockout_message_names_the_cool_off(org, limit):
    client = Client()
    fail(client, "rep", limit)
    page = sign_in(client, "rep", PASSWORD).content.decode()
    assert "15" in page  # the cool-off in minutes
    assert "Too many failed sign-ins" in page or "锁定" in page


def test_r_sec_2_failures_below_limit_do_not_lock(org, limit):
    client = Client()
    fail(client, "rep", limit - 1)
    assert sign_in(client, "rep", PASSWORD).status_code == 302
    assert signed_in(client)


def test_r_sec_2_lockout_is_per_account_by_default(org, limit):
    """A whole office shares one address: one guessed account does not lock out the colleagues."""
    client = Client()
    fail(client, "rep", limit)
    assert sign_in(client, "teammate", PASSWORD).status_code == 302


def test_r_sec_2_lockout_ends_after_cool_off(org, limit):
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC), tick=False):
        fail(Client(), "rep", limit)
        assert sign_in(Client(), "rep", PASSWORD).status_code == 429
    with time_machine.travel(dt.datetime(2027, 3, 1, 9, 16, tzinfo=dt.UTC), tick=False):
        client = Client()
        assert sign_in(client, "rep", PASSWORD).status_code == 302
        assert signed_in(client)


def test_r_sec_2_admin_unlock_lets_the_user_in(org, limit):
    fail(Client(), "rep", limit)
    assert sign_in(Client(), "rep", PASSWORD).status_code == 429
    reset(username="rep")
    assert sign_in(Client(), "rep", PASSWORD).status_code == 302


def test_r_sec_2_axes_reset_command_unlocks(org, limit):
    fail(Client(), "rep", limit)
    call_command("axes_reset_username", "rep")
    assert not AccessAttempt.objects.filter(username="rep").exists()
    assert sign_in(Client(), "rep", PASSWORD).status_code == 302


def test_r_sec_2_admin_sees_attempts_in_the_admin(org, limit):
    fail(Client(), "rep", limit)
    admin = Client()
    admin.force_login(org.admin)
    page = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 200
    assert b"rep" in page.content


def test_r_sec_2_login_logout_and_failure_are_audited(org):
    client = Client()
    sign_in(client, "rep", "wrong-password")
    sign_in(client, "nobody", "wrong-password")
    sign_in(client, "rep", PASSWORD)
    client.post(reverse("logout"))

    failed = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert [(e.object_id, e.user_id) for e in failed] == [(str(org.rep.pk), None), ("", None)]
    assert "username=nobody" in failed[1].message
    assert all("wrong-password" not in e.message for e in failed)
    assert AuditLog.objects.get(action=AuditAction.LOGIN).user == org.rep
    assert AuditLog.objects.get(action=AuditAction.LOGOUT).user == org.rep


def test_r_sec_2_locked_out_attempt_is_audited_as_locked(org, limit):
    client = Client()
    fail(client, "rep", limit)
    sign_in(client, "rep", PASSWORD)
    last = AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert "locked_out" in last.message
    assert not AuditLog.objects.filter(action=AuditAction.LOGIN).exists()


# --- the API -----------------------------------------------------------------------------------


def token_for(owner, settings, **rates: str) -> Token:
    """A token for ``owner``, with the given API throttle rates in force (e.g. ``user="3/min"``)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }
    return Token.objects.create(user=owner)


def test_r_sec_2_wrong_tokens_are_throttled_per_address(org, settings):
    good = token_for(org.rep, settings, token_failure="3/min")
    client = APIClient()
    url = reverse("customer-list")
    for i in range(3):
        client.credentials(HTTP_AUTHORIZATION=f"Token guess{i}")
        assert client.get(url).status_code in (401, 403)  # refused, not throttled yet
    client.credentials(HTTP_AUTHORIZATION="token guess-lowercase")
    assert client.get(url).status_code == 429
    # Even the right token waits: a guesser cannot tell a hit from a miss while throttled.
    client.credentials(HTTP_AUTHORIZATION=f"Token {good.key}")
    response = client.get(url)
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_r_sec_2_right_tokens_are_not_counted_as_failures(org, settings):
    good = token_for(org.rep, settings, token_failure="2/min")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {good.key}")
    assert [client.get(reverse("customer-list")).status_code for _ in range(4)] == [200] * 4


def test_r_sec_2_api_user_rate_is_throttled(org, settings):
    token = token_for(org.rep, settings, user="3/min")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    codes = [client.get(reverse("customer-list")).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
