"""Object access helpers: return the object or raise 404/403, never ad-hoc checks in views."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from baifang.customers.models import Customer


def get_customer_for_user(user, pk) -> Customer:
    """The customer if ``user`` may read it; 404 otherwise (do not reveal that it exists)."""
    return get_object_or_404(Customer.objects.visible_to(user).select_related("owner", "unit"), pk=pk)


def get_editable_customer(user, pk) -> Customer:
    """The customer if ``user`` may change it; 404 when unseen, 403 when read-only."""
    customer = get_customer_for_user(user, pk)
    if not Customer.objects.editable_by(user).filter(pk=customer.pk).exists():
        raise PermissionDenied
    return customer
