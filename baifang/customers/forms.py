"""Forms for the archive pages: they normalise input; services do the work."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext_lazy as _

from baifang.core.choices import CoordinateSystem
from baifang.customers import divisions, regions
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
from baifang.customers.regions import REGION_CODES, REGION_NAMES
from baifang.org.models import OrgUnit, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})
LOCATION_PICKER = "customers/_location_picker.html"

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
            "province_code",
            "city_code",
            "district_code",
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


class RegionSelect(forms.Select):
    """A division select, filled in the browser from the vendored dataset (static/baifang/customer-form.js).

    It is rendered disabled, with only the current choice: a disabled select is not submitted, so
    without the script the page keeps to the free-text fields and the saved codes stay as they are
    (the names are matched to codes on save, ``regions.apply_region``).
    """

    def __init__(self, level: str):
        super().__init__(attrs={"data-region-level": level, "disabled": True})


class CustomerForm(forms.ModelForm):
    """Create/edit a customer; owner choices are limited to people the editor may assign."""

    region_code_fields = ("province_code", "city_code", "district_code")

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
            "province_code": RegionSelect("province"),
            "city_code": RegionSelect("city"),
            "district_code": RegionSelect("district"),
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
        self._region_choices()
        if self.instance.pk is not None:
            # Ownership moves only by hand-over, audited and reversible (R-ARCH-7, R-SEC-1).
            for name in ("owner", "co_owners"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Changed through “Reassign” (a hand-over).")

    def _region_choices(self) -> None:
        """Label the selects as the text fields and offer the current choice (the rest come from the script)."""
        data = divisions.load()
        for level, (code_field, name_field) in enumerate(zip(REGION_CODES, REGION_NAMES, strict=True)):
            field = self.fields[code_field]
            field.label = Customer._meta.get_field(name_field).verbose_name
            code = self[code_field].value() or ""
            found = data.get(code, level + 1)
            field.widget.choices = [("", "—")] + ([(found.code, found.name)] if found else [])

    def clean(self):
        data = super().clean()
        codes = [data.get(name) or "" for name in REGION_CODES]
        if any(codes):
            try:
                regions.check_codes(*codes)
            except forms.ValidationError as exc:
                self.add_error(None, exc)
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
        """(title, fields, extra template) per fieldset: the address one adds the map picker."""
        return [
            (title, [self[name] for name in names], LOCATION_PICKER if "latitude" in names else "")
            for title, names in CUSTOMER_SECTIONS
        ]

    def location_picker(self) -> dict:
        """What the map picker draws: the tiles (none by default, R-UX-1) and the stored point in their datum."""
        tiles = settings.BAIFANG["MAP_TILES"]  # none by default: WGS-84 over the bundled boundaries
        crs = tiles.crs
        point = self.instance.point if self.instance.pk else None
        shown = point.to_crs(crs) if point is not None else None
        return {
            "tiles": tiles.as_json(),
            "boundaries": static("vendor/china-boundaries/provinces.geojson") if not tiles.enabled else "",
            "crs": str(crs),
            "crs_label": str(CoordinateSystem(crs).label),
            "point": [round(shown.lat, 6), round(shown.lng, 6)] if shown else None,
            "centre": [30.27, 120.15],
            "labels": {
                "unmatched": str(_("Saved as typed: %s. It has no division code yet; choose it below.")),
                "recorded": str(_("Location set to %(lat)s, %(lng)s (%(crs)s).")),
                "no_position": str(_("Your position is not available; allow location access or type it.")),
            },
        }


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
