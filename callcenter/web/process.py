"""The web form's processes from the outside: `callcenter web serve` started with its own
settings file (the demo's form, the tests' server), waited for until it listens, and stopped —
and any of its processes stopped (the first process stops its workers so)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent

START_SECONDS = 30.0


@dataclass(frozen=True)
class WebProcess:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}/"


@contextmanager
def running(folder: Path, database_url: str, cert: Path, key: Path,
            **web: Any) -> Iterator[WebProcess]:
    """`callcenter web serve` on a free port of 127.0.0.1 with these [web] settings (and the
    certificate), its output in `folder`/web.log, while the block runs; stopped afterwards."""
    settings = {"tls_cert": str(cert), "tls_key": str(key), "listen_port": 0, **web}
    config, ready, log = folder / "web.toml", folder / "web.port", folder / "web.log"
    config.write_text("[database]\nurl = " + json.dumps(database_url) + "\n[web]\n" + "".join(
        f"{name} = {json.dumps(value)}\n" for name, value in settings.items()))
    ready.unlink(missing_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 — our own command, no shell
            [sys.executable, "-m", "callcenter.cli.main", "--config", str(config), "web",
             "serve", "--ready-file", str(ready)], stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_SECONDS
            while not (ready.exists() and ready.read_text().strip()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the web form did not start:\n{log.read_text()}")
                gevent.sleep(0.05)  # a demo's daemon in this process runs on meanwhile
            yield WebProcess(process, int(ready.read_text()), log)
        finally:
            stop([process])


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM, then SIGKILL for any still running 10 s later."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
