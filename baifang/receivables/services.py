"""Receivables rules: ageing per customer and for the company, credit terms, due-date reminders (R-AR-1)."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import Notification
from baifang.customers.models import Customer
from baifang.receivables import ageing_sql, engine
from baifang.receivables.choices import CreditStatus
from baifang.receivables.models import AgeingPolicy, CreditTerms, Invoice, Payment
from baifang.receivables.querysets import sees_all_receivables

REMINDER_KIND = "receivables.payment_due"


# --- ageing -----------------------------------------------------------------------------------


def _ageing_by_customer(customer_ids, today: dt.date, policy: AgeingPolicy) -> dict[int, engine.Ageing]:
    """Two queries for any number of customers: their invoices and payments up to ``today``."""
    invoices: dict[int, list] = defaultdict(list)
    payments: dict[int, list] = defaultdict(list)
    invoice_rows = Invoice.objects.filter(invoiced_on__lte=today)
    payment_rows = Payment.objects.filter(paid_on__lte=today)
    if customer_ids is not None:
        invoice_rows = invoice_rows.filter(customer__in=customer_ids)
        payment_rows = payment_rows.filter(customer__in=customer_ids)
    for pk, customer, day, due, amount, new in invoice_rows.values_list(
        "pk", "customer_id", "invoiced_on", "due_on", "amount", "new_products"
    ):
        invoices[customer].append(engine.OpenItem(pk, day, amount, due_on=due, excepted=new))
    for customer, amount, invoice in payment_rows.values_list("customer_id", "amount", "invoice_id"):
        payments[customer].append(engine.PaidItem(amount, invoice))
    return {
        customer: engine.age(
            invoices.get(customer, ()),
            payments.get(customer, ()),
            today,
            target_days=policy.target_days,
            except_new=policy.except_new_products,
        )
        for customer in set(invoices) | set(payments)
    }


def overdue_days(customers, today: dt.date) -> dict[int, int]:
    """The tier fact 逾期天数 (R-TIER-2): per customer with invoices, the most days any open invoice is
    past its due date (0: nothing overdue); registered with commerce's fact hook in ``ready()``."""
    ageing = _ageing_by_customer(customers.values("pk"), today, AgeingPolicy.current())
    return {customer: a.max_days_overdue for customer, a in ageing.items()}


def customer_ageing(customer, today: dt.date | None = None) -> engine.Ageing:
    today = today or timezone.localdate()
    return _ageing_by_customer([customer.pk], today, AgeingPolicy.current()).get(customer.pk, engine.Ageing())


def current_terms(customer) -> CreditTerms | None:
    """The credit terms in force: the newest approved ones."""
    return (
        CreditTerms.objects.filter(customer=customer, status=CreditStatus.APPROVED)
        .order_by("-decided_at", "-pk")
        .first()
    )


def credit_limit_of(customer) -> Decimal | None:
    terms = current_terms(customer)
    if terms is not None:
        return terms.credit_limit
    return customer.credit_limit


@dataclass
class CreditCheck:
    """A customer's outstanding amount against its limit: what the customer page and a 收款 plan item show."""

    ageing: engine.Ageing
    limit: Decimal | None
    terms: CreditTerms | None

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.ageing.outstanding > self.limit

    @property
    def excess(self) -> Decimal:
        return max(self.ageing.outstanding - self.limit, Decimal(0)) if self.limit is not None else Decimal(0)


def credit_check(customer, today: dt.date | None = None) -> CreditCheck:
    terms = current_terms(customer)
    limit = terms.credit_limit if terms is not None else customer.credit_limit
    return CreditCheck(ageing=customer_ageing(customer, today), limit=limit, terms=terms)


def credit_checks(customer_ids, today: dt.date | None = None) -> dict[int, CreditCheck]:
    """The check for many customers at once (a day's plan items): a fixed number of queries."""
    today = today or timezone.localdate()
    ids = list(customer_ids)
    ageings = _ageing_by_customer(ids, today, AgeingPolicy.current())
    terms = {}
    for row in CreditTerms.objects.filter(customer__in=ids, status=CreditStatus.APPROVED).order_by(
        "decided_at", "pk"
    ):
        terms[row.customer_id] = row  # the newest wins
    limits = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "credit_limit"))
    return {
        pk: CreditCheck(
            ageing=ageings.get(pk, engine.Ageing()),
            limit=terms[pk].credit_limit if pk in terms else limits.get(pk),
            terms=terms.get(pk),
        )
        for pk in ids
    }


