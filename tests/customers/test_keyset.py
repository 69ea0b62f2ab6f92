"""Keyset pages and capped counts of the customer list, API and HTML (R-SCALE-1, R-ORG-4, issue 17).

A keyset walk must give exactly the rows of the ordered list, each once, in order, for every page
size and every sort it accepts, on both databases (hypothesis); a cursor never widens what a person
sees; a forged or stale cursor is a clear 400, never a 500; past the count cap the count says it is
approximate; and a cursor page costs the same queries at any depth (no OFFSET).
"""

from __future__ import annotations

import copy
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from baifang.core import keyset
from baifang.customers.models import Customer
from tests.conftest import api_for, client_for
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/customers/"


def capped(cap: int):
    conf = copy.deepcopy(settings.BAIFANG)
    conf["LIST_COUNT_CAP"] = cap
    return override_settings(BAIFANG=conf)


@pytest.fixture
def archive(org):
    """17 of the rep's customers (names out of id order) and 3 of the outsider's."""
    mine = [CustomerFactory(owner=org.rep, name=f"客户{i % 4}-{i:02d}") for i in range(17)]
    theirs = [CustomerFactory(owner=org.outsider, name=f"外客{i}") for i in range(3)]
    return mine, theirs


def walk_api(client, query: str) -> tuple[list[int], list[dict]]:
    ids, bodies = [], []
    url = f"{API}?{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        bodies.append(body)
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, bodies


def test_a_keyset_walk_gives_every_row_once_in_order_for_any_page_size_and_sort(org, archive):
    client = api_for(org.rep)
    visible = Customer.objects.visible_to(org.rep)
    orders = {
        "-id": list(visible.order_by("-id").values_list("id", flat=True)),
        "name": list(visible.order_by("name", "id").values_list("id", flat=True)),
        "-name": list(visible.order_by("-name", "-id").values_list("id", flat=True)),
        "code": list(visible.order_by("code").values_list("id", flat=True)),
    }

    @hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(size=st.integers(min_value=1, max_value=8), sort=st.sampled_from(sorted(orders)))
    def walk(size, sort):
        query = f"cursor=&page_size={size}" + ("" if sort == "-id" else f"&ordering={sort}")
        ids, bodies = walk_api(client, query)
        assert ids == orders[sort]
        assert all(len(b["results"]) == size for b in bodies[:-1])
        assert all(b["count"] == 17 and b["count_exact"] for b in bodies)

    walk()


def test_a_cursor_never_shows_rows_the_person_may_not_see_R_SEC_1(org, archive):
    mine, theirs = archive
    rep_ids, _ = walk_api(api_for(org.rep), "cursor=&page_size=4")
    assert set(rep_ids) == {c.pk for c in mine}
    # The outsider replays the rep's cursor (it is only a position): they still see only their own.
    first = api_for(org.rep).get(f"{API}?cursor=&page_size=4").json()
    replay = api_for(org.outsider).get(first["next"])
    assert replay.status_code == 200
    assert {row["id"] for row in replay.json()["results"]} <= {c.pk for c in theirs}


@pytest.mark.parametrize(
    "query, field",
    [
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=&ordering=annual_value", "cursor"),  # nullable: cannot be walked by keyset
        ("cursor=&page=2", "page"),
    ],
)
def test_a_bad_cursor_is_a_clear_400_naming_the_parameter(org, archive, query, field):
    response = api_for(org.rep).get(f"{API}?{query}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == field


def test_a_cursor_of_another_sort_is_refused_not_misread(org, archive):
    by_name = api_for(org.rep).get(f"{API}?cursor=&page_size=3&ordering=name").json()["next"]
    cursor = parse_qs(urlparse(by_name).query)["cursor"][0]
    response = api_for(org.rep).get(f"{API}?cursor={cursor}&ordering=-code")
    assert response.status_code == 400 and response.json()["errors"][0]["attr"] == "cursor"


def test_past_the_cap_the_count_is_labelled_approximate(org, archive):
    with capped(10):
        body = api_for(org.rep).get(f"{API}?cursor=").json()
        page_mode = api_for(org.rep).get(API).json()
    assert body["count_exact"] is False and body["count"] >= 11  # at least cap + 1 (estimate on PG)
    assert page_mode["count"] == 17 and page_mode["count_exact"] is True  # numbered pages stay exact
    assert keyset.about(keyset.Count(11, False, None)) in ("超过 10", "more than 10")
    assert keyset.about(keyset.Count(10_001, False, 198_400)) in ("约 20 万", "about 200,000")


def test_a_cursor_page_costs_the_same_queries_at_any_depth_and_never_offsets(org, archive):
    client = api_for(org.rep)
    first = client.get(f"{API}?cursor=&page_size=2").json()
    third = client.get(client.get(first["next"]).json()["next"]).json()
    counts = []
    for url in (f"{API}?cursor=&page_size=2", first["next"], third["next"]):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
        assert not any(re.search(r"\bOFFSET\b", q["sql"]) for q in captured.captured_queries)
    assert counts[0] == counts[1] == counts[2]


def test_the_html_list_past_the_cap_loads_more_by_keyset_and_walks_every_row_once(org, archive):
    mine, _ = archive
    mine += [CustomerFactory(owner=org.rep, name=f"客户B{i:02d}") for i in range(40)]  # 57: three pages of 25
    client = client_for(org.rep)
    with capped(10):
        page = client.get("/customers/?sort=name")
        html = page.content.decode()
        assert (
            'id="customer-count"' in html and "个客户" in html and ("超过 10 个客户" in html or "约" in html)
        )
        assert "加载更多" in html and 'hx-target="#customer-rows"' in html
        # Without JavaScript the link opens the next rows; follow it to the end.
        seen, url, first_more = [], "/customers/?sort=name", None
        while url:
            html = client.get(url).content.decode()
            rows = re.search(r'<tbody id="customer-rows">(.*?)</tbody>', html, re.S).group(1)
            seen += [int(pk) for pk in re.findall(r'href="/customers/(\d+)/"', rows)[::2]]  # code, name
            found = re.search(r'class="btn" href="\?([^"]+)"', html)
            url = "/customers/?" + found.group(1).replace("&amp;", "&") if found else None
            first_more = first_more or url
        # htmx asks for rows only: table rows and the replaced "load more" bar, no page around them.
        more = client.get(first_more, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="customer-rows")
    expected = list(Customer.objects.visible_to(org.rep).order_by("name", "id").values_list("id", flat=True))
    assert seen == expected and len(seen) == len(mine)
    body = more.content.decode()
    assert "<tr>" in body and 'hx-swap-oob="true"' in body and "<html" not in body


def test_the_html_list_below_the_cap_keeps_numbered_pages_with_the_exact_count(org, archive):
    html = client_for(org.rep).get("/customers/").content.decode()
    assert "17 个客户" in html and "加载更多" not in html
