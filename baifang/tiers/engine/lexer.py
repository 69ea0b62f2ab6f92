"""The criteria lexer (R-TIER-2): NFKC-normalised text into tokens, with positions in the original."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from baifang.tiers.engine.language import ASCII_KEYWORDS, CJK_KEYWORDS, CriterionError, FieldSpec, is_word

_DIGITS = "0123456789"
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
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
_SUFFIXES = {"万": 4, "亿": 8}


@dataclass(frozen=True)
class Token:
    kind: str  # NUM STR IDENT BOOL AND OR NOT IN NOTIN OP LPAREN RPAREN LBRACK RBRACK COMMA EOF
    value: object
    start: int  # offsets into the normalised text
    end: int


class Source:
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


class Vocabulary:
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
        self.suggestions = [*by_text, *ASCII_KEYWORDS]


def _keyword_at(s: str, i: int) -> tuple[str, object, int] | None:
    """The keyword starting at ``s[i]`` as (kind, value, end), honouring ASCII word boundaries."""
    for word, (kind, value) in CJK_KEYWORDS.items():
        if s.startswith(word, i):
            return kind, value, i + len(word)
    if i < len(s) and s[i] in _ASCII_WORD and (i == 0 or s[i - 1] not in _ASCII_WORD):
        j = i
        while j < len(s) and s[j] in _ASCII_WORD:
            j += 1
        found = ASCII_KEYWORDS.get(s[i:j].lower())
        if found is not None:
            return found[0], found[1], j
    return None


def _identifier_at(s: str, i: int, vocab: Vocabulary) -> tuple[FieldSpec, int] | None:
    """The longest known identifier at ``s[i]`` that ends at a word boundary or right before a keyword."""
    for text in vocab.ordered:
        if s.startswith(text, i):
            j = i + len(text)
            if j == len(s) or not is_word(s[j]) or _keyword_at(s, j) is not None:
                return vocab.by_text[text], j
    return None


def tokenize(src: Source, vocab: Vocabulary) -> list[Token]:
    s = src.text
    n = len(s)
    tokens: list[Token] = []
    bracket_depth = 0
    i = 0
    while True:
        while i < n and s[i].isspace():
            i += 1
        if i >= n:
            tokens.append(Token("EOF", None, n, n))
            return tokens
        c = s[i]
        if c in _DIGITS or (c == "-" and i + 1 < n and s[i + 1] in _DIGITS):
            token = _number(src, i, bracket_depth)
        elif c in _QUOTES:
            token = _string(src, i)
        elif (op := s[i : i + 2]) in _OPERATORS or (op := c) in _OPERATORS:
            token = Token("OP", _OPERATORS[op], i, i + len(op))
        elif c in _PUNCT:
            kind = _PUNCT[c]
            bracket_depth += {"LBRACK": 1, "RBRACK": -1}.get(kind, 0)
            token = Token(kind, None, i, i + 1)
        elif c in _COMMAS:
            token = Token("COMMA", None, i, i + 1)
        elif is_word(c):
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


def _number(src: Source, i: int, bracket_depth: int) -> Token:
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
    return Token("NUM", value, i, end)


def _string(src: Source, i: int) -> Token:
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
    return Token("STR", (value, s[i + 1 : close]), i, close + 1)


def _word(src: Source, i: int, vocab: Vocabulary, tokens: list[Token]) -> Token:
    s = src.text
    identifier = _identifier_at(s, i, vocab)
    keyword = _keyword_at(s, i)
    if identifier is not None and (keyword is None or identifier[1] >= keyword[2]):
        return Token("IDENT", identifier[0], i, identifier[1])
    if keyword is not None:
        return Token(keyword[0], keyword[1], i, keyword[2])
    # Unknown word: up to the next non-word character or keyword.
    end = i + 1
    while end < len(s) and is_word(s[end]) and _keyword_at(s, end) is None:
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
