"""The criteria language's data (R-TIER-2): fields, reserved words, the parsed tree, results, errors.

Plain Python, no Django: the lexer, parser and evaluator of this package share these types.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

MAX_LENGTH = 2000
"""Longest accepted criterion, in characters of the original text."""

MAX_DEPTH = 50
"""Deepest accepted nesting of parentheses and ``not``."""

KINDS = ("number", "text", "bool", "date")

DEFAULT_REASON_ZH = "未满足更高档的条件，归入默认档"
DEFAULT_REASON_EN = "did not meet the criteria of a higher tier; assigned the default tier"
NO_MATCH_REASON_ZH = "没有满足条件的档位"
NO_MATCH_REASON_EN = "no tier matched"


@dataclass(frozen=True)
class FieldSpec:
    """A fact criteria may refer to, by ``name`` or by its Chinese label ``label_zh``.

    ``kind`` is one of ``"number"``, ``"text"``, ``"bool"`` or ``"date"`` (facts of kind date are
    :class:`datetime.date`; literals are written ``'YYYY-MM-DD'``).  ``choices`` closes the set of
    values a text field may be compared with; a literal outside it is a :class:`CriterionError`.
    ``choice_labels`` names those values for people: ``(value, label_zh, label_en)`` triples, plain
    data handed in by the caller (the engine knows no Django); reasons and messages show the label
    (R-UX-1: ``客户类型 “一级代理商”``, never the stored code).
    """

    name: str
    kind: str
    label_zh: str
    label_en: str
    choices: tuple[str, ...] = ()
    choice_labels: tuple[tuple[str, str, str], ...] = ()

    def code_for(self, text: str) -> str:
        """The choice value a criterion means by ``text``: a value as stored, or its Chinese/English label."""
        for code, label_zh, label_en in self.choice_labels:
            if text in (label_zh, label_en) and text not in self.choices:
                return code
        return text

    def value_label(self, value: object, english: bool) -> str | None:
        """The people's name of a choice value, or None when the field has none for it."""
        for code, label_zh, label_en in self.choice_labels:
            if code == value:
                return label_en if english else label_zh
        return None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"FieldSpec {self.name!r}: kind must be one of {KINDS}, not {self.kind!r}")
        for text in (self.name, self.label_zh):
            normal = unicodedata.normalize("NFKC", text)
            if not normal or normal[0].isdigit() or not all(is_word(c) for c in normal):
                raise ValueError(
                    f"FieldSpec {self.name!r}: {text!r} cannot be written in a criterion "
                    "(use letters, CJK characters, digits and underscores; do not start with a digit)"
                )
            if normal.lower() in ASCII_KEYWORDS or normal in CJK_KEYWORDS:
                raise ValueError(f"FieldSpec {self.name!r}: {text!r} is a reserved word")
        if self.choices and self.kind != "text":
            raise ValueError(f"FieldSpec {self.name!r}: only text fields may have choices")
        unknown = {code for code, _zh, _en in self.choice_labels} - set(self.choices)
        if unknown:
            raise ValueError(
                f"FieldSpec {self.name!r}: labels for values that are not choices: {sorted(unknown)}"
            )


class CriterionError(ValueError):
    """A criterion that cannot be accepted; raised by :func:`parse`.

    Attributes: ``token`` (the offending text, ``""`` at the end of input), ``position`` (0-based
    character offset of the token in the original text), ``message_zh`` and ``message_en``.
    ``str(error)`` is the Chinese message.
    """

    def __init__(self, message_zh: str, message_en: str, position: int, token: str) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en
        self.position = position
        self.token = token


class FactError(TypeError):
    """A fact has a Python type that does not fit its field's kind (a bug in the fact source)."""


@dataclass(frozen=True)
class FieldRef:
    """A field used as an operand."""

    spec: FieldSpec


@dataclass(frozen=True)
class Literal:
    """A constant operand; ``value`` is a Decimal, str, bool or date according to ``kind``."""

    value: Decimal | str | bool | dt.date
    kind: str


Operand: TypeAlias = FieldRef | Literal


@dataclass(frozen=True)
class Compare:
    """``left op right``; ``op`` is one of ``>= <= > < = !=`` and at least one side is a field."""

    left: Operand
    op: str
    right: Operand


@dataclass(frozen=True)
class Membership:
    """``field in [...]`` (or ``not in`` when ``negated``)."""

    field: FieldRef
    items: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class BoolTest:
    """A bare yes/no field: true when the fact is true."""

    field: FieldRef


@dataclass(frozen=True)
class Not:
    """Negation."""

    operand: Node


@dataclass(frozen=True)
class And:
    """Conjunction of two or more operands."""

    operands: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    """Disjunction of two or more operands."""

    operands: tuple[Node, ...]


Node: TypeAlias = Compare | Membership | BoolTest | Not | And | Or


@dataclass(frozen=True)
class Criterion:
    """A validated criterion: its source text, the names of the fields it uses and its parsed tree."""

    source: str
    fields: frozenset[str]
    tree: Node = field(repr=False)


@dataclass(frozen=True)
class Evaluation:
    """Outcome of :func:`evaluate`.

    ``reasons_zh``/``reasons_en`` are the clauses that decided the outcome, rendered with the actual
    values: for a match, why it matched; otherwise why it did not (failing clauses or missing data).
    """

    matched: bool
    reasons_zh: tuple[str, ...]
    reasons_en: tuple[str, ...]


@dataclass(frozen=True)
class RatingResult:
    """Outcome of :func:`rate`: the suggested tier code (or None), the reason, and the tiers checked."""

    tier: str | None
    reason_zh: str
    reason_en: str
    checked: tuple[tuple[str, bool], ...]


# Reserved words, in English and Chinese: the lexer reads them, no field may be named like one.
ASCII_KEYWORDS: dict[str, tuple[str, object]] = {
    "and": ("AND", None),
    "or": ("OR", None),
    "not": ("NOT", None),
    "in": ("IN", None),
    "true": ("BOOL", True),
    "false": ("BOOL", False),
}
# Longest first so that 不属于 wins over 属于 and 并且 over 且.
CJK_KEYWORDS: dict[str, tuple[str, object]] = {
    "不属于": ("NOTIN", None),
    "属于": ("IN", None),
    "并且": ("AND", None),
    "或者": ("OR", None),
    "且": ("AND", None),
    "或": ("OR", None),
    "非": ("NOT", None),
    "是": ("BOOL", True),
    "否": ("BOOL", False),
}


def is_word(c: str) -> bool:
    return c.isalnum() or c == "_"
