"""Commerce pages: orders, deliveries, products (read-only; the ERP is the source), import batches."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from baifang.commerce.filtersets import DeliveryFilterSet, OrderFilterSet, ProductFilterSet
from baifang.commerce.models import Delivery, Order, Product

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
