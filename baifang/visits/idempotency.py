"""Idempotent requests: a retry with the same key gets the first answer, never a second row."""

from __future__ import annotations

import json
from collections.abc import Callable

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


def _stored(user, key: str, action: str) -> tuple[int, dict] | None:
    found = IdempotencyKey.objects.filter(user=user, key=key).first()
    if found is None:
        return None
    if found.action != action:
        raise IdempotencyConflict(_("This idempotency key was already used for another kind of request."))
    return found.status_code, found.body


def run_once(
    user, key: str | None, action: str, work: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run ``work`` once per (user, key); returns (status, body, replayed).

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
    stored = _stored(user, key, action)
    if stored is not None:
        return (*stored, True)
    try:
        with transaction.atomic():
            status, body = work()
            body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
            IdempotencyKey.objects.create(user=user, key=key, action=action, status_code=status, body=body)
    except IntegrityError:
        stored = _stored(user, key, action)
        if stored is None:
            raise
        return (*stored, True)
    except Exception:
        # A concurrent duplicate can also fail inside the work (e.g. "record already submitted")
        # once the winner committed: the winner's answer is stored with its work, so replay it.
        stored = _stored(user, key, action)
        if stored is None:
            raise
        return (*stored, True)
    return status, body, False
