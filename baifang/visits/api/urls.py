from rest_framework.routers import SimpleRouter

from baifang.visits.api import views

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="visit")
router.register("touches", views.QuickTouchViewSet, basename="touch")
router.register("location-proposals", views.LocationProposalViewSet, basename="location-proposal")
urlpatterns = router.urls
