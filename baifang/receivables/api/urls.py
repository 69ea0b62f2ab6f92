from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.receivables.api import views

router = SimpleRouter()
router.register("invoices", views.InvoiceViewSet)
router.register("payments", views.PaymentViewSet)
router.register("credit-terms", views.CreditTermsViewSet)
urlpatterns = [
    *router.urls,
    path("ageing/", views.AgeingView.as_view(), name="ageing"),
    path("ageing/<int:customer_pk>/", views.CustomerAgeingView.as_view(), name="customer-ageing"),
]
