"""Taking documents in from other systems (ERP, ordering platform): check every row, write all or nothing.

The generic half of every import (orders and deliveries today; invoices, payments, service jobs and
the customer archive next). An app describes one kind of file with a :class:`RowSchema` and registers
it in its ``AppConfig.ready()``::

    from baifang.core import intake
    intake.register(OrderRows())          # kind = "commerce.orders"

Every way in then goes through the same three calls:

- ``intake.read_table(fileobj, name)`` turns a CSV (UTF-8 or GB18030) or XLSX file into raw rows;
- ``core.imports.start(kind, by=user, upload=f | rows=[...], dry_run=...)`` checks the permission,
  records an :class:`ImportBatch` (:func:`create_batch`) and queues the background job
  (``core.tasks.run_import_batch``) once the transaction commits;
- ``intake.run(batch)`` is that job: it claims the batch, checks, and writes (the CLI calls it directly).

What the pipeline guarantees, whatever the schema:

1. **Every row is checked before anything is written.** Each cell goes through its column's parser,
   then the schema checks the rows against the database in bulk (:meth:`RowSchema.check`). Each error
   names its row number (the header is row 1), its column and a reason in the user's language.
2. **All or nothing.** One error and nothing is written; otherwise every new document is written in
   one transaction.
3. **Idempotent on the source's document number.** Rows are grouped into documents by
   ``RowSchema.document_column``; a document already imported with the same content (its fingerprint)
   is skipped, one imported with *different* content is an error (``document_changed``): the source
   system changed a document it had already sent, and a person must look.
4. A dry run stops after step 1 and reports what would be written.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from baifang.core.choices import ImportStatus
from baifang.core.models import ImportBatch

MAX_STORED_ERRORS = 1000  # the report keeps the first ones; error_count has them all
PROGRESS_EVERY = 5000  # rows between two progress updates of the batch


# --- cells ------------------------------------------------------------------------------------


def parse_text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if len(value) > max_length:
            raise ValidationError(_("At most %(n)s characters.") % {"n": max_length}, code="max_length")
        return value

    return parse


def parse_decimal(
    *, places: int, minimum: Decimal | None = None, negative_code: str = "negative"
) -> Callable:
    """An exact decimal with at most ``places`` decimals (``1,200.5`` and ``1200.50`` both read)."""

    def parse(value: str) -> Decimal:
        try:
            number = Decimal(value.replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise ValidationError(_("“%(v)s” is not a number.") % {"v": value}, code="invalid") from None
        if not number.is_finite() or abs(number) >= Decimal(10) ** 12:
            raise ValidationError(_("“%(v)s” is not a number.") % {"v": value}, code="invalid")
        if number != number.quantize(Decimal(1).scaleb(-places)):
            raise ValidationError(
                _("At most %(n)s decimal places.") % {"n": places}, code="max_decimal_places"
            )
        if minimum is not None and number < minimum:
            raise ValidationError(_("Must not be negative."), code=negative_code)
        return number.quantize(Decimal(1).scaleb(-places))

    return parse


def parse_day(value: str) -> dt.date:
    """A date as ``2026-03-01``, ``2026/3/1`` or ``20260301``."""
    text = value.strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        day = parse_date(text[:10])
    except ValueError:
        day = None
    if day is None or not settings.DATE_MIN <= day <= settings.DATE_MAX:
        raise ValidationError(_("“%(v)s” is not a date (write 2026-03-01).") % {"v": value}, code="invalid")
    return day


@dataclass(frozen=True)
class Column:
    """One column of a file: its key (API rows, code), the headers a file may give it, its parser."""

    key: str
    headers: tuple[str, ...]
    parse: Callable[[str], object]
    required: bool = True
    label: str = ""  # shown in the error report (a lazy translation); defaults to the first header

    def title(self) -> str:
        return str(self.label or self.headers[0])


@dataclass
class Row:
    """One data row: its number in the file and its parsed values by column key."""

    number: int
    values: dict = field(default_factory=dict)
    ok: bool = True

    def __getitem__(self, key: str):
        return self.values.get(key)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "code": self.code, "message": self.message}


class Report:
    """The errors found so far; ``add`` marks the row bad."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def add(self, row: Row | int, column: Column | str, message: str, code: str) -> None:
        number = row.number if isinstance(row, Row) else row
        if isinstance(row, Row):
            row.ok = False
        title = column.title() if isinstance(column, Column) else str(column)
        self.errors.append(RowError(number, title, code, str(message)))

    def __bool__(self) -> bool:
        return bool(self.errors)


