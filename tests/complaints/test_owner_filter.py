"""The list's owner filter (R-COMP-1, R-ORG-4): the page renders the chosen owner only — not every
active person of the company — and a search box finds owners of the complaints the user sees; an
outsider finds no owner of complaints they cannot see; the anonymous are sent to sign in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from baifang.complaints import services
from baifang.org.models import User
from tests.complaints.conftest import receive
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OWNERS = reverse("complaints:owner_choices")


@pytest.fixture
def owned(org, desk, customer, other_customer):
    """One complaint owned by customer service (the rep's customer), one handed on to the outsider."""
    mine = receive(customer, desk.cs, subject="送货晚了")
    theirs = receive(other_customer, desk.cs, subject="宁波的投诉")
    services.hand_on(theirs, by=desk.cs, to=org.outsider, note="请跟进")
    return mine, theirs


def _owner_options(html: str) -> list[str]:
    select = re.search(r'<select name="owner"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def _names(response) -> list[str]:
    return re.findall(r"<option[^>]*>([^<]*)</option>", response.content.decode())


def test_the_page_renders_only_the_chosen_owner(org, desk, owned):
    for i in range(30):
        UserFactory(username=f"extra{i}", display_name=f"员工{i}", unit=org.sales1, position="field_rep")
    assert User.objects.filter(is_active=True).count() > 30
    client = client_for(desk.cs)
    assert _owner_options(client.get(reverse("complaints:list")).content.decode()) == ["全部"]
    chosen = client.get(reverse("complaints:list") + f"?state=&owner={org.outsider.pk}").content.decode()
    assert _owner_options(chosen) == ["全部", "外人"]
    assert f'<option value="{org.outsider.pk}" selected>' in chosen
    assert "宁波的投诉" in chosen and "送货晚了" not in chosen  # the filter itself still works
    assert 'class="remote-select-find"' in chosen and f'hx-get="{OWNERS}"' in chosen


def test_the_search_box_finds_owners_of_complaints_the_user_sees(org, desk, owned):
    assert _names(client_for(desk.cs).get(OWNERS + "?term=外")) == ["全部", "外人"]
    assert _names(client_for(desk.cs).get(OWNERS + "?term=CS")) == ["全部", "客服小赵"]  # username, any case
    # The rep sees only his customer's complaint: its owner and himself.
    assert set(_names(client_for(org.rep).get(OWNERS))) == {"全部", "客服小赵", "张三"}


def test_an_outsider_finds_no_owner_of_complaints_they_cannot_see(org, desk, owned):
    refused = client_for(org.rep).get(OWNERS + "?term=外")
    assert refused.status_code == 200 and "外人" not in _names(refused)
    assert '<option value="" disabled>' in refused.content.decode()  # "no one of that name …"
    # An owner id in the URL is shown only when it is one of the user's owners.
    assert "外人" not in _names(client_for(org.rep).get(OWNERS + f"?term=zzz&owner={org.outsider.pk}"))


def test_the_chosen_owner_stays_first_while_typing(org, desk, owned):
    names = _names(client_for(desk.cs).get(OWNERS + f"?term=zzz&owner={org.outsider.pk}"))
    assert names == ["全部", "外人"]
    nobody = client_for(desk.cs).get(OWNERS + "?owner=abc&term=" + "x" * 500)  # bad id, long term
    assert nobody.status_code == 200 and len(_names(nobody)) == 2 and _names(nobody)[0] == "全部"


def test_anonymous_is_sent_to_sign_in(owned):
    from django.test import Client

    response = Client().get(OWNERS + "?term=外")
    assert response.status_code == 302 and "login" in response["Location"]
