from django.urls import path
from rest_framework.routers import SimpleRouter

from baifang.rules.api import views

router = SimpleRouter()
router.register("visit-rules", views.VisitRuleViewSet)
router.register("special-visits", views.SpecialVisitViewSet)
router.register("return-visit-rules", views.ReturnVisitRuleViewSet)
urlpatterns = [
    *router.urls,
    path("obligations/", views.ObligationListView.as_view(), name="obligations"),
    path("obligations/due/", views.DueListView.as_view(), name="obligations-due"),
    path("compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("compliance/special/", views.SpecialComplianceView.as_view(), name="compliance-special"),
]