class RowSchema:
    """One kind of document file; subclass per kind and register it (see the module docstring)."""

    kind: str = ""
    label: str = ""
    columns: tuple[Column, ...] = ()
    document_column: str = ""  # the source's document number: the idempotency key
    permission: str = ""  # the permission a user needs to import this kind

    def document_column_title(self) -> str:
        return next(c for c in self.columns if c.key == self.document_column).title()

    def check(self, rows: list[Row], report: Report) -> None:
        """Check the parsed rows against the database and each other, in bulk (no query per row)."""

    def same_document(self, first: Row, row: Row, report: Report) -> None:
        """Check that ``row`` agrees with its document's first row (date, customer …)."""

    def fingerprint(self, rows: list[Row]) -> str:
        """A hash of one document's content: the same document sent again has the same fingerprint."""
        content = sorted(
            json.dumps({k: str(v) for k, v in sorted(r.values.items())}, ensure_ascii=False) for r in rows
        )
        return hashlib.sha256("\n".join(content).encode()).hexdigest()

    def existing(self, numbers: list[str]) -> dict[str, str]:
        """The documents among ``numbers`` already imported: number → stored fingerprint."""
        raise NotImplementedError

    def write(self, documents: dict[str, list[Row]], fingerprints: dict[str, str], batch) -> int:
        """Write the new documents (inside the pipeline's transaction); returns the lines written."""
        raise NotImplementedError

    def sort_documents(
        self, documents: dict[str, list[Row]], fingerprints: dict[str, str], report: Report, outcome, batch
    ) -> dict[str, list[Row]]:
        """The documents to write: new ones; one already imported alike is counted unchanged.

        A document already imported with other content is an error (``document_changed``). A schema
        whose documents may match stored records another way (the archive's duplicate rules) overrides
        this; ``batch`` (None in a bare :func:`process`) carries the run's ``options``.
        """
        stored = self.existing(list(documents))
        new = {}
        for number, lines in documents.items():
            if number not in stored:
                new[number] = lines
            elif stored[number] == fingerprints[number]:
                outcome.documents_unchanged += 1
            else:
                report.add(
                    lines[0],
                    self.document_column_title(),
                    _("Document %(n)s was already imported with other content; correct it in the source.")
                    % {"n": number},
                    "document_changed",
                )
        return new


_SCHEMAS: dict[str, RowSchema] = {}


def register(schema: RowSchema) -> None:
    _SCHEMAS[schema.kind] = schema


def schema_for(kind: str) -> RowSchema:
    try:
        return _SCHEMAS[kind]
    except KeyError:
        raise ValidationError({"kind": _("Unknown import kind.")}, code="invalid") from None


def registered() -> list[RowSchema]:
    return sorted(_SCHEMAS.values(), key=lambda s: s.kind)


# --- files ------------------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if not value.is_integer() else str(int(value))
    return str(value).strip()


def read_table(fileobj, name: str) -> list[list[str]]:
    """The rows of a CSV or XLSX file as lists of text, header first (empty rows kept: numbers stay right)."""
    lower = (name or "").lower()
    if lower.endswith((".xlsx", ".xlsm")):
        import openpyxl

        try:
            book = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
            raise ValidationError(_("The file is not a readable Excel workbook."), code="invalid") from exc
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
        return rows
    if lower.endswith((".csv", ".txt")):
        raw = fileobj.read()
        raw = raw if isinstance(raw, bytes) else raw.encode()
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."), code="invalid")
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise ValidationError(_("Upload a CSV or Excel (.xlsx) file."), code="invalid")


def normal_header(header: str) -> str:
    return "".join(str(header).split()).lower()


