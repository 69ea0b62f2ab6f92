"""The tier criteria language (R-TIER-2) and the seed-001 schemes as data (R-TIER-1).

Pure Python: no database, no Django models.  The property tests build random expression trees here,
render them to text in many spellings and check ``parse`` + ``evaluate`` against a reference
evaluator written directly on the generated tree, so the parser is checked against the tree and not
against itself.
"""

from __future__ import annotations

import ast
import datetime as dt
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baifang.tiers import engine
from baifang.tiers.engine import (
    MAX_DEPTH,
    MAX_LENGTH,
    Criterion,
    CriterionError,
    FactError,
    FieldSpec,
    evaluate,
    parse,
    rate,
)

# Codes of baifang.customers.choices.CustomerType / Scale, copied so this module stays model-free.
CUSTOMER_TYPES = (
    "agent_l1",
    "agent_l2",
    "distributor",
    "retailer",
    "end_user",
    "project_owner",
    "recommender",
    "jv_subsidiary",
    "household",
    "other",
)
SCALES = ("large", "medium", "small", "micro")

FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("annual_value", "number", "年交易额", "annual value"),
        FieldSpec("cooperation_years", "number", "合作年限", "cooperation years"),
        FieldSpec("stable_settlement", "bool", "结算稳定", "stable settlement"),
        FieldSpec("monthly_contract_volume", "number", "月合同量", "monthly contract volume"),
        FieldSpec("purchase_share", "number", "采购占比", "purchase share"),
        FieldSpec("overdue_days", "number", "逾期天数", "overdue days"),
        FieldSpec("credit_term_days", "number", "信用期", "credit term days"),
        FieldSpec("bad_credit", "bool", "不良信用", "bad credit"),
        FieldSpec("is_key", "bool", "重点客户", "key customer"),
        FieldSpec("is_strategic", "bool", "是否战略客户", "strategic partner"),
        FieldSpec("customer_type", "text", "客户类型", "customer type", CUSTOMER_TYPES),
        FieldSpec("scale", "text", "规模", "scale", SCALES),
        FieldSpec("market_type", "text", "市场类型", "market type", ("city", "town", "village")),
        FieldSpec("province", "text", "省份", "province"),
        FieldSpec("cooperation_since", "date", "合作起始日期", "cooperating since"),
    )
}


def p(source: str) -> Criterion:
    return parse(source, FIELDS)


def error_of(source: str) -> CriterionError:
    with pytest.raises(CriterionError) as info:
        parse(source, FIELDS)
    error = info.value
    # Every error points at its token in the original text.
    assert source.startswith(error.token, error.position), (error.token, error.position)
    assert str(error) == error.message_zh
    return error


# --------------------------------------------------------------------------- seed 001 value scheme

# R-TIER-1 value A/B/C (seed 001 篇二) as data.
VALUE_SCHEME = (
    ("A", "annual_value >= 2000000 or (cooperation_years >= 2 and stable_settlement)"),
    ("B", "annual_value >= 200000 or cooperation_years >= 1"),
    ("C", None),
)


def value_tiers() -> list[tuple[str, Criterion | None]]:
    return [(code, None if source is None else p(source)) for code, source in VALUE_SCHEME]


