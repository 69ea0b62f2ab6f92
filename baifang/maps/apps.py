from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    name = "baifang.maps"
    label = "maps"
    verbose_name = _("Maps and routes")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(nav.NavItem("route-map", _("Route map"), "maps:map", order=50))
