from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "baifang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from baifang.core import signin  # noqa: F401  (connects the sign-in audit receivers)
        from baifang.core.api import schema  # noqa: F401  (registers the OpenAPI field extensions)