@pytest.mark.parametrize(
    ("facts", "tier", "reason_zh", "reason_en", "checked"),
    [
        (
            {"annual_value": 2_350_000, "cooperation_years": 0, "stable_settlement": False},
            "A",
            "年交易额 2,350,000 ≥ 2,000,000",
            "annual value 2,350,000 ≥ 2,000,000",
            (("A", True),),
        ),
        (
            {"annual_value": 500_000.0, "cooperation_years": 3, "stable_settlement": True},
            "A",
            "合作年限 3 ≥ 2；结算稳定 = 是",
            "cooperation years 3 ≥ 2; stable settlement = yes",
            (("A", True),),
        ),
        (
            {"annual_value": Decimal("500000.00"), "cooperation_years": 3, "stable_settlement": False},
            "B",
            "年交易额 500,000 ≥ 200,000",
            "annual value 500,000 ≥ 200,000",
            (("A", False), ("B", True)),
        ),
        (
            {"annual_value": 150_000, "cooperation_years": 1.5, "stable_settlement": True},
            "B",
            "合作年限 1.5 ≥ 1",
            "cooperation years 1.5 ≥ 1",
            (("A", False), ("B", True)),
        ),
        (
            {"annual_value": 50_000, "cooperation_years": 0.5, "stable_settlement": True},
            "C",
            "未满足更高档的条件，归入默认档",
            "did not meet the criteria of a higher tier; assigned the default tier",
            (("A", False), ("B", False), ("C", True)),
        ),
        (
            # No annual value recorded: the other branch of A's "or" still decides.
            {"annual_value": None, "cooperation_years": 2, "stable_settlement": True},
            "A",
            "合作年限 2 ≥ 2；结算稳定 = 是",
            "cooperation years 2 ≥ 2; stable settlement = yes",
            (("A", True),),
        ),
        (
            {},
            "C",
            "未满足更高档的条件，归入默认档",
            "did not meet the criteria of a higher tier; assigned the default tier",
            (("A", False), ("B", False), ("C", True)),
        ),
    ],
)
def test_r_tier_1_value_scheme_rates_hand_worked_facts(facts, tier, reason_zh, reason_en, checked):
    # R-TIER-1 / R-TIER-2: suggested tier and the reason with the values.
    result = rate(value_tiers(), facts)
    assert result.tier == tier
    assert result.reason_zh == reason_zh
    assert result.reason_en == reason_en
    assert result.checked == checked


def test_r_tier_2_failed_tier_explains_the_failing_clauses():
    # R-TIER-2: why A was not reached, with the values.
    a = p(VALUE_SCHEME[0][1])
    result = evaluate(a, {"annual_value": 150_000, "cooperation_years": 1, "stable_settlement": True})
    assert not result.matched
    assert result.reasons_zh == ("年交易额 150,000 < 2,000,000", "合作年限 1 < 2")
    assert result.reasons_en == ("annual value 150,000 < 2,000,000", "cooperation years 1 < 2")


def test_r_tier_2_missing_facts_are_reported_not_raised():
    # R-TIER-2: a missing value makes its comparison false-ish and the reason says so.
    a = p(VALUE_SCHEME[0][1])
    result = evaluate(a, {"cooperation_years": None})
    assert not result.matched
    assert result.reasons_zh == ("年交易额 无数据", "合作年限 无数据", "结算稳定 无数据")
    assert result.reasons_en == (
        "annual value: no data",
        "cooperation years: no data",
        "stable settlement: no data",
    )


def test_r_tier_2_first_matching_tier_wins_and_no_default_gives_none():
    tiers = [("high", p("annual_value >= 100")), ("higher", p("annual_value >= 1000"))]
    assert rate(tiers, {"annual_value": 5000}).tier == "high"
    result = rate(tiers, {"annual_value": 5})
    assert result.tier is None
    assert result.checked == (("high", False), ("higher", False))
    assert result.reason_zh == "没有满足条件的档位"
    assert result.reason_en == "no tier matched"


# --------------------------------------------------------------------------- seed 001 importance scheme

# R-TIER-1 importance A/B/C (seed 001 篇一). purchase_share is a percentage here.
IMPORTANCE_A = (
    "customer_type in ['jv_subsidiary'] or 是否战略客户 or 重点客户"
    " or (monthly_contract_volume >= 5000 and customer_type = 'agent_l1' and bad_credit = false)"
    " or (scale in ['small', 'micro'] and customer_type in ['agent_l1', 'agent_l2']"
    " and cooperation_years >= 3 and not bad_credit)"
    " or (customer_type = 'agent_l2' and purchase_share >= 50)"
)
IMPORTANCE_B = "客户类型 属于 ['agent_l1', 'agent_l2', 'distributor', 'retailer', 'recommender']"


def importance_tiers() -> list[tuple[str, Criterion | None]]:
    return [("A", p(IMPORTANCE_A)), ("B", p(IMPORTANCE_B)), ("C", None)]


def test_r_tier_1_importance_a_for_joint_ventures():
    result = rate(importance_tiers(), {"customer_type": "jv_subsidiary"})
    assert result.tier == "A"
    assert result.reason_zh == "客户类型 “jv_subsidiary” 属于 [“jv_subsidiary”]"
    assert result.reason_en == 'customer type "jv_subsidiary" in ["jv_subsidiary"]'


