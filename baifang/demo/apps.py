from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo and first-run data (`baifang demo`, `baifang bootstrap`): near the top, it may import any app but desk."""

    name = "baifang.demo"
    label = "demo"
    verbose_name = _("Demo data")
