#!/usr/bin/env python
"""Load benchmark of the mobile visit API over HTTP on loopback, PostgreSQL behind gunicorn.

    .venv/bin/python benchmarks/bench_load.py [--quick] [--users 50] [--iterations 20]
                                              [--workers 2] [--threads 1] [--photos] [--fresh]

Set-up: a dedicated database (default ``postgresql://postgres@127.0.0.1:5432/baifang_load``; the
``DATABASE_URL`` of the environment is *not* used), created when missing, migrated and filled once
with ``baifang demo --customers 2000 --reps 50 --seed 7``; one DRF token per field rep. The visit
tables (touches, records, flags, photos, status changes, idempotency keys) are emptied at the start
of every run, so runs are comparable.

The server is ``gunicorn baifang.wsgi -w 2`` on ``127.0.0.1`` (a free port) with ``DEBUG=0``; it is
always stopped at the end. The load generator is this process: one thread per virtual user, each with
its own ``http.client`` connection, token auth, every request timed. Phases, in this order:

1. **floor** — every user sends ``GET /api/v1/users/me/`` as many times as it sends requests in the
   visit phase (the cheapest authenticated request on the same server).
2. **visits** — every user, ``--iterations`` times: pick one of its own customers, check in a few
   metres from it (WGS-84), check out, submit the record (``purpose`` and ``content``, the default
   ``VISIT_RECORD_REQUIRED``; with ``--photos`` a small JPEG is uploaded first). Every write carries
   an ``Idempotency-Key``.
3. **retry storm** — the same scenario, but every write is sent twice with the same key: on even
   iterations both copies at once (two connections), on odd ones the copy right after the answer.
   Both answers must be equal (one of them ``Idempotent-Replayed: true``).

After each write phase the database is checked: one touch per check-in key that got a 2xx and no
other touch (duplicates), each with its check-out, its submitted record with the content sent and one
``submitted`` status change (lost = a 2xx check-in without them). ``ratio`` = visit-phase p50 / floor
p50; throughput ratio = floor requests/s / visit requests/s. The machine may be shared, so every phase
also reports the CPU seconds of the server's processes, of the database's backends, of this client
and of everything else (``other_cpu_s``): CPU ms per request is the figure that noise moves least. Bounded: only 127.0.0.1, a fixed number
of requests, ``--phase-timeout`` seconds per phase at most. Results: a markdown table on stdout and
``benchmarks/results/load.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
from bench_common import ensure_database  # noqa: E402  (run as a script from benchmarks/)
from bench_common import machine_info as common_machine_info  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "load.json"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/baifang_load"
HOST = "127.0.0.1"
API = "/api/v1"
REQUEST_TIMEOUT_S = 30.0
ENDPOINTS = ("check_in", "check_out", "photo", "record_submit")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_LOAD_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--users", type=int, default=50, help="concurrent virtual users (default 50)")
    parser.add_argument("--iterations", type=int, default=20, help="visits per user per phase (default 20)")
    parser.add_argument("--quick", action="store_true", help="10 users x 5 iterations")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads per worker (default 1: sync)"
    )
    parser.add_argument("--photos", action="store_true", help="upload a small JPEG before each record")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--reps", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--phase-timeout", type=float, default=600.0, help="seconds per phase at most")
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the benchmark database first")
    parser.add_argument("--output", type=Path, default=None, help=f"default {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.quick:
        args.users, args.iterations = 10, 5
    if args.output is None:  # a quick run does not overwrite the full run's figures
        args.output = RESULTS.with_name("load-quick.json") if args.quick else RESULTS
    if args.users < 1 or args.iterations < 1:
        parser.error("--users and --iterations must be at least 1")
    return args


# --- database set-up -------------------------------------------------------------------------


def setup_django(url: str) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: no collectstatic here
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baifang.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_data(customers: int, reps: int, seed: int) -> dict:
    from django.core.management import call_command

    from baifang.org.models import OrgUnit

    call_command("migrate", verbosity=0)
    if OrgUnit.objects.exists():
        print("reusing the existing demo company")
        return {"generated": False, "seconds": None}
    print(f"generating {customers:,} customers and {reps:,} reps (seed {seed}) ...")
    started = time.perf_counter()
    call_command("demo", customers=customers, reps=reps, seed=seed, verbosity=0)
    seconds = time.perf_counter() - started
    print(f"generation took {seconds:.1f}s")
    return {"generated": True, "seconds": round(seconds, 1)}


def visit_models():
    from baifang.visits.models import (
        IdempotencyKey,
        RecordStatusChange,
        Touch,
        VisitFlag,
        VisitPhoto,
        VisitRecord,
    )

    return Touch, VisitRecord, VisitFlag, VisitPhoto, RecordStatusChange, IdempotencyKey


def reset_visits() -> None:
    """Empty the visit tables of the dedicated database, so every run starts alike."""
    from django.db import connection

    from baifang.core.models import Notification

    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in visit_models())
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    Notification.objects.filter(kind__startswith="visit_record").delete()
    with connection.cursor() as cursor:
        for model in visit_models():
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


@dataclass
class Rep:
    username: str
    user_id: int
    token: str
    customers: list[tuple[int, float, float]]  # (pk, WGS-84 lat, lng)


def prepare_reps(count: int) -> list[Rep]:
    """The first ``count`` field reps that own located customers, each with a DRF token."""
    from rest_framework.authtoken.models import Token

    from baifang.customers.models import Customer
    from baifang.org.models import User
    from baifang.routing.geo import CRS, Point

    users = (
        User.objects.filter(assignments__position__kind="field_rep", is_active=True)
        .distinct()
        .order_by("username")
    )
    reps = []
    for user in users:
        owned = Customer.objects.filter(owner=user, latitude__isnull=False, longitude__isnull=False)
        customers = []
        for c in owned.only("pk", "latitude", "longitude", "coordinate_system"):
            wgs = Point(float(c.latitude), float(c.longitude), CRS(c.coordinate_system)).to_wgs84()
            customers.append((c.pk, wgs.lat, wgs.lng))
        if not customers:
            continue
        token, _created = Token.objects.get_or_create(user=user)
        reps.append(Rep(user.username, user.pk, token.key, customers))
        if len(reps) == count:
            break
    if len(reps) < count:
        raise SystemExit(f"Only {len(reps)} field reps own located customers; asked for {count} users.")
    return reps


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn on loopback in a subprocess (its own process group); ``stop()`` always ends it."""

    def __init__(self, url: str, workers: int, threads: int):
        self.port = free_port()
        self.workdir = Path(tempfile.mkdtemp(prefix="baifang-load-"))
        self.log_path = self.workdir / "gunicorn.log"
        self.cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "baifang.wsgi:application",
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{self.port}",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ]
        if threads > 1:
            self.cmd += ["--threads", str(threads)]
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": "bench",
            "ALLOWED_HOSTS": HOST,
            "BAIFANG_DATA_DIR": str(self.workdir),  # media and the huey file, thrown away afterwards
            "PYTHONPATH": str(ROOT),
        }
        self.proc: subprocess.Popen | None = None

    def start(self, token: str, timeout: float = 60.0) -> None:
        log = open(self.log_path, "wb")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            self.cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", f"{API}/users/me/", headers={"Authorization": f"Token {token}"})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
                raise SystemExit(f"GET {API}/users/me/ answered {status}:\n{self.log_tail()}")
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f}s:\n{self.log_tail()}")

    def photo_files(self) -> int:
        """Files the server stored under its media directory (compare with the photo rows)."""
        return sum(1 for p in (self.workdir / "media").rglob("*") if p.is_file())

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        shutil.rmtree(self.workdir, ignore_errors=True)


