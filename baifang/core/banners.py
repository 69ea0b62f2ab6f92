"""Page-wide banners a user may close (R-UX-1: a warning that cannot be closed fills a phone screen).

A closed banner stays closed for ``BAIFANG["BANNER_SNOOZE_DAYS"]`` days (14 by default), then shows
again while its condition lasts: a calendar without official dates is worth a reminder, not a
permanent quarter of the screen. Closing is remembered per user (a ``BannerDismissal`` row, so it
follows the user to another phone) and copied into the session at sign-in, so rendering a page reads
no table for it.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from baifang.core.models import BannerDismissal

SESSION_KEY = "baifang_closed_banners"
# The banners that may be closed; a key not listed here is refused by the view.
KEYS = ("calendar-estimated", "calendar-missing")


def snooze() -> dt.timedelta:
    return dt.timedelta(days=settings.BAIFANG.get("BANNER_SNOOZE_DAYS", 14))


def _load(user) -> dict[str, str]:
    since = timezone.now() - snooze()
    rows = BannerDismissal.objects.filter(user=user, dismissed_at__gte=since).values_list(
        "key", "dismissed_at"
    )
    return {key: when.isoformat() for key, when in rows}


@receiver(user_logged_in, dispatch_uid="baifang_banners_into_session")
def _into_session(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = _load(user)


def is_closed(request, key: str) -> bool:
    closed = getattr(request, "session", {}).get(SESSION_KEY) or {}
    when = closed.get(key)
    if not when:
        return False
    return dt.datetime.fromisoformat(when) >= timezone.now() - snooze()


def close(request, key: str) -> None:
    if key not in KEYS:
        raise ValueError(key)
    now = timezone.now()
    BannerDismissal.objects.update_or_create(user=request.user, key=key, defaults={"dismissed_at": now})
    closed = dict(request.session.get(SESSION_KEY) or {})
    closed[key] = now.isoformat()
    request.session[SESSION_KEY] = closed
