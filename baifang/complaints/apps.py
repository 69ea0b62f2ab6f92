from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "baifang.complaints"
    label = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from baifang.core import nav

        # Anyone may be a complaint's first receiver (首问负责制, R-COMP-1): everyone has the register.
        nav.register(
            nav.NavItem("complaints", _("Complaints"), "complaints:list", order=75, active=("complaints:",))
        )
        from baifang.complaints import receivers

        receivers.register()  # the visit page's complaint action
