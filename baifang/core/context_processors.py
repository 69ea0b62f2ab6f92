"""Template context shared by every page."""

from django.utils import timezone

from baifang.core.calendar import ESTIMATED, calendar_warning


def baifang(request):
    """The calendar warning banner (R-CAL-1) and the unread notification count.

    Cached on the request: table cells rendered with a RequestContext run context processors
    again, and this must not cost a query per cell.
    """
    cached = getattr(request, "_baifang_context", None)
    if cached is not None:
        return cached
    warning = calendar_warning(timezone.localdate())
    unread = 0
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        unread = user.notifications.unread().count()
    request._baifang_context = {
        "calendar_warning": warning,
        "calendar_warning_estimated": warning == ESTIMATED,
        "unread_notifications": unread,
    }
    return request._baifang_context
