"""Commerce pages: orders, deliveries, products (read-only; the ERP is the source), import batches."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from baifang.commerce.choices import ServiceKind
from baifang.commerce.filtersets import (
    DeliveryFilterSet,
    OrderFilterSet,
    ProductFilterSet,
    ServiceJobFilterSet,
)
from baifang.commerce.models import Delivery, Order, Product, ServiceJob
from baifang.commerce.services import record_service_job
from baifang.customers.models import Customer

PAGE_SIZE = 50


def _page(request, filterset):
    paginator = Paginator(filterset.qs if filterset.is_valid() else filterset.queryset.none(), PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def order_list(request):
    """Orders of the customers the user may see, newest first."""
    base = Order.objects.visible_to(request.user).with_list_data()
    filterset = OrderFilterSet(request.GET, queryset=base, request=request)
    return render(
        request,
        "commerce/order_list.html",
        {"filter": filterset, "page": _page(request, filterset), "query": _query_without_page(request)},
    )


@login_required
def order_detail(request, pk):
    order = get_object_or_404(Order.objects.visible_to(request.user).with_list_data(), pk=pk)
    deliveries = order.deliveries.prefetch_related("lines__product")
    return render(request, "commerce/order_detail.html", {"order": order, "deliveries": deliveries})


@login_required
def delivery_list(request):
    base = Delivery.objects.visible_to(request.user).with_list_data()
    filterset = DeliveryFilterSet(request.GET, queryset=base, request=request)
    return render(
        request,
        "commerce/delivery_list.html",
        {"filter": filterset, "page": _page(request, filterset), "query": _query_without_page(request)},
    )


@login_required
def product_list(request):
    """The catalogue (not scoped: every user may read what the company sells)."""
    base = Product.objects.select_related("group").order_by("code")
    filterset = ProductFilterSet(request.GET, queryset=base, request=request)
    return render(
        request,
        "commerce/product_list.html",
        {"filter": filterset, "page": _page(request, filterset), "query": _query_without_page(request)},
    )


@login_required
def service_job_list(request):
    """Repairs, installations, acceptances and maintenance of the customers the user may see (R-FREQ-9)."""
    base = ServiceJob.objects.visible_to(request.user).select_related("customer", "recorded_by")
    filterset = ServiceJobFilterSet(request.GET, queryset=base, request=request)
    return render(
        request,
        "commerce/service_job_list.html",
        {"filter": filterset, "page": _page(request, filterset), "query": _query_without_page(request)},
    )


class ServiceJobForm(forms.Form):
    customer_code = forms.CharField(label=gettext_lazy("Customer code"), max_length=40)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ServiceKind.choices)
    number = forms.CharField(label=gettext_lazy("Job number"), max_length=40)
    done_on = forms.DateField(
        label=gettext_lazy("Done on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_customer_code(self):
        code = self.cleaned_data["customer_code"].strip()
        customer = Customer.objects.editable_by(self.user).filter(code=code).first()
        if customer is None:
            raise ValidationError(
                _("No customer with this code that you may work on."), code="does_not_exist"
            )
        return customer


@login_required
@require_http_methods(["GET", "POST"])
def service_job_create(request):
    """Record a service job; the return visits its event asks are owed at once (R-FREQ-9)."""
    form = ServiceJobForm(
        request.POST or None, user=request.user, initial={"customer_code": request.GET.get("customer", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = record_service_job(
                data["customer_code"],
                kind=data["kind"],
                number=data["number"],
                done_on=data["done_on"],
                note=data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Service job %(number)s recorded.") % {"number": job.number})
            return redirect("commerce:service_jobs")
    return render(request, "commerce/service_job_form.html", {"form": form})
