"""Top-level URLs: pages, the admin, and the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from baifang.core import views as core_views
from baifang.desk import views as desk_views
from baifang.ops import health
from baifang.visits import offline

api_v1 = [
    path("", include("baifang.org.api.urls")),
    path("", include("baifang.customers.api.urls")),
    path("", include("baifang.core.api.urls")),
    path("", include("baifang.rules.api.urls")),
    path("", include("baifang.commerce.api.urls")),
    path("", include("baifang.receivables.api.urls")),
    path("", include("baifang.tiers.api.urls")),
    path("", include("baifang.visits.api.urls")),
    path("", include("baifang.followups.api.urls")),
    path("", include("baifang.complaints.api.urls")),
    path("", include("baifang.maps.api.urls")),
    path("", include("baifang.plans.api.urls")),
    path("", include("baifang.surveys.api.urls")),
    path("", include("baifang.care.api.urls")),
]

urlpatterns = [
    path("", desk_views.home, name="home"),
    path("accounts/login/", core_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", core_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("customers/", include("baifang.customers.urls")),
    path("obligations/", include("baifang.rules.urls")),
    path("orders/", include("baifang.commerce.urls")),
    path("receivables/", include("baifang.receivables.urls")),
    path("tiers/", include("baifang.tiers.urls")),
    path("visits/", include("baifang.visits.urls")),
    path("visits/", include("baifang.followups.urls")),  # the follow-up pages keep their /visits/ paths
    path("complaints/", include("baifang.complaints.urls")),
    path("map/", include("baifang.maps.urls")),
    path("plans/", include("baifang.plans.urls")),
    path("surveys/", include("baifang.surveys.urls")),
    path("care/", include("baifang.care.urls")),
    path("notifications/", core_views.notifications, name="notifications"),
    path("me/", core_views.me, name="me"),
    path("banners/close/", core_views.close_banner, name="close_banner"),
    path("imports/<int:pk>/", core_views.import_batch, name="import_batch"),
    path("ops/", include("baifang.ops.urls")),
    # For load balancers and monitors: no sign-in, no data (issue 18, docs/admin-guide.md).
    # Field work offline (R-UX-2): the service worker at the root, so its scope is the whole site.
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="web_manifest"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP, R-SEC-2).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# Uploaded files are never served publicly: each has a download view that checks visible_to().
