from rest_framework.routers import SimpleRouter

from baifang.followups.api import opportunities, records, views

router = SimpleRouter()
router.register("appointments", views.AppointmentViewSet, basename="appointment")
router.register("open-questions", views.OpenQuestionViewSet, basename="open-question")
router.register("commitments", views.CommitmentViewSet, basename="commitment")
router.register("showrooms", views.ShowroomViewSet, basename="showroom")
router.register("showroom-registrations", views.RegistrationViewSet, basename="showroom-registration")
router.register("follow-ups", records.FollowUpRecordViewSet, basename="follow-up")
router.register("stage-moves", records.StageMoveViewSet, basename="stage-move")
router.register("opportunities", opportunities.OpportunityViewSet, basename="opportunity")
router.register("lost-orders", opportunities.LostOrderViewSet, basename="lost-order")
urlpatterns = router.urls
