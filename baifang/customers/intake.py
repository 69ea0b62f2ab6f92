"""Customers and their contacts from Excel/CSV into the archive (R-ARCH-10), on ``core.intake``.

A file is either the archive's own export (``customers.exports``: its headers are the fields' names)
or a company's 客户档案表, whose headers a saved :class:`~baifang.customers.models.ColumnMapping`
maps onto ours. One row is one customer, optionally with one contact; rows with the same customer
name are one customer with several contacts.

Duplicates (R-ARCH-9) are found against the archive in bulk: the same code, unified social credit
code, normalised name or phone. A row that matches and adds nothing is counted unchanged (a re-run
changes nothing); one that would add something is, per row (column 重复处理) or for the batch
(``options["on_duplicate"]``): refused (the default: an error, nothing written), skipped, or merged
(its values fill in and overwrite the stored ones, its new contacts are added; name, code and owner
stay). The same customer twice in one file is an error. All or nothing, like every import.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat, LPad
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.core.intake import Column, Report, Row, RowSchema, parse_day, parse_decimal, parse_text
from baifang.core.validators import normalize_phone, validate_cn_phone, validate_credit_code
from baifang.customers.choices import BusinessFormat, CustomerStatus, CustomerType
from baifang.customers.models import Contact, Customer
from baifang.customers.normalize import normalize_name
from baifang.customers.regions import apply_region

KIND = "customers.archive"
CHUNK = 2000  # values per IN (...) lookup: well under SQLite's variable limit
ON_DUPLICATE = ("refuse", "skip", "merge")
_DUPLICATE_WORDS = {
    "refuse": "refuse",
    "拒绝": "refuse",
    "报错": "refuse",
    "skip": "skip",
    "跳过": "skip",
    "忽略": "skip",
    "merge": "merge",
    "合并": "merge",
    "更新": "merge",
}
# Customer fields a row may set (the rest of the columns are the owner, the contact and the mode).
FIELDS = (
    "code",
    "name",
    "short_name",
    "customer_type",
    "status",
    "province",
    "city",
    "district",
    "registered_address",
    "delivery_address",
    "phone",
    "credit_code",
    "industry",
    "business_format",
    "retail_grade",
    "annual_value",
    "cooperation_since",
)
MERGED_FIELDS = tuple(f for f in FIELDS if f not in ("code", "name"))
CONTACT_FIELDS = ("contact_name", "contact_title", "contact_mobile")


def parse_choice(choices) -> callable:
    """A choice by its value or its label in Chinese or English ("零售商", "Retailer", "retailer")."""

    by_language: dict[str, dict[str, str]] = {}

    def parse(value: str):
        words = by_language.get(translation.get_language())
        if words is None:
            words = {str(label).lower(): choice for choice, label in choices.choices}
            words.update({str(choice).lower(): choice for choice in choices.values})
            by_language[translation.get_language()] = words
        found = words.get(value.strip().lower())
        if found is not None:
            return found
        labels = "、".join(str(label) for _c, label in choices.choices)
        raise ValidationError(
            _("“%(v)s” is not one of: %(labels)s.") % {"v": value, "labels": labels}, code="invalid_choice"
        )

    return parse


def parse_phone(value: str) -> str:
    phone = normalize_phone(value)
    validate_cn_phone(phone)
    return phone


def parse_credit_code(value: str) -> str:
    code = value.strip().upper()
    validate_credit_code(code)
    return code


def parse_grade(value: str) -> int:
    try:
        grade = int(value)
    except ValueError:
        grade = 0
    if not 1 <= grade <= 30:
        raise ValidationError(_("The retail grade is a whole number from 1 to 30."), code="invalid")
    return grade


def parse_on_duplicate(value: str) -> str:
    mode = _DUPLICATE_WORDS.get(value.strip().lower())
    if mode is None:
        raise ValidationError(_("Write 合并, 跳过 or 拒绝."), code="invalid_choice")
    return mode


def _col(key, headers, parse, label, required=False) -> Column:
    return Column(key, headers, parse, required=required, label=label)


class CustomerRows(RowSchema):
    """The archive's customers with a contact per row: kind ``customers.archive``."""

    kind = KIND
    label = gettext_lazy("customers")
    permission = "customers.import_customers"
    document_column = "name"
    columns = (
        _col(
            "code", ("客户编码", "客户代码", "customer code"), parse_text(32), gettext_lazy("customer code")
        ),
        _col(
            "name",
            ("名称", "客户名称", "单位名称", "企业名称", "name"),
            parse_text(120),
            gettext_lazy("name"),
            required=True,
        ),
        _col("short_name", ("简称", "客户简称", "short name"), parse_text(60), gettext_lazy("short name")),
        _col(
            "customer_type",
            ("客户类型", "类型", "customer type"),
            parse_choice(CustomerType),
            gettext_lazy("customer type"),
        ),
        _col("status", ("状态", "客户状态", "status"), parse_choice(CustomerStatus), gettext_lazy("status")),
        _col("province", ("省份", "省", "province"), parse_text(30), gettext_lazy("province")),
        _col("city", ("城市", "市", "city"), parse_text(30), gettext_lazy("city")),
        _col("district", ("区县", "区", "县", "district"), parse_text(30), gettext_lazy("district")),
        _col(
            "registered_address",
            ("注册地址", "地址", "registered address"),
            parse_text(200),
            gettext_lazy("registered address"),
        ),
        _col(
            "delivery_address",
            ("收货地址", "送货地址", "经营地址", "delivery address"),
            parse_text(200),
            gettext_lazy("delivery address"),
        ),
        _col("phone", ("电话", "联系电话", "固定电话", "phone"), parse_phone, gettext_lazy("phone")),
        _col(
            "credit_code",
            ("统一社会信用代码", "信用代码", "unified social credit code"),
            parse_credit_code,
            gettext_lazy("unified social credit code"),
        ),
        _col("industry", ("行业", "所属行业", "industry"), parse_text(60), gettext_lazy("industry")),
        _col(
            "business_format",
            ("业态", "business format"),
            parse_choice(BusinessFormat),
            gettext_lazy("business format"),
        ),
        _col("retail_grade", ("档位", "retail grade"), parse_grade, gettext_lazy("retail grade")),
        _col(
            "annual_value",
            ("与我方年交易额（元）", "年交易额", "annual value with us (yuan)"),
            parse_decimal(places=2, minimum=0),
            gettext_lazy("annual value with us (yuan)"),
        ),
        _col(
            "cooperation_since",
            ("合作起始时间", "合作时间", "cooperating since"),
            parse_day,
            gettext_lazy("cooperating since"),
        ),
        _col("owner", ("负责人", "客户经理", "业务员", "owner"), parse_text(150), gettext_lazy("owner")),
        _col("unit", ("负责部门", "responsible unit"), parse_text(100), gettext_lazy("responsible unit")),
        _col(
            "contact_name",
            ("联系人", "联系人姓名", "contact"),
            parse_text(60),
            gettext_lazy("contact"),
        ),
        _col(
            "contact_title",
            ("联系人职务", "职务", "contact title"),
            parse_text(60),
            gettext_lazy("contact title"),
        ),
        _col(
            "contact_mobile",
            ("联系人手机", "手机", "contact mobile"),
            parse_phone,
            gettext_lazy("contact mobile"),
        ),
        _col(
            "on_duplicate",
            ("重复处理", "on duplicate"),
            parse_on_duplicate,
            gettext_lazy("on duplicate"),
        ),
    )

    def _column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        """Further rows of one customer bring contacts; what they say of the customer must agree."""
        for key in FIELDS:
            if row[key] is not None and first[key] is not None and row[key] != first[key]:
                report.add(
                    row,
                    self._column(key),
                    _("Differs from row %(r)s of the same customer.") % {"r": first.number},
                    "inconsistent_document",
                )

    # --- sorting: new, unchanged, merged or refused -----------------------------------------

    def sort_documents(self, documents, fingerprints, report, outcome, batch):
        options = (batch.options if batch is not None else None) or {}
        default_mode = options.get("on_duplicate") or "refuse"
        by = batch.created_by if batch is not None else None
        self._duplicates_in_file(documents, report)
        matches = self._matches(documents)
        # Only new customers need an owner: a merge keeps the stored one (the export names it too).
        unmatched = {name: lines for name, lines in documents.items() if name not in matches}
        owners = self._owners(unmatched, report, by, options.get("owner"))
        stored_contacts = _stored_contacts([pk for pk, _reason in matches.values()])
        customers = Customer.objects.in_bulk([pk for pk, _reason in matches.values()])
        new = {}
        for name, lines in documents.items():
            first = lines[0]
            if not all(r.ok for r in lines):
                continue
            contacts = _contacts(lines)
            match = matches.get(name)
            if match is None:
                first.values["_owner"] = owners.get(name)
                first.values["_contacts"] = contacts
                new[name] = lines
                continue
            existing = customers[match[0]]
            changes = {
                key: first[key]
                for key in MERGED_FIELDS
                if first[key] is not None and getattr(existing, key) != first[key]
            }
            known = stored_contacts.get(existing.pk, set())
            added = [c for c in contacts if _contact_key(c) not in known]
            if not changes and not added:
                outcome.documents_unchanged += 1
                continue
            mode = next((r["on_duplicate"] for r in lines if r["on_duplicate"]), default_mode)
            if mode == "skip":
                outcome.documents_unchanged += 1
            elif mode == "merge":
                first.values["_existing"] = existing
                first.values["_changes"] = changes
                first.values["_contacts"] = added
                new[name] = lines
            else:
                report.add(
                    first,
                    self._column("name"),
                    _(
                        "Duplicates customer %(code)s “%(name)s” in the archive (same %(reason)s); "
                        "write 合并 or 跳过 in the 重复处理 column, or choose it for the whole file."
                    )
                    % {"code": existing.code, "name": existing.name, "reason": _reason_label(match[1])},
                    "duplicate",
                )
        return new

    def _owners(self, documents, report, by, default_owner_id) -> dict[str, int]:
        """Each new customer's owner: the 负责人 column (user name or display name), else the default."""
        from baifang.customers.predicates import assignable_people
        from baifang.org.models import User

        people = assignable_people(by) if by is not None else User.objects.filter(is_active=True)
        wanted = {r["owner"] for lines in documents.values() for r in lines[:1] if r["owner"]}
        found: dict[str, list[tuple[int, int | None]]] = {}
        for text in _chunks(wanted):
            for pk, username, display, unit in people.filter(
                Q(username__in=text) | Q(display_name__in=text)
            ).values_list("pk", "username", "display_name", "unit_id"):
                for key in {username, display} & set(text):
                    found.setdefault(key, []).append((pk, unit))
        default = None
        if default_owner_id:
            default = people.filter(pk=default_owner_id).values_list("pk", "unit_id").first()
        elif by is not None:
            default = (by.pk, by.unit_id)
        owners = {}
        column = self._column("owner")
        for name, lines in documents.items():
            first = lines[0]
            text = first["owner"]
            if text:
                candidates = found.get(text, [])
                if len(candidates) != 1:
                    message = (
                        _("“%(o)s” names more than one person; write the user name.")
                        if candidates
                        else _("“%(o)s” is no active user you may make owner.")
                    )
                    report.add(first, column, message % {"o": text}, "unknown_owner")
                    continue
                chosen = candidates[0]
            elif default is not None:
                chosen = default
            else:
                report.add(first, column, _("Name the owner (or choose one for the file)."), "required")
                continue
            if chosen[1] is None:
                report.add(first, column, _("The owner belongs to no unit."), "owner_without_unit")
                continue
            owners[name] = chosen
        return owners

    def _duplicates_in_file(self, documents, report) -> None:
        seen: dict[tuple[str, str], int] = {}
        column = self._column("name")
        for lines in documents.values():
            first = lines[0]
            keys = [("name", normalize_name(first["name"]))]
            keys += [(k, first[k]) for k in ("code", "credit_code", "phone") if first[k]]
            for key in keys:
                if key in seen and seen[key] != first.number:
                    report.add(
                        first,
                        column,
                        _("The same customer as row %(r)s (same %(reason)s).")
                        % {"r": seen[key], "reason": _reason_label(key[0])},
                        "duplicate_in_file",
                    )
                    break
            for key in keys:
                seen.setdefault(key, first.number)

    def _matches(self, documents) -> dict[str, tuple[int, str]]:
        """The stored customer each document duplicates, and by what (code, credit code, name, phone)."""
        firsts = {name: lines[0] for name, lines in documents.items()}
        found: dict[str, dict[str, int]] = {}
        lookups = (
            ("code", "code", lambda r: r["code"]),
            ("credit_code", "credit_code", lambda r: r["credit_code"]),
            ("name", "normalized_name", lambda r: normalize_name(r["name"])),
            ("phone", "phone", lambda r: r["phone"]),
        )
        for reason, field, value in lookups:
            values = {value(r) for r in firsts.values() if value(r)}
            found[reason] = {}
            for chunk in _chunks(values):
                for key, pk, merged_into in Customer.objects.filter(**{f"{field}__in": chunk}).values_list(
                    field, "pk", "merged_into_id"
                ):
                    found[reason].setdefault(key, merged_into or pk)  # a merged record: its survivor
        matches = {}
        for name, row in firsts.items():
            for reason, _field, value in lookups:
                key = value(row)
                if key and key in found[reason]:
                    matches[name] = (found[reason][key], reason)
                    break
        return matches

    # --- writing ------------------------------------------------------------------------------

    def write(self, documents, fingerprints, batch) -> int:
        today = timezone.localdate()
        by = batch.created_by if batch is not None else None
        created, merged, contacts = [], [], []
        for lines in documents.values():
            first = lines[0]
            if "_existing" in first.values:
                customer = first["_existing"]
                for key, value in first["_changes"].items():
                    setattr(customer, key, value)
                if first["_changes"]:
                    customer.save()
                merged.append(customer)
                has_primary = True
            else:
                owner, unit = first["_owner"]
                values = {k: first[k] for k in FIELDS if first[k] is not None}
                values.setdefault("customer_type", CustomerType.OTHER)
                customer = Customer(
                    **values,
                    normalized_name=normalize_name(first["name"]),
                    owner_id=owner,
                    unit_id=unit,
                    created_by=by,
                    first_contact_on=today,
                )
                apply_region(customer)  # codes for the region as typed, where it names a real place
                created.append(customer)
                has_primary = False
            for i, contact in enumerate(first["_contacts"]):
                contacts.append(
                    (
                        customer,
                        Contact(
                            name=contact[0],
                            title=contact[1] or "",
                            mobile=contact[2] or "",
                            is_primary=not has_primary and i == 0,
                        ),
                    )
                )
        without_code = [c for c in created if not c.code]
        for customer in without_code:  # the code is unique: a placeholder until the id is known
            customer.code = "~" + uuid.uuid4().hex[:31]
        Customer.objects.bulk_create(created, batch_size=CHUNK)
        # One UPDATE per chunk, as Customer.save() names them (bulk_update's CASE is quadratic).
        code = Concat(Value("KH"), LPad(Cast("pk", CharField()), 7, Value("0")))
        for chunk in _chunks([c.pk for c in without_code]):
            Customer.objects.filter(pk__in=chunk).update(code=code)
        for customer in without_code:
            customer.code = f"KH{customer.pk:07d}"
        Customer.history.bulk_history_create(created, batch_size=CHUNK, default_user=by)
        for customer, contact in contacts:
            contact.customer_id = customer.pk
        Contact.objects.bulk_create([c for _customer, c in contacts], batch_size=CHUNK)
        audit.record(
            AuditAction.IMPORT,
            user=by,
            object_type="core.importbatch",
            object_id=str(batch.pk) if batch is not None else "",
            message=f"{len(created)} customers created, {len(merged)} merged, {len(contacts)} contacts added",
        )
        return sum(len(lines) for lines in documents.values())


def _reason_label(reason: str) -> str:
    return {
        "code": _("customer code"),
        "credit_code": _("unified social credit code"),
        "name": _("name"),
        "phone": _("phone"),
    }[reason]


def _contacts(lines: list[Row]) -> list[tuple[str, str, str]]:
    """The distinct contacts of a customer's rows: (name, title, mobile)."""
    seen, contacts = set(), []
    for row in lines:
        if row["contact_name"]:
            contact = (row["contact_name"], row["contact_title"], row["contact_mobile"])
            if _contact_key(contact) not in seen:
                seen.add(_contact_key(contact))
                contacts.append(contact)
    return contacts


def _contact_key(contact: tuple) -> tuple[str, str]:
    return (normalize_name(contact[0]), contact[2] or "")


def _stored_contacts(customer_ids: list[int]) -> dict[int, set]:
    stored: dict[int, set] = {}
    for chunk in _chunks(customer_ids):
        for customer, name, mobile in Contact.objects.filter(customer_id__in=chunk).values_list(
            "customer_id", "name", "mobile"
        ):
            stored.setdefault(customer, set()).add(_contact_key((name, "", mobile)))
    return stored


def _chunks(values):
    values = sorted(set(values))
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]
