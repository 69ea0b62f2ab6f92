"""REST API for plans: /api/v1/plans/, /api/v1/plan-items/, /api/v1/plan-purposes/."""

from rest_framework.routers import SimpleRouter

from baifang.plans.api import views

router = SimpleRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("plan-items", views.PlanItemViewSet, basename="plan-item")
router.register("plan-purposes", views.PlanPurposeViewSet, basename="plan-purpose")
urlpatterns = router.urls
