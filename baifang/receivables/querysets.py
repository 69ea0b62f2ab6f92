"""Querysets of receivables: finance staff see every customer's; everyone else what their customers' (R-SEC-1)."""

from __future__ import annotations

from django.db import models

from baifang.customers.querysets import RelatedToCustomerQuerySet
from baifang.org.choices import PositionKind


def sees_all_receivables(user) -> bool:
    """Finance staff (and company-wide positions) see receivables company-wide (issue 12)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.has_position(PositionKind.FINANCE) or user.data_scope == "all")
    )


class ReceivableQuerySet(RelatedToCustomerQuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if sees_all_receivables(user):
            return self.all()
        return super().visible_to(user)


class InvoiceQuerySet(ReceivableQuerySet):
    def with_list_data(self) -> InvoiceQuerySet:
        return self.select_related("customer", "order")


class PaymentQuerySet(ReceivableQuerySet):
    def with_list_data(self) -> PaymentQuerySet:
        return self.select_related("customer", "invoice")


class CreditTermsQuerySet(ReceivableQuerySet):
    def with_list_data(self) -> CreditTermsQuerySet:
        return self.select_related("customer", "proposed_by", "countersigned_by", "decided_by")

    def open(self) -> CreditTermsQuerySet:
        from baifang.receivables.choices import OPEN_CREDIT_STATUSES

        return self.filter(status__in=OPEN_CREDIT_STATUSES)


__all__ = ["CreditTermsQuerySet", "InvoiceQuerySet", "PaymentQuerySet", "models", "sees_all_receivables"]
