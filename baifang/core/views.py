"""Home page, login and notifications."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from baifang.customers.models import AccessRequest, Customer, HandoverNotice
from baifang.plans.services import approval_queue


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request):
    """The user's desk: what needs doing now, scoped to what they may see."""
    user = request.user
    today = timezone.localdate()
    customers = Customer.objects.visible_to(user)
    context = {
        "customer_count": customers.count(),
        "overdue_registrations": customers.registration_overdue(today).select_related("owner")[:10],
        "second_knower": customers.needing_second_knower().select_related("owner")[:10],
        "second_knower_count": customers.needing_second_knower().count(),
        "pending_approvals": AccessRequest.objects.pending_for(user).select_related(
            "requester", "customer", "unit"
        )[:10],
        "open_notices": HandoverNotice.objects.filter(assignee=user, done_at__isnull=True).select_related(
            "customer"
        )[:10],
        "notifications": user.notifications.unread()[:5],
        "plans_to_approve": approval_queue(user)[:10],
        "today": today,
    }
    return render(request, "core/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    """All of the user's notifications; POST marks them read."""
    if request.method == "POST":
        request.user.notifications.mark_read()
        return redirect("notifications")
    page = Paginator(request.user.notifications.all(), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
