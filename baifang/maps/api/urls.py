from django.urls import path

from baifang.maps.api import views

urlpatterns = [path("routes/day/", views.DayRouteView.as_view(), name="route-day")]
