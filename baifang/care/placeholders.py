"""Message-template placeholders: parse, check, render — plain Python (R-CARE-4).

A template is text with ``{name}``-style placeholders, e.g. ``{name}{title}您好，{festival}快乐！``.
``{{`` and ``}}`` stand for literal braces. Only the names in ``PLACEHOLDERS`` are known; anything
else — an unknown name, a format spec, an attribute or index access, an unclosed brace — is an
error, so a template is refused when it is saved, never when a thousand messages go out.
"""

from __future__ import annotations

import string
from collections.abc import Mapping

# name → what it stands for (the labels are shown in the page's placeholder table).
PLACEHOLDERS: dict[str, str] = {
    "name": "姓名",
    "title": "职务",
    "festival": "节日或场合",
    "customer": "客户名称",
    "sender": "发送人",
    "company": "本公司名称",
}


class PlaceholderError(ValueError):
    """A template that cannot be rendered; ``kind`` is ``unknown`` or ``syntax``, ``names`` the culprits."""

    def __init__(self, kind: str, names: tuple[str, ...] = (), detail: str = ""):
        super().__init__(detail or f"{kind}: {', '.join(names)}")
        self.kind = kind
        self.names = names


_FORMATTER = string.Formatter()


def fields_of(text: str) -> list[str]:
    """The placeholder names used in ``text``, in order of first use; raises on a malformed template."""
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:  # "Single '}' encountered", "expected '}' before end of string"
        raise PlaceholderError("syntax", detail=str(exc)) from exc
    names: list[str] = []
    odd: list[str] = []
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            odd.append(
                "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
            continue
        if field not in names:
            names.append(field)
    if odd:
        raise PlaceholderError("syntax", tuple(odd))
    return names


def unknown_fields(text: str, known: Mapping[str, str] | None = None) -> list[str]:
    known = PLACEHOLDERS if known is None else known
    return [name for name in fields_of(text) if name not in known]


def check(text: str) -> None:
    """Raise :class:`PlaceholderError` unless every placeholder of ``text`` is known."""
    unknown = unknown_fields(text)
    if unknown:
        raise PlaceholderError("unknown", tuple(unknown))


def render(text: str, values: Mapping[str, object]) -> str:
    """``text`` with its placeholders filled from ``values`` (a missing value renders empty)."""
    check(text)
    out: list[str] = []
    for literal, field, _spec, _conversion in _FORMATTER.parse(text):
        out.append(literal)
        if field is not None:
            value = values.get(field)
            out.append("" if value is None else str(value))
    return "".join(out)


def segments(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into ``(literal, placeholder name or None)`` pairs, for showing a template with its
    placeholders marked (``{{``/``}}`` come back as single braces); a malformed text is one literal."""
    try:
        return [(literal, field) for literal, field, _spec, _conversion in _FORMATTER.parse(text)]
    except ValueError:
        return [(text, None)]
