from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.complaints.api import views

router = SimpleRouter()
router.register("complaints", views.ComplaintViewSet)
router.register("complaint-categories", views.ComplaintCategoryViewSet)

urlpatterns = [
    path("complaints/valid-counts/", views.ValidCountView.as_view(), name="complaints-valid-counts"),
    *router.urls,
]
