"""Receivables pages: invoices, payments, the company ageing report (and its Excel), credit terms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baifang.core import audit
from baifang.core.choices import AuditAction
from baifang.customers.models import Customer
from baifang.receivables import services
from baifang.receivables.filtersets import CreditTermsFilterSet, InvoiceFilterSet, PaymentFilterSet
from baifang.receivables.forms import CreditActionForm, CreditProposalForm
from baifang.receivables.models import CreditTerms, Invoice, Payment, may_propose

PAGE_SIZE = 50


def _page(request, filterset):
    paginator = Paginator(filterset.qs if filterset.is_valid() else filterset.queryset.none(), PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _list(request, template, filterset):
    return render(
        request,
        template,
        {"filter": filterset, "page": _page(request, filterset), "query": _query_without_page(request)},
    )


@login_required
def invoice_list(request):
    base = Invoice.objects.visible_to(request.user).with_list_data()
    return _list(
        request,
        "receivables/invoice_list.html",
        InvoiceFilterSet(request.GET, queryset=base, request=request),
    )


@login_required
def invoice_detail(request, pk):
    invoice = get_object_or_404(Invoice.objects.visible_to(request.user).with_list_data(), pk=pk)
    ageing = services.customer_ageing(invoice.customer)
    return render(
        request,
        "receivables/invoice_detail.html",
        {
            "invoice": invoice,
            "open_amount": ageing.open_by_invoice.get(invoice.pk, 0),
            "payments": invoice.payments.order_by("paid_on", "pk"),
        },
    )


@login_required
def payment_list(request):
    base = Payment.objects.visible_to(request.user).with_list_data()
    return _list(
        request,
        "receivables/payment_list.html",
        PaymentFilterSet(request.GET, queryset=base, request=request),
    )


@login_required
def ageing(request):
    """Who owes what for how long: the visible customers (finance: the whole company), worst first."""
    only_over = request.GET.get("over") == "1"
    report = services.ageing_report(
        request.user, only_over_target=only_over, page=request.GET.get("page"), per_page=PAGE_SIZE
    )
    return render(
        request,
        "receivables/ageing.html",
        {
            "report": report,
            "page": report.page,
            "only_over": only_over,
            "query": "over=1" if only_over else "",
        },
    )


@login_required
def ageing_export(request):
    content, count = services.ageing_xlsx(request.user, only_over_target=request.GET.get("over") == "1")
    audit.record(
        AuditAction.EXPORT,
        user=request.user,
        object_type="receivables.ageing",
        message=f"{count} customers' ageing exported",
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ageing-{stamp}.xlsx"'
    return response


@login_required
def credit_list(request):
    base = CreditTerms.objects.visible_to(request.user).with_list_data()
    return _list(
        request,
        "receivables/credit_list.html",
        CreditTermsFilterSet(request.GET, queryset=base, request=request),
    )


@login_required
def credit_detail(request, pk):
    terms = get_object_or_404(CreditTerms.objects.visible_to(request.user).with_list_data(), pk=pk)
    return render(
        request,
        "receivables/credit_detail.html",
        {
            "terms": terms,
            "steps": terms.status_changes.select_related("changed_by"),
            "actions": terms.workflow.available(terms, request.user),
            "form": CreditActionForm(),
        },
    )


@login_required
@require_POST
def credit_act(request, pk):
    terms = get_object_or_404(CreditTerms.objects.visible_to(request.user), pk=pk)
    form = CreditActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action."))
        return redirect(terms)
    try:
        services.act_on_terms(
            terms.pk, form.cleaned_data["transition"], by=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(terms)


@login_required
def credit_propose(request, customer_pk):
    customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=customer_pk)
    if not may_propose(request.user):
        raise PermissionDenied(_("Only market or finance staff may propose credit terms."))
    form = CreditProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            terms = services.propose_terms(customer, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(request, _("Proposed; the other side of market + finance countersigns next."))
            return redirect(terms)
    return render(request, "receivables/credit_propose.html", {"customer": customer, "form": form})
