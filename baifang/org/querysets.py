"""Querysets for org units and users."""

from __future__ import annotations

from django.contrib.auth.models import UserManager
from django.db import models


class OrgUnitQuerySet(models.QuerySet):
    def subtree_of(self, units) -> OrgUnitQuerySet:
        """Units at or below any of ``units`` (materialised path prefix match)."""
        condition = models.Q(pk__in=[])
        for unit in units:
            condition |= models.Q(path__startswith=unit.path)
        return self.filter(condition)

    def visible_to(self, user) -> OrgUnitQuerySet:
        """Every signed-in user may read the org tree (names only, no customer data)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> UserQuerySet:
        """Colleagues are visible to every signed-in user (name, unit, position: a directory)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self

    def holding(self, kind: str) -> UserQuerySet:
        return self.filter(assignments__position__kind=kind).distinct()


class BaifangUserManager(UserManager.from_queryset(UserQuerySet)):
    pass
