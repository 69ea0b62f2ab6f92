"""Scopes of the care models: everything follows the customer's ``visible_to`` (R-SEC-1)."""

from __future__ import annotations

from django.db import models


def _customers(user):
    from baifang.customers.models import Customer

    return Customer.objects.visible_to(user).values("pk")


def _company_wide(user) -> bool:
    from baifang.org.choices import DataScope

    return user.data_scope == DataScope.ALL


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class CustomerScopedQuerySet(models.QuerySet):
    """Rows of customers the user may read (tasks, gifts, messages)."""

    def visible_to(self, user):
        if not _signed_in(user):
            return self.none()
        if _company_wide(user):
            return self
        return self.filter(customer__in=_customers(user))


class OptOutQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not _signed_in(user):
            return self.none()
        if _company_wide(user):
            return self
        return self.filter(contact__customer__in=_customers(user))


class FeedbackQuerySet(models.QuerySet):
    """Forms about customers in scope, and the forms one filed oneself."""

    def visible_to(self, user):
        if not _signed_in(user):
            return self.none()
        if _company_wide(user):
            return self
        return self.filter(models.Q(customer__in=_customers(user)) | models.Q(filed_by=user))


class BatchQuerySet(models.QuerySet):
    """Batches one made, or that greet at least one customer in one's scope."""

    def visible_to(self, user):
        if not _signed_in(user):
            return self.none()
        if _company_wide(user):
            return self
        message = self.model._meta.get_field("messages").related_model
        greeted = message.objects.filter(customer__in=_customers(user)).values("batch_id")
        return self.filter(models.Q(created_by=user) | models.Q(pk__in=greeted))


class CompanyDataQuerySet(models.QuerySet):
    """Care rules and templates are company data: everyone signed in reads them; admins edit them."""

    def visible_to(self, user):
        return self if _signed_in(user) else self.none()

    def active(self):
        return self.filter(is_active=True)
