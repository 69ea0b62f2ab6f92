"""The criteria evaluator (R-TIER-2): three-valued (Kleene) evaluation with reasons, and tier rating.

A fact that is absent or ``None`` makes its comparison unknown; an unknown criterion never matches.
The reasons are true statements about the facts, in Chinese and English, with choice labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from baifang.tiers.engine.language import (
    DEFAULT_REASON_EN,
    DEFAULT_REASON_ZH,
    NO_MATCH_REASON_EN,
    NO_MATCH_REASON_ZH,
    And,
    BoolTest,
    Compare,
    Criterion,
    Evaluation,
    FactError,
    FieldRef,
    FieldSpec,
    Literal,
    Membership,
    Node,
    Not,
    Operand,
    Or,
    RatingResult,
)

_Tri: TypeAlias = bool | None  # None = unknown (missing data)
_MISSING = object()
_OPS: dict[str, Callable[[object, object], bool]] = {
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_NEGATED = {">=": "<", "<": ">=", "<=": ">", ">": "<=", "=": "!=", "!=": "="}
_SYMBOL = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "!=": "≠"}


@dataclass
class _Outcome:
    value: _Tri
    zh: list[str]
    en: list[str]


def _fact(spec: FieldSpec, facts: Mapping[str, object]) -> object:
    """The fact for ``spec`` normalised for comparison, or ``_MISSING``."""
    value = facts.get(spec.name)
    if value is None:
        return _MISSING
    kind = spec.kind
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise FactError(f"fact {spec.name!r} should be a number, got {type(value).__name__}: {value!r}")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return _MISSING if number.is_nan() else number
    if kind == "text":
        if not isinstance(value, str):
            raise FactError(f"fact {spec.name!r} should be text, got {type(value).__name__}: {value!r}")
        return str(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise FactError(f"fact {spec.name!r} should be a bool, got {type(value).__name__}: {value!r}")
        return value
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise FactError(f"fact {spec.name!r} should be a date, got {type(value).__name__}: {value!r}")
    return value


def _format_number(number: Decimal) -> str:
    if number.is_infinite():
        return "∞" if number > 0 else "-∞"
    text = format(number, ",f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _format_value(value: object, english: bool, spec: FieldSpec | None = None) -> str:
    label = spec.value_label(value, english) if spec is not None else None
    if label is not None:
        value = label
    elif isinstance(value, bool):
        return ("yes" if value else "no") if english else ("是" if value else "否")
    if isinstance(value, Decimal):
        return _format_number(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return f'"{value}"' if english else f"“{value}”"


def _missing(spec: FieldSpec) -> tuple[str, str]:
    return f"{spec.label_zh} 无数据", f"{spec.label_en}: no data"


def _side(
    operand: Operand, facts: Mapping[str, object], other: Operand | None = None
) -> tuple[object, str, str]:
    """(value, zh rendering, en rendering) of one operand; a literal is named by the field it meets."""
    if isinstance(operand, Literal):
        spec = other.spec if isinstance(other, FieldRef) else None
        return (
            operand.value,
            _format_value(operand.value, False, spec),
            _format_value(operand.value, True, spec),
        )
    spec = operand.spec
    value = _fact(spec, facts)
    if value is _MISSING:
        zh, en = _missing(spec)
        return value, zh, en
    return (
        value,
        f"{spec.label_zh} {_format_value(value, False, spec)}",
        f"{spec.label_en} {_format_value(value, True, spec)}",
    )


def _bool_compare_field(node: Compare) -> FieldSpec | None:
    """The field of a ``yes/no field = literal`` comparison (rendered as "field = actual value")."""
    if isinstance(node.left, FieldRef) and isinstance(node.right, Literal) and node.left.spec.kind == "bool":
        return node.left.spec
    if isinstance(node.right, FieldRef) and isinstance(node.left, Literal) and node.right.spec.kind == "bool":
        return node.right.spec
    return None


def _bool_statement(spec: FieldSpec, value: object) -> tuple[str, str]:
    return (
        f"{spec.label_zh} = {_format_value(value, False)}",
        f"{spec.label_en} = {_format_value(value, True)}",
    )


def _list_text(items: tuple[Literal, ...], english: bool, spec: FieldSpec | None = None) -> str:
    return "[" + ", ".join(_format_value(item.value, english, spec) for item in items) + "]"


def _evaluate_node(node: Node, facts: Mapping[str, object]) -> _Outcome:
    """Kleene evaluation with reasons that are true statements about the facts."""
    if isinstance(node, Compare):
        left, left_zh, left_en = _side(node.left, facts, node.right)
        right, right_zh, right_en = _side(node.right, facts, node.left)
        missing = [
            op
            for op in (node.left, node.right)
            if isinstance(op, FieldRef) and _fact(op.spec, facts) is _MISSING
        ]
        if missing:
            pairs = [_missing(op.spec) for op in dict.fromkeys(missing)]
            return _Outcome(None, [zh for zh, _ in pairs], [en for _, en in pairs])
        result = _OPS[node.op](left, right)
        bool_field = _bool_compare_field(node)
        if bool_field is not None:
            zh, en = _bool_statement(bool_field, _fact(bool_field, facts))
            return _Outcome(result, [zh], [en])
        symbol = _SYMBOL[node.op if result else _NEGATED[node.op]]
        return _Outcome(result, [f"{left_zh} {symbol} {right_zh}"], [f"{left_en} {symbol} {right_en}"])
    if isinstance(node, Membership):
        spec = node.field.spec
        value = _fact(spec, facts)
        if value is _MISSING:
            zh, en = _missing(spec)
            return _Outcome(None, [zh], [en])
        inside = any(value == item.value for item in node.items)
        _, value_zh, value_en = _side(node.field, facts)
        word_zh, word_en = ("属于", "in") if inside else ("不属于", "not in")
        return _Outcome(
            inside != node.negated,
            [f"{value_zh} {word_zh} {_list_text(node.items, False, spec)}"],
            [f"{value_en} {word_en} {_list_text(node.items, True, spec)}"],
        )
    if isinstance(node, BoolTest):
        spec = node.field.spec
        value = _fact(spec, facts)
        if value is _MISSING:
            zh, en = _missing(spec)
            return _Outcome(None, [zh], [en])
        zh, en = _bool_statement(spec, value)
        return _Outcome(bool(value), [zh], [en])
    if isinstance(node, Not):
        inner = _evaluate_node(node.operand, facts)
        if inner.value is False:
            return _Outcome(
                True,
                [f"并非（{_written(node.operand, facts, False)}）"],
                [f"not ({_written(node.operand, facts, True)})"],
            )
        return _Outcome(None if inner.value is None else False, inner.zh, inner.en)
    outcomes = [_evaluate_node(child, facts) for child in node.operands]
    decisive: bool = isinstance(node, Or)  # true decides an or, false decides an and
    deciding = [o for o in outcomes if o.value is decisive]
    if deciding:
        chosen = deciding[:1] if decisive else deciding
        value: _Tri = decisive
    elif any(o.value is None for o in outcomes):
        chosen = [o for o in outcomes if o.value is None] if not decisive else outcomes
        value = None
    else:
        chosen = outcomes
        value = not decisive
    return _Outcome(value, [r for o in chosen for r in o.zh], [r for o in chosen for r in o.en])


def _written(node: Node, facts: Mapping[str, object], english: bool) -> str:
    """``node`` as written, with the actual values filled in (used inside 并非（…）)."""
    pick = 2 if english else 1
    if isinstance(node, Compare):
        bool_field = _bool_compare_field(node)
        if bool_field is not None:
            literal = node.right if isinstance(node.right, Literal) else node.left
            assert isinstance(literal, Literal)
            label = bool_field.label_en if english else bool_field.label_zh
            return f"{label} {_SYMBOL[node.op]} {_format_value(literal.value, english)}"
        left = _side(node.left, facts, node.right)[pick]
        right = _side(node.right, facts, node.left)[pick]
        return f"{left} {_SYMBOL[node.op]} {right}"
    if isinstance(node, Membership):
        word = ("not in" if node.negated else "in") if english else ("不属于" if node.negated else "属于")
        return f"{_side(node.field, facts)[pick]} {word} {_list_text(node.items, english, node.field.spec)}"
    if isinstance(node, BoolTest):
        return node.field.spec.label_en if english else node.field.spec.label_zh
    if isinstance(node, Not):
        inner = _written(node.operand, facts, english)
        return f"not ({inner})" if english else f"并非（{inner}）"
    joiner = (" and " if english else " 且 ") if isinstance(node, And) else (" or " if english else " 或 ")
    parts = []
    for child in node.operands:
        text = _written(child, facts, english)
        if isinstance(child, And | Or):
            text = f"({text})" if english else f"（{text}）"
        parts.append(text)
    return joiner.join(parts)


def evaluate(criterion: Criterion, facts: Mapping[str, object]) -> Evaluation:
    """Evaluate ``criterion`` on ``facts`` (keyed by field name) and explain the outcome.

    Missing or None facts make their comparisons unknown (see the module docstring); an unknown
    outcome does not match.  Raises :class:`FactError` when a fact has the wrong Python type.
    """
    outcome = _evaluate_node(criterion.tree, facts)
    return Evaluation(outcome.value is True, tuple(outcome.zh), tuple(outcome.en))


def rate(tiers: Sequence[tuple[str, Criterion | None]], facts: Mapping[str, object]) -> RatingResult:
    """The first tier (in order) whose criterion matches ``facts``, with the reason.

    A ``None`` criterion is a default ("else") tier that always matches; put it last, since tiers
    after it are never reached.  When nothing matches and there is no default, ``tier`` is None.
    """
    checked: list[tuple[str, bool]] = []
    for code, criterion in tiers:
        if criterion is None:
            checked.append((code, True))
            return RatingResult(code, DEFAULT_REASON_ZH, DEFAULT_REASON_EN, tuple(checked))
        evaluation = evaluate(criterion, facts)
        checked.append((code, evaluation.matched))
        if evaluation.matched:
            return RatingResult(
                code, "；".join(evaluation.reasons_zh), "; ".join(evaluation.reasons_en), tuple(checked)
            )
    return RatingResult(None, NO_MATCH_REASON_ZH, NO_MATCH_REASON_EN, tuple(checked))
