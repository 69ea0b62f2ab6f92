"""The main navigation is filled by the apps (core/nav.py) and shows each person only what they may use."""

import pytest
from django.urls import reverse

from baifang.core import nav
from tests.factories import UserFactory


def test_entries_come_in_their_order_and_light_up_by_view_name():
    keys = [item.key for item in nav.registered()]
    assert keys.index("home") < keys.index("customers") < keys.index("today") < keys.index("admin")
    customers = next(item for item in nav.registered() if item.key == "customers")
    assert customers.is_active("customers:detail")
    assert not customers.is_active("customers:handover")  # has an entry of its own
    assert not customers.is_active("visits:today") and not customers.is_active(None)


@pytest.mark.django_db
def test_a_rep_sees_no_admin_or_hand_over_and_the_current_page_is_marked(client):
    rep = UserFactory()
    client.force_login(rep)
    html = client.get(reverse("customers:list")).content.decode()
    assert f'href="{reverse("plans:index")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html
    assert f'href="{reverse("customers:handover")}"' not in html
    assert f'<a href="{reverse("customers:list")}" class="active" aria-current="page">' in html
    assert f'<a href="{reverse("home")}" class="active"' not in html


@pytest.mark.django_db
def test_staff_see_the_admin_entry(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    assert f'href="{reverse("customers:handover")}"' in html
