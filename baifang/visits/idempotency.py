"""Idempotent requests: a retry with the same key gets the first answer, never a second row.

A key is bound to the request it was first used for — user, method, path and body — so the same
key sent with another target (another visit, another customer) is refused, never answered with
the first request's result (R-UX-2, R-SEC-1).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from baifang.visits.exceptions import IdempotencyConflict
from baifang.visits.models import IdempotencyKey

MAX_KEY_LENGTH = 80


def clean_key(key: str | None) -> str:
    key = (key or "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyConflict(
            _("The idempotency key is longer than %(n)d characters.") % {"n": MAX_KEY_LENGTH}
        )
    return key


def _plain(value):
    """A JSON-able stand-in for request values (dates, decimals, uploads by name and size)."""
    if hasattr(value, "read") and hasattr(value, "size"):
        return {"file": getattr(value, "name", ""), "size": value.size}
    return str(value)


# Left out of the fingerprint: the key itself, and the phone's clock when it sent the request, which
# changes with every retry of one request queued offline (R-UX-2).
TRANSPORT_FIELDS = frozenset({"idempotency_key", "sent_at"})


def fingerprint(method: str, path: str, data: Mapping | None) -> str:
    """SHA-256 of the request a key is bound to; the key and the send time are left out of the body."""
    body = {name: value for name, value in (data or {}).items() if name not in TRANSPORT_FIELDS}
    text = json.dumps([method.upper(), path, body], sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def request_fingerprint(request, data: Mapping | None) -> str:
    """The fingerprint of a page or API request: its method, path and validated data."""
    return fingerprint(request.method, request.path, data)


def _stored(user, key: str, action: str, bound_to: str) -> tuple[int, dict] | None:
    found = IdempotencyKey.objects.filter(user=user, key=key).first()
    if found is None:
        return None
    if found.action != action or (found.fingerprint and bound_to and found.fingerprint != bound_to):
        raise IdempotencyConflict(
            _(
                "This idempotency key was already used for a different request. "
                "Send each new request with a new key; only an unchanged retry may reuse one."
            ),
            code="idempotency_key_reused",
        )
    return found.status_code, found.body


def run_once(
    user,
    key: str | None,
    action: str,
    work: Callable[[], tuple[int, dict]],
    *,
    bound_to: str = "",
) -> tuple[int, dict, bool]:
    """Run ``work`` once per (user, key); returns (status, body, replayed).

    ``bound_to`` is the request's fingerprint: a stored key replays only for the same request
    and refuses any other (IdempotencyConflict).

    The work and the key row commit together; a concurrent duplicate fails on the unique key,
    rolls its own work back and answers with the winner's result (R-VISIT API, zero duplicates).
    A duplicate whose work fails after the winner committed (for instance on "already
    submitted") also gets the winner's answer. Failed work with no winner stores nothing, so a
    corrected retry runs again.
    """
    key = clean_key(key)
    if not key:
        status, body = work()
        return status, body, False
    stored = _stored(user, key, action, bound_to)
    if stored is not None:
        return (*stored, True)
    try:
        with transaction.atomic():
            status, body = work()
            body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            IdempotencyKey.objects.create(
                user=user, key=key, action=action, fingerprint=bound_to, status_code=status, body=body
            )
    except IntegrityError:
        stored = _stored(user, key, action, bound_to)
        if stored is None:
            raise
        return (*stored, True)
    except Exception:
        # A concurrent duplicate can also fail inside the work (e.g. "record already submitted")
        # once the winner committed: the winner's answer is stored with its work, so replay it.
        stored = _stored(user, key, action, bound_to)
        if stored is None:
            raise
        return (*stored, True)
    return status, body, False