def test_r_tier_1_importance_a_for_large_first_level_agents_without_bad_credit():
    facts = {"customer_type": "agent_l1", "monthly_contract_volume": 6000, "bad_credit": False}
    result = rate(importance_tiers(), facts)
    assert result.tier == "A"
    assert result.reason_zh == "月合同量 6,000 ≥ 5,000；客户类型 “agent_l1” = “agent_l1”；不良信用 = 否"
    assert result.reason_en == (
        'monthly contract volume 6,000 ≥ 5,000; customer type "agent_l1" = "agent_l1"; bad credit = no'
    )


@pytest.mark.parametrize("bad_credit", [True, None])
def test_r_tier_1_importance_bad_or_unknown_credit_is_not_a(bad_credit):
    # An unknown credit record never earns A: `bad_credit = false` and `not bad_credit` stay unknown.
    facts = {
        "customer_type": "agent_l1",
        "monthly_contract_volume": 6000,
        "bad_credit": bad_credit,
        "scale": "small",
        "cooperation_years": 5,
    }
    result = rate(importance_tiers(), facts)
    assert result.tier == "B"
    assert result.checked == (("A", False), ("B", True))
    assert result.reason_zh == (
        "客户类型 “agent_l1” 属于 [“agent_l1”, “agent_l2”, “distributor”, “retailer”, “recommender”]"
    )


def test_r_tier_1_importance_sme_agent_and_strategic_partner():
    sme = {"customer_type": "agent_l2", "scale": "micro", "cooperation_years": 3, "bad_credit": False}
    result = rate(importance_tiers(), sme)
    assert result.tier == "A"
    assert result.reason_zh == (
        "规模 “micro” 属于 [“small”, “micro”]；客户类型 “agent_l2” 属于 [“agent_l1”, “agent_l2”]；"
        "合作年限 3 ≥ 3；并非（不良信用）"
    )
    strategic = rate(importance_tiers(), {"customer_type": "end_user", "is_strategic": True})
    assert (strategic.tier, strategic.reason_zh) == ("A", "是否战略客户 = 是")
    assert rate(importance_tiers(), {"customer_type": "end_user"}).tier == "C"


def test_r_tier_2_strategic_is_not_a_customer_type_code():
    # The brief's `customer_type in ['jv_subsidiary', 'strategic']`: 'strategic' is not an archive code,
    # so saving it is refused instead of silently never matching.
    error = error_of("customer_type in ['jv_subsidiary', 'strategic']")
    assert error.token == "'strategic'"
    assert "jv_subsidiary" in error.message_en and "strategic" in error.message_zh


# --------------------------------------------------------------------------- the language


@pytest.mark.parametrize(
    "source",
    [
        "年交易额 >= 200万 且 合作年限 >= 2",
        "年交易额>=200万且合作年限>=2",
        "annual_value ≥ 2_000_000 并且 cooperation_years ≥ 2",
        "（年交易额 ＞＝ 200万） AND 合作年限 >= 2",
        "2000000 <= annual_value and 2 <= 合作年限",
    ],
)
def test_r_tier_2_chinese_labels_and_spellings(source):
    criterion = p(source)
    assert criterion.fields == {"annual_value", "cooperation_years"}
    yes = evaluate(criterion, {"annual_value": 2_000_000, "cooperation_years": 2})
    no = evaluate(criterion, {"annual_value": 1_999_999, "cooperation_years": 2})
    assert yes.matched and not no.matched
    assert "年交易额 2,000,000" in yes.reasons_zh[0]


def test_r_tier_2_chinese_keywords_and_longest_label_match():
    # 是否战略客户 starts with the keyword 是; the longer label wins.
    criterion = p("非是否战略客户或者客户类型不属于【'jv_subsidiary'，“agent_l1”】")
    assert criterion.fields == {"is_strategic", "customer_type"}
    assert evaluate(criterion, {"is_strategic": False, "customer_type": "jv_subsidiary"}).matched
    assert not evaluate(criterion, {"is_strategic": True, "customer_type": "agent_l1"}).matched
    assert evaluate(p("是否战略客户 = 是"), {"is_strategic": True}).matched
    assert evaluate(p("是 = 是否战略客户"), {"is_strategic": True}).matched
    assert not evaluate(p("是否战略客户 = 否"), {"is_strategic": True}).matched


