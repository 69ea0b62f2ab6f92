from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "baifang.plans"
    verbose_name = _("Visit plans")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(
            nav.NavItem("plans", _("Plans"), "plans:index", order=30, active=("plans:",), tab=3, icon="plans")
        )
