"""Choices shared across apps."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CoordinateSystem(models.TextChoices):
    """Datum of a stored point; Chinese map providers use GCJ-02 or BD-09."""

    WGS84 = "WGS84", _("WGS-84 (GPS)")
    GCJ02 = "GCJ02", _("GCJ-02 (AMap, Tencent)")
    BD09 = "BD09", _("BD-09 (Baidu)")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    EXPORT = "export", _("Exported")
    HANDOVER = "handover", _("Handed over")
    MERGE = "merge", _("Merged")
    OVERRIDE = "override", _("Overridden")
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    IMPORT = "import", _("Imported")


class CalendarSource(models.TextChoices):
    """Where a working-day answer came from (R-CAL-1)."""

    OVERRIDE = "override", _("Company override")
    OFFICIAL = "official", _("Official State Council schedule")
    ESTIMATED = "estimated", _("Estimated from holiday rules (no make-up days)")
    WEEKDAYS = "weekdays", _("Monday–Friday fallback")


class ImportStatus(models.TextChoices):
    """Where an import batch stands (``core.intake``)."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    CHECKED = "checked", _("Checked, nothing written")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Refused")
