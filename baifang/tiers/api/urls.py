from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.tiers.api import views

router = SimpleRouter()
router.register("schemes", views.SchemeViewSet)
router.register("customer-tiers", views.CustomerTierViewSet)
router.register("tier-changes", views.TierChangeViewSet)
router.register("rating-batches", views.RatingBatchViewSet)
router.register("screenings", views.ScreeningViewSet)
urlpatterns = [
    *router.urls,
    path("customer-tiers-override/", views.OverrideView.as_view(), name="customer-tier-override"),
]