# --- CPU accounting (the machine may be shared: other people's load shows as "other") ------------

CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_cpu(pid_dir: Path) -> tuple[int, float, str] | None:
    """(process group, CPU seconds, command line) of one /proc entry, None when it is gone."""
    try:
        stat = (pid_dir / "stat").read_text()
        cmdline = (pid_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[2]), (int(fields[11]) + int(fields[12])) / CLK_TCK, cmdline


def cpu_snapshot(server_pgid: int | None, database: str) -> dict:
    """CPU seconds so far of the server's processes, of the database's backends, and of the machine."""
    server, postgres = {}, {}
    for pid_dir in Path("/proc").glob("[0-9]*"):
        found = _proc_cpu(pid_dir)
        if found is None:
            continue
        pgrp, seconds, cmdline = found
        if server_pgid is not None and pgrp == server_pgid:
            server[pid_dir.name] = seconds
        elif cmdline.startswith("postgres:") and f" {database} " in f"{cmdline} ":
            postgres[pid_dir.name] = seconds
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]
        machine = (sum(values[:8]) - idle) / CLK_TCK
    except (OSError, ValueError, IndexError):
        machine = float("nan")
    return {"server": server, "postgres": postgres, "machine": machine, "client": time.process_time()}


def cpu_delta(before: dict, after: dict, requests: int) -> dict:
    def grown(name):
        return sum(v - before[name].get(pid, 0.0) for pid, v in after[name].items())

    server, postgres = grown("server"), grown("postgres")
    client = after["client"] - before["client"]
    machine = after["machine"] - before["machine"]
    return {
        "server_cpu_s": round(server, 2),
        "postgres_cpu_s": round(postgres, 2),
        "client_cpu_s": round(client, 2),
        "machine_busy_cpu_s": round(machine, 2),
        # CPU used meanwhile by processes that are not part of the benchmark (a shared machine)
        "other_cpu_s": round(machine - server - postgres - client, 2),
        "server_cpu_ms_per_request": round(server * 1000 / requests, 2) if requests else None,
        "postgres_cpu_ms_per_request": round(postgres * 1000 / requests, 2) if requests else None,
    }


