"""`baifang backup` / `baifang restore`: one archive, checked before anything is written (issue 18, R-SEC-1).

The round trip runs on the database the suite runs on (SQLite or PostgreSQL): demo data and uploaded
files → `backup` in this process → `restore` into a fresh database by a separate `manage.py` process →
`inventory` of both (every table's row count, a digest of all its rows and its first/last rows, the
files with their checksums, today's compliance) must be equal.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from baifang.ops import backup, inventory
from baifang.org.models import User

REPO = Path(__file__).resolve().parents[2]
# Rebuilt on restore, so their build time differs; their counts (the tallies) must still be equal.
REBUILT = {"visit_rules_compliancewindow"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def manage(*args: str, database_url: str, media_root: Path, data_dir: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "BAIFANG_DATA_DIR": str(data_dir),
        "HUEY_BACKEND": "memory",
        "BAIFANG_FAST_HASHER": "1",
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a database nobody has used: a new SQLite file, or a new PostgreSQL database."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    db = settings.DATABASES["default"]
    name = f"baifang_ops_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"], "dbname": "postgres"}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    yield f"postgresql://{db['USER']}{password}@{db['HOST']}:{params['port']}/{name}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _comparable(inv: dict) -> dict:
    tables = {
        t: (e["rows"] if t in REBUILT else (e["rows"], e["digest"], e["sample"]))
        for t, e in inv["tables"].items()
    }
    return {"tables": tables, "files": inv["files"], "compliance": inv["compliance"]}


@pytest.mark.django_db(transaction=True)
def test_round_trip_demo_data_and_files_into_a_fresh_database(media, tmp_path, fresh_database):
    """Issue 18: demo data → backup → restore into a fresh database → every table equal, files, compliance."""
    call_command("bootstrap", customers=30, reps=4, stdout=io.StringIO())
    default_storage.save("visits/photos/2026/12/photo.jpg", ContentFile(b"\xff\xd8 a photo \xff\xd9"))
    default_storage.save("correspondence/2026/12/函件.pdf", ContentFile(b"%PDF-1.4 letter"))
    source = inventory.inventory()
    # 30 generated customers, plus the 5 of the market persona's finished demo import (R-ARCH-10)
    assert source["tables"]["customers_customer"]["rows"] == 35
    assert source["tables"]["visits_touch"]["rows"] > 0 and source["compliance"]
    # the two saved here, and the two spreadsheets of the demo's archive imports (imports/…)
    assert len(source["files"]) == 4 and sum(p.startswith("imports/") for p in source["files"]) == 2

    out = io.StringIO()
    call_command("backup", to=str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").glob("baifang-*.tar.gz")
    assert str(archive) in out.getvalue()

    restored_media = tmp_path / "restored-media"
    run = manage(
        "restore", str(archive), database_url=fresh_database, media_root=restored_media, data_dir=tmp_path
    )
    assert run.returncode == 0, run.stderr
    assert "Restore finished" in run.stdout or "恢复完成" in run.stdout
    run = manage("inventory", database_url=fresh_database, media_root=restored_media, data_dir=tmp_path)
    assert run.returncode == 0, run.stderr
    restored = json.loads(run.stdout)
    assert _comparable(restored) == _comparable(source)
    assert (restored_media / "correspondence/2026/12/函件.pdf").read_bytes() == b"%PDF-1.4 letter"
    # The restored installation is no longer empty: a second restore there is refused.
    again = manage(
        "restore", str(archive), database_url=fresh_database, media_root=restored_media, data_dir=tmp_path
    )
    assert again.returncode != 0 and "empty" in again.stderr


@pytest.mark.skipif("sqlite" not in settings.DATABASES["default"]["ENGINE"], reason="SQLite triggers only")
@pytest.mark.django_db(transaction=True)
def test_sqlite_restore_puts_the_tally_triggers_back(media, tmp_path):
    """The kept windows stay exact after a restore: the SQLite triggers are in place (R-OBL-2)."""
    from baifang.rules.trigger_sql import TRIGGER_NAMES

    archive = backup.backup(tmp_path)
    target = tmp_path / "fresh.sqlite3"
    run = manage(
        "restore",
        str(archive),
        database_url=f"sqlite:///{target}",
        media_root=tmp_path / "m",
        data_dir=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    import sqlite3

    with sqlite3.connect(target) as restored:
        names = {n for (n,) in restored.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGER_NAMES["sqlite"]) <= names


# --- what a restore refuses, before writing anything ------------------------------------------------


@pytest.fixture
def archive(transactional_db, media, tmp_path):
    """A backup of the empty test database (committed: SQLite's backup API waits for open writes)."""
    default_storage.save("visits/signatures/sig.png", ContentFile(b"\x89PNG signature"))
    path = backup.backup(tmp_path / "backups")
    default_storage.delete("visits/signatures/sig.png")
    return path


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, bytes) -> bytes`` applied to each member."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


@pytest.fixture
def counts_before(archive):
    return backup.table_counts()


def _nothing_written(media: Path, before: dict | None = None) -> None:
    assert backup.holds_data() == []
    assert backup.media_files() == []
    if before is not None:
        assert backup.table_counts() == before


