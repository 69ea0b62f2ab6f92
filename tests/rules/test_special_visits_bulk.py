"""raise_special_visits: the nightly jobs' set-based path keeps raise_special_visit's rules (R-OBL-3)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baifang.core.calendar import add_workdays
from baifang.core.models import Notification
from baifang.rules.choices import SpecialTrigger
from baifang.rules.models import SpecialVisit
from baifang.rules.services import SpecialVisitRequest, raise_special_visit, raise_special_visits
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MISMATCH = SpecialTrigger.ORDER_MISMATCH


def _requests(customers, prefix="order"):
    return [SpecialVisitRequest(c, MISMATCH, f"{prefix}:{c.pk}", note="订单与到货不符") for c in customers]


def test_r_obl_3_bulk_raises_each_reference_once_and_tells_the_owner(org):
    shops = [CustomerFactory(owner=org.rep) for _ in range(3)]
    first = raise_special_visits(_requests(shops))
    assert len(first.created) == 3 and first.existing == 0 and not first.refused
    visits = SpecialVisit.objects.filter(trigger=MISMATCH)
    assert {v.customer_id for v in visits} == {s.pk for s in shops}
    assert {v.responsible_id for v in visits} == {org.rep.pk}
    assert {v.due_on for v in visits} == {add_workdays(timezone.localdate(), 2)}
    assert Notification.objects.filter(user=org.rep, kind="special_visit").count() == 3

    again = raise_special_visits(_requests(shops) + _requests(shops[:1]))  # a re-run, with a repeat inside
    assert again.created == [] and again.existing == 4
    assert SpecialVisit.objects.filter(trigger=MISMATCH).count() == 3
    assert Notification.objects.filter(user=org.rep, kind="special_visit").count() == 3


def test_r_obl_3_bulk_agrees_with_the_single_path_on_an_earlier_reference(org):
    shop = CustomerFactory(owner=org.rep)
    single = raise_special_visit(shop, trigger=MISMATCH, by=org.rep, reference=f"order:{shop.pk}")
    outcome = raise_special_visits(_requests([shop]))
    assert outcome.existing == 1 and outcome.created == []
    assert list(SpecialVisit.objects.filter(trigger=MISMATCH)) == [single]


def test_r_arch_8_bulk_refuses_whoever_cannot_make_the_visit(org):
    own = CustomerFactory(owner=org.rep)
    elsewhere = CustomerFactory(owner=org.outsider)
    requests = [
        SpecialVisitRequest(own, MISMATCH, "order:own"),
        SpecialVisitRequest(elsewhere, MISMATCH, "order:elsewhere", responsible=org.rep),
    ]
    outcome = raise_special_visits(requests)
    assert [v.customer_id for v in outcome.created] == [own.pk]
    assert [r.customer.pk for r in outcome.refused] == [elsewhere.pk]
    assert not SpecialVisit.objects.filter(customer=elsewhere).exists()


def test_r_obl_3_bulk_query_count_does_not_grow_with_the_requests(org):
    warm = CustomerFactory(owner=org.rep)
    few = [CustomerFactory(owner=org.rep) for _ in range(2)]
    many = [CustomerFactory(owner=org.rep) for _ in range(30)]
    raise_special_visits(_requests([warm]))  # the working-day calendar is read once and cached

    with CaptureQueriesContext(connection) as small:
        raise_special_visits(_requests(few))
    with CaptureQueriesContext(connection) as large:
        raise_special_visits(_requests(many))
    assert len(large.captured_queries) == len(small.captured_queries)
    assert SpecialVisit.objects.filter(trigger=MISMATCH).count() == 33
