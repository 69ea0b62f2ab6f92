"""Personal information of contacts under the PIPL (个人信息保护法; issue 18, R-ARCH-2, R-SEC-1).

The personal fields are listed once, in ``customers.models.PERSONAL_FIELDS``. Here:

- ``log_reads``: who read whose personal facts, when and how (page, API, copy for the person);
- ``subject_copy``: everything held about one contact, as one JSON file (fields, anniversaries,
  every history version, the audit entries about them, who read them), for the person's request;
- ``erase``: the contact's personal fields emptied and the name replaced, anniversaries deleted, the
  same fields emptied in every history version and audit entry about the contact, and one audit row
  saying that it was done, by whom and why — never the erased values;
- ``due_for_review``: contacts of customers lost or blacklisted longer than
  ``BAIFANG_PERSONAL_RETENTION_YEARS``.

Who may: the data-protection officer (permission ``ops.protect_personal_data``, given to a group in
the admin) and administrators. Reads are logged for everyone.
"""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.core.models import AuditLog
from baifang.customers.choices import CustomerStatus
from baifang.customers.models import PERSONAL_FIELDS, Contact, Customer
from baifang.ops.choices import AccessPurpose
from baifang.ops.models import PersonalDataAccess

CONTACT_TYPE = Contact._meta.label_lower
ANNIVERSARY_TYPE = "customers.anniversary"
ENDED = (CustomerStatus.LOST, CustomerStatus.BLACKLISTED)


def is_data_protection_officer(user) -> bool:
    from baifang.org.choices import PositionKind

    return (
        user.is_authenticated
        and user.is_active
        and (user.has_perm("ops.protect_personal_data") or user.has_position(PositionKind.ADMIN))
    )


def _require_officer(user) -> None:
    if not is_data_protection_officer(user):
        raise PermissionDenied(_("Only the data-protection officer may do this."))


# --- the access log ------------------------------------------------------------------------------


def log_reads(user, contacts, purpose: str, detail: dict | None = None) -> int:
    """One log row per contact whose personal fields ``user`` was shown; returns how many."""
    if user is None or not user.is_authenticated:
        return 0
    rows = [
        PersonalDataAccess(
            user=user,
            contact_id=getattr(c, "pk", c),
            customer_id=getattr(c, "customer_id", None),
            purpose=purpose,
            detail=detail,
        )
        for c in contacts
    ]
    PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


def access_log(user, *, reader=None, contact_id=None, customer_id=None, since=None, until=None):
    """The access log as the officer searches it (newest first)."""
    _require_officer(user)
    rows = PersonalDataAccess.objects.select_related("user")
    if reader:
        rows = rows.filter(user=reader)
    if contact_id:
        rows = rows.filter(contact_id=contact_id)
    if customer_id:
        rows = rows.filter(customer_id=customer_id)
    if since:
        rows = rows.filter(at__date__gte=since)
    if until:
        rows = rows.filter(at__date__lte=until)
    return rows


# --- a person's copy -------------------------------------------------------------------------------


