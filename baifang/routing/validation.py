"""Argument checks shared by the engine's public dataclasses and functions.

Every check raises ``ValueError`` naming the parameter and the value it got, so a caller's bug
(``max_visits=-1``, ``time_limit=nan``, a negative ``day_start``) fails loudly at the boundary
instead of producing a quietly wrong plan or a misleading error from deep inside a solver.
Booleans are refused where a number is expected (``True`` is an ``int`` in Python).
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_count", "check_int", "check_optional_count", "check_real", "check_time_limit"]


def check_int(name: str, value: object, minimum: int | None = None) -> int:
    """``value`` as an ``int`` (whole floats accepted), ``>= minimum`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    else:
        number = float(value)
        if not (math.isfinite(number) and number.is_integer()):
            raise ValueError(f"{name} must be a whole number of seconds/units, got {value!r}")
        out = int(number)
    if minimum is not None and out < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return out


def check_count(name: str, value: object) -> int:
    """A non-negative integer count."""
    return check_int(name, value, 0)


def check_optional_count(name: str, value: object) -> int | None:
    """``None`` (no limit) or a non-negative integer count."""
    return None if value is None else check_count(name, value)


def check_time_limit(name: str, value: object) -> float:
    """A solver time budget in seconds: a finite number > 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number of seconds, got {value!r}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a finite number of seconds > 0, got {value!r}")
    return number


def check_real(name: str, value: object, minimum: float | None = None) -> float:
    """A finite real number, ``>= minimum`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")
    return number
