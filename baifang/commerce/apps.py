from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "baifang.commerce"
    label = "commerce"
    verbose_name = _("Orders and deliveries")

    def ready(self) -> None:
        from baifang.commerce import facts, intake, receivers  # noqa: F401  (connects the receivers)
        from baifang.core import intake as core_intake
        from baifang.core import nav

        facts.register()  # computed facts for the tier criteria (R-TIER-2)
        core_intake.register(intake.OrderRows())
        core_intake.register(intake.DeliveryRows())
        core_intake.register(intake.ServiceJobRows())
        nav.register(
            nav.NavItem("commerce", _("Orders"), "commerce:orders", order=65, active=("commerce:",)),
        )
