from django.urls import path

from baifang.maps import views

app_name = "maps"

urlpatterns = [path("", views.route_map, name="map")]
