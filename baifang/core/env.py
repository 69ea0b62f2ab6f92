"""Typed readers for settings that come from environment variables.

Each helper fails loudly (ImproperlyConfigured) on a value it cannot parse, so a typo in a
deployment's environment stops the process at start-up instead of being silently ignored.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable as a string, or ``default`` when unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; accepts 1/0, true/false, yes/no, on/off."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """Return the variable as an integer, optionally not below ``minimum``."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty, stripped items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return the variable if it is one of ``choices`` (compared case-insensitively, returned as listed)."""
    raw = os.environ.get(name, default).strip()
    for choice in choices:
        if raw.lower() == choice.lower():
            return choice
    raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {raw!r}")


def csp_source_of(url_template: str) -> str:
    """The Content-Security-Policy source that allows a tiles URL template ('' when none is set).

    `https://{s}.tiles.example.cn/{z}/{x}/{y}.png` → `https://*.tiles.example.cn`.
    """
    if not url_template:
        return ""
    parts = urlsplit(url_template)
    host = parts.netloc.replace("{s}", "*")
    if parts.scheme not in ("http", "https") or not host or "{" in host:
        raise ImproperlyConfigured(f"map tiles URL must be an http(s) URL template, got {url_template!r}")
    return f"{parts.scheme}://{host}"
