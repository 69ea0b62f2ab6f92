"""Forms for the archive pages: they normalise input; services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from baifang.customers.choices import BirthdayCalendar
from baifang.customers.models import (
    CONTACT_FIELDS,
    AccessRequest,
    Competitor,
    Contact,
    Correspondence,
    Customer,
    MajorChange,
)
from baifang.customers.predicates import assignable_people
from baifang.org.models import OrgUnit, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})

CUSTOMER_SECTIONS = (
    (
        _("Basic information"),
        (
            "name",
            "short_name",
            "customer_type",
            "status",
            "is_key",
            "is_potential_key",
            "enterprise_nature",
            "competent_unit",
            "industry",
            "credit_code",
            "registered_capital",
            "production_lines",
            "scale",
            "phone",
            "source",
            "first_contact_on",
        ),
    ),
    (
        _("Address and location"),
        (
            "province",
            "city",
            "district",
            "registered_address",
            "delivery_address",
            "latitude",
            "longitude",
            "coordinate_system",
        ),
    ),
    (
        _("Business"),
        (
            "opens_at",
            "closes_at",
            "order_weekday",
            "retail_grade",
            "business_format",
            "market_type",
            "cooperation_since",
            "annual_value",
            "monthly_contract_volume",
            "purchase_share",
            "credit_limit",
            "credit_term_days",
        ),
    ),
    (
        _("Needs and decision-making"),
        (
            "main_needs",
            "potential_needs",
            "budget",
            "price_sensitivity",
            "purchase_timeline",
            "preferences",
            "decision_process",
            "key_decision_makers",
        ),
    ),
    (_("Ownership"), ("owner", "co_owners", "notes")),
)


class CustomerForm(forms.ModelForm):
    """Create/edit a customer; owner choices are limited to people the editor may assign."""

    class Meta:
        model = Customer
        fields = [name for _title, names in CUSTOMER_SECTIONS for name in names]
        widgets = {
            "first_contact_on": DATE,
            "cooperation_since": DATE,
            "opens_at": TIME,
            "closes_at": TIME,
            "main_needs": TEXT,
            "potential_needs": TEXT,
            "preferences": TEXT,
            "decision_process": TEXT,
            "key_decision_makers": TEXT,
            "notes": TEXT,
            "co_owners": forms.SelectMultiple(attrs={"size": 4}),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # A new customer's people: whom the editor may assign; an archived one's move by hand-over only.
        people = assignable_people(user) if self.instance.pk is None else User.objects.filter(is_active=True)
        people = people.select_related("unit").order_by("unit__path", "username")
        self.fields["owner"].queryset = people
        self.fields["owner"].required = False
        self.fields["owner"].help_text = _("Leave empty to own it yourself.")
        self.fields["co_owners"].queryset = people
        self.fields["co_owners"].required = False
        if self.instance.pk is not None:
            # Ownership moves only by hand-over, audited and reversible (R-ARCH-7, R-SEC-1).
            for name in ("owner", "co_owners"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Changed through “Reassign” (a hand-over).")

    def clean(self):
        data = super().clean()
        lat, lng = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lng is None):
            raise forms.ValidationError(_("Latitude and longitude must be given together."))
        if lat is not None and lat == 0 and lng == 0:
            raise forms.ValidationError(_("The location 0, 0 is not a real place; leave both empty instead."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("Closing time must be after opening time."))
        return data

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in CUSTOMER_SECTIONS]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)
        widgets = {"birthday": DATE, "notes": TEXT}

    def clean(self):
        data = super().clean()
        if data.get("birthday_calendar") == BirthdayCalendar.LUNAR:
            if not data.get("lunar_birth_month") or not data.get("lunar_birth_day"):
                raise forms.ValidationError(_("A lunar birthday needs both the lunar month and day."))
        return data


class CompetitorForm(forms.ModelForm):
    class Meta:
        model = Competitor
        fields = ["name", "products", "customer_view", "tactics"]
        widgets = {"customer_view": TEXT, "tactics": TEXT}


class MajorChangeForm(forms.ModelForm):
    class Meta:
        model = MajorChange
        fields = ["kind", "occurred_on", "description"]
        widgets = {"occurred_on": DATE, "description": TEXT}


class CorrespondenceForm(forms.ModelForm):
    def clean_attachment(self):
        from baifang.core.uploads import validate_upload

        upload = self.cleaned_data.get("attachment")
        if upload and hasattr(upload, "size"):
            validate_upload(upload)
        return upload

    class Meta:
        model = Correspondence
        fields = ["kind", "direction", "occurred_on", "subject", "summary", "attachment"]
        widgets = {"occurred_on": DATE, "summary": TEXT}


class HandoverForm(forms.Form):
    leaver = forms.ModelChoiceField(User.objects.none(), label=_("Hand over the customers of"))
    successor = forms.ModelChoiceField(User.objects.none(), label=_("To the successor"))
    reason = forms.CharField(label=_("Reason"), max_length=200)
    deactivate = forms.BooleanField(label=_("Close the leaver's account"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaver"].queryset = User.objects.all().order_by("username")
        self.fields["successor"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self):
        data = super().clean()
        if data.get("leaver") and data.get("leaver") == data.get("successor"):
            raise forms.ValidationError(_("The successor must be a different person."))
        return data


class ReassignForm(forms.Form):
    """One customer's new owner and co-owners; the change is a hand-over (R-ARCH-7)."""

    owner = forms.ModelChoiceField(User.objects.none(), label=_("Owner"))
    co_owners = forms.ModelMultipleChoiceField(
        User.objects.none(),
        label=_("Co-owners"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, customer: Customer, **kwargs):
        kwargs.setdefault(
            "initial",
            {"owner": customer.owner_id, "co_owners": list(customer.co_owners.values_list("pk", flat=True))},
        )
        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True).select_related("unit").order_by("unit__path", "username")
        self.fields["owner"].queryset = people
        self.fields["co_owners"].queryset = people


