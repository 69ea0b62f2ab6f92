"""Visit access helpers: return the object or raise 404, never ad-hoc checks in views (R-SEC-1)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from baifang.visits.models import Touch


def get_touch_for_user(user, pk) -> Touch:
    """The touch if ``user`` may read it; 404 otherwise (do not reveal that it exists)."""
    return get_object_or_404(Touch.objects.visible_to(user).select_related("customer", "user"), pk=pk)


def get_own_touch(user, pk) -> Touch:
    """One of the user's own touches; 404 for anyone else's."""
    return get_object_or_404(Touch.objects.select_related("customer", "user"), pk=pk, user=user)


def get_proposal_for_user(user, pk):
    """The location proposal if ``user`` may read it; 404 otherwise."""
    from baifang.visits.models import LocationProposal

    return get_object_or_404(LocationProposal.objects.visible_to(user).for_lists(), pk=pk)
