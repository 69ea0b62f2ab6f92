from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "baifang.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from baifang.core import nav
        from baifang.surveys.access import may_use_surveys

        nav.register(
            nav.NavItem(
                "surveys",
                _("Surveys"),
                "surveys:campaigns",
                order=90,
                active=("surveys:",),
                visible=may_use_surveys,
            )
        )