# --- the load generator ------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (connection error or timeout)
    body: object
    replayed: bool
    seconds: float


@dataclass
class Sample:
    endpoint: str
    started: float
    seconds: float
    status: int
    detail: str = ""  # the start of the body of an error answer


class Client:
    """One keep-alive-if-possible HTTP connection to the server, timing every request."""

    def __init__(self, port: int, token: str, samples: list[Sample]):
        self.port, self.token, self.samples = port, token, samples
        self.conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)

    def call(self, endpoint: str, method: str, path: str, *, json_body=None, key=None, multipart=None):
        headers = {"Authorization": f"Token {self.token}", "Accept": "application/json"}
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif multipart is not None:
            body, headers["Content-Type"] = multipart
        if key:
            headers["Idempotency-Key"] = key
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            status, replayed = response.status, response.getheader("Idempotent-Replayed") == "true"
            if response.will_close:
                self.conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()
            status, raw, replayed = 0, repr(exc).encode(), False
        seconds = time.perf_counter() - started
        detail = "" if 200 <= status < 300 else raw[:300].decode(errors="replace")
        self.samples.append(Sample(endpoint, started, seconds, status, detail))
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw[:200].decode(errors="replace")
        return Answer(status, parsed, replayed, seconds)

    def close(self):
        self.conn.close()


def tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 120, 40)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{filename}"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    )
    body = "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@dataclass
class Flow:
    """One visit as the client saw it (for the database check afterwards)."""

    key: str
    customer: int
    content: str
    touch_id: int | None = None
    checked_out: bool = False
    photo: bool = False
    submitted: bool = False


@dataclass
class Pair:
    """A write sent twice with the same key, and what came back."""

    endpoint: str
    mode: str  # concurrent | sequential
    first: int
    second: int
    replays: int
    same_body: bool


@dataclass
class UserResult:
    samples: list[Sample] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    timed_out: bool = False


