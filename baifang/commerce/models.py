"""Products, orders and deliveries: what a customer buys, taken in from the ERP (R-INV-1, R-OBL-3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from baifang.commerce.choices import ServiceKind, Unit
from baifang.commerce.querysets import DeliveryQuerySet, OrderQuerySet, RelatedToCustomerQuerySet
from baifang.core.models import TimeStampedModel

QUANTITY = {"max_digits": 14, "decimal_places": 3}
MONEY = {"max_digits": 14, "decimal_places": 2}
FACTOR = {"max_digits": 5, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}
NOT_NEGATIVE = MinValueValidator(Decimal(0))


class ProductGroup(TimeStampedModel):
    """A family of products (a brand family, a category); may carry its own stock factor k."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    stock_factor = models.DecimalField(
        _("stock factor k"), null=True, blank=True, help_text=_("Empty: the default 1.5."), **FACTOR
    )

    class Meta:
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    """One item of the catalogue, with its unit, price and new / promoted periods."""

    code = models.CharField(_("product code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    brand = models.CharField(_("brand"), max_length=60, blank=True)
    group = models.ForeignKey(
        ProductGroup,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.CARTON)
    price = models.DecimalField(_("price"), validators=[NOT_NEGATIVE], default=Decimal(0), **MONEY)
    new_from = models.DateField(_("new from"), null=True, blank=True)
    new_until = models.DateField(_("new until"), null=True, blank=True)
    promoted_from = models.DateField(_("promoted from"), null=True, blank=True)
    promoted_until = models.DateField(_("promoted until"), null=True, blank=True)
    stock_factor = models.DecimalField(
        _("stock factor k"), null=True, blank=True, help_text=_("Empty: the group's, else 1.5."), **FACTOR
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=0),
                name="%(app_label)s_%(class)s_price_not_negative",
                violation_error_message=_("A price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(new_until__isnull=True)
                | models.Q(new_from__isnull=False, new_until__gte=models.F("new_from")),
                name="%(app_label)s_%(class)s_new_period",
                violation_error_message=_("The new period must start before it ends."),
            ),
            models.CheckConstraint(
                condition=models.Q(promoted_until__isnull=True)
                | models.Q(promoted_from__isnull=False, promoted_until__gte=models.F("promoted_from")),
                name="%(app_label)s_%(class)s_promoted_period",
                violation_error_message=_("The promotion must start before it ends."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @staticmethod
    def _within(start: dt.date | None, end: dt.date | None, day: dt.date) -> bool:
        return start is not None and start <= day and (end is None or day <= end)

    def is_new_on(self, day: dt.date) -> bool:
        return self._within(self.new_from, self.new_until, day)

    def is_promoted_on(self, day: dt.date) -> bool:
        return self._within(self.promoted_from, self.promoted_until, day)


class StockFactor(models.Model):
    """k for one customer (all products) or one customer and one product (R-INV-1, seed 003)."""

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="stock_factors",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: every product of this customer."),
    )
    k = models.DecimalField(_("stock factor k"), **FACTOR)

    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock factor")
        verbose_name_plural = _("stock factors")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "product"],
                name="%(app_label)s_%(class)s_unique_customer_product",
                violation_error_message=_("This customer already has a factor for this product."),
            ),
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(product__isnull=True),
                name="%(app_label)s_%(class)s_unique_customer_default",
                violation_error_message=_("This customer already has a factor for all products."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.product or '*'} k={self.k}"


class Order(models.Model):
    """A customer's order as the ERP knows it; its number is the source's document number."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(_("order number"), max_length=40, unique=True)
    ordered_on = models.DateField(_("order date"))
    amount = models.DecimalField(_("amount"), default=Decimal(0), **MONEY)
    quantity = models.DecimalField(_("quantity"), default=Decimal(0), **QUANTITY)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-id"]
        indexes = [
            # A customer's purchase history and last order, newest first.
            models.Index(fields=["customer", "-ordered_on"], name="commerce_order_customer_day"),
            # Company-wide lists filtered by date.
            models.Index(fields=["-ordered_on"], name="commerce_order_day"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("commerce:order", args=[self.pk])


class OrderLine(models.Model):
    """One product on an order: quantity, unit price and amount, exact decimals."""

    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), validators=[NOT_NEGATIVE], **QUANTITY)
    price = models.DecimalField(_("price"), validators=[NOT_NEGATIVE], **MONEY)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "product"],
                name="%(app_label)s_%(class)s_unique_product",
                violation_error_message=_("This product is already on the order."),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="%(app_label)s_%(class)s_quantity_not_negative",
                violation_error_message=_("A quantity cannot be negative."),
            ),
        ]
        indexes = [
            # Ordered quantity of one product since a date (stock guidance, R-INV-1).
            models.Index(fields=["product", "order"], name="commerce_orderline_product"),
        ]

    def __str__(self) -> str:
        return f"{self.order} {self.product} × {self.quantity}"


class Delivery(models.Model):
    """What was delivered against one order (R-OBL-3: a delivery that differs from its order)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="deliveries"
    )
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="deliveries"
    )
    number = models.CharField(_("delivery number"), max_length=40, unique=True)
    delivered_on = models.DateField(_("delivery date"))
    quantity = models.DecimalField(_("quantity"), default=Decimal(0), **QUANTITY)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, editable=False)
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_on", "-id"]
        indexes = [
            models.Index(fields=["customer", "-delivered_on"], name="commerce_delivery_customer_day"),
        ]

    def __str__(self) -> str:
        return self.number


