"""The way into an import from a page or the API: check the permission, record the batch, queue the job.

See ``core.intake`` for the pipeline and how an app registers its kind of file. (This module is apart
from ``intake`` because the job in ``core.tasks`` calls the pipeline, and the pipeline must not import
the job back.)
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from baifang.core import intake
from baifang.core.models import ImportBatch
from baifang.core.tasks import run_import_batch


def start(
    kind: str,
    *,
    by,
    upload=None,
    rows: list[dict] | None = None,
    dry_run: bool = False,
    source_name: str = "",
    options: dict | None = None,
) -> ImportBatch:
    """Record a batch from an uploaded file or from API rows and queue its job after the commit."""
    schema = intake.schema_for(kind)
    if not intake.may_import(by, schema):
        raise PermissionDenied(_("You may not import %(what)s.") % {"what": schema.label})
    batch = intake.create_batch(
        kind, by=by, upload=upload, rows=rows, dry_run=dry_run, source_name=source_name, options=options
    )
    transaction.on_commit(lambda: run_import_batch(batch.pk))
    return batch