class VirtualUser:
    def __init__(self, index, rep: Rep, port: int, args, run_id: str, phase: str, deadline: float, jpeg):
        self.index, self.rep, self.args, self.phase, self.deadline = index, rep, args, phase, deadline
        self.run_id, self.jpeg = run_id, jpeg
        self.result = UserResult()
        self.rng = random.Random(f"{run_id}-{phase}-{index}")
        self.client = Client(port, rep.token, self.result.samples)
        self.twin: Client | None = None
        self.pool: ThreadPoolExecutor | None = None
        if phase == "storm":
            self.twin = Client(port, rep.token, self.result.samples)
            self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"twin-{index}")

    # requests per iteration of the visit scenario
    @staticmethod
    def requests_per_visit(args) -> int:
        return 4 if args.photos else 3

    def run(self) -> None:
        try:
            if self.phase == "floor":
                self.run_floor()
            else:
                self.run_visits()
        finally:
            self.client.close()
            if self.twin is not None:
                self.twin.close()
            if self.pool is not None:
                self.pool.shutdown(wait=True)

    def run_floor(self) -> None:
        for _ in range(self.args.iterations * self.requests_per_visit(self.args)):
            if time.monotonic() > self.deadline:
                self.result.timed_out = True
                return
            self.client.call("me", "GET", f"{API}/users/me/")

    def send(self, i: int, endpoint: str, method: str, path: str, **kwargs) -> Answer:
        """Send once, or (retry storm) twice with the same key; return the answer the app would use."""
        if self.twin is None:
            return self.client.call(endpoint, method, path, **kwargs)
        if i % 2 == 0:
            mode = "concurrent"
            twin = self.pool.submit(self.twin.call, endpoint, method, path, **kwargs)
            a = self.client.call(endpoint, method, path, **kwargs)
            b = twin.result()
        else:
            mode = "sequential"
            a = self.client.call(endpoint, method, path, **kwargs)
            b = self.client.call(endpoint, method, path, **kwargs)
        self.result.pairs.append(
            Pair(endpoint, mode, a.status, b.status, int(a.replayed) + int(b.replayed), a.body == b.body)
        )
        ok = [x for x in (a, b) if 200 <= x.status < 300]
        return ok[0] if ok else a

    def run_visits(self) -> None:
        for i in range(self.args.iterations):
            if time.monotonic() > self.deadline:
                self.result.timed_out = True
                return
            customer, lat, lng = self.rng.choice(self.rep.customers)
            key = f"{self.run_id}-{self.phase}-u{self.index}-v{i}"
            content = f"load {key}: 了解库存与需求"
            flow = Flow(key, customer, content)
            self.result.flows.append(flow)
            # a few tens of metres from the customer, as a phone's GPS would say
            lat += self.rng.uniform(-0.0003, 0.0003)
            lng += self.rng.uniform(-0.0003, 0.0003)
            body = {
                "customer": customer,
                "latitude": f"{lat:.7f}",
                "longitude": f"{lng:.7f}",
                "coordinate_system": "WGS84",
                "accuracy_m": 12,
            }
            answer = self.send(
                i, "check_in", "POST", f"{API}/visits/check-in/", json_body=body, key=f"{key}-in"
            )
            if answer.status != 201 or not isinstance(answer.body, dict):
                continue
            flow.touch_id = answer.body["id"]
            visit = f"{API}/visits/{flow.touch_id}"
            answer = self.send(i, "check_out", "POST", f"{visit}/check-out/", json_body={}, key=f"{key}-out")
            flow.checked_out = answer.status == 200
            if self.args.photos:
                form = multipart({"caption": "门头"}, f"{key}.jpg", self.jpeg)
                answer = self.send(i, "photo", "POST", f"{visit}/photos/", multipart=form, key=f"{key}-photo")
                flow.photo = answer.status == 201
            record = {"purpose": "needs", "content": content, "submit": True}
            answer = self.send(
                i, "record_submit", "POST", f"{visit}/record/", json_body=record, key=f"{key}-rec"
            )
            flow.submitted = (
                answer.status == 200
                and isinstance(answer.body, dict)
                and answer.body.get("status") == "submitted"
            )


