"""Data scope of the archive: who sees which customers (R-ORG-4, R-SEC-1)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from baifang.customers.models import AccessRequest, Contact, Customer
from tests.factories import ContactFactory, CustomerFactory


def visible(user):
    return set(Customer.objects.visible_to(user).values_list("name", flat=True))


def test_each_persona_sees_exactly_its_scope(org):
    """R-ORG-4: owner and co-owner, unit managers for their subtree, market/leader/admin everything."""
    CustomerFactory(name="甲", owner=org.rep)
    CustomerFactory(name="乙", owner=org.teammate)
    CustomerFactory(name="丙", owner=org.outsider)
    shared = CustomerFactory(name="丁", owner=org.outsider)
    shared.co_owners.add(org.rep)

    assert visible(org.rep) == {"甲", "丁"}
    assert visible(org.teammate) == {"乙"}
    assert visible(org.manager) == {"甲", "乙"}
    assert visible(org.manager2) == {"丙", "丁"}
    assert visible(org.outsider) == {"丙", "丁"}
    for persona in (org.market, org.leader, org.admin):
        assert visible(persona) == {"甲", "乙", "丙", "丁"}


def test_inactive_and_anonymous_users_see_nothing(org, customer):
    from django.contrib.auth.models import AnonymousUser

    org.market.is_active = False
    assert not Customer.objects.visible_to(org.market).exists()
    assert not Customer.objects.visible_to(AnonymousUser()).exists()


def test_approved_grant_extends_scope_until_it_expires(org, customer, time_machine):
    """R-ARCH-8: an approved access request opens one customer, only until valid_until."""
    AccessRequest.objects.create(
        requester=org.outsider,
        customer=customer,
        reason="协同拜访",
        approver=org.leader,
        status="approved",
        valid_until=timezone.now() + dt.timedelta(days=2),
    )
    assert customer.name in visible(org.outsider)
    time_machine.move_to(timezone.now() + dt.timedelta(days=3))
    assert customer.name not in visible(org.outsider)


def test_pending_or_rejected_requests_grant_nothing(org, customer):
    for status in ("pending", "rejected"):
        AccessRequest.objects.create(
            requester=org.outsider,
            customer=customer,
            reason="x",
            approver=org.leader,
            status=status,
            valid_until=timezone.now() + dt.timedelta(days=2),
        )
    assert customer.name not in visible(org.outsider)


def test_unit_grant_opens_the_units_archive(org, customer):
    """R-ARCH-8: a request for a unit's archive opens its whole subtree."""
    AccessRequest.objects.create(
        requester=org.outsider,
        scope="unit",
        unit=org.sales1,
        reason="片区调整",
        approver=org.leader,
        status="approved",
        valid_until=timezone.now() + dt.timedelta(days=2),
    )
    assert customer.name in visible(org.outsider)


def test_grants_are_read_only(org, customer):
    """R-ARCH-8: reading another's archive does not allow editing it."""
    AccessRequest.objects.create(
        requester=org.outsider,
        customer=customer,
        reason="x",
        approver=org.leader,
        status="approved",
        valid_until=timezone.now() + dt.timedelta(days=2),
    )
    assert not Customer.objects.editable_by(org.outsider).filter(pk=customer.pk).exists()


def test_leaders_read_but_do_not_edit_the_archive(org, customer):
    """R-ORG-4: leaders see all; the archive belongs to the market department (R-ORG-1 归口)."""
    assert Customer.objects.editable_by(org.leader).count() == 0
    assert Customer.objects.editable_by(org.market).filter(pk=customer.pk).exists()


def test_contacts_follow_their_customer(org, customer):
    ContactFactory(customer=customer, name="王总")
    ContactFactory(customer=CustomerFactory(owner=org.outsider), name="陈总")
    assert set(Contact.objects.visible_to(org.rep).values_list("name", flat=True)) == {"王总"}


def test_merged_customers_are_hidden(org, customer):
    duplicate = CustomerFactory(owner=org.rep, name="重复客户")
    duplicate.merged_into = customer
    duplicate.save()
    assert "重复客户" not in visible(org.market)
