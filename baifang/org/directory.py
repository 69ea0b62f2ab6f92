"""Directory sign-in (LDAP / Active Directory) through django-auth-ldap — R-SEC-2.

Optional: ``pip install baifang[ldap]`` (python-ldap builds against Debian's libldap-dev and
libsasl2-dev). It is switched on by ``BAIFANG_LDAP_URI``; with it unset, or the packages missing,
Baifang signs in with local passwords only and this module is never imported. Local accounts keep
their passwords either way: the directory is asked first, Django's password check after.

``settings.BAIFANG_LDAP`` (read from the environment, docs/admin-guide.md) becomes django-auth-ldap's
settings here, so ``settings.py`` imports no LDAP code:

- people are found under ``USER_BASE`` with ``USER_FILTER`` (``(uid=%(user)s)``; Active Directory:
  ``(sAMAccountName=%(user)s)``), by a service account (``BIND_DN``/``BIND_PASSWORD``) or anonymously;
- on sign-in the Baifang user is created or updated: name, e-mail and mobile from the directory;
- ``DENY_GROUP``: members of this group (e.g. disabled accounts) cannot sign in;
- ``GROUP_POSITIONS``: directory group DN → the position (and unit) it stands for. The directory owns
  those positions: a member gets the assignment at sign-in, a former member loses it; positions the
  mapping does not name are left to the administrators.

A wrong directory password gives the same message as a wrong local password (the sign-in form says
nothing about which check failed), and counts toward the same lockout (django-axes runs first).
"""

from __future__ import annotations

import json
import logging

import ldap
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_auth_ldap.backend import LDAPBackend
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

logger = logging.getLogger(__name__)


def group_positions(raw) -> dict[str, tuple[str, str]]:
    """``{"cn=reps,ou=groups,…": {"position": "rep", "unit": "sales1"}}`` (JSON text or a dict) →
    {lower-cased group DN: (position code, unit code)}."""
    data = json.loads(raw) if isinstance(raw, str) else (raw or {})
    if not isinstance(data, dict):
        raise ImproperlyConfigured("BAIFANG_LDAP_GROUP_POSITIONS must be a JSON object")
    mapping = {}
    for dn, target in data.items():
        if not isinstance(target, dict) or not target.get("position") or not target.get("unit"):
            raise ImproperlyConfigured(
                f"BAIFANG_LDAP_GROUP_POSITIONS[{dn!r}] needs a position and a unit code"
            )
        mapping[dn.lower()] = (target["position"], target["unit"])
    return mapping


def ldap_settings(conf: dict) -> dict:
    """django-auth-ldap's settings (without the ``AUTH_LDAP_`` prefix) from ``settings.BAIFANG_LDAP``."""
    values = {
        "SERVER_URI": conf["URI"],
        "BIND_DN": conf.get("BIND_DN", ""),
        "BIND_PASSWORD": conf.get("BIND_PASSWORD", ""),
        "START_TLS": conf.get("START_TLS", False),
        "USER_SEARCH": LDAPSearch(
            conf["USER_BASE"], ldap.SCOPE_SUBTREE, conf.get("USER_FILTER") or "(uid=%(user)s)"
        ),
        "USER_ATTR_MAP": {"display_name": "displayName", "email": "mail", "phone": "mobile"},
        "ALWAYS_UPDATE_USER": True,
        "CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: conf.get("TIMEOUT", 5), ldap.OPT_REFERRALS: 0},
    }
    if conf.get("GROUP_BASE"):
        values["GROUP_SEARCH"] = LDAPSearch(
            conf["GROUP_BASE"], ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
        )
        values["GROUP_TYPE"] = GroupOfNamesType()
    if conf.get("DENY_GROUP"):
        values["DENY_GROUP"] = conf["DENY_GROUP"]
    return values


def sync_positions(user, group_dns, mapping: dict[str, tuple[str, str]]) -> None:
    """Give ``user`` the positions of the mapped groups they are in, and take away the mapped ones they
    are no longer in. Unknown position or unit codes are logged and skipped (the sign-in still works)."""
    from baifang.org.models import OrgUnit, Position, PositionAssignment

    wanted = {mapping[dn] for dn in (d.lower() for d in group_dns) if dn in mapping}
    positions = {p.code: p for p in Position.objects.filter(code__in={p for p, _u in mapping.values()})}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={u for _p, u in mapping.values()})}
    with transaction.atomic():
        held = PositionAssignment.objects.filter(user=user, position__in=positions.values())
        for assignment in held.select_related("position", "unit"):
            if (assignment.position.code, assignment.unit.code) not in wanted:
                assignment.delete()
        for position_code, unit_code in sorted(wanted):
            if position_code not in positions or unit_code not in units:
                logger.warning(
                    "LDAP group mapping names an unknown position %s or unit %s", position_code, unit_code
                )
                continue
            PositionAssignment.objects.get_or_create(
                user=user, position=positions[position_code], unit=units[unit_code]
            )
        if wanted and user.unit_id is None:
            first = next((units[u] for _p, u in sorted(wanted) if u in units), None)
            if first is not None:
                user.unit = first
                user.save(update_fields=["unit"])
    for cached in ("position_kinds", "data_scope", "managed_units"):
        user.__dict__.pop(cached, None)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, configured from ``settings.BAIFANG_LDAP`` and mapping groups to positions."""

    @property
    def default_settings(self):
        return ldap_settings(settings.BAIFANG_LDAP)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is not None:
            mapping = group_positions(settings.BAIFANG_LDAP.get("GROUP_POSITIONS"))
            if mapping:
                sync_positions(user, ldap_user.group_dns, mapping)
        return user
