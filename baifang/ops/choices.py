from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("job", "Waiting")
    RUNNING = "running", pgettext_lazy("job", "Running")
    SUCCEEDED = "succeeded", pgettext_lazy("job", "Succeeded")
    FAILED = "failed", pgettext_lazy("job", "Failed")
    MISSED = "missed", pgettext_lazy("job", "Did not run")


FAILURE_STATUSES = (RunStatus.FAILED, RunStatus.MISSED)


class AccessPurpose(models.TextChoices):
    """Where a contact's personal facts were read (R-ARCH-2, PIPL)."""

    PAGE = "page", _("Customer page")
    API = "api", _("API")
    EXPORT = "export", _("Export")
    SUBJECT_EXPORT = "subject_export", _("Copy for the person")
