from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.core.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet)
router.register("import-batches", views.ImportBatchViewSet)
urlpatterns = [
    *router.urls,
    path("calendar/workdays/", views.WorkdaysView.as_view(), name="calendar-workdays"),
    path("calendar/festivals/", views.FestivalsView.as_view(), name="calendar-festivals"),
]
