"""Template context shared by every page."""

from django.utils import timezone

from baifang.core import banners, nav
from baifang.core.calendar import ESTIMATED, calendar_warning


def baifang(request):
    """The calendar warning banner (R-CAL-1), the unread notification count and the navigation.

    Cached on the request: table cells rendered with a RequestContext run context processors
    again, and this must not cost a query per cell.
    """
    cached = getattr(request, "_baifang_context", None)
    if cached is not None:
        return cached
    warning = calendar_warning(timezone.localdate())
    if warning and banners.is_closed(request, f"calendar-{warning}"):
        warning = None
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.unread().count()
    match = getattr(request, "resolver_match", None)
    links = nav.links_for(user, match.view_name if match else None)
    request._baifang_context = {
        "calendar_warning": warning,
        "calendar_warning_estimated": warning == ESTIMATED,
        "calendar_banner_key": f"calendar-{warning}" if warning else "",
        "unread_notifications": unread,
        "nav_items": links,
        "nav_tabs": nav.tabs(links),
    }
    return request._baifang_context
