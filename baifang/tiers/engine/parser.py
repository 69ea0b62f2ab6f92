"""The criteria parser (R-TIER-2): a hand-written recursive descent over the lexer's tokens.

It validates the whole expression against the known fields and raises :class:`CriterionError` naming
the bad token and its position; nothing is ever handed to ``eval``/``exec``/``compile``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from baifang.tiers.engine.language import (
    MAX_DEPTH,
    MAX_LENGTH,
    And,
    BoolTest,
    Compare,
    Criterion,
    CriterionError,
    FieldRef,
    FieldSpec,
    Literal,
    Membership,
    Node,
    Not,
    Operand,
    Or,
)
from baifang.tiers.engine.lexer import Source, Token, Vocabulary, tokenize

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_KIND_ZH = {"number": "数值", "text": "文本", "bool": "是/否", "date": "日期"}
_KIND_EN = {"number": "number", "text": "text", "bool": "yes/no", "date": "date"}

_OPERAND_KINDS = frozenset({"IDENT", "NUM", "STR", "BOOL"})


class _Parser:
    def __init__(self, src: Source, tokens: list[Token]) -> None:
        self.src = src
        self.tokens = tokens
        self.index = 0
        self.fields: set[str] = set()

    # -- helpers

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "EOF":
            self.index += 1
        return token

    def fail(self, token: Token, zh: str, en: str) -> CriterionError:
        return self.src.error(token.start, token.end, zh, en)

    def unexpected(self, token: Token, expected_zh: str, expected_en: str) -> CriterionError:
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

    def enter(self, token: Token, depth: int) -> int:
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

    def comparison(self, left: Token, op_token: Token, right: Token) -> Compare:
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

    def membership(self, left: Token, keyword: Token, negated: bool) -> Membership:
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

    def operand(self, token: Token, spec: FieldSpec) -> Operand:
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


def _spec(token: Token) -> FieldSpec:
    assert isinstance(token.value, FieldSpec)
    return token.value


def parse(source: str, fields: Mapping[str, FieldSpec]) -> Criterion:
    """Parse and validate ``source`` against ``fields``; raise :class:`CriterionError` when it is not valid.

    Identifiers may be a field's ``name`` or its ``label_zh``.  Keywords are case-insensitive and have
    Chinese spellings (且/并且, 或/或者, 非, 属于, 不属于, 是, 否); numbers may use ``_`` separators and
    the suffixes 万 and 亿.  Full-width brackets and operators are accepted (NFKC normalisation).
    A ``ValueError`` that is not a CriterionError means the ``fields`` mapping itself is inconsistent.
    """
    vocab = Vocabulary(fields)
    if len(source) > MAX_LENGTH:
        raise CriterionError(
            f"条件过长：{len(source):,} 个字符，最多 {MAX_LENGTH:,} 个",
            f"the criterion is too long: {len(source):,} characters, at most {MAX_LENGTH:,}",
            MAX_LENGTH,
            source[MAX_LENGTH:],
        )
    src = Source(source)
    parser = _Parser(src, tokenize(src, vocab))
    tree = parser.parse()
    return Criterion(source, frozenset(parser.fields), tree)


def _choice_text(spec: FieldSpec, code: str, english: bool) -> str:
    """A choice as an author may write it: its Chinese label (zh), the code with its label (en)."""
    label = spec.value_label(code, english)
    if label is None or label == code:
        return code
    return f"{code} ({label})" if english else label
