"""R-UX-1: a page-wide banner can be closed, stays closed for the user (on any device) for two weeks,
then shows again while its cause lasts. Without official holiday data the calendar warning shows."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from baifang.core.models import BannerDismissal
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CLOSE = "banner-close"


def _banner_shown(client) -> bool:
    return CLOSE in client.get(reverse("customers:list")).content.decode()


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_closing_hides_the_calendar_banner_for_this_user_on_every_device():
    rep, colleague = UserFactory(), UserFactory()
    phone = _login(rep)
    assert _banner_shown(phone)  # the test calendar has no official dates for the coming weeks
    key = phone.get(reverse("customers:list")).context["calendar_banner_key"]
    response = phone.post(reverse("close_banner"), {"key": key, "next": reverse("customers:list")})
    assert response.status_code == 302 and response.url == reverse("customers:list")
    assert not _banner_shown(phone)
    assert not _banner_shown(_login(rep))  # another device: read at sign-in
    assert _banner_shown(_login(colleague))  # someone else still sees it


def test_a_closed_banner_comes_back_after_the_snooze(settings):
    rep = UserFactory()
    client = _login(rep)
    key = client.get(reverse("customers:list")).context["calendar_banner_key"]
    client.post(reverse("close_banner"), {"key": key})
    BannerDismissal.objects.filter(user=rep).update(
        dismissed_at=BannerDismissal.objects.get(user=rep).dismissed_at - dt.timedelta(days=15)
    )
    assert _banner_shown(_login(rep))


def test_unknown_banner_and_foreign_next_are_refused():
    client = _login(UserFactory())
    assert client.post(reverse("close_banner"), {"key": "anything"}).status_code == 400
    assert not BannerDismissal.objects.exists()
    response = client.post(
        reverse("close_banner"), {"key": "calendar-estimated", "next": "https://evil.example/"}
    )
    assert response.url == "/"
    assert client.get(reverse("close_banner")).status_code == 405


def test_signed_out_cannot_close():
    response = Client().post(reverse("close_banner"), {"key": "calendar-estimated"})
    assert response.status_code == 302 and reverse("login") in response.url
    assert not BannerDismissal.objects.exists()


def test_me_lists_every_entry_the_user_may_use():
    rep = UserFactory()
    html = _login(rep).get(reverse("me")).content.decode()
    assert f'href="{reverse("plans:index")}"' in html and f'href="{reverse("notifications")}"' in html
    assert f'href="{reverse("admin:index")}"' not in html
    assert f'action="{reverse("logout")}"' in html