def run_phase(
    phase: str, reps: list[Rep], port: int, args, run_id: str, jpeg: bytes | None, cpu=lambda: None
) -> dict:
    deadline = time.monotonic() + args.phase_timeout
    users = [
        VirtualUser(i, rep, port, args, run_id, phase, deadline, jpeg)
        for i, rep in enumerate(reps[: args.users])
    ]
    start_gate = threading.Barrier(len(users) + 1)

    def body(user):
        start_gate.wait()
        user.run()

    threads = [threading.Thread(target=body, args=(u,), name=f"user-{u.index}") for u in users]
    for t in threads:
        t.start()
    cpu_before = cpu()
    start_gate.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    cpu_after = cpu()
    results = [u.result for u in users]
    samples = [s for r in results for s in r.samples]
    return {
        "wall_s": wall,
        "cpu": cpu_delta(cpu_before, cpu_after, len(samples)) if cpu_before else None,
        "samples": samples,
        "flows": [f for r in results for f in r.flows],
        "pairs": [p for r in results for p in r.pairs],
        "timed_out": any(r.timed_out for r in results),
    }


# --- figures -----------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def latency_stats(samples: list[Sample], wall: float) -> dict:
    ms = sorted(s.seconds * 1000 for s in samples)
    errors: dict[str, int] = {}
    for s in samples:
        if not 200 <= s.status < 300:
            errors[str(s.status)] = errors.get(str(s.status), 0) + 1
    examples = sorted({s.detail for s in samples if s.detail})[:3]
    return {
        "requests": len(samples),
        "errors": sum(errors.values()),
        "errors_by_status": errors,
        "error_examples": examples,
        "rps": round(len(samples) / wall, 1) if wall else None,
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p90_ms": round(percentile(ms, 0.90), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(ms[-1], 1) if ms else None,
        "mean_ms": round(sum(ms) / len(ms), 1) if ms else None,
    }


def summarize(phase: str, raw: dict) -> dict:
    wall = raw["wall_s"]
    out = {
        "wall_s": round(wall, 2),
        "cpu": raw["cpu"],
        "timed_out": raw["timed_out"],
        "overall": latency_stats(raw["samples"], wall),
        "endpoints": {},
    }
    for endpoint in ("me", *ENDPOINTS):
        chosen = [s for s in raw["samples"] if s.endpoint == endpoint]
        if chosen:
            out["endpoints"][endpoint] = latency_stats(chosen, wall)
    if phase != "floor":
        flows = raw["flows"]
        complete = [f for f in flows if f.touch_id and f.checked_out and f.submitted]
        out["visits_attempted"] = len(flows)
        out["visits_completed"] = len(complete)
        out["visits_per_s"] = round(len(complete) / wall, 1) if wall else None
    if raw["pairs"]:
        pairs = raw["pairs"]
        bad = [p for p in pairs if not (200 <= p.first < 300 and p.first == p.second and p.same_body)]
        out["retry_pairs"] = {
            "pairs": len(pairs),
            "concurrent": sum(p.mode == "concurrent" for p in pairs),
            "sequential": sum(p.mode == "sequential" for p in pairs),
            "replayed_answers": sum(p.replays for p in pairs),
            "pairs_without_replay": sum(p.replays == 0 for p in pairs),
            "mismatched_pairs": len(bad),
            "mismatches": [
                {
                    "endpoint": p.endpoint,
                    "mode": p.mode,
                    "statuses": [p.first, p.second],
                    "same_body": p.same_body,
                }
                for p in bad[:20]
            ],
            "mismatches_by_endpoint": {
                e: sum(p.endpoint == e for p in bad) for e in ENDPOINTS if any(p.endpoint == e for p in bad)
            },
        }
    return out


