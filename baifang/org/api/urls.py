from rest_framework.routers import SimpleRouter

from baifang.org.api import views

router = SimpleRouter()
router.register("org-units", views.OrgUnitViewSet)
router.register("users", views.UserViewSet)
urlpatterns = router.urls
