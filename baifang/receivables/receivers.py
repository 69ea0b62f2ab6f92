"""What receivables adds to the pages of the apps below it (connected in ``ReceivablesConfig.ready``)."""

from __future__ import annotations

from django.dispatch import receiver

from baifang.customers.signals import detail_tab_context
from baifang.receivables.models import may_propose
from baifang.receivables.services import panel_context


@receiver(detail_tab_context, dispatch_uid="receivables.customer_ageing")
def ageing_panel(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's ageing, credit limit and open credit proposal on its page's first tab."""
    if tab != "basic":
        return {}
    return {
        "panels": ["receivables/_ageing_panel.html"],
        "may_propose_terms": may_propose(user),
        **panel_context(customer),
    }
