from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RulesConfig(AppConfig):
    name = "baifang.rules"
    label = "visit_rules"
    verbose_name = _("Visit rules and obligations")
