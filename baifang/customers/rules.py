"""Permission predicates for the archive (django-rules)."""

from __future__ import annotations

import rules

from baifang.org.choices import PositionKind


@rules.predicate
def can_view_customer(user, customer) -> bool:
    from baifang.customers.models import Customer

    return customer is not None and Customer.objects.visible_to(user).filter(pk=customer.pk).exists()


@rules.predicate
def can_edit_customer(user, customer) -> bool:
    from baifang.customers.models import Customer

    return customer is not None and Customer.objects.editable_by(user).filter(pk=customer.pk).exists()


@rules.predicate
def is_archive_admin(user) -> bool:
    """Market department and administrators own the archive (R-ORG-1 归口部门)."""
    return user.is_authenticated and user.has_position(PositionKind.MARKET_STAFF, PositionKind.ADMIN)


@rules.predicate
def is_manager(user) -> bool:
    return user.is_authenticated and user.has_position(
        PositionKind.DEPT_MANAGER, PositionKind.SUPERVISOR, PositionKind.LEADER, PositionKind.DEPUTY_LEADER
    )


def may_hand_over(user, leaver) -> bool:
    """Archive admins hand over anyone's customers; managers only those of people in their units."""
    if is_archive_admin(user):
        return True
    if not user.has_perm("customers.perform_handover"):
        return False
    return leaver.unit is not None and any(leaver.unit.path.startswith(u.path) for u in user.managed_units)


rules.add_perm("customers.view_customer_obj", can_view_customer)
rules.add_perm("customers.change_customer_obj", can_edit_customer)
rules.add_perm("customers.merge_customers", is_archive_admin)
rules.add_perm("customers.perform_handover", is_archive_admin | is_manager)
rules.add_perm("customers.export_customers", rules.is_authenticated)
