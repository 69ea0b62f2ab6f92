"""One notification call: Notification.objects.send(user, kind, target, text=…, dedup_key=…) (issue 11)."""

from __future__ import annotations

from baifang.core.models import Notification


def test_send_notifies_once_per_dedup_key(org, customer):
    """A re-run task or a retried request never tells the same user twice about one occasion (STYLE 11, as R-CARE-4 asks of messages)."""
    assert Notification.objects.send(org.rep, "reminder", customer, text="到期", dedup_key="k:1") is True
    assert Notification.objects.send(org.rep, "reminder", customer, text="再次", dedup_key="k:1") is False
    assert Notification.objects.send(org.teammate, "reminder", customer, text="到期", dedup_key="k:1") is True
    sent = Notification.objects.get(user=org.rep)
    assert (sent.kind, sent.text, sent.url) == ("reminder", "到期", customer.get_absolute_url())


def test_send_links_to_a_url_or_nowhere_and_fits_the_columns(org):
    Notification.objects.send(org.rep, "note", "/customers/access/", text="x" * 500, dedup_key="d" * 200)
    Notification.objects.send(org.rep, "note", None, text="无链接", dedup_key="none")
    long, bare = Notification.objects.filter(user=org.rep).order_by("pk")
    assert (long.url, len(long.text), len(long.dedup_key)) == ("/customers/access/", 300, 120)
    assert bare.url == ""


def test_send_to_nobody_sends_nothing(db):
    """A rep without a supervisor: the supervisor's notification is simply not sent."""
    assert Notification.objects.send(None, "note", None, text="x", dedup_key="k") is False
    assert not Notification.objects.exists()
