"""Commerce fixtures: a small catalogue, customers with codes, huey running jobs at once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from huey.contrib.djhuey import HUEY

from baifang.commerce.models import Product, ProductGroup
from tests.factories import CustomerFactory


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings, tmp_path):
    """Queued jobs run in the test (huey's immediate mode: the real task, no worker); uploads in tmp."""
    settings.MEDIA_ROOT = tmp_path
    before = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = before


@pytest.fixture
def catalogue(db):
    family = ProductGroup.objects.create(code="HHL", name="黄鹤楼", stock_factor=Decimal("2.0"))
    return {
        "hhl": Product.objects.create(
            code="P001", name="黄鹤楼(硬)", brand="黄鹤楼", group=family, price=Decimal("250.00")
        ),
        "zh": Product.objects.create(code="P002", name="中华(软)", brand="中华", price=Decimal("650.00")),
        "ls": Product.objects.create(
            code="P003",
            name="利群(新版)",
            brand="利群",
            price=Decimal("180.00"),
            new_from=dt.date(2026, 1, 1),
        ),
    }


@pytest.fixture
def shops(org):
    """Two customers of the rep (team1) and one of the outsider's department."""
    return {
        "a": CustomerFactory(name="西湖便利店", code="KH100", owner=org.rep),
        "b": CustomerFactory(name="断桥烟酒行", code="KH101", owner=org.rep),
        "far": CustomerFactory(name="外区超市", code="KH900", owner=org.outsider),
    }


ORDER_HEADER = "订单号,订单日期,客户编码,商品编码,数量,单价\n"


def order_csv(*lines: str) -> bytes:
    return (ORDER_HEADER + "".join(line + "\n" for line in lines)).encode()
