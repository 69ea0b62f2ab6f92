from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "baifang.plans"
    verbose_name = _("Visit plans")

    def ready(self) -> None:
        from baifang.core import nav

        nav.register(
            nav.NavItem("plans", _("Plans"), "plans:index", order=30, active=("plans:",), tab=3, icon="plans")
        )
        from baifang.visits import extensions

        # The rep's plans covering the day are kept on the phone with the day's pages (R-UX-2).
        extensions.offline_pages.register(extensions.OfflinePages("plans", _day_plans))


def _day_plans(user, day) -> list[str]:
    from django.urls import reverse

    from baifang.plans.models import Plan

    plans = Plan.objects.filter(owner=user, period_start__lte=day, period_end__gte=day).order_by("pk")
    return [
        reverse("plans:index"),
        *(reverse("plans:detail", args=[pk]) for pk in plans.values_list("pk", flat=True)),
    ]
