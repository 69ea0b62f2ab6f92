"""The home page: the user's desk, gathered from the apps below."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from baifang.care import services as care
from baifang.customers.models import AccessRequest, Customer, HandoverNotice
from baifang.ops import jobs
from baifang.ops.models import JobRun
from baifang.org.choices import DataScope
from baifang.plans.services import approval_queue

QUOTA_PANEL_DEPARTMENTS = 6  # more: the quota page lists them all


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
    if user.data_scope != DataScope.OWN and (quota := care.active_quota()):
        # R-INFO-1: managers watch their field departments' feedback forms during the month
        departments = care.departments_for(user)
        context["quota"] = quota
        context["quota_rows"] = care.quota_progress(departments[:QUOTA_PANEL_DEPARTMENTS], today, quota)
        context["quota_more"] = departments.count() > QUOTA_PANEL_DEPARTMENTS
    if jobs.may_manage_jobs(user):  # background jobs that failed or did not run (issue 18)
        failures = JobRun.objects.failures()
        context["failed_jobs"] = list(failures.order_by("-id")[:5])
        context["failed_job_count"] = failures.count()
    return render(request, "desk/home.html", context)
