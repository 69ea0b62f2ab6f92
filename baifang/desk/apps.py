from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "baifang.desk"
    label = "desk"
    verbose_name = _("Desk")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(nav.NavItem("home", _("Home"), "home", order=0))
