"""Demo archive import (R-ARCH-10): the market persona's import history shows a finished import.

林晓燕 (``market``) saved the column mapping of the county's 客户档案表, imported a sheet of new shops
with their owners' contacts (one row already in the archive, skipped), and has one check that found
errors, whose per-row report she can download. Deterministic; runs through the real pipeline.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile

from baifang.core import intake
from baifang.customers.intake import KIND
from baifang.customers.models import ColumnMapping, Customer
from baifang.org.models import User

MAPPING = {"门店名称": "name", "店主": "contact_name", "店主手机": "contact_mobile", "客户经理": "owner"}
HEADER = "门店名称,客户类型,城市,区县,经营地址,店主,店主手机,客户经理"
SHOPS = (
    ("三墩镇兴旺烟酒店", "西湖区", "三墩镇振华路12号", "周兴旺", "13957100101"),
    ("转塘老街便民超市", "西湖区", "转塘街道老街8号", "钱美芳", "13957100102"),
    ("古荡新村小卖部", "西湖区", "古荡新村东区3幢", "孙建国", "13957100103"),
    ("文新路口便利店", "西湖区", "文新路188号", "李秀英", "13957100104"),
    ("留下镇惠民商店", "西湖区", "留下镇屏基山路5号", "吴德明", "13957100105"),
)


def _csv(lines: list[str]) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


def populate(today: dt.date) -> str:
    market = User.objects.get(username="market")
    rep = User.objects.filter(username="rep").first()
    owner = rep.username if rep is not None else ""
    mapping, _ = ColumnMapping.objects.get_or_create(
        name="县局客户档案表", defaults={"headers": MAPPING, "created_by": market}
    )
    existing = Customer.objects.filter(merged_into__isnull=True).order_by("pk").first()
    lines = [f"{n},零售商,杭州市,{d},{a},{c},{m},{owner}" for n, d, a, c, m in SHOPS]
    if existing is not None:
        lines.append(f"{existing.name},零售商,,,,,,")  # already in the archive: skipped
    options = {"headers": mapping.headers, "mapping": mapping.name, "on_duplicate": "skip"}
    done = intake.create_batch(
        KIND, by=market, upload=ContentFile(_csv(lines), name="西湖区客户档案表.csv"), options=options
    )
    done = intake.run(done.pk)
    bad = [f"{SHOPS[0][0]}（二店）,火星人,杭州市,西湖区,,郑一,1395710,{owner}", ",零售商,杭州市,西湖区,,,,"]
    checked = intake.create_batch(
        KIND,
        by=market,
        upload=ContentFile(_csv(bad), name="西湖区补录.csv"),
        dry_run=True,
        options={**options, "on_duplicate": "refuse"},
    )
    checked = intake.run(checked.pk)
    return (
        f"customers: import #{done.pk} {done.status} ({done.documents_new} new, "
        f"{done.documents_unchanged} skipped); check #{checked.pk} found {checked.error_count} errors"
    )
