"""Backup and restore of one installation: the database and the uploaded files in one archive (R-SEC-1).

An archive is a gzip-compressed tar file ``baifang-YYYYMMDD-HHMMSS.tar.gz`` holding

- ``manifest.json``: the format, the app version, the database vendor, the migrations applied per app,
  each table's row count at backup time, and the SHA-256 and size of every other member;
- ``database.sqlite3`` (SQLite, copied through its online backup API: a consistent snapshot while the
  server keeps writing) or ``database.pgdump`` (PostgreSQL, ``pg_dump`` custom format, one snapshot);
- ``media/…``: every uploaded file under ``MEDIA_ROOT`` (photos, signatures, attachments, evidence).

A restore reads and checks the whole archive (readable to its end, every checksum, the vendor, no
migration the code does not know) into a scratch folder **before** it writes anything; refuses a
database or media folder that already holds data; then writes the database, moves the files in,
applies the newer migrations of the code, puts back the SQLite tally triggers, rebuilds the kept
compliance windows (``rules.tallies``) and compares every table's row count with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = 1
PREFIX = "baifang-"
SUFFIX = ".tar.gz"
MANIFEST = "manifest.json"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MEDIA = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that must stop; ``check`` names the check that failed."""

    def __init__(self, message: str, check: str):
        super().__init__(message)
        self.check = check


@dataclass
class Manifest:
    data: dict

    @property
    def vendor(self) -> str:
        return self.data["vendor"]

    @property
    def members(self) -> dict[str, dict]:
        return self.data["members"]

    @property
    def tables(self) -> dict[str, int]:
        return self.data["tables"]

    @property
    def migrations(self) -> dict[str, list[str]]:
        return self.data["migrations"]


@dataclass
class RestoreResult:
    manifest: Manifest
    files: int
    migrated: list[str] = field(default_factory=list)
    windows_built: int = 0


# --- what the installation holds ---------------------------------------------------------------


def app_version() -> str:
    try:
        return importlib.metadata.version("baifang")
    except importlib.metadata.PackageNotFoundError:  # a checkout that was never pip-installed
        return "unknown"


