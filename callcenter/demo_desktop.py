"""`callcenter demo` with a display: the hotline (simulator + daemon + hub) in a process of its
own, and the agent window here, logged in as the demo nurse while simulated colleagues take the
other calls. With no display it says so in one line and shows the headless wallboard."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO_NURSE = "lan"
DEMO_LEAD = "truong"  # callcenter.demo.DEMO_LEAD
READY_SECONDS = 60.0


def backend_command(ready: Path, rate: float, speed: float, seed: int, lead: bool = False,
                    staff: int = 0) -> list[str]:
    return [sys.executable, "-m", "callcenter.cli.main", "demo", "--headless", "--quiet",
            "--desktop-user", DEMO_LEAD if lead else DEMO_NURSE, "--ready-file", str(ready),
            "--rate", str(rate), "--speed", str(speed), "--seed", str(seed),
            "--staff", str(staff), *(["--lead"] if lead else [])]


def wait_ready(ready: Path, backend: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not (ready.exists() and ready.stat().st_size > 0):
        if backend.poll() is not None:
            raise RuntimeError(f"the demo's switch and daemon stopped; see {log}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the demo's switch and daemon did not start; see {log}")
        time.sleep(0.1)


def run_desktop_demo(rate: float, speed: float, seed: int, lead: bool = False,
                     staff: int = 0) -> int:
    from desktop.app import main as desktop_main

    with tempfile.TemporaryDirectory(prefix="hotline1022-desktop-demo-") as tmp:
        ready, log = Path(tmp) / "ready.json", Path(tmp) / "backend.log"
        with log.open("wb") as out:
            backend = subprocess.Popen(backend_command(ready, rate, speed, seed, lead, staff),  # noqa: S603 — a fixed argument list, no shell
                                       stdout=out, stderr=subprocess.STDOUT)
        try:
            wait_ready(ready, backend, log)
            who = f"the demo lead ({DEMO_LEAD})" if lead else f"the demo nurse ({DEMO_NURSE})"
            print(f"demo: logged in as {who}; the switch and daemon log to {log}")
            web = json.loads(ready.read_text()).get("web")
            if web:
                print(f"demo: the public declaration form on {web} (a declaration there "
                      "is on the nurses' callbacks within seconds)")
            return desktop_main(["--login-file", str(ready), "--drafts", str(Path(tmp) /
                                                                             "drafts")])
        finally:
            backend.terminate()
            try:
                backend.wait(10)
            except subprocess.TimeoutExpired:
                backend.kill()
