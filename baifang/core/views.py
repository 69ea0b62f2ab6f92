"""Login, notifications and "me" (the home page is the desk app's)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from baifang.core import banners
from baifang.core.models import ImportBatch


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """All of the user's notifications; POST marks them read."""
    if request.method == "POST":
        request.user.notifications.mark_read()
        return redirect("notifications")
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})


@login_required
def me(request):
    """The phone's fourth tab: every place the user may go, notifications, language and sign-out."""
    return render(request, "core/me.html")


@login_required
@require_POST
def close_banner(request):
    """Close a page-wide banner for a while (``core.banners``); back to the page it was closed on."""
    key = request.POST.get("key", "")
    if key not in banners.KEYS:
        return HttpResponseBadRequest()
    banners.close(request, key)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)


@login_required
def import_batch(request, pk):
    """An import batch's progress and error report; the fragment is polled while it runs (core.intake)."""
    batch = get_object_or_404(ImportBatch.objects.visible_to(request.user), pk=pk)
    template = "core/_import_batch.html" if request.htmx else "core/import_batch.html"
    return render(request, template, {"batch": batch})
