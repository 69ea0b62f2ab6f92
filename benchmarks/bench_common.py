"""Shared by the PostgreSQL benchmarks: a dedicated local database and a description of the machine."""

from __future__ import annotations

import os
import platform
from urllib.parse import urlparse, urlunparse


def ensure_database(url: str, *, fresh: bool, label: str) -> None:
    """Create the benchmark database if missing (connecting to the ``postgres`` maintenance db).

    Only a local PostgreSQL is accepted: benchmarks never send traffic off this machine.
    """
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"The {label} benchmark needs PostgreSQL, got {parts.scheme!r}.")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"The {label} benchmark only runs against a local database, got {parts.hostname!r}.")
    name = parts.path.lstrip("/")
    admin_url = urlunparse(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            print(f"dropping database {name}")
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            print(f"creating database {name}")
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def machine_info() -> dict:
    """Python, CPU, memory, PostgreSQL and Django versions, for the results JSON."""
    import django
    from django.db import connection

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }
    try:
        with open("/proc/meminfo") as fh:
            info["memory_gb"] = round(int(fh.readline().split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["processor"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        info["postgresql"] = cursor.fetchone()[0]
    info["django"] = django.get_version()
    return info
