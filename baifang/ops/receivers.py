"""What ops hears from the apps below: reads of contacts' personal information (PIPL, issue 18)."""

from __future__ import annotations

from django.dispatch import receiver

from baifang.customers.signals import contacts_read, detail_tab_context
from baifang.ops import personal
from baifang.ops.choices import AccessPurpose


@receiver(detail_tab_context, dispatch_uid="ops_contacts_tab_read")
def contacts_tab_read(sender, user, customer, tab, **kwargs) -> dict:
    """The contacts tab shows every contact's personal fields: log one read per contact."""
    if tab == "contacts":
        personal.log_reads(user, list(customer.contacts.only("pk", "customer_id")), AccessPurpose.PAGE)
    return {}


@receiver(contacts_read, dispatch_uid="ops_contacts_api_read")
def contacts_api_read(sender, user, contact_ids, channel, **kwargs) -> None:
    from baifang.customers.models import Contact

    contacts = list(Contact.objects.filter(pk__in=contact_ids).only("pk", "customer_id"))
    personal.log_reads(user, contacts, AccessPurpose.API if channel == "api" else AccessPurpose.EXPORT)