def test_r_tier_2_field_against_field_and_dates():
    late = p("overdue_days > credit_term_days")
    result = evaluate(late, {"overdue_days": 40, "credit_term_days": 30})
    assert result.matched
    assert result.reasons_zh == ("逾期天数 40 > 信用期 30",)
    assert evaluate(late, {"overdue_days": 30, "credit_term_days": 30}).reasons_en == (
        "overdue days 30 ≤ credit term days 30",
    )
    old = p("cooperation_since <= '2020-06-30'")
    assert evaluate(old, {"cooperation_since": dt.date(2019, 1, 2)}).reasons_zh == (
        "合作起始日期 2019-01-02 ≤ 2020-06-30",
    )
    assert not evaluate(old, {"cooperation_since": dt.datetime(2021, 1, 1, 9, 30)}).matched


def test_r_tier_2_numbers_compare_numerically_whatever_their_type():
    criterion = p("annual_value >= 0.1 and annual_value <= 0.1")
    for value in (0.1, Decimal("0.1"), Decimal("0.10")):
        assert evaluate(criterion, {"annual_value": value}).matched, value
    assert p("annual_value = 2_000_000").tree == p("annual_value = 200万").tree
    big = evaluate(p("annual_value > -5"), {"annual_value": 12_345_678.5})
    assert big.reasons_en == ("annual value 12,345,678.5 > -5",)


def test_r_tier_2_not_reason_and_missing_under_not():
    criterion = p("非（年交易额 >= 200万）")
    assert evaluate(criterion, {"annual_value": 1_500_000}).reasons_zh == (
        "并非（年交易额 1,500,000 ≥ 2,000,000）",
    )
    assert evaluate(criterion, {"annual_value": 1_500_000}).reasons_en == (
        "not (annual value 1,500,000 ≥ 2,000,000)",
    )
    # Missing data does not turn into a match through `not`; `not (x >= k)` agrees with `x < k`.
    missing = evaluate(criterion, {})
    assert not missing.matched
    assert missing.reasons_zh == ("年交易额 无数据",)
    assert not evaluate(p("annual_value < 2000000"), {}).matched


def test_r_tier_2_wrong_fact_type_is_a_loud_error():
    with pytest.raises(FactError, match="annual_value"):
        evaluate(p("annual_value > 1"), {"annual_value": "lots"})
    with pytest.raises(FactError, match="stable_settlement"):
        evaluate(p("stable_settlement"), {"stable_settlement": 1})


def test_r_tier_2_field_specs_are_checked():
    with pytest.raises(ValueError, match="kind"):
        FieldSpec("x", "money", "某值", "x")
    with pytest.raises(ValueError, match="cannot be written"):
        FieldSpec("x", "number", "年交易额（万元）", "x")
    with pytest.raises(ValueError, match="names both"):
        parse("a > 1", {"a": FieldSpec("a", "number", "甲", "a"), "b": FieldSpec("b", "number", "甲", "b")})


# --------------------------------------------------------------------------- errors name the token


def test_r_tier_2_unknown_field_suggests_the_closest():
    error = error_of("anual_value >= 2000000")
    assert (error.token, error.position) == ("anual_value", 0)
    assert "anual_value" in error.message_zh and "annual_value" in error.message_zh
    assert "did you mean 'annual_value'" in error.message_en
    chinese = error_of("合作年限 >= 2 且 年交易额度 > 1")
    assert (chinese.token, chinese.position) == ("年交易额度", 12)
    assert "年交易额" in chinese.message_zh
    assert error_of("是否战略客 and is_key").token == "是否战略客"
    assert "did you mean 'and'" in error_of("is_key adn is_strategic").message_en


def test_r_tier_2_incomplete_expression_names_end_of_input():
    error = error_of("annual_value >= ")
    assert (error.token, error.position) == ("", len("annual_value >= "))
    assert "end of input" in error.message_en and "输入结尾" in error.message_zh


