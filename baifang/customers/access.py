"""Object access helpers: return the object or raise 404/403, never ad-hoc checks in views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from baifang.customers.models import Customer


def get_customer_for_user(user, pk) -> Customer:
    """The customer if ``user`` may read it; 404 otherwise (do not reveal that it exists)."""
    return get_object_or_404(Customer.objects.visible_to(user).select_related("owner", "unit"), pk=pk)


def can_work_on(user, customer) -> bool:
    """Whether ``user`` may do their own work on ``customer`` (visit, touch, book, plan); grants are read-only."""
    return customer is not None and Customer.objects.workable_by(user).filter(pk=customer.pk).exists()


def can_edit(user, customer) -> bool:
    """Whether ``user`` may change ``customer``'s record or decide on its people's work (R-ORG-4)."""
    return customer is not None and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()


def check_can_work_on(user, customer) -> None:
    """Raise PermissionDenied unless ``user`` may act on ``customer`` (R-ORG-4, R-ARCH-8)."""
    if not can_work_on(user, customer):
        raise PermissionDenied


def get_workable_customer(user, pk) -> Customer:
    """The customer if ``user`` may work on it; 404 when unseen, 403 when only readable."""
    customer = get_customer_for_user(user, pk)
    check_can_work_on(user, customer)
    return customer


def get_editable_customer(user, pk) -> Customer:
    """The customer if ``user`` may change it; 404 when unseen, 403 when read-only."""
    customer = get_customer_for_user(user, pk)
    if not can_edit(user, customer):
        raise PermissionDenied
    return customer
