"""Regional distribution types: exclusive / selective / extensive limits (R-TIER-5)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from baifang.customers import services
from baifang.customers.models import Customer
from baifang.presets import loader
from tests.conftest import api_for
from tests.factories import CustomerFactory


def distributor(name, district="西湖区", city="杭州市", province="浙江省"):
    return Customer(
        name=name,
        customer_type="distributor",
        status="active",
        province=province,
        city=city,
        district=district,
    )


@pytest.fixture
def limits(db):
    loader.load("pharma-channel")


def test_exclusive_district_refuses_a_second_distributor(org, limits):
    """R-TIER-5: an exclusive region admits one distributor; the refusal names the region and the existing code."""
    first = services.create_customer(distributor("西湖医药商贸"), by=org.rep)
    with pytest.raises(ValidationError) as info:
        services.create_customer(distributor("西湖第二医药"), by=org.rep)
    message = str(info.value)
    assert "西湖区" in message and first.code in message
    assert Customer.objects.count() == 1


def test_selective_city_admits_three(org, limits):
    for i in range(3):
        services.create_customer(distributor(f"滨江医药{i}", district="滨江区"), by=org.rep)
    with pytest.raises(ValidationError):
        services.create_customer(distributor("滨江医药3", district="滨江区"), by=org.rep)


def test_non_distributors_and_lost_distributors_do_not_count(org, limits):
    services.create_customer(distributor("西湖医药商贸"), by=org.rep)
    retailer = distributor("西湖药店")
    retailer.customer_type = "retailer"
    services.create_customer(retailer, by=org.rep)
    lost = CustomerFactory(
        owner=org.rep,
        name="老经销商",
        customer_type="distributor",
        status="lost",
        province="浙江省",
        city="杭州市",
        district="上城区",
    )
    services.create_customer(distributor("上城医药", district="上城区"), by=org.rep)
    assert lost.pk


def test_changing_a_customer_into_a_distributor_is_checked_too(org, limits):
    services.create_customer(distributor("西湖医药商贸"), by=org.rep)
    other = services.create_customer(
        Customer(
            name="西湖零售", customer_type="retailer", province="浙江省", city="杭州市", district="西湖区"
        ),
        by=org.rep,
    )
    other.customer_type = "distributor"
    other.status = "active"
    with pytest.raises(ValidationError):
        services.update_customer(other, by=org.rep)


def test_region_limits_api(org, limits):
    assert api_for(org.rep).get("/api/v1/region-limits/").json()["count"] == 3
    body = {"province": "江苏省", "city": "", "district": "", "kind": "exclusive", "max_distributors": 1}
    assert api_for(org.rep).post("/api/v1/region-limits/", body, format="json").status_code == 403
    assert api_for(org.market).post("/api/v1/region-limits/", body, format="json").status_code == 201
