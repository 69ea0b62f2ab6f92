"""Receivables rules: ageing per customer and for the company, credit terms, due-date reminders (R-AR-1)."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import DecimalField, Exists, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from baifang.core.exceptions import InvalidTransition
from baifang.core.models import Notification
from baifang.customers.models import Customer
from baifang.org.models import User
from baifang.receivables import ageing_sql, engine
from baifang.receivables.choices import CreditStatus
from baifang.receivables.models import AgeingPolicy, CreditTerms, Invoice, Payment

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
    """The tier fact 逾期天数 (R-TIER-2): per customer with invoices or payments, the most days any
    open invoice is past its due date (0: nothing overdue); registered with commerce's fact hook in
    ``ready()``. One statement: the kept open amounts (the partial index), not every invoice."""
    documents = Exists(Invoice.objects.filter(customer=OuterRef("pk"), invoiced_on__lte=today)) | Exists(
        Payment.objects.filter(customer=OuterRef("pk"), paid_on__lte=today)
    )
    oldest_due = (
        Invoice.objects.filter(
            customer=OuterRef("pk"), open_amount__gt=0, invoiced_on__lte=today, due_on__lt=today
        )
        .order_by("due_on")
        .values("due_on")[:1]
    )
    rows = (
        customers.order_by()
        .annotate(_oldest_due=Subquery(oldest_due))
        .filter(documents)
        .values_list("pk", "_oldest_due")
    )
    return {pk: (today - due).days if due is not None else 0 for pk, due in rows}


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


BUCKETS = ("b0", "b1", "b2", "b3")


def ageing_rows(user, today: dt.date, policy: AgeingPolicy, *, only_over_target: bool = False, extra=()):
    """Per customer the user may see receivables of, what is open by bucket: one grouped query over
    the open invoices only (kept ``open_amount``, partial index), worst first.

    Each row is a dict: ``customer_id``, ``b0``…``b3``, ``outstanding``, ``over_target``, ``overdue``,
    ``oldest`` (invoice date), ``oldest_due`` (due date of the oldest overdue one), and ``extra`` values.
    The bounds are dates: "≤ 30 days old" is "invoiced on or after today − 30" (``engine.bucket_of``).
    """
    b30, b60, b90 = (today - dt.timedelta(days=n) for n in engine.BUCKET_LIMITS)
    over = Q(invoiced_on__lt=today - dt.timedelta(days=policy.target_days))
    if policy.except_new_products:
        over &= Q(new_products=False)

    def total(condition=None):
        return Coalesce(Sum("open_amount", filter=condition), Decimal(0), output_field=MONEY_FIELD)

    rows = (
        Invoice.objects.visible_to(user)
        .filter(open_amount__gt=0, invoiced_on__lte=today)
        .values("customer_id", *extra)
        .annotate(
            b0=total(Q(invoiced_on__gte=b30)),
            b1=total(Q(invoiced_on__lt=b30, invoiced_on__gte=b60)),
            b2=total(Q(invoiced_on__lt=b60, invoiced_on__gte=b90)),
            b3=total(Q(invoiced_on__lt=b90)),
            outstanding=total(),
            over_target=total(over),
            overdue=total(Q(due_on__lt=today)),
            oldest=Min("invoiced_on"),
            oldest_due=Min("due_on", filter=Q(due_on__lt=today)),
        )
    )
    if only_over_target:
        rows = rows.filter(over_target__gt=0)
    return rows.order_by("-b3", "-outstanding", "customer_id")


MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


def _money(value) -> Decimal:
    return ageing_sql._money(value)  # SQLite sums as floats: exact after rounding to cents


def _ageing_of_row(row: dict, today: dt.date) -> engine.Ageing:
    buckets = tuple(_money(row[b]) for b in BUCKETS)
    oldest_due = row["oldest_due"]
    return engine.Ageing(
        buckets=buckets,
        outstanding=_money(row["outstanding"]),
        over_target=_money(row["over_target"]),
        overdue=_money(row["overdue"]),
        oldest_days=(today - row["oldest"]).days,
        max_days_overdue=(today - oldest_due).days if oldest_due is not None else 0,
    )


def approved_limits(customer_ids=None) -> dict[int, Decimal]:
    """The credit limit of the newest approved terms per customer (one query)."""
    rows = CreditTerms.objects.filter(status=CreditStatus.APPROVED)
    if customer_ids is not None:
        rows = rows.filter(customer__in=list(customer_ids))
    limits = {}
    for customer_id, limit in rows.order_by("decided_at", "pk").values_list("customer_id", "credit_limit"):
        limits[customer_id] = limit  # the newest wins
    return limits


def ageing_page_rows(rows, today: dt.date) -> list[AgeingRow]:
    """A page of ``ageing_rows`` as ``AgeingRow``s: two queries (the customers, their terms)."""
    rows = list(rows)
    ids = [r["customer_id"] for r in rows]
    customers = Customer.objects.select_related("owner").in_bulk(ids)
    limits = approved_limits(ids)
    return [
        AgeingRow(
            customers[r["customer_id"]],
            _ageing_of_row(r, today),
            limits.get(r["customer_id"], customers[r["customer_id"]].credit_limit),
        )
        for r in rows
    ]


@dataclass
class AgeingReport:
    page: Page  # its object_list: the page's AgeingRows
    count: int  # customers in the report (every page)
    totals: tuple[Decimal, Decimal, Decimal, Decimal]
    outstanding: Decimal
    over_target: Decimal
    today: dt.date
    target_days: int

    @property
    def rows(self) -> list[AgeingRow]:
        return self.page.object_list

    @property
    def labels(self):
        return engine.BUCKET_LABELS


PAGE_SIZE = 50


def ageing_report(
    user,
    today: dt.date | None = None,
    *,
    only_over_target: bool = False,
    page: int | str | None = 1,
    per_page: int = PAGE_SIZE,
) -> AgeingReport:
    """One page of the customers the user may see receivables of with something outstanding, worst
    first, and the report's totals over every page.

    Finance staff see the whole company (``querysets.sees_all_receivables``); others their visible
    customers. One pass over the open invoices gives the page *and* the count and totals (window
    functions over the grouped rows); then the page's customers and their terms. A page past the
    last one shows the last (one more pass).
    """
    today = today or timezone.localdate()
    policy = AgeingPolicy.current()
    rows = ageing_rows(user, today, policy, only_over_target=only_over_target)
    try:
        number = max(int(page or 1), 1)
    except (TypeError, ValueError):
        number = 1
    found, summary = _page_with_totals(rows, number, per_page)
    if not found and number > 1:  # past the end: the last page, as Paginator.get_page does
        count = rows.order_by().count()
        number = max(1, -(-count // per_page))
        found, summary = _page_with_totals(rows, number, per_page)
    paginator = Paginator([], per_page)
    paginator.count = summary["count"]  # known from the window: no second pass
    shown = Page(ageing_page_rows(found, today), number, paginator)
    totals = tuple(summary[f"t{i}"] for i in range(4))
    return AgeingReport(
        page=shown,
        count=summary["count"],
        totals=totals,
        outstanding=sum(totals, Decimal(0)),
        over_target=summary["over"],
        today=today,
        target_days=policy.target_days,
    )


def _page_with_totals(rows, number: int, per_page: int) -> tuple[list[dict], dict]:
    """The page's grouped rows, and the count and totals over all of them, in one statement."""
    sql, params = rows.order_by().query.sql_with_params()
    totals = ", ".join(f"SUM(g.{b}) OVER ()" for b in (*BUCKETS, "over_target"))
    statement = (
        f"SELECT g.*, COUNT(*) OVER (), {totals} FROM ({sql}) g "  # noqa: S608 (Django's own SQL)
        "ORDER BY g.b3 DESC, g.outstanding DESC, g.customer_id LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, per_page, (number - 1) * per_page])
        names = [c[0] for c in cursor.description]
        fetched = cursor.fetchall()
    width = len(names) - 6
    found = []
    for values in fetched:
        row = dict(zip(names[:width], values[:width], strict=True))
        for key in (*BUCKETS, "outstanding", "over_target", "overdue"):
            row[key] = _money(row[key])
        row["oldest"], row["oldest_due"] = (
            ageing_sql._date(row["oldest"]),
            ageing_sql._date(row["oldest_due"]),
        )
        found.append(row)
    if not fetched:
        return [], {
            "count": 0,
            "t0": _money(0),
            "t1": _money(0),
            "t2": _money(0),
            "t3": _money(0),
            "over": _money(0),
        }
    tail = fetched[0][width:]
    return found, {
        "count": tail[0],
        **{f"t{i}": _money(tail[1 + i]) for i in range(4)},
        "over": _money(tail[5]),
    }


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # never a formula
    return value


EXPORT_VALUES = ("customer__code", "customer__name", "customer__credit_limit", "customer__owner_id")


def ageing_xlsx(user, today: dt.date | None = None, *, only_over_target: bool = False) -> tuple[bytes, int]:
    """Every row of the report (not one page) as a write-only workbook, read in chunks from the
    grouped query: a fixed number of queries, memory per chunk. Returns the file and its row count."""
    today = today or timezone.localdate()
    policy = AgeingPolicy.current()
    rows = ageing_rows(user, today, policy, only_over_target=only_over_target, extra=EXPORT_VALUES)
    limits = approved_limits()
    owners = {u.pk: str(u) for u in User.objects.filter(pk__in=Customer.objects.values("owner_id"))}
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Receivables ageing"))
    sheet.column_dimensions["B"].width = 28
    sheet.freeze_panes = "A2"
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
    cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="EEF2F7")
        cells.append(cell)
    sheet.append(cells)
    totals = [Decimal(0)] * 4
    over_total = Decimal(0)
    count = 0
    for row in rows.iterator(chunk_size=2000):
        ageing = _ageing_of_row(row, today)
        limit = limits.get(row["customer_id"], row["customer__credit_limit"])
        sheet.append(
            [
                _cell(row["customer__code"]),
                _cell(row["customer__name"]),
                _cell(owners.get(row["customer__owner_id"], "")),
                *[_cell(b) for b in ageing.buckets],
                _cell(ageing.outstanding),
                _cell(ageing.over_target),
                _cell(limit) if limit is not None else "",
                _("Yes") if limit is not None and ageing.outstanding > limit else "",
            ]
        )
        totals = [t + b for t, b in zip(totals, ageing.buckets, strict=True)]
        over_total += ageing.over_target
        count += 1
    sheet.append(["", _("Total"), "", *[_cell(t) for t in totals], _cell(sum(totals)), _cell(over_total)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), count


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