@dataclass
class AgeingRow:
    customer: Customer
    ageing: engine.Ageing
    limit: Decimal | None

    @property
    def exceeded(self) -> bool:
        return self.limit is not None and self.ageing.outstanding > self.limit

    # The buckets by name, for the API.
    days_0_30 = property(lambda self: self.ageing.buckets[0])
    days_31_60 = property(lambda self: self.ageing.buckets[1])
    days_61_90 = property(lambda self: self.ageing.buckets[2])
    days_over_90 = property(lambda self: self.ageing.buckets[3])


@dataclass
class AgeingReport:
    rows: list[AgeingRow]
    totals: tuple[Decimal, Decimal, Decimal, Decimal]
    outstanding: Decimal
    over_target: Decimal
    today: dt.date
    target_days: int

    @property
    def labels(self):
        return engine.BUCKET_LABELS


def ageing_report(user, today: dt.date | None = None, *, only_over_target: bool = False) -> AgeingReport:
    """Every customer the user may see receivables of with something outstanding, worst first.

    Finance staff see the whole company (``querysets.sees_all_receivables``); others their visible
    customers. Three queries whatever the number of customers (the ageing, customers, credit terms).
    """
    today = today or timezone.localdate()
    policy = AgeingPolicy.current()
    # One statement, computed by the database (ageing_sql: the engine's answer without its loop).
    if sees_all_receivables(user):
        ageings = ageing_sql.ageing_of(None, today, policy)
    else:
        try:
            scope = Invoice.objects.visible_to(user).values("customer_id").query.sql_with_params()
        except EmptyResultSet:  # nobody signed in, or no customer visible
            scope = None
        ageings = ageing_sql.ageing_of(scope, today, policy) if scope is not None else {}
    customers = Customer.objects.select_related("owner").in_bulk(
        [pk for pk, a in ageings.items() if a.has_debt]
    )
    terms = {}
    for _pk, customer_id, limit in (
        CreditTerms.objects.filter(customer__in=list(customers), status=CreditStatus.APPROVED)
        .order_by("decided_at", "pk")
        .values_list("pk", "customer_id", "credit_limit")
    ):
        terms[customer_id] = limit
    rows = [
        AgeingRow(customer, ageings[pk], terms.get(pk, customer.credit_limit))
        for pk, customer in customers.items()
    ]
    if only_over_target:
        rows = [r for r in rows if r.ageing.over_target > 0]
    rows.sort(key=lambda r: (-r.ageing.buckets[3], -r.ageing.outstanding, r.customer.code))
    totals = tuple(sum((r.ageing.buckets[i] for r in rows), Decimal(0)) for i in range(4))
    return AgeingReport(
        rows=rows,
        totals=totals,
        outstanding=sum(totals, Decimal(0)),
        over_target=sum((r.ageing.over_target for r in rows), Decimal(0)),
        today=today,
        target_days=policy.target_days,
    )


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula
    return value


def ageing_xlsx(report: AgeingReport) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Receivables ageing")
    header = [
        _("Customer code"),
        _("Customer"),
        _("Owner"),
        *[_("%(b)s days") % {"b": label} for label in engine.BUCKET_LABELS],
        _("Outstanding"),
        _("Over target"),
        _("Credit limit"),
        _("Limit exceeded"),
    ]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
    for row in report.rows:
        sheet.append(
            [
                _cell(row.customer.code),
                _cell(row.customer.name),
                _cell(str(row.customer.owner) if row.customer.owner_id else ""),
                *[_cell(b) for b in row.ageing.buckets],
                _cell(row.ageing.outstanding),
                _cell(row.ageing.over_target),
                _cell(row.limit) if row.limit is not None else "",
                _("Yes") if row.exceeded else "",
            ]
        )
    sheet.append(
        [
            "",
            _("Total"),
            "",
            *[_cell(t) for t in report.totals],
            _cell(report.outstanding),
            _cell(report.over_target),
        ]
    )
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["B"].width = 28
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def panel_context(customer, today: dt.date | None = None) -> dict:
    """The customer page's receivables panel: ageing, limit, terms in force and the open proposal."""
    check = credit_check(customer, today)
    return {
        "receivables": check,
        "ageing_labels": engine.BUCKET_LABELS,
        "ageing_cells": list(zip(engine.BUCKET_LABELS, check.ageing.buckets, strict=True)),
        "open_terms": CreditTerms.objects.open()
        .filter(customer=customer)
        .select_related("proposed_by")
        .first(),
    }


