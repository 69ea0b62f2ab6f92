"""The customer archive (客户档案, R-ARCH-1): the customer itself and its competitors."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core.choices import CoordinateSystem
from baifang.core.models import TimeStampedModel
from baifang.core.validators import (
    validate_cn_phone,
    validate_coordinates,
    validate_credit_code,
    validate_latitude,
    validate_longitude,
    validate_non_negative,
    validate_past_date,
)
from baifang.customers.choices import (
    BusinessFormat,
    CustomerStatus,
    CustomerType,
    EnterpriseNature,
    MarketType,
    RegistrationStatus,
    Scale,
    Weekday,
)
from baifang.customers.normalize import normalize_name
from baifang.customers.querysets import CustomerQuerySet, RelatedToCustomerQuerySet
from baifang.routing import CRS, Point

USER = settings.AUTH_USER_MODEL
MONEY = {
    "max_digits": 16,
    "decimal_places": 2,
    "null": True,
    "blank": True,
    "validators": [validate_non_negative],
}
# Amounts that are never negative; the database refuses them too.
MONEY_FIELDS = ("registered_capital", "annual_value", "monthly_contract_volume", "credit_limit")
# Fields every save through the services checks, whatever path the values came by.
BOUNDED_FIELDS = (
    *MONEY_FIELDS,
    "purchase_share",
    "latitude",
    "longitude",
    "cooperation_since",
    "first_contact_on",
)


def _non_negative(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(**{f"{field}__isnull": True}) | models.Q(**{f"{field}__gte": 0}),
        name=f"%(app_label)s_%(class)s_{field}_not_negative",
        violation_error_message=_("Enter an amount of zero or more."),
    )


class Customer(TimeStampedModel):
    """One archive record per customer, created at first contact (R-ARCH-1)."""

    code = models.CharField(_("customer code"), max_length=32, unique=True, blank=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    # R-ARCH-9: the same name after normalisation is refused (see normalize.py).
    normalized_name = models.CharField(_("normalised name"), max_length=120, editable=False)
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    enterprise_nature = models.CharField(
        _("enterprise nature"), max_length=20, choices=EnterpriseNature.choices, blank=True
    )
    competent_unit = models.CharField(_("competent unit"), max_length=120, blank=True)
    industry = models.CharField(_("industry"), max_length=60, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    registered_capital = models.DecimalField(_("registered capital (10k yuan)"), **MONEY)
    production_lines = models.PositiveIntegerField(_("production lines"), null=True, blank=True)
    scale = models.CharField(_("scale"), max_length=10, choices=Scale.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=24, blank=True, validators=[validate_cn_phone])

    registered_address = models.CharField(_("registered address"), max_length=200, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    # Administrative division codes (国家统计局 区划代码, customers/divisions.py): when a level has a code,
    # its name above is the dataset's; a level without one keeps its free text.
    province_code = models.CharField(_("province code"), max_length=2, blank=True, default="")
    city_code = models.CharField(_("city code"), max_length=4, blank=True, default="")
    district_code = models.CharField(_("district code"), max_length=12, blank=True, default="")
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_latitude]
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True, validators=[validate_longitude]
    )
    coordinate_system = models.CharField(
        _("coordinate system"), max_length=8, choices=CoordinateSystem.choices, default=CoordinateSystem.GCJ02
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    order_weekday = models.PositiveSmallIntegerField(
        _("order day"), choices=Weekday.choices, null=True, blank=True
    )
    retail_grade = models.PositiveSmallIntegerField(
        _("retail grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    business_format = models.CharField(
        _("business format"), max_length=20, choices=BusinessFormat.choices, blank=True
    )
    market_type = models.CharField(_("market type"), max_length=10, choices=MarketType.choices, blank=True)

    cooperation_since = models.DateField(
        _("cooperating since"), null=True, blank=True, validators=[validate_past_date]
    )
    annual_value = models.DecimalField(_("annual value with us (yuan)"), **MONEY)
    monthly_contract_volume = models.DecimalField(_("monthly contract volume"), **MONEY)
    purchase_share = models.DecimalField(
        _("our share of their purchases (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    credit_limit = models.DecimalField(_("credit limit (yuan)"), **MONEY)
    credit_term_days = models.PositiveIntegerField(_("credit term (days)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    source = models.CharField(_("source"), max_length=60, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    bad_credit = models.BooleanField(_("bad credit record"), default=False)
    # Tobacco service-class criteria (R-FREQ-4): 现代终端, violations, assistance targets.
    modern_terminal = models.BooleanField(_("modern terminal"), default=False)
    violations_3m = models.PositiveSmallIntegerField(_("violations in the last 3 months"), default=0)
    assistance_target = models.BooleanField(
        _("assistance target"), default=False, help_text=_("Low-income subsidy or disabled retailer.")
    )
    is_key = models.BooleanField(_("key customer"), default=False)
    is_potential_key = models.BooleanField(_("potential key customer"), default=False)

    # R-ARCH-3 needs and decision-making.
    main_needs = models.TextField(_("main needs / pain points"), blank=True)
    potential_needs = models.TextField(_("potential needs"), blank=True)
    budget = models.CharField(_("budget"), max_length=100, blank=True)
    price_sensitivity = models.CharField(_("price sensitivity"), max_length=60, blank=True)
    purchase_timeline = models.CharField(_("purchase timeline"), max_length=100, blank=True)
    preferences = models.TextField(_("preferences"), blank=True)
    decision_process = models.TextField(_("decision process"), blank=True)
    key_decision_makers = models.TextField(_("key decision makers"), blank=True)

    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_customers"
    )
    co_owners = models.ManyToManyField(
        USER, verbose_name=_("co-owners"), blank=True, related_name="co_owned_customers"
    )
    # Denormalised from the owner's unit at assignment: scope filters are one indexed join (R-ORG-4).
    unit = models.ForeignKey(
        "org.OrgUnit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="customers"
    )

    first_contact_on = models.DateField(
        _("first contact"), default=timezone.localdate, validators=[validate_past_date]
    )
    registration_status = models.CharField(
        _("registration"),
        max_length=12,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.REGISTERED,
    )
    registration_due = models.DateField(_("registration due"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    registered_late = models.BooleanField(_("registered late"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["normalized_name", "updated_at"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["normalized_name"],
                name="%(app_label)s_%(class)s_unique_normalized_name",
                violation_error_message=_("A customer with this name already exists."),
            ),
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="%(app_label)s_%(class)s_unique_credit_code",
                violation_error_message=_("A customer with this unified social credit code already exists."),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(latitude__isnull=False, longitude__isnull=False),
                name="%(app_label)s_%(class)s_coordinates_paired",
                violation_error_message=_("Latitude and longitude must be given together."),
            ),
            *(_non_negative(field) for field in MONEY_FIELDS),
        ]
        indexes = [
            # Scope filter for unit managers and the default list order.
            models.Index(fields=["unit", "-id"], name="customers_unit_recent"),
            # Rep's own list.
            models.Index(fields=["owner", "-id"], name="customers_owner_recent"),
            # Duplicate detection by phone (R-ARCH-9).
            models.Index(fields=["phone"], name="customers_phone"),
            # Registration-deadline task scans pending registrations (R-ARCH-5).
            models.Index(fields=["registration_status", "registration_due"], name="customers_reg_due"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)
        if not self.code:
            self.code = f"KH{self.pk:07d}"
            Customer.objects.filter(pk=self.pk).update(code=self.code)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("customers:detail", args=[self.pk])

    def check_values(self, *, stored: dict | None = None) -> None:
        """Refuse negative amounts, impossible dates and coordinates, whatever path set them.

        With ``stored`` (the saved values), only changed fields are checked: an edit is never refused
        for an old value it does not touch.
        """
        stored = stored or {}
        checked = {
            name for name in BOUNDED_FIELDS if name not in stored or stored[name] != getattr(self, name)
        }
        self.clean_fields(exclude=[f.name for f in self._meta.concrete_fields if f.name not in checked])
        if checked & {"latitude", "longitude"}:
            validate_coordinates(self.latitude, self.longitude)

    @property
    def awaiting_registration(self) -> bool:
        """Entered but not yet registered: the 5-working-day clock is running (R-ARCH-5)."""
        return self.registration_status == RegistrationStatus.PENDING

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def point(self) -> Point | None:
        """The location in its own coordinate system, as the routing engine takes it; None without one."""
        if not self.has_location:
            return None
        return Point(float(self.latitude), float(self.longitude), CRS(self.coordinate_system))

    @property
    def is_important(self) -> bool:
        """Important customers need at least two people who know them (R-ARCH-6)."""
        return self.is_key or self.is_potential_key or self.tiers.filter(tier__is_important=True).exists()

    def knowers(self) -> list:
        """The distinct people who know this customer: owner and co-owners."""
        people = {self.owner_id: self.owner}
        for user in self.co_owners.all():
            people.setdefault(user.pk, user)
        return list(people.values())


class Competitor(TimeStampedModel):
    """A competitor active at this customer (R-ARCH-3)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="competitors"
    )
    name = models.CharField(_("competitor"), max_length=100)
    products = models.CharField(_("their products"), max_length=200, blank=True)
    customer_view = models.TextField(_("customer's view of them"), blank=True)
    tactics = models.TextField(_("their tactics"), blank=True)

    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("competitor")
        verbose_name_plural = _("competitors")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
