"""Key people at a customer (关键人员, R-ARCH-2) and their anniversaries."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from baifang.core.models import TimeStampedModel
from baifang.core.validators import validate_cn_phone, validate_past_date, validate_sane_date
from baifang.customers.choices import AudienceClass, BirthdayCalendar, DecisionPower
from baifang.customers.models.archive import Customer
from baifang.customers.querysets import RelatedToCustomerQuerySet

# The fields people edit on a contact: shared by the form and the API.
CONTACT_FIELDS = (
    "name",
    "title",
    "is_primary",
    "decision_power",
    "audience_class",
    "mobile",
    "phone",
    "email",
    "wechat",
    "qq",
    "birthday_calendar",
    "birthday",
    "lunar_birth_month",
    "lunar_birth_day",
    "lunar_birth_leap",
    "age",
    "education",
    "personality",
    "interests",
    "hobbies",
    "habits",
    "family",
    "strengths",
    "notes",
)

# A contact's personal information under the PIPL (个人信息保护法): the one list every read log, copy
# for the person and erasure works from (baifang.ops.personal, docs/admin-guide.md). The name stays
# (it is replaced on erasure) so the archive still shows a contact existed; anniversaries are personal too.
PERSONAL_FIELDS = (
    "mobile",
    "phone",
    "email",
    "wechat",
    "qq",
    "birthday",
    "lunar_birth_month",
    "lunar_birth_day",
    "lunar_birth_leap",
    "age",
    "education",
    "personality",
    "interests",
    "hobbies",
    "habits",
    "family",
    "strengths",
    "notes",
)


class Contact(TimeStampedModel):
    """A key person at a customer (关键人员, R-ARCH-2)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    is_primary = models.BooleanField(_("main contact"), default=False)
    decision_power = models.CharField(
        _("decision power"), max_length=12, choices=DecisionPower.choices, blank=True
    )
    audience_class = models.CharField(
        _("audience class"), max_length=3, choices=AudienceClass.choices, blank=True
    )
    mobile = models.CharField(_("mobile phone"), max_length=24, blank=True, validators=[validate_cn_phone])
    phone = models.CharField(_("office phone"), max_length=24, blank=True, validators=[validate_cn_phone])
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=60, blank=True)
    qq = models.CharField(_("QQ"), max_length=20, blank=True)
    birthday_calendar = models.CharField(
        _("birthday calendar"), max_length=6, choices=BirthdayCalendar.choices, default=BirthdayCalendar.SOLAR
    )
    birthday = models.DateField(_("birthday (solar)"), null=True, blank=True, validators=[validate_past_date])
    lunar_birth_month = models.PositiveSmallIntegerField(
        _("lunar birthday month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    lunar_birth_day = models.PositiveSmallIntegerField(
        _("lunar birthday day"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    lunar_birth_leap = models.BooleanField(_("leap month"), default=False)
    age = models.PositiveSmallIntegerField(
        _("age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    education = models.CharField(_("education"), max_length=60, blank=True)
    personality = models.CharField(_("personality"), max_length=200, blank=True)
    interests = models.CharField(_("interests"), max_length=200, blank=True)
    hobbies = models.CharField(_("hobbies"), max_length=200, blank=True)
    habits = models.CharField(_("habits"), max_length=200, blank=True)
    family = models.CharField(_("family"), max_length=200, blank=True)
    strengths = models.CharField(_("strengths"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = RelatedToCustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(birthday_calendar="lunar")
                | models.Q(lunar_birth_month__isnull=False, lunar_birth_day__isnull=False),
                name="%(app_label)s_%(class)s_lunar_birthday_complete",
                violation_error_message=_("A lunar birthday needs both the lunar month and day."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.title}）" if self.title else self.name

    def birthday_in(self, year: int):
        """The solar date of this contact's birthday in ``year`` (lunar birthdays converted)."""
        from baifang.core.calendar import lunar_birthday

        if (
            self.birthday_calendar == BirthdayCalendar.LUNAR
            and self.lunar_birth_month
            and self.lunar_birth_day
        ):
            return lunar_birthday(year, self.lunar_birth_month, self.lunar_birth_day, self.lunar_birth_leap)
        if self.birthday:
            try:
                return self.birthday.replace(year=year)
            except ValueError:  # 29 February in a common year
                return self.birthday.replace(year=year, day=28)
        return None


class Anniversary(models.Model):
    """Another date worth a greeting: wedding, company founding, first order (R-ARCH-2)."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="anniversaries"
    )
    name = models.CharField(_("occasion"), max_length=60)
    date = models.DateField(_("date"), validators=[validate_sane_date])

    class Meta:
        verbose_name = _("anniversary")
        verbose_name_plural = _("anniversaries")

    def __str__(self) -> str:
        return f"{self.name} {self.date}"
