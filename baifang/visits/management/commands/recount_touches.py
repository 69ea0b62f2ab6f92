"""`baifang recount_touches`: decide again which touches count toward obligations (R-VISIT-8)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from baifang.visits.models import Touch


class Command(BaseCommand):
    help = (
        "Decide again, under the current settings (VISIT_SERIOUS_FLAGS, VISIT_SHORT_VISITS_COUNT), "
        "which touches count toward obligations. Kept compliance counters follow. Safe to repeat."
    )

    def handle(self, *args, **options):
        changed = Touch.objects.recount_states()
        self.stdout.write(_("Count state changed for %(n)d touches.") % {"n": changed})
