"""What counts as done, for many touches at once (R-VISIT-8).

``Touch.decide_count_state`` decides one touch with ``engine.count_state``; ``recount`` applies the
same rule set-based to a queryset (after a settings change, in the nightly job, in the migration
that introduced it). A test checks that both agree on every combination of facts.
"""

from __future__ import annotations

from django.db import models

from baifang.visits import engine


def recount(touches: models.QuerySet, flag_model, policy: engine.CountingPolicy) -> int:
    """Store the count state of every touch of ``touches``; returns how many changed.

    Written as a few UPDATEs that only touch rows whose state changes, so the kept compliance
    counters (their triggers react to count_state) move only where they must.
    """

    def flagged(kinds) -> models.Exists:
        return models.Exists(flag_model.objects.filter(touch=models.OuterRef("pk"), kind__in=list(kinds)))

    changed = (
        touches.exclude(channel="visit")
        .exclude(count_state=engine.COUNTED)
        .update(count_state=engine.COUNTED)
    )
    visits = touches.filter(channel="visit")
    not_counted = models.Q(ended_at__isnull=True) | models.Q(review_decision=engine.REJECTED)
    if not policy.short_visits_count:
        not_counted |= models.Q(flagged([engine.TOO_SHORT]))
    pending = models.Q(flagged(policy.serious_flags)) & ~models.Q(review_decision=engine.ACCEPTED)
    targets = (
        (engine.NOT_COUNTED, visits.filter(not_counted)),
        (engine.PENDING_REVIEW, visits.exclude(not_counted).filter(pending)),
        (engine.COUNTED, visits.exclude(not_counted).exclude(pending)),
    )
    for state, rows in targets:
        changed += rows.exclude(count_state=state).update(count_state=state)
    return changed
