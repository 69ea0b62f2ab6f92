"""Bad archive input is refused on every path with a field-level message (R-ARCH-1, R-ARCH-9).

Amounts are never negative; first contact and cooperation dates lie between settings.DATE_MIN and
today; a near duplicate (the same name but for a branch suffix, at the same address or phone) is
refused with a link to the existing record until confirmed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from baifang.customers import services
from baifang.customers.exceptions import NearDuplicateCustomer
from baifang.customers.models import Customer
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

URL = "/api/v1/customers/"


def _post(user, **fields):
    body = {"name": "坏数据商行", "customer_type": "retailer", **fields}
    return api_for(user).post(URL, body, format="json")


def _attrs(response) -> dict[str, str]:
    return {e["attr"]: e["code"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registered_capital", "-100"),
        ("annual_value", "-5"),
        ("monthly_contract_volume", "-1"),
        ("credit_limit", "-0.01"),
        ("first_contact_on", "2099-01-01"),
        ("cooperation_since", "1800-01-01"),
        ("cooperation_since", "2099-01-01"),
    ],
)
def test_api_refuses_negative_money_and_impossible_dates(org, field, value):
    """R-ARCH-1: 400 naming the field, nothing saved."""
    response = _post(org.rep, **{field: value})
    assert response.status_code == 400, response.content
    assert field in _attrs(response)
    assert not Customer.objects.filter(name="坏数据商行").exists()


def test_api_update_refuses_negative_money(org, customer):
    """R-ARCH-1: the PATCH path too."""
    response = api_for(org.rep).patch(f"{URL}{customer.pk}/", {"annual_value": "-5"}, format="json")
    assert response.status_code == 400 and "annual_value" in _attrs(response)
    customer.refresh_from_db()
    assert customer.annual_value is None


def test_zero_and_today_are_fine(org):
    today = timezone.localdate().isoformat()
    response = _post(org.rep, registered_capital="0", cooperation_since=today, first_contact_on=today)
    assert response.status_code == 201, response.content


def test_form_refuses_negative_capital_and_future_first_contact(org):
    """R-ARCH-1: the create page shows the errors and saves nothing."""
    client = client_for(org.rep)
    response = client.post(
        reverse("customers:create"),
        {
            "name": "坏数据商行",
            "customer_type": "retailer",
            "status": "prospect",
            "coordinate_system": "GCJ02",
            "registered_capital": "-100",
            "first_contact_on": "2099-01-01",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "registered_capital" in errors and "first_contact_on" in errors
    assert not Customer.objects.filter(name="坏数据商行").exists()


def test_service_refuses_what_bypassed_the_form(org):
    """R-ARCH-1: a caller that builds the model itself still meets the bounds."""
    customer = Customer(name="直接调用商行", customer_type="retailer", annual_value=Decimal("-5"))
    with pytest.raises(ValidationError) as caught:
        services.create_customer(customer, by=org.rep)
    assert "annual_value" in caught.value.message_dict
    stored = CustomerFactory(owner=org.rep)
    stored.cooperation_since = dt.date(1800, 1, 1)
    with pytest.raises(ValidationError) as caught:
        services.update_customer(stored, by=org.rep)
    assert "cooperation_since" in caught.value.message_dict


def test_an_edit_is_not_refused_for_an_old_value_it_does_not_touch(org):
    stored = CustomerFactory(owner=org.rep, cooperation_since=dt.date(1800, 1, 1))
    stored.notes = "新备注"
    services.update_customer(stored, by=org.rep)


def test_database_refuses_negative_money(org, customer):
    """R-ARCH-1: the database guards the invariant too (CHECK on PostgreSQL, a trigger on SQLite)."""
    for field in ("registered_capital", "annual_value", "monthly_contract_volume", "credit_limit"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Customer.objects.filter(pk=customer.pk).update(**{field: Decimal("-1")})
    Customer.objects.filter(pk=customer.pk).update(annual_value=Decimal("0"))


# --- near duplicates (R-ARCH-9) -----------------------------------------------------------------

ADDRESS = "杭州市西湖区万塘路18号"


@pytest.fixture
def shop(org):
    return CustomerFactory(name="西湖泰恒便利店", owner=org.rep, registered_address=ADDRESS)


def test_branch_at_the_same_address_is_refused_with_a_link_until_confirmed(org, shop):
    """R-ARCH-9: "西湖泰恒便利店（万塘路店）" at the same address as "西湖泰恒便利店"."""
    body = {"name": "西湖泰恒便利店（万塘路店）", "delivery_address": "杭州市西湖区 万塘路 18 号"}
    response = _post(org.rep, **body)
    assert response.status_code == 400
    assert _attrs(response) == {"name": "near_duplicate"}
    detail = response.json()["errors"][0]["detail"]
    assert shop.code in detail and shop.get_absolute_url() in detail
    confirmed = _post(org.rep, **body, confirm_near_duplicate=True)
    assert confirmed.status_code == 201, confirmed.content


def test_branch_with_the_same_phone_is_a_near_duplicate(org, shop):
    shop.phone = "0571-88886666"
    shop.save()
    other = Customer(name="西湖泰恒便利店(城西分店)", customer_type="retailer", phone="057188886666")
    with pytest.raises(NearDuplicateCustomer) as caught:
        services.create_customer(other, by=org.rep)
    assert caught.value.existing == shop


def test_similar_name_elsewhere_is_not_a_near_duplicate(org, shop):
    response = _post(org.rep, name="西湖泰恒便利店（文一路店）", registered_address="杭州市西湖区文一路1号")
    assert response.status_code == 201, response.content


def test_create_page_warns_and_links_the_existing_record(org, shop):
    client = client_for(org.rep)
    form = {
        "name": "西湖泰恒便利店（万塘路店）",
        "customer_type": "retailer",
        "status": "prospect",
        "coordinate_system": "GCJ02",
        "registered_address": ADDRESS,
        "first_contact_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("customers:create"), form)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{shop.get_absolute_url()}"' in page and 'name="confirm_near_duplicate"' in page
    assert not Customer.objects.filter(name=form["name"]).exists()
    response = client.post(reverse("customers:create"), {**form, "confirm_near_duplicate": "1"})
    assert response.status_code == 302
    assert Customer.objects.filter(name=form["name"]).exists()
