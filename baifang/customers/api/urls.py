from rest_framework.routers import SimpleRouter

from baifang.customers.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet)
router.register("contacts", views.ContactViewSet)
router.register("competitors", views.CompetitorViewSet)
router.register("customer-changes", views.MajorChangeViewSet)
router.register("access-requests", views.AccessRequestViewSet)
router.register("region-limits", views.RegionDistributionLimitViewSet)
router.register("handovers", views.HandoverViewSet)
urlpatterns = router.urls