def applied_migrations(conn=connection) -> dict[str, list[str]]:
    """{app label: [migration names applied]} as the database records them ({} without tables)."""
    if "django_migrations" not in conn.introspection.table_names():
        return {}
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        applied: dict[str, list[str]] = {}
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def known_migrations() -> set[tuple[str, str]]:
    """The (app label, name) of every migration this code ships."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def table_counts(conn=connection) -> dict[str, int]:
    """Row count of every table in the database, by name."""
    qn = conn.ops.quote_name
    counts = {}
    with conn.cursor() as cursor:
        for table in sorted(conn.introspection.table_names()):
            cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 (names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    return counts


# A used installation has people, units, customers or an audit trail; ``migrate`` writes none of them
# (it does write content types, permissions and reference data such as plan purposes and checklists,
# which a restore replaces with the archive's).
EVIDENCE_OF_USE = ("org.User", "org.OrgUnit", "customers.Customer", "visits.Touch", "core.AuditLog")


def holds_data(conn=connection) -> list[str]:
    """The tables that show this installation was used (empty list: an empty installation)."""
    present = set(conn.introspection.table_names())
    qn = conn.ops.quote_name
    used = []
    with conn.cursor() as cursor:
        for label in EVIDENCE_OF_USE:
            table = apps.get_model(label)._meta.db_table
            if table in present:
                cursor.execute(f"SELECT 1 FROM {qn(table)} LIMIT 1")  # noqa: S608 (model table names)
                if cursor.fetchone():
                    used.append(table)
    return used


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files(root: Path | None = None) -> list[Path]:
    root = root or media_root()
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup ------------------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> None:
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        connection.connection.backup(destination)  # online backup API: safe while others write
    finally:
        destination.close()


def _pg_env_and_args() -> tuple[dict, list[str]]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict, what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(
            _("%(tool)s is not installed on this server (PostgreSQL client tools).") % {"tool": command[0]},
            "tools",
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            _("%(what)s failed: %(error)s") % {"what": what, "error": done.stderr.strip()[-500:]}, what
        )


def _dump_postgresql(target: Path, snapshot: str | None = None) -> None:
    env, args = _pg_env_and_args()
    name = connection.settings_dict["NAME"]
    if snapshot:
        args.append(f"--snapshot={snapshot}")
    _run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file", str(target), name],
        env,
        "pg_dump",
    )


def _dump_postgresql_consistently(target: Path) -> tuple[dict, dict]:
    """Dump, and read the migrations and row counts in the very snapshot the dump sees (an exported
    REPEATABLE READ snapshot held open while pg_dump runs), so the manifest matches the dump while
    others keep writing. Inside an outer transaction (tests) the counts are read as that sees them."""
    if connection.in_atomic_block:
        migrations, tables = applied_migrations(), table_counts()
        _dump_postgresql(target)
        return migrations, tables
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        migrations, tables = applied_migrations(), table_counts()
        _dump_postgresql(target, snapshot)
    return migrations, tables


def archive_name(now: dt.datetime | None = None) -> str:
    now = timezone.localtime(now)
    return f"{PREFIX}{now:%Y%m%d-%H%M%S}{SUFFIX}"


def backup(to: Path, *, now: dt.datetime | None = None) -> Path:
    """Write one archive into folder ``to``; returns its path. Fails loudly (BackupError) on any error.

    The archive appears under its final name only when complete (written as ``….partial``, then renamed).
    """
    vendor = connection.vendor
    if vendor not in DB_MEMBER:
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(v)s.") % {"v": vendor}, "vendor")
    to = Path(to)
    try:
        to.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=to, prefix=".write-test-", delete=True)  # noqa: SIM115
        probe.close()
    except OSError as exc:
        raise BackupError(
            _("Cannot write to the backup folder %(dir)s: %(error)s") % {"dir": to, "error": exc}, "target"
        ) from exc
    final = to / archive_name(now)
    partial = final.with_name(final.name + ".partial")
    with tempfile.TemporaryDirectory(dir=to, prefix=".backup-") as scratch:
        db_file = Path(scratch) / DB_MEMBER[vendor]
        if vendor == "postgresql":
            migrations, tables = _dump_postgresql_consistently(db_file)
        else:
            _dump_sqlite(db_file)
            snapshot = sqlite3.connect(db_file)  # the snapshot itself says what it holds
            try:
                migrations = {}
                if snapshot.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
                ).fetchone():
                    for app, name in snapshot.execute(
                        "SELECT app, name FROM django_migrations ORDER BY app, name"
                    ):
                        migrations.setdefault(app, []).append(name)
                tables = {
                    name: snapshot.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]  # noqa: S608
                    for (name,) in snapshot.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                }
            finally:
                snapshot.close()
        members = {DB_MEMBER[vendor]: {"sha256": sha256_of(db_file), "size": db_file.stat().st_size}}
        root = media_root()
        files = media_files(root)
        for path in files:
            members[f"{MEDIA}/{path.relative_to(root).as_posix()}"] = {
                "sha256": sha256_of(path),
                "size": path.stat().st_size,
            }
        manifest = {
            "format": FORMAT,
            "app": "baifang",
            "app_version": app_version(),
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "migrations": migrations,
            "tables": tables,
            "members": members,
        }
        manifest_file = Path(scratch) / MANIFEST
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                tar.add(manifest_file, arcname=MANIFEST)
                tar.add(db_file, arcname=DB_MEMBER[vendor])
                for path in files:
                    tar.add(path, arcname=f"{MEDIA}/{path.relative_to(root).as_posix()}")
            os.replace(partial, final)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise BackupError(
                _("Cannot write the archive %(file)s: %(error)s") % {"file": final, "error": exc}, "target"
            ) from exc
    return final


# --- reading and checking an archive -----------------------------------------------------------


def _safe_member_path(name: str) -> bool:
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def unpack(archive: Path, scratch: Path) -> Manifest:
    """Extract ``archive`` into ``scratch`` and check it all; raises BackupError naming the failed check."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(_("There is no archive at %(file)s.") % {"file": archive}, "archive")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            names = []
            for member in tar:
                if not _safe_member_path(member.name) or not (member.isfile() or member.isdir()):
                    raise BackupError(
                        _("The archive holds an unexpected entry %(name)s.") % {"name": member.name},
                        "members",
                    )
                names.append(member.name)
                if member.isfile():
                    tar.extract(member, scratch, filter="data")
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(
            _("The archive cannot be read to its end (truncated or damaged): %(error)s") % {"error": exc},
            "readable",
        ) from exc
    try:
        data = json.loads((scratch / MANIFEST).read_text(encoding="utf-8"))
        manifest = Manifest(data)
        members, vendor = data["members"], data["vendor"]
        if not isinstance(data["tables"], dict) or not isinstance(data["migrations"], dict):
            raise TypeError("tables and migrations must be objects")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(_("The archive has no readable manifest."), "manifest") from exc
    if data.get("app") != "baifang" or data.get("format") != FORMAT:
        raise BackupError(_("This is not a Baifang backup of a format this version reads."), "manifest")
    for name, facts in members.items():
        path = scratch / name
        if not _safe_member_path(name) or not path.is_file():
            raise BackupError(
                _("The archive lacks %(name)s, which its manifest lists.") % {"name": name}, "members"
            )
        if path.stat().st_size != facts["size"] or sha256_of(path) != facts["sha256"]:
            raise BackupError(
                _("The checksum of %(name)s does not match the manifest.") % {"name": name}, "checksum"
            )
    extra = {n for n in names if (scratch / n).is_file()} - set(members) - {MANIFEST}
    if extra:
        raise BackupError(
            _("The archive holds files its manifest does not list: %(names)s")
            % {"names": ", ".join(sorted(extra))},
            "members",
        )
    if vendor not in DB_MEMBER or DB_MEMBER[vendor] not in members:
        raise BackupError(_("The archive holds no database."), "members")
    return manifest