class AccessRequestForm(forms.ModelForm):
    class Meta:
        model = AccessRequest
        fields = ["scope", "unit", "reason", "days"]
        widgets = {"reason": TEXT}

    def __init__(self, *args, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["unit"].queryset = OrgUnit.objects.all()
        self.fields["unit"].required = False
        if customer is not None:
            del self.fields["scope"]
            del self.fields["unit"]

    def clean(self):
        data = super().clean()
        if self.customer is None and not data.get("unit"):
            self.add_error("unit", _("Choose the unit whose archive you need."))
        return data


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ImportForm(forms.Form):
    """Upload a customer file for the archive: always checked first; the preview's button imports it."""

    upload = forms.FileField(
        label=_("File (CSV or Excel)"),
        help_text=_("The archive's own export, or your 客户档案表 with a saved column mapping."),
    )
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"), queryset=None, required=False, empty_label=_("Our own headers")
    )
    on_duplicate = forms.ChoiceField(
        label=_("A customer already in the archive"),
        choices=(
            ("refuse", _("Refuse the file (report the rows)")),
            ("skip", _("Skip the row")),
            ("merge", _("Merge the row into the archive record")),
        ),
        initial="refuse",
        help_text=_("A 重复处理 column (合并/跳过/拒绝) decides row by row."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner of rows without one"), queryset=None, required=False, empty_label=_("Me")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from baifang.customers.models import ColumnMapping

        self.fields["mapping"].queryset = ColumnMapping.objects.all()
        self.fields["owner"].queryset = assignable_people(user).order_by("username")

    def options(self) -> dict:
        data = self.cleaned_data
        options = {"on_duplicate": data["on_duplicate"]}
        if data["mapping"]:
            options["headers"] = data["mapping"].headers
            options["mapping"] = data["mapping"].name
        if data["owner"]:
            options["owner"] = data["owner"].pk
        return options


class ColumnMappingForm(forms.Form):
    """Save a 客户档案表's headers: one line per column, ``header in the file = our column``."""

    name = forms.CharField(label=_("Name"), max_length=60)
    lines = forms.CharField(
        label=_("Headers"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": "门店名称 = name\n店主 = contact_name"}),
        help_text=_("One per line: the header in your sheet = one of our column keys."),
    )

    def clean_lines(self) -> dict:
        from baifang.core import intake

        keys = {c.key for c in intake.schema_for("customers.archive").columns}
        headers = {}
        for number, line in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            if not line.strip():
                continue
            header, sep, key = line.partition("=")
            key = key.strip()
            if not sep or not header.strip() or key not in keys:
                raise forms.ValidationError(
                    _("Line %(n)s: write “header = column key”, with one of: %(keys)s.")
                    % {"n": number, "keys": ", ".join(sorted(keys))}
                )
            headers[header.strip()] = key
        if not headers:
            raise forms.ValidationError(_("Name at least one header."))
        return headers
