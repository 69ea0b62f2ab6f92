from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.care.api import views

router = SimpleRouter()
router.register("care-tasks", views.CareTaskViewSet)
router.register("care-gifts", views.GiftViewSet)
router.register("care-templates", views.MessageTemplateViewSet)
router.register("care-batches", views.MessageBatchViewSet)
router.register("care-messages", views.MessageViewSet)
router.register("care-opt-outs", views.OptOutViewSet)
router.register("feedback-forms", views.FeedbackFormViewSet)
urlpatterns = [
    *router.urls,
    path("feedback-quota/", views.QuotaProgressView.as_view(), name="feedback-quota"),
]
