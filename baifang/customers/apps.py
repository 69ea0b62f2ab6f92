from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "baifang.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self):
        from baifang.core import nav

        nav.register(
            nav.NavItem(
                "customers",
                _("Customers"),
                "customers:list",
                order=10,
                active=("customers:",),
                inactive=("customers:access", "customers:handover", "customers:import"),
                tab=2,
                icon="customers",
            ),
            nav.NavItem(
                "customer-import",
                _("Import customers"),
                "customers:import",
                order=86,
                visible=lambda user: user.has_perm("customers.import_customers"),
            ),
            nav.NavItem("access-requests", _("Access requests"), "customers:access", order=80),
            nav.NavItem(
                "handover",
                _("Hand-over"),
                "customers:handover",
                order=85,
                visible=lambda user: user.has_perm("customers.perform_handover"),
            ),
        )
        from baifang.core import intake as core_intake
        from baifang.customers import intake
        from baifang.customers import predicates as _predicates  # noqa: F401  (registers permissions)

        core_intake.register(intake.CustomerRows())
