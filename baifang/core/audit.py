"""Writing the audit log (R-SEC-1): approvals, overrides, exports, hand-overs, merges."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from baifang.core.middleware import current_request_id, current_user
from baifang.core.models import AuditLog


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of an object's concrete field values."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = field.value_from_object(obj)
        data[field.name] = DjangoJSONEncoder().default(value) if _needs_encoding(value) else value
    return data


def _needs_encoding(value: Any) -> bool:
    return value is not None and not isinstance(value, str | int | float | bool | list | dict)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    user=None,
    object_type: str = "",
    object_id: str = "",
    before: dict | None = None,
    after: dict | None = None,
    message: str = "",
) -> AuditLog:
    """Write one audit entry; the user defaults to the current request's user."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    return AuditLog.objects.create(
        user=user if user is not None else current_user(),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before,
        after=after,
        message=message,
        request_id=current_request_id(),
    )
