from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "baifang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from baifang.core import nav

        nav.register(
            nav.NavItem("admin", _("Admin"), "admin:index", order=990, visible=lambda user: user.is_staff)
        )
        from baifang.core import banners as _banners  # noqa: F401  (closed banners into the session at sign-in)
        from baifang.core import signin  # noqa: F401  (connects the sign-in audit receivers)
        from baifang.core.api import schema  # noqa: F401  (registers the OpenAPI field extensions)
