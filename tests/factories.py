"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from baifang.core.validators import CREDIT_CODE_CHARS, credit_code_check_char
from baifang.customers.models import Contact, Customer
from baifang.org.models import OrgUnit, Position, PositionAssignment, User


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"unit-{n}")
    kind = "field_sales"


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position
        django_get_or_create = ("code",)

    code = factory.LazyAttribute(lambda o: o.kind)
    name = factory.LazyAttribute(lambda o: o.kind)
    kind = "field_rep"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pw-123456")

    @factory.post_generation
    def position(self, create, kind, **kwargs):
        if create and kind and self.unit_id:
            PositionAssignment.objects.create(user=self, position=PositionFactory(kind=kind), unit=self.unit)


def make_credit_code(n: int) -> str:
    """A valid unified social credit code derived from ``n``."""
    body = "91330100" + "".join(CREDIT_CODE_CHARS[(n // 31**i) % 31] for i in range(9))
    return body + credit_code_check_char(body)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"测试客户{n}号超市")
    customer_type = "retailer"
    status = "active"
    city = "杭州市"
    district = "西湖区"
    owner = factory.SubFactory(UserFactory)
    unit = factory.LazyAttribute(lambda o: o.owner.unit)
    first_contact_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    registration_due = factory.LazyAttribute(lambda o: o.first_contact_on + dt.timedelta(days=7))
    registered_at = factory.LazyFunction(timezone.now)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    title = "总经理"


def approved_grant(requester, *, approver, customer=None, unit=None, days: int = 3):
    """An approved, unexpired archive-access grant (R-ARCH-8): on one customer, or on a unit's archive."""
    from baifang.customers.models import AccessRequest

    return AccessRequest.objects.create(
        requester=requester,
        scope="unit" if unit is not None else "customer",
        customer=customer,
        unit=unit,
        reason="了解合作情况",
        approver=approver,
        status="approved",
        valid_until=timezone.now() + dt.timedelta(days=days),
    )
