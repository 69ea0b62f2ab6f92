"""A real OpenLDAP server for the directory sign-in tests (R-SEC-2): Debian's slapd, started on a free
loopback port with its own temporary configuration and data, loaded with a few people and groups, and
stopped afterwards. Nothing outside the temporary directory is touched."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SUFFIX = "dc=baifang,dc=test"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "root-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_pw}
directory {dir}/data
access to attrs=userPassword by anonymous auth by self write by * none
access to * by * read
"""


def person(uid: str, name: str, password: str, mail: str = "", mobile: str = "") -> str:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        f"cn: {name}",
        f"sn: {name[:1]}",
        f"displayName: {name}",
        f"userPassword: {password}",
    ]
    lines += [f"mail: {mail}"] if mail else []
    lines += [f"mobile: {mobile}"] if mobile else []
    return "\n".join(lines)


def group(cn: str, members: list[str]) -> str:
    return "\n".join(
        [f"dn: cn={cn},{GROUPS}", "objectClass: groupOfNames", f"cn: {cn}"]
        + [f"member: uid={m},{PEOPLE}" for m in members]
    )


def available() -> bool:
    try:
        import django_auth_ldap  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        return False
    return Path(SLAPD).exists() and Path("/etc/ldap/schema/inetorgperson.schema").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Slapd:
    """``with Slapd(entries) as server: server.uri`` — a running directory holding ``entries`` (LDIF)."""

    def __init__(self, entries: list[str]):
        self.entries = entries
        self.dir = Path(tempfile.mkdtemp(prefix="baifang-slapd-"))
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process = None

    def __enter__(self) -> Slapd:
        (self.dir / "data").mkdir()
        conf = self.dir / "slapd.conf"
        conf.write_text(
            CONFIG.format(dir=self.dir, suffix=SUFFIX, root_dn=ROOT_DN, root_pw=ROOT_PASSWORD),
            encoding="utf-8",
        )
        base = [
            f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: baifang\no: Baifang test",
            f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people",
            f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups",
        ]
        ldif = self.dir / "data.ldif"
        ldif.write_text("\n\n".join(base + self.entries) + "\n", encoding="utf-8")
        # slapadd loads the entries offline (no network, no bind), then slapd serves them
        subprocess.run([SLAPD.replace("slapd", "slapadd"), "-f", str(conf), "-l", str(ldif)], check=True,
                       capture_output=True)  # fmt: skip
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", self.uri, "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("slapd did not start within 15 s")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)