def verify(flows: list[Flow], user_ids: list[int], first_touch_id: int, photos: bool) -> dict:
    """Compare what the clients were told with what the database holds."""
    from django.db.models import Count

    Touch, VisitRecord, _flag, VisitPhoto, RecordStatusChange, IdempotencyKey = visit_models()
    touches = {
        t.pk: t
        for t in Touch.objects.filter(user_id__in=user_ids, pk__gt=first_touch_id, channel="visit").only(
            "pk", "ended_at", "customer_id"
        )
    }
    records = {
        r.touch_id: r
        for r in VisitRecord.objects.filter(touch_id__in=touches).only("touch_id", "status", "content")
    }
    submitted_changes = dict(
        RecordStatusChange.objects.filter(record__touch_id__in=touches, new_status="submitted")
        .values_list("record__touch_id")
        .annotate(n=Count("pk"))
    )
    photo_counts = dict(
        VisitPhoto.objects.filter(touch_id__in=touches).values_list("touch_id").annotate(n=Count("pk"))
    )
    checked_in = [f for f in flows if f.touch_id]
    keys = {f.key for f in checked_in}
    known = {f.touch_id for f in checked_in}
    lost_touch, lost_checkout, lost_record, lost_photo, wrong_content = [], [], [], [], []
    for f in checked_in:
        t = touches.get(f.touch_id)
        if t is None or t.customer_id != f.customer:
            lost_touch.append(f.key)
            continue
        if t.ended_at is None:
            lost_checkout.append(f.key)
        r = records.get(f.touch_id)
        if r is None or r.status != "submitted":
            lost_record.append(f.key)
        elif r.content != f.content:
            wrong_content.append(f.key)
        if photos and photo_counts.get(f.touch_id, 0) < 1:
            lost_photo.append(f.key)
    extra_touches = sorted(set(touches) - known)
    double_submits = sorted(t for t, n in submitted_changes.items() if n > 1)
    double_photos = sorted(t for t, n in photo_counts.items() if n > 1)
    key_rows = IdempotencyKey.objects.filter(
        user_id__in=user_ids, key__in=[f"{f.key}-in" for f in flows]
    ).count()
    lost = len(lost_touch) + len(lost_checkout) + len(lost_record) + len(lost_photo) + len(wrong_content)
    duplicates = len(extra_touches) + len(double_submits) + len(double_photos)
    return {
        "check_in_keys_2xx": len(keys),
        "distinct_touch_ids_2xx": len(known),
        "touches_in_db": len(touches),
        "check_in_key_rows": key_rows,
        "duplicates": duplicates,
        "duplicate_touches": len(extra_touches),
        "duplicate_submits": len(double_submits),
        "duplicate_photos": len(double_photos),
        "lost": lost,
        "lost_touches": len(lost_touch),
        "lost_checkouts": len(lost_checkout),
        "lost_records": len(lost_record),
        "lost_photos": len(lost_photo),
        "wrong_content": len(wrong_content),
        "flows_not_completed_by_client": sum(
            1 for f in checked_in if not (f.checked_out and f.submitted and (f.photo or not photos))
        ),
        "examples": {
            "extra_touch_ids": extra_touches[:10],
            "lost_keys": (lost_touch + lost_checkout + lost_record + lost_photo + wrong_content)[:10],
        },
    }


def query_counts(rep: Rep) -> dict:
    """SQL queries per request of the scenario, counted in-process once (Django test client)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = DjangoClient(HTTP_AUTHORIZATION=f"Token {rep.token}", HTTP_ACCEPT="application/json")
    customer, lat, lng = rep.customers[0]
    key = f"queries-{uuid.uuid4().hex[:8]}"
    counts = {}

    def post(name, path, body, suffix):
        with CaptureQueriesContext(connection) as captured:
            response = client.post(
                path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key + suffix
            )
        counts[name] = len(captured.captured_queries)
        return response

    for name, path in (("me", f"{API}/users/me/"),):
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts[name] = len(captured.captured_queries)
    body = {"customer": customer, "latitude": f"{lat:.7f}", "longitude": f"{lng:.7f}"}
    touch = post("check_in", f"{API}/visits/check-in/", body, "-in").json()["id"]
    post("check_out", f"{API}/visits/{touch}/check-out/", {}, "-out")
    record = {"purpose": "needs", "content": "queries", "submit": True}
    post("record_submit", f"{API}/visits/{touch}/record/", record, "-rec")
    post("record_submit_replay", f"{API}/visits/{touch}/record/", record, "-rec")
    return counts


def max_touch_id() -> int:
    from django.db import connections
    from django.db.models import Max

    Touch = visit_models()[0]
    value = Touch.objects.aggregate(m=Max("pk"))["m"] or 0
    connections.close_all()
    return value


# --- report ------------------------------------------------------------------------------------


def machine_info() -> dict:
    import gunicorn

    return {**common_machine_info(), "gunicorn": gunicorn.__version__}


def code_version() -> dict:
    """The commit measured and whether tracked files differ from it (read-only git calls)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "modified_files": None}
    return {"commit": commit, "modified_files": len(changed)}


