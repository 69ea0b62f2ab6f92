from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "baifang.visits"
    label = "visits"
    verbose_name = _("Visits and touches")

    def ready(self) -> None:
        from baifang.visits import receivers  # noqa: F401  (registers what visits tells rules)
