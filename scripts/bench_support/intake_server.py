"""The web server of the intake bench (scripts/bench_intake.py): the throwaway database
migrated and seeded, the server's settings, and `callcenter … web serve` started and stopped;
with --parts or --profile, through bench_support.intake_instrument in the server's process."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench_support.intake_instrument import SERVER_ENV

ROOT = Path(__file__).resolve().parents[2]
SOURCE = "portal"


def prepare(url: str) -> str:
    """The schema, the shipped topics and units, and the portal's API source; its key."""
    from db import migrate
    from db.engine import make_engine, make_sessionmaker, transaction
    from db.models import ApiSource
    from db.topics import load_topics, read_topics_file
    from db.units import load_units, read_units_csv

    migrate.upgrade(url)
    engine = make_engine(url)
    key = "hk_" + secrets.token_urlsafe(32)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_topics(session, read_topics_file(ROOT / "db" / "seed" / "topics.toml"))
            load_units(session, read_units_csv(ROOT / "db" / "seed" / "ca_mau_units_2025.csv"))
            session.add(ApiSource(name=SOURCE,
                                  key_sha256=hashlib.sha256(key.encode()).hexdigest()))
    finally:
        engine.dispose()
    return key


def write_config(path: Path, url: str, cert: Path, key: Path, connections: int,
                 workers: int) -> None:
    """The web server's settings: TLS, any free port, every connection of the client from
    one address admitted, the rate limits far above what the benchmark sends."""
    path.write_text(f"""[database]
url = {json.dumps(url)}

[web]
listen_port = 0
tls_cert = {json.dumps(str(cert))}
tls_key = {json.dumps(str(key))}
max_connections_per_address = {connections + 16}
workers = {workers}
rate_per_source = "10000000/hour"
rate_per_phone = "1000000/hour"
rate_per_address = "100000000/hour"

[logging]
level = "INFO"
""", encoding="utf-8")


@dataclass(frozen=True)
class Server:
    port: int
    pid: int
    log: Path
    parts: Path | None  # where serve_timed writes its totals

    def snapshot(self) -> dict[str, list[float]]:
        """intake_instrument.serve_timed's totals so far (empty if the server is not
        timed)."""
        if self.parts is None:
            return {}
        before = json.loads(self.parts.read_text())["dumps"][2] if self.parts.exists() else 0
        os.kill(self.pid, signal.SIGUSR1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(FileNotFoundError, ValueError):
                totals: dict[str, list[float]] = json.loads(self.parts.read_text())
                if totals["dumps"][2] > before:
                    return totals
            time.sleep(0.02)
        raise SystemExit("the web server did not write its timings")


@contextlib.contextmanager
def web_server(config: Path, root: Path, look: str | None) -> Iterator[Server]:
    """`callcenter --config … web serve` until SIGTERM; with `look` ("profile" or "parts"),
    through intake_instrument.serve_instrumented."""
    ready, log_path = root / "ready", root / "server.log"
    command = [str(ROOT / ".venv" / "bin" / "callcenter"), "--config", str(config),
               "web", "serve", "--ready-file", str(ready)]
    env = dict(os.environ)
    if look is not None:
        env[SERVER_ENV] = f"{look}:{root / 'web'}.{look}"
        # patched first, as python -m callcenter.web does (else `web serve` would exec it)
        command = [sys.executable, "-c", "from gevent import monkey; monkey.patch_all(); "
                   "import sys; sys.path[:0] = [sys.argv.pop(1)]; "
                   "from bench_support import intake_instrument; "
                   "sys.exit(intake_instrument.serve_instrumented())",
                   str(ROOT / "scripts"), *command[1:]]
    parts = root / "web.parts" if look == "parts" else None
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            yield Server(wait_ready(process, ready, log_path), process.pid, log_path, parts)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(process: subprocess.Popen[bytes], ready: Path, log: Path) -> int:
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(FileNotFoundError, ValueError):
            return int(ready.read_text())
        if process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the web server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)

