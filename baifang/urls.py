"""Top-level URLs: pages, the admin, and the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from baifang.core import views as core_views
from baifang.desk import views as desk_views

api_v1 = [
    path("", include("baifang.org.api.urls")),
    path("", include("baifang.customers.api.urls")),
    path("", include("baifang.core.api.urls")),
    path("", include("baifang.rules.api.urls")),
    path("", include("baifang.tiers.api.urls")),
    path("", include("baifang.visits.api.urls")),
    path("", include("baifang.maps.api.urls")),
    path("", include("baifang.plans.api.urls")),
]

urlpatterns = [
    path("", desk_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("baifang.customers.urls")),
    path("obligations/", include("baifang.rules.urls")),
    path("tiers/", include("baifang.tiers.urls")),
    path("visits/", include("baifang.visits.urls")),
    path("map/", include("baifang.maps.urls")),
    path("plans/", include("baifang.plans.urls")),
    path("notifications/", core_views.notifications, name="notifications"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP, R-SEC-2).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded files are never served publicly: each has a download view that checks visible_to().
