"""Fetching one complaint for a user: 404 when they may not see it (R-ORG-4)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from baifang.complaints.models import Complaint


def get_complaint_for_user(user, pk) -> Complaint:
    return get_object_or_404(
        Complaint.objects.visible_to(user).select_related(
            "customer", "category", "owner", "received_by", "routed_unit", "responsible_unit",
            "responsible_person", "rechecked_by", "special_visit", "touch",
        ),
        pk=pk,
    )  # fmt: skip
