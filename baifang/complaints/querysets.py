"""Who sees which complaint (R-ORG-4, R-COMP-1).

A complaint is seen by whoever may see its customer (``Customer.objects.visible_to``), by its current
owner, by customer-service staff and administrators company-wide (they take complaints for every
customer), and by the people of the department its category's information goes to (R-COMP-4: the
quality department sees the product-quality complaints it must act on).
"""

from __future__ import annotations

from django.db import connections, models

from baifang.org.choices import PositionKind

COMPLAINT_DESK_KINDS = (PositionKind.CS_ASSISTANT, PositionKind.ADMIN)


def is_complaint_desk(user) -> bool:
    """Customer-service staff and administrators: complaints company-wide (intake, list, report)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_position(*COMPLAINT_DESK_KINDS)
    )


def _units_of(user) -> list[int]:
    from baifang.org.models import OrgUnit

    units = list(user.managed_units)
    ids = [user.unit_id] if user.unit_id else []
    if units:
        ids += list(OrgUnit.objects.subtree_of(units).values_list("pk", flat=True))
    return ids


def seeing_condition(user, *, prefix: str = "", with_owner: bool = True) -> models.Q | None:
    """The condition on complaints (``prefix`` = the path to the complaint) ``user`` sees; None: all."""
    from baifang.customers.models import Customer
    from baifang.org.choices import DataScope

    if is_complaint_desk(user) or user.data_scope == DataScope.ALL:
        return None
    condition = models.Q(**{f"{prefix}customer__in": Customer.objects.visible_to(user).values("pk")})
    if with_owner:
        condition |= models.Q(**{f"{prefix}owner_id": user.pk})
    units = _units_of(user)
    if units:
        condition |= models.Q(**{f"{prefix}routed_unit_id__in": units})
    return condition


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = seeing_condition(user)
        return self if condition is None else self.filter(condition)

    def open(self):
        from baifang.complaints.choices import ComplaintStatus

        return self.exclude(status=ComplaintStatus.CLOSED)

    def search(self, text: str):
        """Subject, complainant or customer name containing ``text`` (any case), or its number (R-COMP-1).

        PostgreSQL takes the indexed branches, SQLite the plain condition: the same rows (search.py)."""
        from baifang.complaints import search

        text = (text or "").strip()
        if not text:
            return self
        if connections[self.db].vendor == "postgresql":
            return self.filter(pk__in=search.indexed_matches(text))
        return self.filter(search.plain_condition(text))

    def for_list(self):
        return self.select_related("customer", "category", "owner", "routed_unit", "responsible_unit")


class RelatedToComplaintQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        condition = seeing_condition(user, prefix="complaint__")
        return self if condition is None else self.filter(condition)
