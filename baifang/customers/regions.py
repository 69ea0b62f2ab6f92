"""A customer's region (R-ARCH-1): division codes and names kept in step, and free text matched to codes.

The page, the API and the import all save through ``apply_region``:

- codes given (or changed): they are checked (known, nested: a city of the province, a district of the
  city) and each level's name is the dataset's (``Divisions.names``);
- only names given (or changed, codes untouched): the names are matched to codes (``Divisions.match``);
  the levels that match get their code and the dataset's name, the rest keep their free text.

``match_customers`` is the ``baifang customers match-regions`` backend for rows saved before codes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from baifang.customers import divisions
from baifang.customers.divisions import Match, RegionError

REGION_NAMES = ("province", "city", "district")
REGION_CODES = ("province_code", "city_code", "district_code")
REGION_FIELDS = (*REGION_NAMES, *REGION_CODES)
LEVELS = {"province": 0, "city": 1, "district": 2}


def _message(exc: RegionError) -> str:
    data = divisions.load()
    found = data.by_code.get(exc.code)
    parent = data.by_code.get(found.parent) if found else None
    if exc.problem == "unknown":
        return {
            "province_code": _("There is no province with the code %(code)s."),
            "city_code": _("There is no city with the code %(code)s."),
            "district_code": _("There is no district or county with the code %(code)s."),
        }[exc.field] % {"code": exc.code}
    if exc.problem == "no_parent":
        if exc.field == "city_code":
            return _("Choose the province before the city.")
        return _("Choose the city before the district.")
    if exc.problem == "required":
        return _("Choose the county-level city or county directly under the province.")
    # not_in_parent: name the place and where it really is.
    return _("%(name)s is not in the chosen %(level)s; it belongs to %(parent)s.") % {
        "name": found.name if found else exc.code,
        "level": _("province") if exc.field == "city_code" else _("city"),
        "parent": parent.name if parent else "",
    }


def check_codes(province_code: str, city_code: str, district_code: str) -> None:
    """Refuse unknown or wrongly nested codes with a field error (code ``invalid_region``)."""
    try:
        divisions.load().check(province_code or "", city_code or "", district_code or "")
    except RegionError as exc:
        raise ValidationError({exc.field: ValidationError(_message(exc), code="invalid_region")}) from exc


@functools.lru_cache(maxsize=8192)
def match(province: str, city: str, district: str) -> Match:
    """``Divisions.match``, cached: an import repeats the same few regions thousands of times."""
    return divisions.load().match(province, city, district)


@functools.lru_cache(maxsize=8192)
def names_for(province_code: str, city_code: str, district_code: str) -> tuple[str, str, str]:
    """``Divisions.names``, cached like ``match``."""
    return divisions.load().names(province_code, city_code, district_code)


def _values(obj, names) -> tuple[str, ...]:
    return tuple((getattr(obj, name) or "") for name in names)


def set_codes(customer, codes: tuple[str, str, str]) -> None:
    """Write checked codes and the dataset's names of the levels that have one."""
    names = names_for(*codes)
    for level, code in enumerate(codes):
        setattr(customer, REGION_CODES[level], code)
        if code:
            setattr(customer, REGION_NAMES[level], names[level])


def apply_region(customer, stored: dict | None = None) -> None:
    """Keep the customer's region codes and names in step before a save (see the module docstring).

    ``stored`` holds the saved values of ``REGION_FIELDS`` (None for a new customer): an edit that
    touches neither codes nor names changes nothing, so old free text is kept until it is edited or
    matched by the command.
    """
    stored = stored or {}
    codes = _values(customer, REGION_CODES)
    names = _values(customer, REGION_NAMES)
    codes_changed = any(codes[i] != (stored.get(REGION_CODES[i]) or "") for i in range(3))
    names_changed = any(names[i] != (stored.get(REGION_NAMES[i]) or "") for i in range(3))
    if codes_changed and any(codes):
        check_codes(*codes)
        set_codes(customer, codes)
    elif names_changed or codes_changed:
        set_codes(customer, match(*names).codes)


# --- matching stored free text (``baifang customers match-regions``) ---------------------------------


@dataclass
class Problem:
    pk: int
    code: str
    name: str
    province: str
    city: str
    district: str
    failed: str
    reason: str


@dataclass
class MatchReport:
    checked: int = 0  # rows with a level typed but not coded
    matched: int = 0  # every level typed got its code
    partial: int = 0  # the upper levels got codes, a lower one did not
    unmatched: int = 0  # not even the province
    changed: int = 0  # rows whose codes or names the run writes (or would write)
    problems: list[Problem] = field(default_factory=list)


def incomplete() -> Q:
    """Customers with a region level typed but without its code."""
    return (
        (Q(province_code="") & ~Q(province=""))
        | (Q(city_code="") & ~Q(city=""))
        | (Q(district_code="") & ~Q(district=""))
    )


def match_customers(queryset, *, apply: bool = False, chunk: int = 2000) -> MatchReport:
    """Match the free-text region of every customer in ``queryset`` that has a level without its code.

    Dry run unless ``apply``: then the codes found (and the dataset's names of those levels) are
    written with one UPDATE per changed row, without touching ``updated_at`` or the field history (a
    data repair, not an edit).
    """
    from baifang.customers.models import Customer

    report = MatchReport()
    rows = queryset.filter(incomplete()).values_list("pk", "code", "name", *REGION_FIELDS).order_by("pk")
    for pk, code, name, *stored in rows.iterator(chunk_size=chunk):
        report.checked += 1
        current = dict(zip(REGION_FIELDS, stored, strict=True))
        province, city, district = stored[:3]
        found = match(province, city, district)
        if found.complete:
            report.matched += 1
        else:
            report.problems.append(
                Problem(pk, code, name, province, city, district, found.failed, found.reason)
            )
            if found.province_code:
                report.partial += 1
            else:
                report.unmatched += 1
        target = Customer(**current)
        set_codes(target, found.codes)
        values = {f: getattr(target, f) for f in REGION_FIELDS}
        if found.province_code and values != current:
            report.changed += 1
            if apply:
                Customer.objects.filter(pk=pk).update(**values)
    return report


def failed_label(problem: Problem) -> str:
    """The level that failed and why, in words."""
    level = {"province": _("province"), "city": _("city"), "district": _("district")}[problem.failed]
    if problem.reason == "ambiguous":
        return _("%(level)s: more than one place has this name") % {"level": level}
    return _("%(level)s: no such place") % {"level": level}
