"""The lifecycle moves itself where the data says so (R-FU-2): a customer's first order makes it 新签.

Connected in ``FollowupsConfig.ready``; commerce sits below followups and never imports it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from baifang.commerce.models import Order
from baifang.customers.signals import detail_tab_context


@receiver(post_save, sender=Order, dispatch_uid="followups.lifecycle_first_order")
def first_order_moves_lifecycle(sender, instance: Order, created: bool, **kwargs) -> None:
    if not created:
        return
    from baifang.followups import recording

    customer_id = instance.customer_id
    transaction.on_commit(
        lambda: recording.update_lifecycle(
            customer_id, orders=Order.objects.filter(customer_id=customer_id).count()
        )
    )


@receiver(detail_tab_context, dispatch_uid="followups.customer_follow_ups")
def follow_ups_panel(sender, *, user, customer, tab, **kwargs) -> dict:
    """The customer's follow-up records and stage history on its page's first tab (R-FU-2)."""
    if tab != "basic":
        return {}
    from baifang.customers.access import can_work_on
    from baifang.followups import recording

    return {
        "panels": ["followups/_customer_follow_ups.html"],
        "follow_ups": list(recording.records_for(user, customer)[:20]),
        "stage_moves": list(recording.stage_history(user, customer)[:20]),
        "follow_up_can_work": can_work_on(user, customer),
    }
