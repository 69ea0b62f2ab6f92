"""Querysets of the commerce app: every scoped row is visible when its customer is (R-SEC-1)."""

from __future__ import annotations

from django.db import models

from baifang.customers.querysets import RelatedToCustomerQuerySet


class OrderQuerySet(RelatedToCustomerQuerySet):
    def with_list_data(self) -> OrderQuerySet:
        """What an order list shows: the customer, and the lines with their products (no N+1)."""
        return self.select_related("customer").prefetch_related(
            models.Prefetch("lines", queryset=self._line_model().objects.select_related("product"))
        )

    def _line_model(self):
        return self.model._meta.get_field("lines").related_model


class DeliveryQuerySet(RelatedToCustomerQuerySet):
    def with_list_data(self) -> DeliveryQuerySet:
        line_model = self.model._meta.get_field("lines").related_model
        return self.select_related("customer", "order").prefetch_related(
            models.Prefetch("lines", queryset=line_model.objects.select_related("product"))
        )


__all__ = ["DeliveryQuerySet", "OrderQuerySet", "RelatedToCustomerQuerySet"]
