from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Running Baifang for years: backup and restore, health checks, job runs, personal information.

    On the top floor beside demo (docs/architecture.md): its commands read every app's tables and
    rebuild the rules app's derived state after a restore; nothing imports it but desk.
    """

    name = "baifang.ops"
    label = "ops"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from baifang.core import nav
        from baifang.ops import (
            jobs,
            personal,
            receivers,  # noqa: F401  (connects the receivers)
        )

        jobs.connect()
        nav.register(
            nav.NavItem(
                "ops-personal",
                _("Personal information"),
                "ops:personal",
                order=975,
                active=("ops:personal-contact",),
                visible=personal.is_data_protection_officer,
            ),
            nav.NavItem(
                "ops-jobs",
                _("Background jobs"),
                "ops:jobs",
                order=980,
                active=("ops:job",),
                visible=jobs.may_manage_jobs,
            ),
        )
