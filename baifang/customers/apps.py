from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "baifang.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self):
        from baifang.customers import predicates as _predicates  # noqa: F401  (registers permissions)
