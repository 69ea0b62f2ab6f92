from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "baifang.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self):
        from baifang.customers import rules as _rules  # noqa: F401  (registers permission predicates)
