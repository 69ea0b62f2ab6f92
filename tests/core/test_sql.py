"""core.sql: long IN lists in slices (the imports' lookups and the survey distribution use them)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baifang.core.sql import slices, values_in
from baifang.org.models import OrgUnit


@given(st.lists(st.integers(-1000, 1000)), st.integers(1, 50))
def test_slices_hold_each_distinct_value_once_in_order_and_within_size(values, size):
    parts = list(slices(values, size))
    flat = [v for part in parts for v in part]
    assert flat == sorted(set(values))
    assert all(1 <= len(part) <= size for part in parts)


def test_slices_refuse_a_size_below_one():
    with pytest.raises(ValueError):
        list(slices([1, 2], 0))


@pytest.mark.django_db
def test_values_in_finds_across_slices_what_one_lookup_finds():
    units = OrgUnit.objects.bulk_create([OrgUnit(name=f"单位{i}", code=f"U{i:03d}") for i in range(25)])
    wanted = [u.code for u in units[::2]] + ["NOPE", units[0].code]
    one_lookup = set(OrgUnit.objects.filter(code__in=wanted).values_list("code", "pk"))
    assert set(values_in(OrgUnit.objects, "code", wanted, "code", "pk", size=4)) == one_lookup
    assert len(one_lookup) == 13