def rows_from_table(
    schema: RowSchema, table: list[list[str]], report: Report, extra_headers: dict[str, str] | None = None
) -> list[dict[str, str]] | None:
    """Raw rows as {column key: text}, with the header mapped to the schema's columns (None: no header).

    ``extra_headers`` ({header in the file: column key}, e.g. a company's saved column mapping) come
    first; keys the schema does not know are ignored.
    """
    if not table:
        report.add(1, "", _("The file is empty."), "required")
        return None
    by_header = {}
    for column in schema.columns:
        for header in (column.key, *column.headers):
            by_header[normal_header(header)] = column.key
    known = {c.key for c in schema.columns}
    for header, key in (extra_headers or {}).items():
        if key in known and str(header).strip():
            by_header[normal_header(header)] = key
    positions = {}
    for index, header in enumerate(table[0]):
        key = by_header.get(normal_header(header))
        if key and key not in positions.values():
            positions[index] = key
    missing = [c for c in schema.columns if c.required and c.key not in positions.values()]
    for column in missing:
        report.add(1, column, _("The column “%(c)s” is missing.") % {"c": column.headers[0]}, "required")
    if missing:
        return None
    return [{key: (line[i] if i < len(line) else "") for i, key in positions.items()} for line in table[1:]]


# --- the pipeline -----------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run found (and wrote): the pipeline's answer to every way in."""

    total_rows: int = 0
    documents_new: int = 0
    documents_unchanged: int = 0
    lines_written: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict] = field(default_factory=list)  # the first new documents, for the dry-run page

    @property
    def ok(self) -> bool:
        return not self.errors


def _parse(schema: RowSchema, raw_rows: Iterable[dict], report: Report, progress) -> list[Row]:
    rows = []
    for index, raw in enumerate(raw_rows):
        number = index + 2  # the header is row 1
        if not any(str(v or "").strip() for v in raw.values()):
            continue  # a blank line between blocks is no row
        row = Row(number)
        for column in schema.columns:
            text = str(raw.get(column.key) if raw.get(column.key) is not None else "").strip()
            if not text:
                if column.required:
                    report.add(row, column, _("This value is required."), "required")
                else:
                    row.values[column.key] = None
                continue
            try:
                row.values[column.key] = column.parse(text)
            except ValidationError as exc:
                report.add(row, column, " ".join(exc.messages), exc.code or "invalid")
        rows.append(row)
        if progress and (index + 1) % PROGRESS_EVERY == 0:
            progress(index + 1)
    return rows


def _documents(schema: RowSchema, rows: list[Row], report: Report) -> dict[str, list[Row]]:
    documents: dict[str, list[Row]] = {}
    for row in rows:
        number = row[schema.document_column]
        if number is None:
            continue
        lines = documents.setdefault(number, [])
        if lines:
            schema.same_document(lines[0], row, report)
        lines.append(row)
    return documents


def process(schema: RowSchema, raw_rows: list[dict], *, dry_run: bool, batch=None, progress=None) -> Outcome:
    """Check ``raw_rows`` ({column key: text}) and, unless ``dry_run`` or any error, write them."""
    report = Report()
    rows = _parse(schema, raw_rows, report, progress)
    outcome = Outcome(total_rows=len(rows))
    schema.check([r for r in rows if r.ok], report)
    documents = _documents(schema, rows, report)
    fingerprints = {number: schema.fingerprint(lines) for number, lines in documents.items()}
    new = schema.sort_documents(documents, fingerprints, report, outcome, batch)
    outcome.documents_new = len(new)
    outcome.preview = [
        {"number": number, "rows": [r.number for r in lines], "lines": len(lines)}
        for number, lines in list(new.items())[:50]
    ]
    if report or dry_run:
        outcome.errors = sorted(report.errors, key=lambda e: (e.row, e.column))
        return outcome
    try:
        with transaction.atomic():
            outcome.lines_written = schema.write(new, fingerprints, batch)
    except IntegrityError:  # another batch wrote one of these documents in the meantime
        report.add(
            1, "", _("Another import wrote some of these documents meanwhile; run it again."), "conflict"
        )
        outcome.errors = report.errors
        outcome.lines_written = 0
    return outcome


