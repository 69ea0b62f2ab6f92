"""Visit fixtures: a located customer with business hours and a 15-minute visit rule; fixed clock."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from baifang.rules.models import VisitRule
from baifang.tiers.models import ClassificationScheme, CustomerTier, Tier
from tests.factories import CustomerFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in Hangzhou.
NOW = dt.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)
WEST_LAKE = (30.259000, 120.149000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def shop(org):
    """A customer of the rep at West Lake, open 08:00–21:00, under a rule asking ≥ 15-minute visits."""
    customer = CustomerFactory(
        name="西湖烟酒店",
        owner=org.rep,
        latitude=WEST_LAKE[0],
        longitude=WEST_LAKE[1],
        coordinate_system="WGS84",
        opens_at=dt.time(8, 0),
        closes_at=dt.time(21, 0),
    )
    scheme = ClassificationScheme.objects.create(code="service", name="服务分类")
    tier = Tier.objects.create(scheme=scheme, code="core", name="核心客户", rank=1)
    CustomerTier.objects.create(
        customer=customer, scheme=scheme, tier=tier, source="manual", assigned_at=timezone.now()
    )
    VisitRule.objects.create(
        code="core-visit",
        name="核心客户双周拜访",
        scheme=scheme,
        tier=tier,
        channel="visit",
        period="two_weeks",
        min_count=1,
        min_duration_minutes=15,
        valid_from=dt.date(2020, 1, 1),
    )
    return customer


def image_upload(name="shop.jpg", size=(3000, 2000), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def png_data_url() -> str:
    import base64

    buffer = io.BytesIO()
    Image.new("RGBA", (60, 20), (0, 0, 0, 255)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
