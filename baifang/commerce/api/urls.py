from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.commerce.api import views

router = SimpleRouter()
router.register("products", views.ProductViewSet)
router.register("orders", views.OrderViewSet)
router.register("deliveries", views.DeliveryViewSet)
router.register("service-jobs", views.ServiceJobViewSet)
router.register("sales-bands", views.SalesBandViewSet, basename="salesband")
router.register("reminder-thresholds", views.ReminderThresholdViewSet)
urlpatterns = [
    *router.urls,
    path("purchases/<int:customer_pk>/", views.PurchaseSummaryView.as_view(), name="customer-purchases"),
]
