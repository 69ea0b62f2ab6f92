"""What commerce adds to the pages of the apps below it (connected in ``CommerceConfig.ready``)."""

from __future__ import annotations

from django.dispatch import receiver

from baifang.commerce.services import purchase_context
from baifang.customers.signals import detail_tab_context


@receiver(detail_tab_context, dispatch_uid="commerce.customer_purchases")
def purchases_panel(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's purchase history and last order on its page's first tab."""
    if tab != "basic":
        return {}
    return {"panels": ["commerce/_purchases.html"], **purchase_context(customer)}
