"""What every ``baifang <app> import FILE`` command does with ``core.intake`` (commerce, receivables,
customers): check the file exists, make the batch, run it now, print each bad row, fail when any."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import CommandError

from baifang.core import intake


def existing_file(name: str) -> Path:
    path = Path(name)
    if not path.is_file():
        raise CommandError(f"No such file: {path}")
    return path


def kind_by_header(path: Path, when_present: str, otherwise: str) -> str:
    """``when_present`` when the file's header names that kind's document-number column, else ``otherwise``
    (a delivery file has a delivery number, a payment file a payment number)."""
    with path.open("rb") as fileobj:
        try:
            table = intake.read_table(fileobj, path.name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
    schema = intake.schema_for(when_present)
    header = {intake.normal_header(h) for h in (table[0] if table else [])}
    number = next(c for c in schema.columns if c.key == schema.document_column)
    known = {intake.normal_header(h) for h in (number.key, *number.headers)}
    return when_present if header & known else otherwise


def import_file(command, path: Path, kind: str, *, dry_run: bool, options: dict | None = None):
    """Take ``path`` in as ``kind`` now; every bad row goes to stderr, and any makes the command fail."""
    extra = {"options": options} if options is not None else {}
    with path.open("rb") as fileobj:
        try:
            batch = intake.create_batch(kind, upload=File(fileobj, name=path.name), dry_run=dry_run, **extra)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
    batch = intake.run(batch.pk)
    for error in batch.errors:
        command.stderr.write(f"{error['row']}\t{error['column']}\t{error['message']}")
    command.stdout.write(f"#{batch.pk} {batch.get_status_display()}: {batch.message}")
    if batch.error_count:
        raise CommandError(f"{batch.error_count} errors; nothing was written.")
    return batch