def verify(archive: Path) -> Manifest:
    """Read and check ``archive`` (readable, checksums, schema not newer than the code); write nothing."""
    with tempfile.TemporaryDirectory(prefix="baifang-verify-") as scratch:
        manifest = unpack(Path(archive), Path(scratch))
    check_schema(manifest)
    return manifest


def check_schema(manifest: Manifest) -> None:
    """Refuse an archive made by newer code: a migration it applied that this code does not have."""
    known = known_migrations()
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "The archive comes from a newer version of Baifang (%(version)s); install it first. Unknown migrations: %(names)s"
            )
            % {"version": manifest.data.get("app_version", "?"), "names": ", ".join(unknown[:10])},
            "schema",
        )


def check_empty() -> None:
    tables = holds_data()
    if tables:
        raise BackupError(
            _("This installation already holds data (%(tables)s); restore only into an empty one.")
            % {"tables": ", ".join(tables[:5])},
            "empty",
        )
    if media_files():
        raise BackupError(
            _("The uploads folder %(dir)s is not empty; restore only into an empty one.")
            % {"dir": media_root()},
            "empty",
        )


# --- restore -----------------------------------------------------------------------------------


def _load_sqlite(db_file: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(db_file)
    try:
        source.backup(connection.connection)  # replaces the whole database, schema and triggers included
    finally:
        source.close()


def _load_postgresql(db_file: Path) -> None:
    with connection.cursor() as cursor:  # the target holds no data (checked): start from a bare schema
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    env, args = _pg_env_and_args()
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            *args,
            "--dbname",
            connection.settings_dict["NAME"],
            str(db_file),
        ],
        env,
        "pg_restore",
    )


def reinstall_triggers() -> None:
    """Put the tally triggers back as this code writes them (SQLite keeps their text verbatim)."""
    if connection.vendor != "sqlite":
        return
    from baifang.rules.trigger_sql import Tables, TriggerSQL

    generator = TriggerSQL(Tables.of(apps))
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in [*generator.drop("sqlite"), *generator.create("sqlite")]:
            cursor.execute(statement)


