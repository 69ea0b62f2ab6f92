from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TiersConfig(AppConfig):
    name = "baifang.tiers"
    label = "tiers"
    verbose_name = _("Classification")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(nav.NavItem("tiers", _("Classification"), "tiers:list", order=70, active=("tiers:",)))
        from baifang.tiers import receivers  # noqa: F401  (connects the receivers)
