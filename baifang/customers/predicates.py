"""Permission predicates for the archive (django-rules), and the permissions registered from them.

Named ``predicates`` so it does not clash with the ``rules`` app (baifang.rules) or django-rules'
autodiscovery of ``rules.py`` modules; customers/apps.py imports it at ready(). Only permissions that
something checks are registered (tests/customers/test_predicates.py holds that).
"""

from __future__ import annotations

import rules
from django.db import models

from baifang.org.choices import PositionKind


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


def assignable_people(user):
    """Who ``user`` may make owner or co-owner of a new customer: themself, and the people whose
    customers they may hand over (archive admins: anyone active; managers: their units' people).
    A rep registers customers for themself only (R-ARCH-7, R-SEC-1)."""
    from baifang.org.models import OrgUnit, User

    people = User.objects.filter(is_active=True)
    if is_archive_admin(user):
        return people
    if user.has_perm("customers.perform_handover") and user.managed_units:
        units = OrgUnit.objects.subtree_of(user.managed_units).values_list("pk", flat=True)
        return people.filter(models.Q(unit_id__in=list(units)) | models.Q(pk=user.pk))
    return people.filter(pk=user.pk)


# The hand-over menu entry, page and who may hand over (R-ARCH-7).
rules.add_perm("customers.perform_handover", is_archive_admin | is_manager)

# Exports that carry personal information (the customer's phone: for a 个体户 it is a person's number)
# need this permission; without it the export leaves those columns out (PIPL, R-SEC-1, docs/admin-guide.md).
rules.add_perm("customers.export_personal", is_archive_admin | is_manager)
# Importing the archive from Excel/CSV: its page, API and batches (R-ARCH-10).
rules.add_perm("customers.import_customers", is_archive_admin)