@pytest.mark.parametrize(
    ("source", "token", "position", "words"),
    [
        ("annual_value >= 'abc'", "'abc'", 16, "type mismatch"),
        ("stable_settlement = 1", "1", 20, "type mismatch"),
        ("market_type = 'moon'", "'moon'", 14, "not an allowed value"),
        ("market_type > 'city'", ">", 12, "cannot be used"),
        ("annual_value > stable_settlement", "stable_settlement", 15, "type mismatch"),
        ("cooperation_since > '2020-02-30'", "'2020-02-30'", 20, "not a valid date"),
        ("__import__('os')", "__import__", 0, "unknown field"),
        ("(annual_value > 1", "(", 0, "unbalanced"),
        ("annual_value > 1)", ")", 16, "unbalanced"),
        ("customer_type in ['agent_l1'", "[", 17, "unbalanced"),
        ("annual_value > 1 is_key", "is_key", 17, "unexpected"),
        ("annual_value > 1 > 0", ">", 17, "chained"),
        ("annual_value >= 2,000,000", "2,000,000", 16, "thousands"),
        ("annual_value >= 5%", "%", 17, "not allowed"),
        ("annual_value and is_key", "and", 13, "comparison operator"),
        ("1 < 2", "1", 0, "constants"),
        ("province = 'x", "'x", 11, "no closing quote"),
        ("customer_type in []", "]", 18, "empty"),
        ("()", ")", 1, "missing"),
        ("   ", "", 3, "empty"),
        ("", "", 0, "empty"),
    ],
)
def test_r_tier_2_errors_name_the_token_and_position(source, token, position, words):
    error = error_of(source)
    assert (error.token, error.position) == (token, position)
    assert words in error.message_en
    assert error.message_zh and error.message_zh != error.message_en


def test_r_tier_2_positions_point_into_the_original_text():
    # NFKC expands ㍱ to three characters; positions still index the original string.
    source = "province = '㍱㍱' and （anual_value ＞ 1）"
    error = error_of(source)
    assert error.position == source.index("anual_value")
    assert error.token == "anual_value"
    assert error_of("㍱ > 1").token == "㍱"


def test_r_tier_2_code_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    for source in (
        f"__import__('os').system('touch {marker}')",
        f"open('{marker}', 'w')",
        "annual_value > 1 or [x for x in ().__class__.__bases__]",
        "lambda: 1",
    ):
        with pytest.raises(CriterionError):
            parse(source, FIELDS)
    assert not marker.exists()


def test_r_tier_2_engine_source_has_no_eval_exec_or_compile():
    """Every module of the engine package (lexer, parser, evaluator, …) is plain Python without eval."""
    sources = sorted(Path(engine.__file__).parent.glob("*.py"))
    assert len(sources) > 1
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        called = {
            node.func.id
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not called & {"eval", "exec", "compile", "__import__"}, source.name
        imported = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not any(name.startswith("django") for name in imported | modules), source.name


def test_r_tier_2_length_limit():
    base = "annual_value >= 1"
    exact = base + " " * (MAX_LENGTH - len(base))
    assert p(exact).fields == {"annual_value"}
    error = error_of(exact + "x")
    assert error.position == MAX_LENGTH and error.token == "x"
    assert "2,001" in error.message_zh


def test_r_tier_2_depth_limit():
    assert p("(" * MAX_DEPTH + "is_key" + ")" * MAX_DEPTH).fields == {"is_key"}
    assert evaluate(p("not " * MAX_DEPTH + "is_key"), {"is_key": True}).matched
    too_deep = error_of("(" * (MAX_DEPTH + 1) + "is_key" + ")" * (MAX_DEPTH + 1))
    assert (too_deep.token, too_deep.position) == ("(", MAX_DEPTH)
    assert error_of("非" * (MAX_DEPTH + 1) + "is_key").position == MAX_DEPTH


@pytest.mark.parametrize(
    "source",
    [
        "(" * 2000,
        "not " * 500,
        "年" * 2000,
        "a" * 2000,
        "is_key or " * 199 + "is_key",
        "[" + "1," * 999,
        "'" * 2000,
        "且" * 2000,
    ],
)
def test_r_tier_2_worst_case_inputs_finish_quickly(source):
    started = time.perf_counter()
    try:
        criterion = parse(source[:MAX_LENGTH], FIELDS)
    except CriterionError as error:
        assert source.startswith(error.token, error.position)
    else:
        assert not evaluate(criterion, {}).matched
    assert time.perf_counter() - started < 1.0


# --------------------------------------------------------------------------- property tests

NUMBER_FIELDS = ("annual_value", "cooperation_years", "overdue_days")
BOOL_FIELDS = ("stable_settlement", "bad_credit", "is_strategic")
TEXT_FIELDS = ("market_type",)
DATE_FIELDS = ("cooperation_since",)
MARKETS = FIELDS["market_type"].choices

OPS = (">=", "<=", ">", "<", "=", "!=")
OP_SPELLINGS = {
    ">=": (">=", "≥", "＞＝"),
    "<=": ("<=", "≤", "＜="),
    ">": (">", "＞"),
    "<": ("<", "＜"),
    "=": ("=", "==", "＝"),
    "!=": ("!=", "≠", "！＝"),
}
WORDS = {
    "and": ("and", "AND", "且", "并且"),
    "or": ("or", "Or", "或", "或者"),
    "not": ("not", "NOT", "非"),
    "in": ("in", "IN", "属于"),
    "not in": ("not in", "NOT in", "不属于"),
    True: ("true", "True", "是"),
    False: ("false", "FALSE", "否"),
}
QUOTES = (("'", "'"), ('"', '"'), ("“", "”"), ("‘", "’"))

numbers = st.one_of(st.integers(-50, 3_000_000), st.integers(-20, 20).map(lambda k: Fraction(k, 4)))
dates = st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31))

