"""Querysets of follow-ups: each starts at ``visible_to(user)`` (R-ORG-4)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone

from baifang.customers.models import Customer
from baifang.followups.choices import ACTIVE_APPOINTMENT_STATUSES, CommitmentStatus, QuestionStatus


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Appointments with customers the user may see, plus the user's own (R-ORG-4)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(rep=user)
        )

    def active(self):
        return self.filter(status__in=ACTIVE_APPOINTMENT_STATUSES)

    def on_day(self, day: dt.date):
        """Appointments starting on a local calendar day."""
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        return self.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))

    def for_lists(self):
        return self.select_related("customer", "rep", "touch")


class CustomerScopedQuerySet(models.QuerySet):
    """Rows about one customer: visible when the customer is, and always to their owner."""

    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(customer__in=Customer.objects.visible_to(user).values("pk")) | models.Q(owner=user)
        )

    def overdue(self, today: dt.date):
        return self.open().filter(due_on__lt=today)

    def soonest_first(self):
        return self.order_by("due_on", "pk")


class OpenQuestionQuerySet(CustomerScopedQuerySet):
    def open(self):
        return self.filter(status=QuestionStatus.OPEN)

    def for_lists(self):
        return self.select_related("customer", "owner", "touch", "answered_by")


class CommitmentQuerySet(CustomerScopedQuerySet):
    def open(self):
        return self.filter(status=CommitmentStatus.OPEN)

    def for_lists(self):
        return self.select_related("customer", "owner", "record__touch")
