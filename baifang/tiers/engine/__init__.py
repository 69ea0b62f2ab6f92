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

The package: :mod:`.language` (fields, reserved words, the tree, results, errors), :mod:`.lexer`,
:mod:`.parser` and :mod:`.evaluator`; this module re-exports the public names.
"""

from baifang.tiers.engine.evaluator import evaluate, rate
from baifang.tiers.engine.language import (
    DEFAULT_REASON_EN,
    DEFAULT_REASON_ZH,
    KINDS,
    MAX_DEPTH,
    MAX_LENGTH,
    NO_MATCH_REASON_EN,
    NO_MATCH_REASON_ZH,
    Criterion,
    CriterionError,
    Evaluation,
    FactError,
    FieldSpec,
    RatingResult,
)
from baifang.tiers.engine.parser import parse

__all__ = [
    "DEFAULT_REASON_EN",
    "DEFAULT_REASON_ZH",
    "KINDS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "NO_MATCH_REASON_EN",
    "NO_MATCH_REASON_ZH",
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
