"""Customer querysets: every list, detail, export, report and API starts at visible_to() (R-ORG-4)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from baifang.customers.choices import AccessScope, AccessStatus, RegistrationStatus

# What else, besides the key and potential-key flags, makes a customer important (R-ARCH-6): each entry
# builds a condition on the outer customer (``OuterRef("pk")``). Apps above customers register theirs at
# ready() (tiers: "in a tier marked important"), so customers never imports them (docs/architecture.md).
_IMPORTANT_WHEN: list[Callable[[], models.Exists]] = []


def important_when(condition: Callable[[], models.Exists]) -> Callable[[], models.Exists]:
    """Register ``condition`` as one more reason a customer is important (R-ARCH-6); usable as decorator."""
    if condition not in _IMPORTANT_WHEN:
        _IMPORTANT_WHEN.append(condition)
    return condition


def _important_elsewhere() -> models.Q | None:
    """The registered conditions, or None when no app registered one."""
    conditions = [models.Q(condition()) for condition in _IMPORTANT_WHEN]
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined


def _scope_condition(user, customers: type[models.Model]) -> models.Q | None:
    """The Q selecting customers ``user`` may read; None means every customer.

    Built from literal id lists (co-owned and granted customers, unit ids of managed or granted
    subtrees) so the database combines the owner, primary-key and unit indexes instead of
    scanning every customer to evaluate an OR across joins and subqueries.
    """
    from baifang.org.choices import DataScope
    from baifang.org.models import OrgUnit

    if user.data_scope == DataScope.ALL:
        return None
    AccessRequest = customers._meta.get_field("access_requests").related_model
    customer_ids = set(
        customers.co_owners.through.objects.filter(user_id=user.pk).values_list("customer_id", flat=True)
    )
    subtrees = list(user.managed_units) if user.data_scope == DataScope.UNITS else []
    grants = AccessRequest.objects.filter(
        requester_id=user.pk, status=AccessStatus.APPROVED, valid_until__gt=timezone.now()
    ).values_list("scope", "customer_id", "unit_id")
    granted_unit_ids = []
    for scope, customer_id, unit_id in grants:
        if scope == AccessScope.CUSTOMER:
            customer_ids.add(customer_id)
        else:
            granted_unit_ids.append(unit_id)
    subtrees.extend(OrgUnit.objects.filter(pk__in=granted_unit_ids))
    condition = models.Q(owner_id=user.pk)
    if customer_ids:
        condition |= models.Q(pk__in=sorted(customer_ids))
    if subtrees:
        condition |= models.Q(
            unit_id__in=sorted(OrgUnit.objects.subtree_of(subtrees).values_list("pk", flat=True))
        )
    return condition


class CustomerQuerySet(models.QuerySet):
    def visible_to(self, user) -> CustomerQuerySet:
        """Customers ``user`` may read: own/co-owned, managed units' subtree, approved grants, or all."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        qs = self.filter(merged_into__isnull=True)
        condition = _scope_condition(user, self.model)
        return qs if condition is None else qs.filter(condition)

    def workable_by(self, user) -> CustomerQuerySet:
        """Customers ``user`` may do their own work on: check in, touch, book, plan (R-ORG-4, R-ARCH-8).

        Owners, co-owners, managers of the customer's unit subtree, and the company-wide positions
        (leaders visit the top tier themselves, R-FREQ-1; the market department; admins).
        Archive-access grants are read-only everywhere. The one rule every write path asks, through
        ``customers.access.can_work_on``.
        """
        from baifang.org.choices import DataScope
        from baifang.org.models import OrgUnit

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        qs = self.filter(merged_into__isnull=True)
        if user.data_scope == DataScope.ALL:
            return qs
        co_owned = list(
            self.model.co_owners.through.objects.filter(user_id=user.pk).values_list("customer_id", flat=True)
        )
        condition = models.Q(owner_id=user.pk)
        if co_owned:
            condition |= models.Q(pk__in=co_owned)
        if user.managed_units:
            units = OrgUnit.objects.subtree_of(user.managed_units).values_list("pk", flat=True)
            condition |= models.Q(unit_id__in=list(units))
        return qs.filter(condition)

    def editable_by(self, user) -> CustomerQuerySet:
        """Customers whose archive record ``user`` may change, or whose people's work they may decide on.

        As workable_by, but leaders read without acting on others' records: the archive belongs to
        the market department and admins (R-ORG-1), a rep's open questions to the rep's line.
        """
        from baifang.org.choices import DataScope, PositionKind

        if (
            user is not None
            and user.is_authenticated
            and user.data_scope == DataScope.ALL
            and not user.has_position(PositionKind.MARKET_STAFF, PositionKind.ADMIN)
        ):
            return self.none()
        return self.workable_by(user)

    _list_data = False  # with_list_data() sets it on the clone; _clone() carries it

    def _clone(self):
        clone = super()._clone()
        clone._list_data = self._list_data
        return clone

    def with_list_data(self) -> CustomerQuerySet:
        """Everything the list page and API list show: owner, unit, ``co_owner_count`` and
        ``in_important_tier`` (R-ARCH-6), computed only for the rows fetched (issue 17).

        The two columns are correlated subqueries (an aggregate join would turn the paginator's
        COUNT(*) into a GROUP BY over the whole visible set). They are not added to this queryset:
        ``count()`` and ``exists()`` never see them, and a sliced list (a page) is fetched in two
        queries — the page's ids with the filters, order, OFFSET and LIMIT but no subquery, then the
        columns for those ids only. On ``?page=500`` of 200,000 customers the subqueries run for the
        50 rows shown, not for the 24,950 skipped ones (PostgreSQL projects every row it skips).
        """
        clone = self.select_related("owner", "unit")
        clone._list_data = True
        return clone

    def _list_data_annotations(self) -> dict:
        co_owners = (
            self.model.co_owners.through.objects.filter(customer_id=models.OuterRef("pk"))
            .order_by()
            .values("customer_id")
            .annotate(n=models.Count("*"))
            .values("n")
        )
        elsewhere = _important_elsewhere()
        return {
            "co_owner_count": Coalesce(models.Subquery(co_owners), 0),
            "in_important_tier": models.Value(False)
            if elsewhere is None
            else models.ExpressionWrapper(elsewhere, output_field=models.BooleanField()),
        }

    def _list_data_rows(self) -> list:
        """The rows of this (possibly sliced) list with the list columns (see with_list_data)."""
        plain = self._chain().prefetch_related(None)  # _fetch_all prefetches on the rows returned
        plain._list_data = False
        if not plain.query.is_sliced:
            return list(plain.annotate(**self._list_data_annotations()))
        ids = list(plain.values_list("pk", flat=True))
        if not ids:
            return []
        fresh = self.model._default_manager.db_manager(self.db).all()
        rows = fresh.filter(pk__in=ids).select_related("owner", "unit").order_by()
        by_id = {row.pk: row for row in rows.annotate(**self._list_data_annotations())}
        return [by_id[pk] for pk in ids if pk in by_id]

    def _fetch_all(self):
        if (
            self._list_data
            and self._result_cache is None
            and self._iterable_class is models.query.ModelIterable
        ):
            self._result_cache = self._list_data_rows()
        super()._fetch_all()

    def iterator(self, chunk_size=None):
        if self._list_data and self._iterable_class is models.query.ModelIterable:
            return iter(self._list_data_rows())
        return super().iterator(chunk_size=chunk_size)

    def important(self) -> CustomerQuerySet:
        """Key or potential-key customers, or important for a registered reason (R-ARCH-6), e.g. in a
        tier marked important."""
        condition = models.Q(is_key=True) | models.Q(is_potential_key=True)
        elsewhere = _important_elsewhere()
        return self.filter(condition if elsewhere is None else condition | elsewhere)

    def needing_second_knower(self) -> CustomerQuerySet:
        """Important customers known by fewer than two people (R-ARCH-6)."""
        co_owned = self.model.co_owners.through.objects.filter(customer_id=models.OuterRef("pk"))
        return self.important().exclude(models.Exists(co_owned))

    def registration_overdue(self, today) -> CustomerQuerySet:
        """Customers still awaiting registration after their deadline (R-ARCH-5)."""
        return self.filter(registration_status=RegistrationStatus.PENDING, registration_due__lt=today)

    def search(self, text: str) -> CustomerQuerySet:
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(short_name__icontains=text)
            | models.Q(code=text.upper())
            | models.Q(phone__startswith=text)
        )


