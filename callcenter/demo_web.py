"""The demo's public declaration form: `callcenter web serve` in a process of its own (as in
production), on the demo's database and its development certificate, on a free port."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import gevent

START_SECONDS = 30.0


@contextmanager
def web_process(workdir: Path, database_url: str, cert: Path, key: Path) -> Iterator[str]:
    """The form's address, while the process runs; it is stopped afterwards."""
    config = workdir / "web.toml"
    ready = workdir / "web.port"
    config.write_text("[database]\nurl = " + json.dumps(database_url) + "\n[web]\n"
                      f"tls_cert = {json.dumps(str(cert))}\ntls_key = "
                      f"{json.dumps(str(key))}\nlisten_port = 0\n")
    ready.unlink(missing_ok=True)
    with (workdir / "web.log").open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 — our own command, no shell
            [sys.executable, "-m", "callcenter.cli.main", "--config", str(config), "web",
             "serve", "--ready-file", str(ready)], stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + START_SECONDS
            while not (ready.exists() and ready.read_text().strip()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the web form did not start; see {workdir / 'web.log'}")
                gevent.sleep(0.05)  # the demo's daemon runs on meanwhile
            yield f"https://127.0.0.1:{ready.read_text().strip()}/"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