# --- batches ----------------------------------------------------------------------------------


def may_import(user, schema: RowSchema) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(schema.permission))


def create_batch(
    kind: str,
    *,
    by=None,
    upload=None,
    rows: list[dict] | None = None,
    dry_run: bool = False,
    source_name: str = "",
    options: dict | None = None,
) -> ImportBatch:
    """The queued batch, not yet run (the CLI runs it at once with :func:`run`; ``by`` None: the system)."""
    schema_for(kind)
    if upload is None and rows is None:
        raise ValidationError({"upload": _("Send a file or rows.")}, code="required")
    if upload is not None:
        read_table(upload, upload.name)  # refuse an unreadable file now, not in the job
        upload.seek(0)
    return ImportBatch.objects.create(
        kind=kind,
        dry_run=dry_run,
        created_by=by,
        source_name=(source_name or (upload.name if upload is not None else "API"))[:200],
        upload=upload,
        payload=rows,
        total_rows=len(rows) if rows is not None else 0,
        options=options or {},
    )


def _raw_rows(batch: ImportBatch, schema: RowSchema, report: Report) -> list[dict] | None:
    if batch.payload is not None:
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in batch.payload]
    with batch.upload.open("rb") as fileobj:
        table = read_table(fileobj, batch.upload.name)
    return rows_from_table(schema, table, report, (batch.options or {}).get("headers"))


def run(batch_id: int) -> ImportBatch | None:
    """The job: claim the queued batch (a second worker gets nothing), check, write, record the outcome."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=timezone.now()
    )
    if claimed != 1:
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    schema = schema_for(batch.kind)
    with translation.override(settings.LANGUAGE_CODE):
        report = Report()
        try:
            raw = _raw_rows(batch, schema, report)
        except ValidationError as exc:
            report.add(1, "", " ".join(exc.messages), exc.code or "invalid")
            raw = None
        if raw is None:
            outcome = Outcome(errors=report.errors)
        else:
            ImportBatch.objects.filter(pk=batch.pk).update(total_rows=len(raw))

            def progress(done: int) -> None:
                ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done)

            outcome = process(schema, raw, dry_run=batch.dry_run, batch=batch, progress=progress)
        _finish(batch, outcome)
    return batch


def errors_xlsx(batch: ImportBatch) -> bytes:
    """The batch's error report as a workbook (row, column, reason, code), in the active language."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = str(_("Errors"))[:31]
    sheet.append([str(_("Row")), str(_("Column")), str(_("Reason")), str(_("Code"))])
    for error in batch.errors:
        # A cell never becomes a formula, whatever a file's row said (CSV/Excel injection).
        sheet.append(
            [
                error.get("row"),
                *(
                    "'" + v if v[:1] in ("=", "+", "-", "@") else v
                    for v in (str(error.get(k, "")) for k in ("column", "message", "code"))
                ),
            ]
        )
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["C"].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _finish(batch: ImportBatch, outcome: Outcome) -> None:
    if not outcome.ok:
        status, message = (
            ImportStatus.FAILED,
            _("Nothing was written: %(n)s errors.") % {"n": len(outcome.errors)},
        )
    elif batch.dry_run:
        status = ImportStatus.CHECKED
        message = _("Check passed: %(new)s new documents, %(same)s already imported.") % {
            "new": outcome.documents_new,
            "same": outcome.documents_unchanged,
        }
    else:
        status = ImportStatus.DONE
        message = _("Imported %(new)s new documents (%(lines)s lines); %(same)s already imported.") % {
            "new": outcome.documents_new,
            "lines": outcome.lines_written,
            "same": outcome.documents_unchanged,
        }
    batch.status = status
    batch.message = message
    batch.total_rows = outcome.total_rows or batch.total_rows
    batch.processed_rows = outcome.total_rows
    batch.documents_new = outcome.documents_new
    batch.documents_unchanged = outcome.documents_unchanged
    batch.lines_written = outcome.lines_written
    batch.error_count = len(outcome.errors)
    batch.errors = [e.as_dict() for e in outcome.errors[:MAX_STORED_ERRORS]]
    batch.finished_at = timezone.now()
    batch.save()
