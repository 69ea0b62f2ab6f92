"""The facts rating criteria may use (R-TIER-2): archive fields and computed values.

Each fact has an identifier and a Chinese label; criteria may use either
(``annual_value >= 2000000`` or ``年交易额 >= 200万``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.utils import translation

from baifang.customers.choices import BusinessFormat, CustomerStatus, CustomerType, MarketType, Scale
from baifang.tiers.engine import FieldSpec


def _values(choices) -> tuple[str, ...]:
    return tuple(value for value, _label in choices.choices)


def _labels(choices) -> tuple[tuple[str, str, str], ...]:
    """(value, Chinese label, English label) of each choice: plain data for the engine (R-UX-1)."""
    with translation.override("zh-hans"):
        zh = [str(label) for _value, label in choices.choices]
    with translation.override("en"):
        en = [str(label) for _value, label in choices.choices]
    return tuple((value, z, e) for (value, _label), z, e in zip(choices.choices, zh, en, strict=True))


def _text(name: str, label_zh: str, label_en: str, choices) -> FieldSpec:
    return FieldSpec(name, "text", label_zh, label_en, _values(choices), _labels(choices))


# Facts computed by the apps above (R-TIER-2): tiers never imports them; they register here from their
# ``ready()``. A computer takes (queryset of customers, today) and answers {customer id: value}; a
# customer it has no data for is left out, and the archive's hand-typed field (if any) stands.
FactComputer = Callable[[object, dt.date], dict[int, object]]
ManyFactsComputer = Callable[[object, dt.date], dict[int, dict[str, object]]]
_computed: dict[str, tuple[FieldSpec, FactComputer]] = {}
_computed_together: list[tuple[tuple[FieldSpec, ...], ManyFactsComputer]] = []


def register_fact(spec: FieldSpec, compute: FactComputer) -> None:
    """Offer a computed fact to the criteria by name (a name of the archive's is overridden when known)."""
    _computed[spec.name] = (spec, compute)
    field_specs.cache_clear()


def register_facts(specs: tuple[FieldSpec, ...], compute: ManyFactsComputer) -> None:
    """Several facts computed by one query: ``compute`` answers {customer id: {name: value}}."""
    names = {spec.name for spec in specs}
    _computed_together[:] = [(s, c) for s, c in _computed_together if not names & {x.name for x in s}]
    _computed_together.append((tuple(specs), compute))
    field_specs.cache_clear()


def computed_fact_names() -> tuple[str, ...]:
    return (*_computed, *(spec.name for specs, _c in _computed_together for spec in specs))


def _as_fact(value):
    return float(value) if isinstance(value, Decimal | int) and not isinstance(value, bool) else value


@functools.cache
def field_specs() -> dict[str, FieldSpec]:
    """The facts, by name; built on first use, when the translation catalogues can be read."""
    specs = {spec.name: spec for spec in _specs()}
    for name, (spec, _compute) in _computed.items():
        specs.setdefault(name, spec)
    for together, _compute in _computed_together:
        for spec in together:
            specs.setdefault(spec.name, spec)
    return specs


def _specs() -> tuple[FieldSpec, ...]:
    return (
        FieldSpec("annual_value", "number", "年交易额", "annual value"),
        FieldSpec("cooperation_years", "number", "合作年限", "cooperation years"),
        FieldSpec("monthly_contract_volume", "number", "月合同量", "monthly contract volume"),
        FieldSpec("purchase_share", "number", "采购占比", "purchase share"),
        FieldSpec("credit_limit", "number", "信用额度", "credit limit"),
        FieldSpec("credit_term_days", "number", "信用期", "credit term days"),
        FieldSpec("registered_capital", "number", "注册资本", "registered capital"),
        FieldSpec("production_lines", "number", "生产线数", "production lines"),
        FieldSpec("retail_grade", "number", "档位", "retail grade"),
        FieldSpec("violations_3m", "number", "近三月违规次数", "violations in 3 months"),
        FieldSpec("bad_credit", "bool", "不良信用", "bad credit"),
        FieldSpec("modern_terminal", "bool", "现代终端", "modern terminal"),
        FieldSpec("assistance_target", "bool", "帮扶对象", "assistance target"),
        FieldSpec("is_key", "bool", "重点客户", "key customer"),
        FieldSpec("is_potential_key", "bool", "潜在重点客户", "potential key customer"),
        _text("customer_type", "客户类型", "customer type", CustomerType),
        _text("status", "状态", "status", CustomerStatus),
        _text("market_type", "市场类型", "market type", MarketType),
        _text("business_format", "业态", "business format", BusinessFormat),
        _text("scale", "规模", "scale", Scale),
        FieldSpec("industry", "text", "行业", "industry"),
        FieldSpec("province", "text", "省份", "province"),
        FieldSpec("city", "text", "城市", "city"),
        FieldSpec("district", "text", "区县", "district"),
        FieldSpec("cooperation_since", "date", "合作起始日期", "cooperating since"),
    )


_NUMBER_FIELDS = (
    "annual_value",
    "monthly_contract_volume",
    "purchase_share",
    "credit_limit",
    "credit_term_days",
    "registered_capital",
    "production_lines",
    "retail_grade",
    "violations_3m",
)
_DIRECT_FIELDS = (
    "bad_credit",
    "modern_terminal",
    "assistance_target",
    "is_key",
    "is_potential_key",
    "customer_type",
    "status",
    "market_type",
    "business_format",
    "scale",
    "industry",
    "province",
    "city",
    "district",
    "cooperation_since",
)
FACT_SOURCE_FIELDS = ("pk", *_NUMBER_FIELDS, *_DIRECT_FIELDS)


def facts_from_row(row: dict, today: dt.date) -> dict[str, object]:
    """Facts of one customer from a ``values()`` row; missing values stay None (criteria see them as missing)."""
    facts: dict[str, object] = {name: row.get(name) for name in (*_NUMBER_FIELDS, *_DIRECT_FIELDS)}
    for name in _NUMBER_FIELDS:
        if facts[name] is not None:
            facts[name] = float(facts[name])
    for name in ("customer_type", "market_type", "business_format", "scale", "industry"):
        if facts[name] == "":
            facts[name] = None
    since = row.get("cooperation_since")
    facts["cooperation_years"] = round((today - since).days / 365.25, 2) if since else None
    return facts


def customer_facts(customers: Iterable, today: dt.date) -> dict[int, dict[str, object]]:
    """Facts for many customers from a queryset: the archive in one query, then each computed fact
    (one query or so each), which wins over a hand-typed field wherever it has data (R-TIER-2)."""
    facts = {row["pk"]: facts_from_row(row, today) for row in customers.values(*FACT_SOURCE_FIELDS)}
    for name, (_spec, compute) in _computed.items():
        for row in facts.values():
            row.setdefault(name, None)
        for customer_id, value in compute(customers, today).items():
            if customer_id in facts and value is not None:
                facts[customer_id][name] = _as_fact(value)
    for specs, compute in _computed_together:  # several facts from one query (commerce's order facts)
        for row in facts.values():
            for spec in specs:
                row.setdefault(spec.name, None)
        for customer_id, values in compute(customers, today).items():
            if customer_id in facts:
                facts[customer_id].update({k: _as_fact(v) for k, v in values.items() if v is not None})
    return facts
