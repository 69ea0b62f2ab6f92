from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "baifang.rules"
    label = "visit_rules"
    verbose_name = _("Visit rules and obligations")

    def ready(self) -> None:
        from baifang.rules import receivers  # noqa: F401  (connects the receivers)