# Generated trees are tuples:
#   ("num", field, op, number, flipped) ("numff", field, op, field) ("text", field, op, value)
#   ("in", field, negated, values) ("bool", field) ("booleq", field, op, value) ("date", field, op, day)
#   ("not", child) ("and", children) ("or", children)
leaves = st.one_of(
    st.tuples(st.just("num"), st.sampled_from(NUMBER_FIELDS), st.sampled_from(OPS), numbers, st.booleans()),
    st.tuples(
        st.just("numff"), st.sampled_from(NUMBER_FIELDS), st.sampled_from(OPS), st.sampled_from(NUMBER_FIELDS)
    ),
    st.tuples(
        st.just("text"), st.sampled_from(TEXT_FIELDS), st.sampled_from(("=", "!=")), st.sampled_from(MARKETS)
    ),
    st.tuples(
        st.just("in"),
        st.sampled_from(TEXT_FIELDS),
        st.booleans(),
        st.lists(st.sampled_from(MARKETS), min_size=1, max_size=3).map(tuple),
    ),
    st.tuples(st.just("bool"), st.sampled_from(BOOL_FIELDS)),
    st.tuples(st.just("booleq"), st.sampled_from(BOOL_FIELDS), st.sampled_from(("=", "!=")), st.booleans()),
    st.tuples(st.just("date"), st.sampled_from(DATE_FIELDS), st.sampled_from(OPS), dates),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.tuples(st.just("not"), children),
        st.tuples(st.just("and"), st.lists(children, min_size=2, max_size=3).map(tuple)),
        st.tuples(st.just("or"), st.lists(children, min_size=2, max_size=3).map(tuple)),
    ),
    max_leaves=8,
)


def fact_values(name: str) -> st.SearchStrategy:
    kind = FIELDS[name].kind
    if kind == "number":
        exact = st.integers(-60, 3_000_000)
        quarters = st.integers(-40, 40).map(lambda k: k / 4)
        return st.one_of(
            st.none(), exact, quarters, exact.map(Decimal), quarters.map(lambda f: Decimal(str(f)))
        )
    if kind == "bool":
        return st.one_of(st.none(), st.booleans())
    if kind == "date":
        return st.one_of(st.none(), dates)
    return st.one_of(st.none(), st.sampled_from(MARKETS))


FACT_FIELDS = NUMBER_FIELDS + BOOL_FIELDS + TEXT_FIELDS + DATE_FIELDS
facts_strategy = st.fixed_dictionaries({name: fact_values(name) for name in FACT_FIELDS})