class RelatedToCustomerQuerySet(models.QuerySet):
    """For rows that belong to one customer: visible when the customer is."""

    def visible_to(self, user):
        customers = self.model._meta.get_field("customer").related_model
        return self.filter(customer__in=customers.objects.visible_to(user).values("pk"))


class AccessRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Requesters see their own; approvers those addressed to them; admins and market all."""
        from baifang.org.choices import PositionKind

        if user is None or not user.is_authenticated:
            return self.none()
        if user.has_position(PositionKind.ADMIN, PositionKind.MARKET_STAFF):
            return self
        return self.filter(models.Q(requester=user) | models.Q(approver=user))

    def pending_for(self, user):
        return self.filter(approver=user, status=AccessStatus.PENDING)


class HandoverQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Company-wide positions see every hand-over; managers those touching their units' people;
        anyone the ones they made, gave or received (R-ORG-4)."""
        from baifang.org.choices import DataScope
        from baifang.org.models import OrgUnit

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.data_scope == DataScope.ALL:
            return self
        condition = models.Q(performed_by=user) | models.Q(from_user=user) | models.Q(to_user=user)
        if user.managed_units:
            units = list(OrgUnit.objects.subtree_of(user.managed_units).values_list("pk", flat=True))
            condition |= models.Q(from_user__unit_id__in=units) | models.Q(to_user__unit_id__in=units)
        return self.filter(condition)