class DeliveryLine(models.Model):
    """One product delivered."""

    delivery = models.ForeignKey(
        Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), validators=[NOT_NEGATIVE], **QUANTITY)

    class Meta:
        verbose_name = _("delivery line")
        verbose_name_plural = _("delivery lines")
        ordering = ["delivery", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "product"],
                name="%(app_label)s_%(class)s_unique_product",
                violation_error_message=_("This product is already on the delivery."),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0),
                name="%(app_label)s_%(class)s_quantity_not_negative",
                violation_error_message=_("A quantity cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delivery} {self.product} × {self.quantity}"


class SalesBand(models.Model):
    """The warning band of a customer's sales (R-OBL-3): ±percent of the trailing mean, per customer or
    per tier; a customer's own band wins over its tier's, a row with neither is the company default."""

    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_band",
    )
    tier = models.OneToOneField(
        "tiers.Tier",
        verbose_name=_("tier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_band",
    )
    percent = models.DecimalField(
        _("band ± %"), max_digits=5, decimal_places=1, validators=[NOT_NEGATIVE], default=Decimal(30)
    )
    trailing_months = models.PositiveSmallIntegerField(
        _("trailing months"), default=3, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("sales warning band")
        verbose_name_plural = _("sales warning bands")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(customer__isnull=False, tier__isnull=False),
                name="%(app_label)s_%(class)s_customer_or_tier",
                violation_error_message=_("A band belongs to a customer or to a tier, not both."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer or self.tier or '*'} ±{self.percent}%"


class ReminderThreshold(models.Model):
    """Purchase reminders per tier (R-FU-3): not purchased for ``days`` days, stock gone within
    ``run_out_days`` days; the row without a tier is the default."""

    tier = models.OneToOneField(
        "tiers.Tier",
        verbose_name=_("tier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminder_threshold",
    )
    days = models.PositiveSmallIntegerField(_("not purchased for (days)"), default=30)
    run_out_days = models.PositiveSmallIntegerField(_("stock runs out within (days)"), default=7)
    remind_never_purchased = models.BooleanField(_("remind of customers who never purchased"), default=True)

    class Meta:
        verbose_name = _("purchase reminder threshold")
        verbose_name_plural = _("purchase reminder thresholds")

    def __str__(self) -> str:
        return f"{self.tier or '*'}: {self.days}"


class ServiceJob(models.Model):
    """A repair, installation, project acceptance or maintenance done for a customer (R-FREQ-9).

    A business fact like an order (entered here or imported); recording one owes the return visits
    the rules of its event ask (``rules.events.happened``), once per job number.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="service_jobs",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    number = models.CharField(_("job number"), max_length=40, unique=True)
    done_on = models.DateField(_("done on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        "org.User",
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    batch = models.ForeignKey(
        "core.ImportBatch",
        verbose_name=_("import batch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("service job")
        verbose_name_plural = _("service jobs")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["customer", "-done_on"], name="commerce_servicejob_customer")]

    def __str__(self) -> str:
        return f"{self.number} · {self.get_kind_display()}"
