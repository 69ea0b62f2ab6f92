"""Sign-in safety (R-SEC-2): audit rows for every login, logout and failed login; the lockout page.

Lockouts themselves are django-axes' work (settings: AXES_*); this module only says what the user
and the audit log see.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from baifang.core import audit
from baifang.core.choices import AuditAction


def client_address(request: HttpRequest | None) -> str:
    return (request.META.get("REMOTE_ADDR") or "") if request is not None else ""


@receiver(user_logged_in, dispatch_uid="baifang_audit_login")
def audit_login(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, user, user=user, message=f"ip={client_address(request)}")


@receiver(user_logged_out, dispatch_uid="baifang_audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:  # logging out without a session is not an event
        audit.record(AuditAction.LOGOUT, user, user=user, message=f"ip={client_address(request)}")


@receiver(user_login_failed, dispatch_uid="baifang_audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    """Who was tried, from where, and whether the account was already locked; never the password."""
    username = str(credentials.get("username", ""))[:150]
    account = get_user_model()._default_manager.filter(username=username).first()
    locked = bool(getattr(request, "axes_locked_out", False))
    audit.record(
        AuditAction.LOGIN_FAILED,
        account,
        object_type=get_user_model()._meta.label_lower,
        message=f"username={username} ip={client_address(request)}" + (" locked_out" if locked else ""),
    )


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' lockout answer: the login page again, saying why and for how long (429)."""
    message = _(
        "Too many failed sign-ins for this account: it is locked for %(minutes)d minutes. "
        "Try again later, or ask an administrator to unlock it."
    ) % {"minutes": lockout_minutes()}
    if request.path.startswith("/api/") or request.headers.get("x-requested-with") == "XMLHttpRequest":
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    form = AuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    context = {"form": form, "lockout_message": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