def markdown(result: dict) -> str:
    lines = [
        "| phase | endpoint | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for phase in ("floor", "visits", "storm"):
        data = result["phases"][phase]
        rows = [("**all**", data["overall"])] + list(data["endpoints"].items())
        if phase == "floor":
            rows = rows[:1]
        for name, s in rows:
            lines.append(
                f"| {phase} | {name} | {s['requests']:,} | {s['errors']} | {s['rps']} | {s['p50_ms']} "
                f"| {s['p90_ms']} | {s['p99_ms']} | {s['max_ms']} |"
            )
    s = result["summary"]
    lines += [
        "",
        "| figure | value |",
        "|---|---:|",
        f"| users × iterations | {result['users']} × {result['iterations']} |",
        f"| visits/s (visit phase) | {s['visits_per_s']} |",
        f"| p50 ratio (visit requests / floor) | {s['p50_ratio']} |",
        f"| throughput ratio (floor req/s / visit req/s) | {s['throughput_ratio']} |",
        f"| server CPU per request: floor / visit (ms) | {s['floor_server_cpu_ms_per_request']} / "
        f"{s['visit_server_cpu_ms_per_request']} |",
        f"| CPU ratio (server + PostgreSQL per request, visit / floor) | {s['cpu_ratio']} |",
        "| other processes' CPU during floor / visits / storm (s) | "
        + " / ".join(str(v) for v in s["other_cpu_s"].values())
        + " |",
        f"| storm: visits/s | {s['storm_visits_per_s']} |",
        f"| storm: retry pairs (concurrent + sequential) | {s['storm_pairs']} |",
        f"| storm: pairs with unequal answers | {s['storm_mismatched_pairs']} |",
        f"| storm: duplicates | {s['storm_duplicates']} |",
        f"| storm: lost | {s['storm_lost']} |",
        f"| visit phase: duplicates / lost | {s['visits_duplicates']} / {s['visits_lost']} |",
    ]
    return "\n".join(lines)


def _ratio(a: dict | None, b: dict | None) -> float | None:
    """Server + database CPU per request of phase a over phase b."""
    if not a or not b:
        return None
    top = a["server_cpu_ms_per_request"] + a["postgres_cpu_ms_per_request"]
    bottom = b["server_cpu_ms_per_request"] + b["postgres_cpu_ms_per_request"]
    return round(top / bottom, 2) if bottom else None


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, fresh=args.fresh, label="load")
    setup_django(args.database_url)
    generation = ensure_data(args.customers, args.reps, args.seed)
    reset_visits()
    reps = prepare_reps(args.users)
    info = machine_info()
    queries = query_counts(reps[-1])
    jpeg = tiny_jpeg() if args.photos else None
    user_ids = [r.user_id for r in reps]
    run_id = uuid.uuid4().hex[:8]
    from django.db import connections

    connections.close_all()

    server = Server(args.database_url, args.workers, args.threads)
    phases, checks = {}, {}
    try:
        print(f"starting gunicorn on {HOST}:{server.port} ({args.workers} workers, {args.threads} thread(s))")
        server.start(reps[0].token)
        database = urlparse(args.database_url).path.lstrip("/")

        def cpu():
            return cpu_snapshot(server.proc.pid, database)

        # warm-up: every worker imports its views and opens its database connection
        warm = argparse.Namespace(**{**vars(args), "iterations": 2, "photos": args.photos})
        run_phase("warmup", reps[: min(4, len(reps))], server.port, warm, run_id, jpeg)
        for phase in ("floor", "visits", "storm"):
            print(f"phase {phase}: {args.users} users × {args.iterations} iterations ...", flush=True)
            first_id = max_touch_id()
            raw = run_phase(phase, reps, server.port, args, run_id, jpeg, cpu=cpu)
            phases[phase] = summarize(phase, raw)
            o = phases[phase]["overall"]
            print(
                f"  {o['requests']:,} requests in {raw['wall_s']:.1f}s: {o['rps']} req/s, "
                f"p50 {o['p50_ms']} ms, p99 {o['p99_ms']} ms, {o['errors']} errors",
                flush=True,
            )
            if phase != "floor":
                checks[phase] = verify(raw["flows"], user_ids, first_id, args.photos)
                if args.photos:
                    checks[phase]["photo_files_on_disk"] = server.photo_files()
                    checks[phase]["photo_rows_in_db"] = visit_models()[3].objects.count()
                    # files written by a request whose transaction was rolled back (storage is not transactional)
                    checks[phase]["orphan_photo_files"] = (
                        checks[phase]["photo_files_on_disk"] - checks[phase]["photo_rows_in_db"]
                    )
                    connections.close_all()
                connections.close_all()
                c = checks[phase]
                print(f"  database: {c['duplicates']} duplicates, {c['lost']} lost", flush=True)
    finally:
        server.stop()
        log_tail = server.log_tail()

    floor, visits, storm = phases["floor"], phases["visits"], phases["storm"]
    summary = {
        "visits_per_s": visits["visits_per_s"],
        "visit_rps": visits["overall"]["rps"],
        "floor_rps": floor["overall"]["rps"],
        "visit_p50_ms": visits["overall"]["p50_ms"],
        "floor_p50_ms": floor["overall"]["p50_ms"],
        "p50_ratio": round(visits["overall"]["p50_ms"] / floor["overall"]["p50_ms"], 2),
        "p99_ratio": round(visits["overall"]["p99_ms"] / floor["overall"]["p99_ms"], 2),
        "throughput_ratio": round(floor["overall"]["rps"] / visits["overall"]["rps"], 2),
        "floor_server_cpu_ms_per_request": (floor["cpu"] or {}).get("server_cpu_ms_per_request"),
        "visit_server_cpu_ms_per_request": (visits["cpu"] or {}).get("server_cpu_ms_per_request"),
        "cpu_ratio": _ratio(visits["cpu"], floor["cpu"]),
        "other_cpu_s": {name: (p["cpu"] or {}).get("other_cpu_s") for name, p in phases.items()},
        "storm_visits_per_s": storm["visits_per_s"],
        "storm_pairs": storm.get("retry_pairs", {}).get("pairs", 0),
        "storm_mismatched_pairs": storm.get("retry_pairs", {}).get("mismatched_pairs", 0),
        "storm_duplicates": checks["storm"]["duplicates"],
        "storm_lost": checks["storm"]["lost"],
        "visits_duplicates": checks["visits"]["duplicates"],
        "visits_lost": checks["visits"]["lost"],
    }
    result = {
        "benchmark": "mobile visit API under load (HTTP, gunicorn, PostgreSQL)",
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": urlparse(args.database_url)
        ._replace(netloc=urlparse(args.database_url).hostname or "")
        .geturl(),
        "server": {"command": " ".join(server.cmd[2:]), "workers": args.workers, "threads": args.threads},
        "client": "one thread per virtual user, http.client, DRF token auth, same machine",
        "users": args.users,
        "iterations": args.iterations,
        "photos": args.photos,
        "customers": args.customers,
        "reps": args.reps,
        "seed": args.seed,
        "generation": generation,
        "machine": info,
        "code": code_version(),
        "summary": summary,
        "queries_per_request": queries,
        "phases": phases,
        "database_checks": checks,
    }
    if any(p["overall"]["errors"] for p in phases.values()):
        result["server_log_tail"] = log_tail
    table = markdown(result)
    result["table"] = table
    print()
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.output}")
    ok = summary["storm_duplicates"] == 0 and summary["storm_lost"] == 0
    ok = ok and summary["visits_duplicates"] == 0 and summary["visits_lost"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