def test_truncated_archive_stops_before_writing(archive, counts_before, media, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(truncated)
    assert caught.value.check == "readable"
    _nothing_written(media, counts_before)


def test_corrupted_member_fails_its_checksum(archive, counts_before, media, tmp_path):
    def flip(name, data):
        return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("media/") else data

    with pytest.raises(backup.BackupError) as caught:
        backup.restore(_rewrite(archive, tmp_path / "bad.tar.gz", flip))
    assert caught.value.check == "checksum" and "sig.png" in str(caught.value)
    _nothing_written(media, counts_before)


def test_command_says_which_check_failed(archive, counts_before, media, tmp_path):
    def no_manifest(name, data):
        return b"{not json" if name == backup.MANIFEST else data

    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(_rewrite(archive, tmp_path / "m.tar.gz", no_manifest)))
    _nothing_written(media, counts_before)


def test_archive_of_a_newer_schema_is_refused(archive, counts_before, media, tmp_path):
    def newer(name, data):
        if name != backup.MANIFEST:
            return data
        manifest = json.loads(data)
        manifest["migrations"].setdefault("visits", []).append("9999_from_the_future")
        return json.dumps(manifest).encode()

    with pytest.raises(backup.BackupError) as caught:
        backup.restore(_rewrite(archive, tmp_path / "newer.tar.gz", newer))
    assert caught.value.check == "schema" and "visits.9999_from_the_future" in str(caught.value)
    _nothing_written(media, counts_before)


def test_non_empty_installation_is_refused(archive, media, org):
    users = User.objects.count()
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(archive)
    assert caught.value.check == "empty" and "org_user" in str(caught.value)
    assert User.objects.count() == users


def test_non_empty_uploads_folder_is_refused(archive, media):
    default_storage.save("left/over.txt", ContentFile(b"x"))
    with pytest.raises(backup.BackupError) as caught:
        backup.restore(archive)
    assert caught.value.check == "empty"


def test_check_only_reads_the_archive_and_writes_nothing(archive, counts_before, media):
    out = io.StringIO()
    call_command("restore", str(archive), check_only=True, stdout=out)
    assert "2" in out.getvalue()
    _nothing_written(media, counts_before)


def test_backup_that_cannot_write_its_target_fails_loudly(db, media, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(CommandError, match="backup folder|备份目录"):
        call_command("backup", to=str(blocker / "backups"))


def test_manifest_lists_versions_migrations_and_checksums(archive):
    with tarfile.open(archive, "r:gz") as tar:
        manifest = json.load(tar.extractfile(backup.MANIFEST))
    assert manifest["vendor"] == connection.vendor and manifest["app_version"]
    assert "0001_initial" in manifest["migrations"]["visits"]
    assert set(manifest["members"]) == {
        backup.DB_MEMBER[connection.vendor],
        "media/visits/signatures/sig.png",
    }
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())
    assert manifest["tables"]["org_user"] == 0


# --- retention and the scheduled job ------------------------------------------------------------------


def _stamp(day: int, hour: int = 1) -> dt.datetime:
    return dt.datetime(2026, 1, 1, hour) + dt.timedelta(days=day)


@given(
    days=st.lists(st.integers(0, 120), min_size=1, max_size=40),
    daily=st.integers(0, 10),
    weekly=st.integers(0, 10),
)
def test_retention_keeps_the_newest_of_n_days_and_m_weeks(days, daily, weekly):
    stamps = [_stamp(d, i % 24) for i, d in enumerate(days)]
    keep = backup.to_keep(stamps, daily=daily, weekly=weekly)
    assert keep <= set(stamps)
    assert len(keep) <= daily + weekly
    if daily or weekly:
        assert max(stamps) in keep
    distinct_days = sorted({s.date() for s in stamps})
    for day in distinct_days[-daily:] if daily else []:
        assert max(s for s in stamps if s.date() == day) in keep
    assert backup.to_keep(sorted(keep), daily=daily, weekly=weekly) == keep  # pruning again deletes nothing


@pytest.mark.django_db(transaction=True)  # SQLite's backup API waits for the test's open transaction
def test_scheduled_backup_once_a_day_then_retention(media, tmp_path, settings):
    settings.BAIFANG = {
        **settings.BAIFANG,
        "BACKUP_DIR": str(tmp_path / "b"),
        "BACKUP_KEEP_DAILY": 2,
        "BACKUP_KEEP_WEEKLY": 1,
    }
    old = tmp_path / "b"
    old.mkdir()
    for day in (1, 2, 3):
        (old / f"baifang-202601{day:02d}-013000.tar.gz").write_bytes(b"old")
    (old / "notes.txt").write_text("not an archive")
    first = backup.scheduled_backup()
    assert first["archive"] and first["deleted"] == 2  # keeps today's and 3 January (also its week's newest)
    assert backup.scheduled_backup() == {
        "archive": "",
        "deleted": 0,
    }  # a second run the same day changes nothing
    assert sorted(p.name for p in old.iterdir()) == sorted(
        ["baifang-20260103-013000.tar.gz", first["archive"], "notes.txt"]
    )
