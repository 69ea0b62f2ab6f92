"""Tier rating rules (R-TIER-2): a small, safe criteria language with explained results.

A criterion is a boolean expression over customer facts, for example::

    annual_value >= 2000000 or (cooperation_years >= 2 and stable_settlement)
    年交易额 >= 200万 且 合作年限 >= 2
    customer_type in ['jv_subsidiary', 'agent_l1'] and not bad_credit

The text is tokenised and parsed by a hand-written recursive-descent parser into a tree of frozen
dataclasses; nothing is ever handed to ``eval``/``exec``/``compile``.  :func:`parse` validates the
whole expression against the known fields (unknown names, type mismatches, values outside a closed
choice set, syntax errors) and raises :class:`CriterionError` naming the bad token and its position.

:func:`evaluate` applies a parsed criterion to a mapping of facts and explains the outcome; :func:`rate`
walks an ordered list of tiers and returns the first tier that matches together with the reason.

Missing data: a fact that is absent or ``None`` makes its comparison *unknown* (three-valued, Kleene
logic).  An unknown criterion never matches, ``not`` of an unknown stays unknown (so ``not bad_credit``
does not match a customer whose credit record is missing), and an ``or`` whose other branch is true
still matches.  The reason then says which value is missing ("年交易额 无数据").
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "Criterion",
    "CriterionError",
    "Evaluation",
    "FactError",
    "FieldSpec",
    "RatingResult",
    "evaluate",
    "parse",
    "rate",
]

MAX_LENGTH = 2000
"""Longest accepted criterion, in characters of the original text."""

MAX_DEPTH = 50
"""Deepest accepted nesting of parentheses and ``not``."""

KINDS = ("number", "text", "bool", "date")

DEFAULT_REASON_ZH = "未满足更高档的条件，归入默认档"
DEFAULT_REASON_EN = "did not meet the criteria of a higher tier; assigned the default tier"
NO_MATCH_REASON_ZH = "没有满足条件的档位"
NO_MATCH_REASON_EN = "no tier matched"

_KIND_ZH = {"number": "数值", "text": "文本", "bool": "是/否", "date": "日期"}
_KIND_EN = {"number": "number", "text": "text", "bool": "yes/no", "date": "date"}


# --------------------------------------------------------------------------- public data types


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
            if not normal or normal[0].isdigit() or not all(_is_word(c) for c in normal):
                raise ValueError(
                    f"FieldSpec {self.name!r}: {text!r} cannot be written in a criterion "
                    "(use letters, CJK characters, digits and underscores; do not start with a digit)"
                )
            if normal.lower() in _ASCII_KEYWORDS or normal in _CJK_KEYWORDS:
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


# --------------------------------------------------------------------------- tokenizer

_DIGITS = "0123456789"
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_KEYWORDS: dict[str, tuple[str, object]] = {
    "and": ("AND", None),
    "or": ("OR", None),
    "not": ("NOT", None),
    "in": ("IN", None),
    "true": ("BOOL", True),
    "false": ("BOOL", False),
}
# Longest first so that 不属于 wins over 属于 and 并且 over 且.
_CJK_KEYWORDS: dict[str, tuple[str, object]] = {
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
_QUOTES = {"'": "'", '"': '"', "“": "”", "‘": "’", "「": "」"}
_OPERATORS = {
    ">=": ">=",
    "<=": "<=",
    "!=": "!=",
    "==": "=",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    ">": ">",
    "<": "<",
    "=": "=",
}
_PUNCT = {"(": "LPAREN", ")": "RPAREN", "[": "LBRACK", "]": "RBRACK", "【": "LBRACK", "】": "RBRACK"}
_COMMAS = frozenset(",，、")
_NUMBER_RE = re.compile(r"-?[0-9]+(?:_[0-9]+)*(?:\.[0-9]+(?:_[0-9]+)*)?")
_THOUSANDS_RE = re.compile(r"-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SUFFIXES = {"万": 4, "亿": 8}


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


@dataclass(frozen=True)
class _Token:
    kind: str  # NUM STR IDENT BOOL AND OR NOT IN NOTIN OP LPAREN RPAREN LBRACK RBRACK COMMA EOF
    value: object
    start: int  # offsets into the normalised text
    end: int


class _Source:
    """The NFKC-normalised text plus a map back to offsets in the original text."""

    def __init__(self, original: str) -> None:
        self.original = original
        chars: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(original):
            normal = unicodedata.normalize("NFKC", char) or char
            chars.append(normal)
            origin.extend([index] * len(normal))
        self.text = "".join(chars)
        origin.append(len(original))
        self.origin = origin

    def position(self, start: int) -> int:
        return self.origin[start]

    def slice(self, start: int, end: int) -> str:
        """Original text of normalised span [start, end)."""
        if end <= start:
            return ""
        return self.original[self.origin[start] : self.origin[end - 1] + 1]

    def error(self, start: int, end: int, zh: str, en: str) -> CriterionError:
        """Build an error for the normalised span [start, end).

        Message templates may use ``{t}`` (the token), ``{q}`` (the token quoted, or "end of input")
        and ``{p}`` (the 1-based character number, for people; ``CriterionError.position`` is 0-based).
        """
        token = self.slice(start, end)
        position = self.position(start)
        quoted = token[:1] in _QUOTES
        return CriterionError(
            zh.format(
                t=token, q="输入结尾" if not token else token if quoted else f"“{token}”", p=position + 1
            ),
            en.format(
                t=token, q="end of input" if not token else token if quoted else f"'{token}'", p=position + 1
            ),
            position,
            token,
        )


class _Vocabulary:
    """Identifiers (names and Chinese labels) of the known fields."""

    def __init__(self, fields: Mapping[str, FieldSpec]) -> None:
        by_text: dict[str, FieldSpec] = {}
        for spec in fields.values():
            for text in (spec.name, spec.label_zh):
                normal = unicodedata.normalize("NFKC", text)
                other = by_text.get(normal)
                if other is not None and other != spec:
                    raise ValueError(f"{text!r} names both {other.name!r} and {spec.name!r}")
                by_text[normal] = spec
        self.by_text = by_text
        self.ordered = sorted(by_text, key=len, reverse=True)
        self.suggestions = [*by_text, *_ASCII_KEYWORDS]


def _keyword_at(s: str, i: int) -> tuple[str, object, int] | None:
    """The keyword starting at ``s[i]`` as (kind, value, end), honouring ASCII word boundaries."""
    for word, (kind, value) in _CJK_KEYWORDS.items():
        if s.startswith(word, i):
            return kind, value, i + len(word)
    if i < len(s) and s[i] in _ASCII_WORD and (i == 0 or s[i - 1] not in _ASCII_WORD):
        j = i
        while j < len(s) and s[j] in _ASCII_WORD:
            j += 1
        found = _ASCII_KEYWORDS.get(s[i:j].lower())
        if found is not None:
            return found[0], found[1], j
    return None


def _identifier_at(s: str, i: int, vocab: _Vocabulary) -> tuple[FieldSpec, int] | None:
    """The longest known identifier at ``s[i]`` that ends at a word boundary or right before a keyword."""
    for text in vocab.ordered:
        if s.startswith(text, i):
            j = i + len(text)
            if j == len(s) or not _is_word(s[j]) or _keyword_at(s, j) is not None:
                return vocab.by_text[text], j
    return None


def _tokenize(src: _Source, vocab: _Vocabulary) -> list[_Token]:
    s = src.text
    n = len(s)
    tokens: list[_Token] = []
    bracket_depth = 0
    i = 0
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            tokens.append(_Token("EOF", None, n, n))
            return tokens
        c = s[i]
        if c in _DIGITS or (c == "-" and i + 1 < n and s[i + 1] in _DIGITS):
            token = _number(src, i, bracket_depth)
        elif c in _QUOTES:
            token = _string(src, i)
        elif (op := s[i : i + 2]) in _OPERATORS or (op := c) in _OPERATORS:
            token = _Token("OP", _OPERATORS[op], i, i + len(op))
        elif c in _PUNCT:
            kind = _PUNCT[c]
            bracket_depth += {"LBRACK": 1, "RBRACK": -1}.get(kind, 0)
            token = _Token(kind, None, i, i + 1)
        elif c in _COMMAS:
            token = _Token("COMMA", None, i, i + 1)
        elif _is_word(c):
            token = _word(src, i, vocab, tokens)
        else:
            raise src.error(
                i,
                i + 1,
                "第 {p} 个字符{q}不能用在条件中",
                "{q} at character {p} is not allowed in a criterion",
            )
        tokens.append(token)
        i = token.end


def _number(src: _Source, i: int, bracket_depth: int) -> _Token:
    s = src.text
    if bracket_depth == 0:
        grouped = _THOUSANDS_RE.match(s, i)
        if grouped is not None:
            raise src.error(
                i,
                grouped.end(),
                "第 {p} 个字符处的数字{q}不能带千位分隔符（逗号用于分隔列表）：请写作 2_000_000 或 200万",
                "number {q} at character {p} must not use thousands separators (the comma separates list"
                " items): write 2_000_000 or 200万",
            )
    match = _NUMBER_RE.match(s, i)
    assert match is not None  # the caller saw a digit
    end = match.end()
    value = Decimal(match.group().replace("_", ""))
    suffixed = end < len(s) and s[end] in _SUFFIXES
    if suffixed:
        sign, digits, exponent = value.as_tuple()
        value = Decimal((sign, digits, int(exponent) + _SUFFIXES[s[end]]))
        end += 1
    # "2000abc" is a typo; after a 万/亿 suffix the number has ended ("200万and …" is fine).
    if not suffixed and end < len(s) and (s[end] in _ASCII_WORD or s[end] in "._"):
        bad = end
        while bad < len(s) and (s[bad] in _ASCII_WORD or s[bad] in "._"):
            bad += 1
        raise src.error(
            i,
            bad,
            "第 {p} 个字符处的{q}不是有效的数字（可写 2000000、2_000_000、1.5 或 200万）",
            "{q} at character {p} is not a valid number (write 2000000, 2_000_000, 1.5 or 200万)",
        )
    return _Token("NUM", value, i, end)


def _string(src: _Source, i: int) -> _Token:
    s = src.text
    close = s.find(_QUOTES[s[i]], i + 1)
    if close < 0:
        raise src.error(
            i,
            len(s),
            "第 {p} 个字符开始的文本 {t} 缺少结束引号",
            "text starting at character {p} ({t}) has no closing quote",
        )
    # The value keeps the original characters (no NFKC inside quotes).
    value = src.original[src.position(i) + 1 : src.position(close)]
    return _Token("STR", (value, s[i + 1 : close]), i, close + 1)


def _word(src: _Source, i: int, vocab: _Vocabulary, tokens: list[_Token]) -> _Token:
    s = src.text
    identifier = _identifier_at(s, i, vocab)
    keyword = _keyword_at(s, i)
    if identifier is not None and (keyword is None or identifier[1] >= keyword[2]):
        return _Token("IDENT", identifier[0], i, identifier[1])
    if keyword is not None:
        return _Token(keyword[0], keyword[1], i, keyword[2])
    # Unknown word: up to the next non-word character or keyword.
    end = i + 1
    while end < len(s) and _is_word(s[end]) and _keyword_at(s, end) is None:
        end += 1
    start = i
    # 是否战略客 (a typo of 是否战略客户) was split as 是 / 否 / 战略客: report the whole word.
    while tokens and tokens[-1].kind == "BOOL" and tokens[-1].end == start and s[tokens[-1].start] in "是否":
        start = tokens.pop().start
    word = s[start:end]
    close = difflib.get_close_matches(word, vocab.suggestions, n=1, cutoff=0.6)
    hint_zh = f"。您是不是想写“{close[0]}”？" if close else "。"
    hint_en = f"; did you mean '{close[0]}'?" if close else ""
    raise src.error(
        start,
        end,
        "第 {p} 个字符处的{q}不是已知的字段" + hint_zh,
        "unknown field {q} at character {p}" + hint_en,
    )


# --------------------------------------------------------------------------- parser

_OPERAND_KINDS = frozenset({"IDENT", "NUM", "STR", "BOOL"})


class _Parser:
    def __init__(self, src: _Source, tokens: list[_Token]) -> None:
        self.src = src
        self.tokens = tokens
        self.index = 0
        self.fields: set[str] = set()

    # -- helpers

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def fail(self, token: _Token, zh: str, en: str) -> CriterionError:
        return self.src.error(token.start, token.end, zh, en)

    def unexpected(self, token: _Token, expected_zh: str, expected_en: str) -> CriterionError:
        if token.kind == "EOF":
            return self.fail(
                token,
                "条件在结尾处不完整（第 {p} 个字符，{q}）：此处应为" + expected_zh,
                "unexpected end of input at character {p}: expected " + expected_en,
            )
        return self.fail(
            token,
            "第 {p} 个字符处出现了意外的{q}：此处应为" + expected_zh,
            "unexpected {q} at character {p}: expected " + expected_en,
        )

    # -- grammar

    def parse(self) -> Node:
        if self.peek().kind == "EOF":
            raise self.fail(self.peek(), "条件为空", "the criterion is empty")
        tree = self.parse_or(0)
        token = self.peek()
        if token.kind == "RPAREN":
            raise self.fail(
                token,
                "第 {p} 个字符处多了一个{q}：括号不配对",
                "unbalanced parentheses: extra {q} at character {p}",
            )
        if token.kind == "OP":
            raise self.fail(
                token,
                "第 {p} 个字符处出现了意外的{q}：不支持连续比较，请用“且”连接两个比较",
                "unexpected {q} at character {p}: chained comparisons are not supported, join two"
                " comparisons with 'and'",
            )
        if token.kind != "EOF":
            raise self.unexpected(token, "“且”“或”或条件结尾", "'and', 'or' or the end of the criterion")
        return tree

    def parse_or(self, depth: int) -> Node:
        operands = [self.parse_and(depth)]
        while self.peek().kind == "OR":
            self.advance()
            operands.append(self.parse_and(depth))
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def parse_and(self, depth: int) -> Node:
        operands = [self.parse_not(depth)]
        while self.peek().kind == "AND":
            self.advance()
            operands.append(self.parse_not(depth))
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def enter(self, token: _Token, depth: int) -> int:
        if depth + 1 > MAX_DEPTH:
            raise self.fail(
                token,
                f"第 {{p}} 个字符处的{{q}}嵌套过深（最多 {MAX_DEPTH} 层括号或“非”）",
                f"{{q}} at character {{p}} nests too deeply (at most {MAX_DEPTH} levels of parentheses or 'not')",
            )
        return depth + 1

    def parse_not(self, depth: int) -> Node:
        token = self.peek()
        if token.kind == "NOT":
            inner = self.enter(token, depth)
            self.advance()
            return Not(self.parse_not(inner))
        return self.parse_primary(depth)

    def parse_primary(self, depth: int) -> Node:
        token = self.peek()
        if token.kind == "LPAREN":
            inner = self.enter(token, depth)
            self.advance()
            tree = self.parse_or(inner)
            close = self.peek()
            if close.kind == "EOF":
                raise self.fail(
                    token,
                    "括号不配对：第 {p} 个字符处的{q}缺少对应的“)”",
                    "unbalanced parentheses: {q} at character {p} is never closed",
                )
            if close.kind != "RPAREN":
                raise self.unexpected(close, "“且”“或”或“)”", "'and', 'or' or ')'")
            self.advance()
            return tree
        if token.kind not in _OPERAND_KINDS:
            if token.kind == "RPAREN":
                raise self.fail(
                    token,
                    "第 {p} 个字符处出现了意外的{q}：括号内或运算符后缺少条件",
                    "unexpected {q} at character {p}: a condition is missing before it",
                )
            raise self.unexpected(token, "字段、值或“(”", "a field, a value or '('")
        self.advance()
        follow = self.peek()
        if follow.kind == "OP":
            self.advance()
            right = self.peek()
            if right.kind not in _OPERAND_KINDS:
                raise self.unexpected(right, "字段或值", "a field or a value")
            self.advance()
            return self.comparison(token, follow, right)
        if follow.kind in ("IN", "NOTIN") or (follow.kind == "NOT" and self.peek(1).kind == "IN"):
            negated = follow.kind != "IN"
            self.advance()
            if follow.kind == "NOT":
                self.advance()
            return self.membership(token, follow, negated)
        if token.kind == "IDENT":
            spec = _spec(token)
            if spec.kind == "bool":
                self.fields.add(spec.name)
                return BoolTest(FieldRef(spec))
            raise self.unexpected(
                follow,
                f"比较运算符（{_KIND_ZH[spec.kind]}字段“{spec.label_zh}”需要与某个值比较，如 >=、=）",
                f"a comparison operator ({_KIND_EN[spec.kind]} field '{spec.name}' must be compared with"
                " something, e.g. >= or =)",
            )
        raise self.unexpected(follow, "比较运算符（如 >=、=）", "a comparison operator (e.g. >= or =)")

    # -- typed operands

    def comparison(self, left: _Token, op_token: _Token, right: _Token) -> Compare:
        op = str(op_token.value)
        if left.kind != "IDENT" and right.kind != "IDENT":
            raise self.fail(
                left,
                "第 {p} 个字符处的比较两边都是常量：至少一边应为字段",
                "the comparison at character {p} has constants on both sides; at least one side must be a field",
            )
        field_token = left if left.kind == "IDENT" else right
        spec = _spec(field_token)
        if left.kind == "IDENT" and right.kind == "IDENT":
            other = _spec(right)
            if other.kind != spec.kind:
                raise self.fail(
                    right,
                    f"类型不匹配：第 {{p}} 个字符处的{{q}}是{_KIND_ZH[other.kind]}字段，"
                    f"不能与{_KIND_ZH[spec.kind]}字段“{spec.label_zh}”比较",
                    f"type mismatch: {{q}} at character {{p}} is a {_KIND_EN[other.kind]} field and cannot be"
                    f" compared with the {_KIND_EN[spec.kind]} field '{spec.name}'",
                )
        if spec.kind in ("text", "bool") and op not in ("=", "!="):
            raise self.fail(
                op_token,
                f"第 {{p}} 个字符处的{{q}}不能用于{_KIND_ZH[spec.kind]}字段“{spec.label_zh}”：只能用 =、≠、属于、不属于",
                f"{{q}} at character {{p}} cannot be used with the {_KIND_EN[spec.kind]} field '{spec.name}':"
                " use =, !=, in or not in",
            )
        operands = [self.operand(left, spec), self.operand(right, spec)]
        return Compare(operands[0], op, operands[1])

    def membership(self, left: _Token, keyword: _Token, negated: bool) -> Membership:
        if left.kind != "IDENT":
            raise self.fail(
                left,
                "第 {p} 个字符处的{q}不是字段：“属于/不属于”左边应为字段",
                "{q} at character {p} is not a field: the left side of 'in' / 'not in' must be a field",
            )
        spec = _spec(left)
        self.fields.add(spec.name)
        opening = self.peek()
        if opening.kind != "LBRACK":
            raise self.unexpected(opening, "“[”开始的列表", "a list starting with '['")
        self.advance()
        items: list[Literal] = []
        while True:
            token = self.peek()
            if token.kind == "RBRACK" and not items:
                raise self.fail(token, "第 {p} 个字符处的列表为空", "the list at character {p} is empty")
            if token.kind == "EOF":
                raise self.fail(
                    opening,
                    "括号不配对：第 {p} 个字符处的{q}缺少对应的“]”",
                    "unbalanced brackets: {q} at character {p} is never closed",
                )
            if token.kind not in ("NUM", "STR", "BOOL"):
                raise self.unexpected(token, "列表中的值", "a value of the list")
            self.advance()
            operand = self.operand(token, spec)
            assert isinstance(operand, Literal)
            items.append(operand)
            separator = self.peek()
            if separator.kind == "RBRACK":
                self.advance()
                return Membership(FieldRef(spec), tuple(items), negated)
            if separator.kind == "EOF":
                continue  # reported as an unclosed bracket above
            if separator.kind != "COMMA":
                raise self.unexpected(separator, "“,”或“]”", "',' or ']'")
            self.advance()

    def operand(self, token: _Token, spec: FieldSpec) -> Operand:
        """The operand of ``token``, type-checked against ``spec`` (the field on the other side)."""
        if token.kind == "IDENT":
            own = _spec(token)
            self.fields.add(own.name)
            return FieldRef(own)
        kind = {"NUM": "number", "STR": "text", "BOOL": "bool"}[token.kind]
        if spec.kind == "date" and kind == "text":
            text = token.value[1]  # type: ignore[index]
            day = _parse_date(text)
            if day is None:
                raise self.fail(
                    token,
                    f"第 {{p}} 个字符处的{{q}}不是有效的日期（日期字段“{spec.label_zh}”请写成 '2026-12-31' 这样的格式）",
                    f"{{q}} at character {{p}} is not a valid date (write dates for '{spec.name}' as"
                    " 'YYYY-MM-DD')",
                )
            return Literal(day, "date")
        if kind != spec.kind:
            raise self.fail(
                token,
                f"类型不匹配：{_KIND_ZH[spec.kind]}字段“{spec.label_zh}”（{spec.name}）不能与"
                f"第 {{p}} 个字符处的{_KIND_ZH[kind]}值{{q}}比较",
                f"type mismatch: the {_KIND_EN[spec.kind]} field '{spec.name}' cannot be compared with"
                f" the {_KIND_EN[kind]} value {{q}} at character {{p}}",
            )
        if kind == "text":
            value = token.value[0]  # type: ignore[index]
            value = spec.code_for(value)
            if spec.choices and value not in spec.choices:
                allowed_zh = _escape("、".join(_choice_text(spec, code, False) for code in spec.choices))
                allowed_en = _escape(", ".join(_choice_text(spec, code, True) for code in spec.choices))
                raise self.fail(
                    token,
                    f"第 {{p}} 个字符处的{{q}}不是字段“{spec.label_zh}”的可选值（可选：{allowed_zh}）",
                    f"{{q}} at character {{p}} is not an allowed value of '{spec.name}' (allowed: {allowed_en})",
                )
            return Literal(value, "text")
        return Literal(token.value, kind)  # type: ignore[arg-type]


def _parse_date(text: str) -> dt.date | None:
    """A 'YYYY-MM-DD' date, or None when the text is not one."""
    if not _DATE_RE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _escape(text: str) -> str:
    """Protect user-controlled text placed into a message template."""
    return text.replace("{", "{{").replace("}", "}}")


def _spec(token: _Token) -> FieldSpec:
    assert isinstance(token.value, FieldSpec)
    return token.value


def parse(source: str, fields: Mapping[str, FieldSpec]) -> Criterion:
    """Parse and validate ``source`` against ``fields``; raise :class:`CriterionError` when it is not valid.

    Identifiers may be a field's ``name`` or its ``label_zh``.  Keywords are case-insensitive and have
    Chinese spellings (且/并且, 或/或者, 非, 属于, 不属于, 是, 否); numbers may use ``_`` separators and
    the suffixes 万 and 亿.  Full-width brackets and operators are accepted (NFKC normalisation).
    A ``ValueError`` that is not a CriterionError means the ``fields`` mapping itself is inconsistent.
    """
    vocab = _Vocabulary(fields)
    if len(source) > MAX_LENGTH:
        raise CriterionError(
            f"条件过长：{len(source):,} 个字符，最多 {MAX_LENGTH:,} 个",
            f"the criterion is too long: {len(source):,} characters, at most {MAX_LENGTH:,}",
            MAX_LENGTH,
            source[MAX_LENGTH:],
        )
    src = _Source(source)
    parser = _Parser(src, _tokenize(src, vocab))
    tree = parser.parse()
    return Criterion(source, frozenset(parser.fields), tree)


# --------------------------------------------------------------------------- evaluation

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


def _choice_text(spec: FieldSpec, code: str, english: bool) -> str:
    """A choice as an author may write it: its Chinese label (zh), the code with its label (en)."""
    label = spec.value_label(code, english)
    if label is None or label == code:
        return code
    return f"{code} ({label})" if english else label


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
