"""Org units, positions, users and their assignments (R-ORG-1..4)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.core.models import TimeStampedModel
from baifang.core.validators import validate_cn_phone, validate_latitude, validate_longitude
from baifang.org.choices import COMPANY_WIDE_KINDS, UNIT_MANAGER_KINDS, DataScope, PositionKind, UnitKind
from baifang.org.querysets import BaifangUserManager, OrgUnitQuerySet


class OrgUnit(TimeStampedModel):
    """A node of the organisation tree: company → departments/branches → teams (R-ORG-1)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, default=UnitKind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialised path "/1/4/9/": subtree queries are one indexed prefix match (R-ORG-4).
    path = models.CharField(_("path"), max_length=255, editable=False, db_index=True, default="")
    # The ancestor just below the company root (itself for a department): resolves "the customer's
    # department manager" in set-based obligation queries (R-OBL-1).
    department = models.ForeignKey(
        "self",
        verbose_name=_("department"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # The office: the default start and end of its reps' day routes (R-ROUTE-1).
    address = models.CharField(_("office address"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("office latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_latitude],
    )
    longitude = models.DecimalField(
        _("office longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[validate_longitude],
    )
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.GCJ02
    )

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A unit cannot be placed under itself.")})
            ancestor = ancestor.parent

    def save(self, *args, **kwargs):
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)
            kwargs.pop("force_insert", None)
        self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
        ids = [int(part) for part in self.path.strip("/").split("/")]
        self.department_id = ids[1] if len(ids) > 1 else ids[0]
        super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})
        if old_path and old_path != self.path:
            for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                child.save()

    def ancestors(self) -> list[OrgUnit]:
        """This unit's ancestors from the root down, excluding itself."""
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1] if part]
        by_id = OrgUnit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def get_department(self) -> OrgUnit:
        """The department this unit belongs to: the ancestor just below the company root."""
        return self.department or self

    def managers(self):
        """Users holding a manager position in this very unit."""
        return User.objects.filter(
            assignments__unit=self, assignments__position__kind__in=UNIT_MANAGER_KINDS, is_active=True
        ).distinct()


class Position(models.Model):
    """A post (岗位) such as 驻点营销员 or 部门经理; rules refer to positions (R-ORG-2)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=PositionKind.choices)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using Baifang; holds one or more positions in org units (R-ORG-2)."""

    display_name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[validate_cn_phone])
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    supervisor_override = models.ForeignKey(
        "self",
        verbose_name=_("supervisor (override)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to derive the supervisor from the org tree."),
    )

    objects = BaifangUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @cached_property
    def position_kinds(self) -> frozenset[str]:
        kinds = set(self.assignments.values_list("position__kind", flat=True))
        if self.is_superuser:
            kinds.add(PositionKind.ADMIN)
        return frozenset(kinds)

    def has_position(self, *kinds: str) -> bool:
        return bool(self.position_kinds & set(kinds))

    @cached_property
    def data_scope(self) -> str:
        """How much customer data this user sees (R-ORG-4)."""
        if self.position_kinds & COMPANY_WIDE_KINDS:
            return DataScope.ALL
        if self.position_kinds & UNIT_MANAGER_KINDS:
            return DataScope.UNITS
        return DataScope.OWN

    @cached_property
    def managed_units(self) -> list[OrgUnit]:
        """Units where this user holds a manager position; their subtrees are in scope."""
        return list(
            OrgUnit.objects.filter(
                assignments__user=self, assignments__position__kind__in=UNIT_MANAGER_KINDS
            ).distinct()
        )

    @cached_property
    def supervisor(self) -> User | None:
        """The override if set, else the nearest manager above this user in the tree (R-ORG-3)."""
        if self.supervisor_override_id:
            return self.supervisor_override
        if self.unit is None:
            return None
        for unit in [self.unit, *reversed(self.unit.ancestors())]:
            for manager in unit.managers().order_by("pk"):
                if manager.pk != self.pk:
                    return manager
        return None

    def department_manager(self) -> User | None:
        """The manager of this user's department (the unit just below the company)."""
        if self.unit is None:
            return None
        department = self.unit.get_department()
        return department.managers().exclude(pk=self.pk).order_by("pk").first() or self.supervisor


class PositionAssignment(models.Model):
    """A user holding a position in an org unit."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="assignments"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.PROTECT, related_name="assignments"
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments"
    )

    class Meta:
        verbose_name = _("position assignment")
        verbose_name_plural = _("position assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "position", "unit"],
                name="%(app_label)s_%(class)s_unique_user_position_unit",
                violation_error_message=_("This user already holds this position in this unit."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.position} · {self.unit}"
