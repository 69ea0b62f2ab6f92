"""The access request's workflow (R-ARCH-8), declared on ``core.workflow``: its designated approver (or
an administrator) approves or rejects a pending request, once. ``AccessRequest.workflow`` is this."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from baifang.core.choices import AuditAction
from baifang.core.workflow import Transition, Workflow
from baifang.customers.choices import AccessStatus


def _decides(access, user) -> bool:
    return access.approver_id == user.pk or user.is_superuser


ACCESS_REQUEST_WORKFLOW = Workflow(
    Transition(
        "approve",
        source=[AccessStatus.PENDING],
        targets=[AccessStatus.APPROVED],
        may=_decides,
        audit_action=AuditAction.APPROVE,
    ),
    Transition(
        "reject",
        source=[AccessStatus.PENDING],
        targets=[AccessStatus.REJECTED],
        may=_decides,
        audit_action=AuditAction.REJECT,
    ),
    wrong_state=_("This request has already been decided."),
)
