"""Follow-up access helpers: return the object or raise 404, never ad-hoc checks in views (R-SEC-1)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from baifang.followups.models import Appointment, Commitment, OpenQuestion


def get_appointment_for_user(user, pk) -> Appointment:
    """The appointment if ``user`` may read it; 404 otherwise (R-VISIT-6)."""
    return get_object_or_404(Appointment.objects.visible_to(user).for_lists(), pk=pk)


def get_question_for_user(user, pk) -> OpenQuestion:
    """The open question if ``user`` may read it; 404 otherwise (R-VISIT-7)."""
    return get_object_or_404(OpenQuestion.objects.visible_to(user).for_lists(), pk=pk)


def get_commitment_for_user(user, pk) -> Commitment:
    """The commitment if ``user`` may read it; 404 otherwise (R-FU-1)."""
    return get_object_or_404(Commitment.objects.visible_to(user).for_lists(), pk=pk)


def get_showroom_for_user(user, pk):
    """The showroom if ``user`` may see it; 404 otherwise (R-FU-4)."""
    from baifang.followups.models import Showroom

    return get_object_or_404(Showroom.objects.visible_to(user).select_related("unit"), pk=pk)


def get_registration_for_user(user, pk):
    """The register line if ``user`` may see its showroom; 404 otherwise (R-FU-4)."""
    from baifang.followups.models import Registration

    return get_object_or_404(Registration.objects.visible_to(user).for_lists(), pk=pk)