def reference(tree: tuple, facts: dict) -> bool | None:
    """Kleene three-valued reference semantics; None means unknown (missing data)."""
    kind = tree[0]
    if kind == "not":
        inner = reference(tree[1], facts)
        return None if inner is None else not inner
    if kind in ("and", "or"):
        values = [reference(child, facts) for child in tree[1]]
        decisive = kind == "or"
        if decisive in values:
            return decisive
        return None if None in values else not decisive
    name = tree[1]
    value = facts.get(name)
    if value is None:
        return None
    if isinstance(value, float | int | Decimal) and not isinstance(value, bool):
        value = Fraction(value)
    if kind == "num":
        _, _, op, number, flipped = tree
        return compare(number, op, value) if flipped else compare(value, op, Fraction(number))
    if kind == "numff":
        other = facts.get(tree[3])
        return None if other is None else compare(value, tree[2], Fraction(other))
    if kind in ("text", "booleq", "date"):
        return compare(value, tree[2], tree[3])
    if kind == "in":
        return (value in tree[3]) != tree[2]
    assert kind == "bool"
    return value


def compare(left, op: str, right) -> bool:
    return {
        ">=": left >= right,
        "<=": left <= right,
        ">": left > right,
        "<": left < right,
        "=": left == right,
        "!=": left != right,
    }[op]


def fields_of(tree: tuple) -> set[str]:
    if tree[0] == "not":
        return fields_of(tree[1])
    if tree[0] in ("and", "or"):
        return set().union(*(fields_of(child) for child in tree[1]))
    return {tree[1], tree[3]} if tree[0] == "numff" else {tree[1]}


class Renderer:
    """Renders a generated tree as criterion text, drawing spellings from hypothesis."""

    def __init__(self, data) -> None:
        self.draw = data.draw

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def field(self, name: str) -> str:
        return self.pick((name, FIELDS[name].label_zh))

    def number(self, number) -> str:
        if isinstance(number, Fraction) and number.denominator != 1:
            return str(float(number))  # quarters are exact in decimal
        number = int(number)
        options = [str(number)]
        if abs(number) >= 1000:
            options.append(f"{number:_}")
        if number and number % 10_000 == 0:
            options.append(f"{number // 10_000}万")
        return self.pick(options)

    def text(self, value: str) -> str:
        opening, closing = self.pick(QUOTES)
        return f"{opening}{value}{closing}"

    def join(self, parts: list[str]) -> str:
        out = parts[0]
        for part in parts[1:]:
            ascii_edge = out[-1].isascii() and (out[-1].isalnum() or out[-1] == "_")
            ascii_next = part[0].isascii() and (part[0].isalnum() or part[0] == "_")
            out += self.pick((" ", "  ")) if ascii_edge and ascii_next else self.pick(("", " "))
            out += part
        return out

    def parens(self, text: str) -> str:
        opening, closing = self.pick((("(", ")"), ("（", "）")))
        return self.join([opening, text, closing])

    def render(self, tree: tuple) -> str:
        text = self._render(tree)
        return self.parens(text) if self.draw(st.integers(0, 9)) == 0 else text

    def _render(self, tree: tuple) -> str:
        kind = tree[0]
        if kind == "not":
            child = self.render(tree[1])
            if tree[1][0] in ("and", "or"):
                child = self.parens(child)
            return self.join([self.pick(WORDS["not"]), child])
        if kind in ("and", "or"):
            parts: list[str] = []
            for child in tree[1]:
                text = self.render(child)
                if kind == "and" and child[0] == "or":
                    text = self.parens(text)
                if parts:
                    parts.append(self.pick(WORDS[kind]))
                parts.append(text)
            return self.join(parts)
        op = lambda symbol: self.pick(OP_SPELLINGS[symbol])  # noqa: E731
        if kind == "num":
            _, name, symbol, number, flipped = tree
            if flipped:
                return self.join([self.number(number), op(symbol), self.field(name)])
            return self.join([self.field(name), op(symbol), self.number(number)])
        if kind == "numff":
            return self.join([self.field(tree[1]), op(tree[2]), self.field(tree[3])])
        if kind == "text":
            return self.join([self.field(tree[1]), op(tree[2]), self.text(tree[3])])
        if kind == "in":
            separator = self.pick((",", "，", ", "))
            items = separator.join(self.text(value) for value in tree[3])
            word = self.pick(WORDS["not in" if tree[2] else "in"])
            return self.join([self.field(tree[1]), word, f"[{items}]"])
        if kind == "bool":
            return self.field(tree[1])
        if kind == "booleq":
            return self.join([self.field(tree[1]), op(tree[2]), self.pick(WORDS[tree[3]])])
        assert kind == "date"
        return self.join([self.field(tree[1]), op(tree[2]), self.text(tree[3].isoformat())])


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(tree=trees, facts=facts_strategy, data=st.data())
def test_r_tier_2_property_parse_and_evaluate_match_the_generated_tree(tree, facts, data):
    # R-TIER-2: the rendered text parses, names the right fields and evaluates like the tree.
    source = Renderer(data).render(tree)
    criterion = parse(source, FIELDS)
    assert criterion.fields == fields_of(tree), source
    result = evaluate(criterion, facts)
    assert result.matched == (reference(tree, facts) is True), source
    assert result.reasons_zh and len(result.reasons_zh) == len(result.reasons_en)


