from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceivablesConfig(AppConfig):
    name = "baifang.receivables"
    label = "receivables"
    verbose_name = _("Receivables")

    def ready(self) -> None:
        from baifang.commerce import facts as commerce_facts
        from baifang.core import intake as core_intake
        from baifang.core import nav
        from baifang.receivables import intake, receivers, services, tasks  # noqa: F401  (receivers, periodic task)

        commerce_facts.register_overdue_days(services.overdue_days)  # the tier fact 逾期天数 (R-TIER-2)

        core_intake.register(intake.InvoiceRows())
        core_intake.register(intake.PaymentRows())
        nav.register(
            nav.NavItem(
                "receivables", _("Receivables"), "receivables:ageing", order=66, active=("receivables:",)
            ),
        )
