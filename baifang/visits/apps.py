from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "baifang.visits"
    label = "visits"
    verbose_name = _("Visits and touches")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(
            nav.NavItem(
                "today",
                _("Today's visits"),
                "visits:today",
                order=20,
                active=("visits:",),
                inactive=("visits:review_queue",),
                tab=1,
                icon="today",
            ),
            nav.NavItem("record-review", _("Record review"), "visits:review_queue", order=25),
        )
        from baifang.commerce import stock_source
        from baifang.visits import receivers  # noqa: F401  (registers what visits tells rules)
        from baifang.visits.stock import latest_counts_by_customer

        stock_source.register(latest_counts_by_customer)  # the last counts for purchase reminders (R-FU-3)