def restore(archive: Path, *, log=lambda line: None) -> RestoreResult:
    """Restore ``archive`` into this empty installation (see the module docstring for the order of checks)."""
    from django.core.management import call_command

    from baifang.rules import tallies

    root = media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=".restore-") as scratch_name:
        scratch = Path(scratch_name)
        manifest = unpack(Path(archive), scratch)
        log(_("Archive checked: %(n)d members, checksums match.") % {"n": len(manifest.members)})
        if manifest.vendor != connection.vendor:
            raise BackupError(
                _("The archive holds a %(archive)s database; this installation runs on %(here)s.")
                % {"archive": manifest.vendor, "here": connection.vendor},
                "vendor",
            )
        check_schema(manifest)
        check_empty()
        db_file = scratch / DB_MEMBER[manifest.vendor]
        (_load_sqlite if manifest.vendor == "sqlite" else _load_postgresql)(db_file)
        connection.close()
        restored = table_counts()
        differing = sorted(t for t, n in manifest.tables.items() if restored.get(t) != n)
        if differing:
            raise BackupError(
                _("After the restore these tables differ from the manifest: %(t)s")
                % {"t": ", ".join(differing)},
                "rows",
            )
        log(_("Database restored: %(n)d tables.") % {"n": len(restored)})
        files = 0
        source_media = scratch / MEDIA
        if source_media.exists():
            for path in media_files(source_media):
                target = root / path.relative_to(source_media)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
                files += 1
        log(_("Uploaded files restored: %(n)d.") % {"n": files})
    before = {(app, name) for app, names in applied_migrations().items() for name in names}
    call_command("migrate", interactive=False, verbosity=0)
    migrated = sorted(
        f"{app}.{name}"
        for app, names in applied_migrations().items()
        for name in names
        if (app, name) not in before
    )
    reinstall_triggers()
    built = tallies.refresh(force=True).built
    log(_("Kept compliance windows rebuilt: %(n)d.") % {"n": built})
    return RestoreResult(manifest=manifest, files=files, migrated=migrated, windows_built=built)


# --- retention ---------------------------------------------------------------------------------


def archives_in(folder: Path) -> list[tuple[dt.datetime, Path]]:
    """The finished archives in ``folder``, oldest first, with the time in their name."""
    found = []
    for path in Path(folder).glob(f"{PREFIX}*{SUFFIX}"):
        stamp = path.name[len(PREFIX) : -len(SUFFIX)]
        try:
            found.append((dt.datetime.strptime(stamp, "%Y%m%d-%H%M%S"), path))
        except ValueError:
            continue
    return sorted(found)


def to_keep(stamps: list[dt.datetime], *, daily: int, weekly: int) -> set[dt.datetime]:
    """The archives retention keeps: the newest of each of the last ``daily`` days that have one, and
    the newest of each of the last ``weekly`` ISO weeks that have one."""
    newest_per_day: dict[dt.date, dt.datetime] = {}
    newest_per_week: dict[tuple[int, int], dt.datetime] = {}
    for stamp in sorted(stamps):
        newest_per_day[stamp.date()] = stamp
        newest_per_week[stamp.isocalendar()[:2]] = stamp
    keep = set(sorted(newest_per_day.values())[-daily:] if daily > 0 else [])
    keep |= set(sorted(newest_per_week.values())[-weekly:] if weekly > 0 else [])
    return keep


def prune(folder: Path, *, daily: int, weekly: int) -> list[Path]:
    """Delete the archives retention does not keep; returns those deleted."""
    found = archives_in(folder)
    keep = to_keep([stamp for stamp, _path in found], daily=daily, weekly=weekly)
    deleted = []
    for stamp, path in found:
        if stamp not in keep:
            path.unlink(missing_ok=True)
            deleted.append(path)
    return deleted


def scheduled_backup(now: dt.datetime | None = None) -> dict:
    """The nightly job: one archive a day into BACKUP_DIR (none if today's exists), then retention."""
    options = settings.BAIFANG
    folder = Path(options["BACKUP_DIR"])
    today = timezone.localtime(now).date()
    made = None
    if not any(stamp.date() == today for stamp, _path in archives_in(folder)):
        made = backup(folder, now=now)
    deleted = prune(folder, daily=options["BACKUP_KEEP_DAILY"], weekly=options["BACKUP_KEEP_WEEKLY"])
    return {"archive": made.name if made else "", "deleted": len(deleted)}
