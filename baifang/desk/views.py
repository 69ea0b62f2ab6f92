"""The home page: the user's desk, gathered from the apps below."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from baifang.customers.models import AccessRequest, Customer, HandoverNotice
from baifang.plans.services import approval_queue


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
    return render(request, "desk/home.html", context)