def _plain(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def subject_copy(user, contact: Contact) -> dict:
    """Everything Baifang holds about one contact, for the person's request (PIPL art. 45)."""
    _require_officer(user)
    fields = ["name", "title", *PERSONAL_FIELDS]
    versions = [
        {
            "time": h.history_date,
            "by": str(h.history_user) if h.history_user_id else "",
            "change": h.get_history_type_display(),
            **{f: getattr(h, f) for f in fields},
        }
        for h in contact.history.select_related("history_user").order_by("history_date", "history_id")
    ]
    anniversaries = list(contact.anniversaries.values("name", "date"))
    audits = [
        {
            "time": a.created_at,
            "action": a.get_action_display(),
            "before": a.before,
            "after": a.after,
            "message": a.message,
        }
        for a in AuditLog.objects.filter(object_type=CONTACT_TYPE, object_id=str(contact.pk)).order_by(
            "created_at"
        )
    ]
    reads = [
        {"time": r.at, "by": str(r.user) if r.user_id else "", "how": r.get_purpose_display()}
        for r in PersonalDataAccess.objects.filter(contact_id=contact.pk)
        .select_related("user")
        .order_by("at")
    ]
    copy = {
        "contact": {f: getattr(contact, f) for f in fields},
        "customer": contact.customer.name,
        "anniversaries": anniversaries,
        "history": versions,
        "audit": audits,
        "reads": reads,
        "produced_at": timezone.now(),
        "produced_by": str(user),
    }
    with transaction.atomic():
        log_reads(user, [contact], AccessPurpose.SUBJECT_EXPORT)
        audit.record(
            AuditAction.EXPORT,
            contact,
            user=user,
            message="personal information: copy for the person",
            after={"filter": {"contact": contact.pk}},
        )
    return _plain(copy)


# --- erasure -------------------------------------------------------------------------------------


def _blank(field_name: str):
    field = Contact._meta.get_field(field_name)
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    return ""


def _scrub(snapshot, keys) -> dict | None:
    if not isinstance(snapshot, dict):
        return snapshot
    return {k: ("" if k in keys else v) for k, v in snapshot.items()}


def erase(user, contact: Contact, *, reason: str) -> AuditLog:
    """Erase one contact's personal information on request; returns the audit row that says so."""
    _require_officer(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why (the person's request, its date).")}, code="required")
    blanks = {f: _blank(f) for f in PERSONAL_FIELDS}
    anonymous = _("Erased contact #%(id)s") % {"id": contact.pk}
    scrubbed = {*PERSONAL_FIELDS, "name"}
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        anniversary_ids = [str(pk) for pk in contact.anniversaries.values_list("pk", flat=True)]
        contact.anniversaries.all().delete()
        # A queryset update writes no history row of its own: the versions are emptied below.
        Contact.objects.filter(pk=contact.pk).update(
            **blanks,
            name=anonymous,
            birthday_calendar=Contact._meta.get_field("birthday_calendar").get_default(),
        )
        contact.history.all().update(**blanks, name=anonymous)
        for entry in AuditLog.objects.filter(
            object_type=CONTACT_TYPE, object_id=str(contact.pk)
        ).select_for_update():
            entry.before, entry.after = _scrub(entry.before, scrubbed), _scrub(entry.after, scrubbed)
            entry.object_repr = anonymous
            entry.save(update_fields=["before", "after", "object_repr"])
        AuditLog.objects.filter(object_type=ANNIVERSARY_TYPE, object_id__in=anniversary_ids).update(
            before=None, after=None, object_repr=""
        )
        contact.refresh_from_db()
        return audit.record(
            AuditAction.DELETE,
            contact,
            user=user,
            message=f"personal information erased on request: {reason}"[:2000],
            after={"erased_fields": sorted(scrubbed), "anniversaries_deleted": len(anniversary_ids)},
        )


def is_erased(contact: Contact) -> bool:
    return AuditLog.objects.filter(
        object_type=CONTACT_TYPE,
        object_id=str(contact.pk),
        action=AuditAction.DELETE,
        after__has_key="erased_fields",
    ).exists()


# --- retention ------------------------------------------------------------------------------------


def ended_since(customer_ids) -> dict[int, dt.datetime]:
    """For customers now lost or blacklisted: since when they have been (from their history)."""
    since: dict[int, dt.datetime] = {}
    rows = (
        Customer.history.filter(id__in=list(customer_ids))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "status", "history_date")
    )
    for pk, status, at in rows:
        if status in ENDED:
            since.setdefault(pk, at)
        else:
            since.pop(pk, None)
    return since


def due_for_review(user, *, today: dt.date | None = None):
    """Contacts of customers lost or blacklisted for longer than the retention setting, not yet erased:
    [(contact, customer, ended since)], oldest first."""
    _require_officer(user)
    years = settings.BAIFANG["PERSONAL_RETENTION_YEARS"]
    today = today or timezone.localdate()
    try:
        cutoff = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        cutoff = today.replace(year=today.year - years, day=28)
    ended = list(Customer.objects.filter(status__in=ENDED).values_list("pk", flat=True))
    since = {pk: at for pk, at in ended_since(ended).items() if timezone.localtime(at).date() <= cutoff}
    erased = set(
        AuditLog.objects.filter(
            object_type=CONTACT_TYPE, action=AuditAction.DELETE, after__has_key="erased_fields"
        ).values_list("object_id", flat=True)
    )
    contacts = (
        Contact.objects.filter(customer_id__in=list(since))
        .select_related("customer")
        .order_by("customer_id", "pk")
    )
    return sorted(
        ((c, c.customer, since[c.customer_id]) for c in contacts if str(c.pk) not in erased),
        key=lambda row: row[2],
    )
