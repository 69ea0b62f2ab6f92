from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "baifang.followups"
    label = "followups"
    verbose_name = _("Follow-ups")

    def ready(self) -> None:
        from baifang.core import nav
        from baifang.followups import lifecycle, receivers  # noqa: F401 (connects the lifecycle receiver)

        receivers.register()  # the check-in receiver is connected by importing the module
        nav.register(
            nav.NavItem(
                "showrooms",
                _("Showrooms"),
                "followups:showrooms",
                order=45,
                active=(
                    "followups:showrooms",
                    "followups:showroom",
                    "followups:registration_new",
                    "followups:registration",
                    "followups:showroom_reports",
                ),
            ),
            nav.NavItem(
                "opportunities",
                _("Opportunities"),
                "followups:opportunities",
                order=46,
                active=(
                    "followups:opportunities",
                    "followups:opportunity",
                    "followups:opportunity_edit",
                    "followups:opportunity_lose",
                    "followups:opportunity_new",
                    "followups:lost_orders",
                    "followups:lost_order_new",
                ),
            ),
            nav.NavItem(
                "punctuality",
                _("Punctuality"),
                "followups:punctuality",
                order=75,
                visible=_sees_others,
            ),
        )


def _sees_others(user) -> bool:
    """Managers and the company-wide read their people's punctuality; a rep sees theirs on each visit."""
    from baifang.org.choices import DataScope

    return user.is_authenticated and user.data_scope != DataScope.OWN
