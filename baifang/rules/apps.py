from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "baifang.rules"
    label = "visit_rules"
    verbose_name = _("Visit rules and obligations")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(
            nav.NavItem("due", _("To visit"), "rules:due", order=40),
            nav.NavItem("compliance", _("Compliance"), "rules:matrix", order=60),
        )
        from baifang.rules import receivers  # noqa: F401  (connects the receivers)
