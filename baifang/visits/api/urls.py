from rest_framework.routers import SimpleRouter

from baifang.visits.api import views, views_followup

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="visit")
router.register("touches", views.QuickTouchViewSet, basename="touch")
router.register("appointments", views_followup.AppointmentViewSet, basename="appointment")
router.register("open-questions", views_followup.OpenQuestionViewSet, basename="open-question")
router.register("commitments", views_followup.CommitmentViewSet, basename="commitment")
router.register("location-proposals", views_followup.LocationProposalViewSet, basename="location-proposal")
urlpatterns = router.urls