# --- credit terms -----------------------------------------------------------------------------


@transaction.atomic
def propose_terms(customer, *, credit_limit: Decimal, term_days: int, reason: str, by) -> CreditTerms:
    """A new proposal (market or finance staff); one open proposal per customer (double submits refused)."""
    if CreditTerms.objects.open().filter(customer=customer).select_for_update().exists():
        raise InvalidTransition(
            _("This customer already has credit terms waiting for a decision."), code="open_proposal"
        )
    terms = CreditTerms(
        customer=customer, credit_limit=credit_limit, term_days=term_days, reason=reason, proposed_by=by
    )
    terms.workflow.check(terms, "propose", by=by)  # the right person before anything is written
    try:
        with transaction.atomic():
            terms.save()  # two proposals at once: the partial unique constraint lets one through
    except IntegrityError:
        raise InvalidTransition(
            _("This customer already has credit terms waiting for a decision."), code="open_proposal"
        ) from None
    terms.propose(by=by, comment=reason)
    return terms


@transaction.atomic
def act_on_terms(terms_pk: int, transition: str, *, by, comment: str = "") -> CreditTerms:
    """Countersign, approve or reject a proposal (the row locked); approval writes the archive's fields."""
    terms = CreditTerms.objects.select_for_update().select_related("proposed_by").get(pk=terms_pk)
    if transition == "countersign":
        terms.countersign(by=by, comment=comment)
    elif transition == "approve":
        terms.approve(by=by, comment=comment, at=timezone.now())
        Customer.objects.filter(pk=terms.customer_id).update(
            credit_limit=terms.credit_limit, credit_term_days=terms.term_days
        )
    elif transition == "reject":
        terms.reject(by=by, comment=comment, at=timezone.now())
    else:
        raise ValueError(transition)
    return terms


# --- due-date reminders (seed 004) ------------------------------------------------------------


def due_reminders(today: dt.date | None = None) -> int:
    """Tell each owner of the invoices still open and due within the next N days (3 by default).

    Idempotent: one notification per invoice and owner ever (the dedup key names the invoice), so the
    daily task may run twice, or a day late, and tells nobody twice.
    """
    today = today or timezone.localdate()
    policy = AgeingPolicy.current()
    horizon = today + dt.timedelta(days=policy.remind_days_before)
    due = list(
        Invoice.objects.filter(due_on__gte=today, due_on__lte=horizon, customer__owner__isnull=False)
        .select_related("customer__owner")
        .order_by("due_on", "pk")
    )
    if not due:
        return 0
    ageings = _ageing_by_customer({i.customer_id for i in due}, today, policy)
    rows = []
    for invoice in due:
        open_amount = ageings.get(invoice.customer_id, engine.Ageing()).open_by_invoice.get(invoice.pk)
        if not open_amount:
            continue
        message = Notification.objects.compose(
            invoice.customer.owner,
            REMINDER_KIND,
            invoice,
            text=_("%(customer)s: invoice %(number)s, %(amount)s yuan still owed, is due on %(day)s.")
            % {
                "customer": invoice.customer.name,
                "number": invoice.number,
                "amount": open_amount,
                "day": invoice.due_on.isoformat(),
            },
            dedup_key=f"receivables.due:{invoice.pk}",
        )
        if message is not None:
            rows.append(message)
    return Notification.objects.send_many(rows)


# --- plan items with the purpose 收款 (plans, one floor up, asks) ------------------------------------

COLLECT_PURPOSE = "collect"  # the code of the plan purpose 收款 (plans' default purposes)


def flag_collection_items(items, today: dt.date | None = None) -> list:
    """Mark each plan item whose purpose is 收款 with ``credit_check`` (its customer's limit vs. what it
    owes): the rep sees an exceeded limit before going to collect. Other items get None. A fixed
    number of queries for any number of items."""
    items = list(items)
    collect = [i for i in items if i.purpose_id and i.purpose.code == COLLECT_PURPOSE]
    checks = credit_checks({i.customer_id for i in collect}, today) if collect else {}
    for item in items:
        item.credit_check = checks.get(item.customer_id) if item in collect else None
    return items
