from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "baifang.care"
    label = "care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(
            nav.NavItem(
                "care",
                _("Care"),
                "care:tasks",
                order=90,
                active=(
                    "care:tasks",
                    "care:gifts",
                    "care:gift_new",
                    "care:batches",
                    "care:batch",
                    "care:batch_new",
                    "care:templates",
                    "care:template_new",
                    "care:template_edit",
                ),
            ),
            nav.NavItem(
                "care-feedback",
                _("Feedback forms"),
                "care:feedback",
                order=92,
                active=("care:feedback", "care:feedback_new", "care:feedback_detail", "care:quota"),
            ),
        )