@PROPERTY_SETTINGS
@given(tree=trees, facts=facts_strategy, data=st.data())
def test_r_tier_2_property_double_negation(tree, facts, data):
    renderer = Renderer(data)
    x = renderer.render(tree)
    plain = evaluate(parse(x, FIELDS), facts)
    doubled = evaluate(parse(f"not not ({x})", FIELDS), facts)
    chinese = evaluate(parse(f"非非（{x}）", FIELDS), facts)
    assert plain.matched == doubled.matched == chinese.matched


@PROPERTY_SETTINGS
@given(a=trees, b=trees, facts=facts_strategy, data=st.data())
def test_r_tier_2_property_de_morgan(a, b, facts, data):
    renderer = Renderer(data)
    x, y = renderer.render(a), renderer.render(b)
    left = evaluate(parse(f"not (({x}) and ({y}))", FIELDS), facts)
    right = evaluate(parse(f"not ({x}) or not ({y})", FIELDS), facts)
    assert left.matched == right.matched
    left = evaluate(parse(f"not (({x}) or ({y}))", FIELDS), facts)
    right = evaluate(parse(f"not ({x}) and not ({y})", FIELDS), facts)
    assert left.matched == right.matched


def check_parse_total(source: str) -> None:
    """parse either returns a criterion that evaluates without error or raises a located CriterionError."""
    try:
        criterion = parse(source, FIELDS)
    except CriterionError as error:
        assert 0 <= error.position <= len(source)
        assert source.startswith(error.token, error.position)
        assert error.message_zh and error.message_en
    else:
        assert criterion.fields <= FIELDS.keys()
        assert isinstance(evaluate(criterion, {}).matched, bool)


@settings(max_examples=500, deadline=None)
@given(source=st.text(max_size=300))
def test_r_tier_2_property_parse_never_raises_anything_else_on_text(source):
    check_parse_total(source)


TOKEN_SOUP = (
    *FIELDS,
    *(spec.label_zh for spec in FIELDS.values()),
    *(spelling for spellings in OP_SPELLINGS.values() for spelling in spellings),
    *(spelling for spellings in WORDS.values() for spelling in spellings),
    "(", ")", "（", "）", "[", "]", "【", "】", ",", "，", " ", "'", '"', "“", "”",
    "'city'", "'moon'", "'2020-01-01'", "0", "1.5", "200万", "2_000", "-3", "2,000", "1.", "x", "万", "%",
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.sampled_from(TOKEN_SOUP), max_size=40), spaced=st.booleans())
def test_r_tier_2_property_parse_never_raises_anything_else_on_token_soup(parts, spaced):
    check_parse_total((" " if spaced else "").join(parts))


def test_r_tier_2_suffix_then_keyword_without_space():
    """R-TIER-2: "年交易额>=25万and 合作年限>=2" — a 万 suffix ends the number (found by hypothesis)."""
    from baifang.tiers.engine import FieldSpec, evaluate, parse

    fields = {
        "annual_value": FieldSpec("annual_value", "number", "年交易额", "annual value"),
        "cooperation_years": FieldSpec("cooperation_years", "number", "合作年限", "cooperation years"),
    }
    criterion = parse("年交易额>=25万and 合作年限>=2", fields)
    assert evaluate(criterion, {"annual_value": 250_000, "cooperation_years": 3}).matched
    assert not evaluate(criterion, {"annual_value": 249_999, "cooperation_years": 3}).matched
