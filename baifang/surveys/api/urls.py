"""REST API for surveys: /api/v1/survey-templates/, /survey-campaigns/, /survey-responses/."""

from rest_framework.routers import SimpleRouter

from baifang.surveys.api import views

router = SimpleRouter()
router.register("survey-templates", views.SurveyTemplateViewSet, basename="survey-template")
router.register("survey-campaigns", views.SurveyCampaignViewSet, basename="survey-campaign")
router.register("survey-responses", views.SurveyResponseViewSet, basename="survey-response")
urlpatterns = router.urls
