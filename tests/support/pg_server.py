"""A throwaway PostgreSQL cluster on 127.0.0.1 for the test session.

`initdb` into a temporary directory (as the postgres user when the tests run as root,
since PostgreSQL refuses to run as root), `pg_ctl -w start` on a free port, and
`pg_ctl stop` plus removal of the directory at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def find_bindir() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not candidates:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries (initdb): run scripts/setup as root to install "
            "the 'postgresql' package, or set CALLCENTER_TEST_PG_URL")
    return Path(candidates[0]).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Yield the URL of a fresh superuser database; everything is removed afterwards."""
    bindir = find_bindir()
    workdir = Path(tempfile.mkdtemp(prefix="callcenter-pg-"))
    data = workdir / "data"
    port = free_port()
    run_as: list[str] = []
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = ["runuser", "-u", "postgres", "--"]
    try:
        subprocess.run(
            [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, text=True)
        options = f"-h 127.0.0.1 -p {port} -k {workdir} -c fsync=off -c full_page_writes=off"
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60",
             "-o", options, "-l", str(workdir / "server.log"), "start"],
            check=True, capture_output=True, text=True)
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(workdir, ignore_errors=True)
        detail = exc.stderr or exc.stdout
        raise PostgresUnavailable(f"could not start PostgreSQL: {detail}") from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
