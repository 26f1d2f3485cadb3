"""`callcenter demo` with a display: the hotline (simulator + daemon + hub) in a process of its
own, and the agent window here, logged in as the demo nurse while simulated colleagues take the
other calls. With no display it says so in one line and shows the headless wallboard.

The demo ends when its window closes, after `--duration`, or on Ctrl-C (SIGINT), SIGTERM or
SIGHUP — exit code 0 each time, the backend stopped and the scratch folder (the nurse's
password in ready.json, her drafts, the backend's database and certificate key) removed.
Ctrl-C reaches only this process: the backend runs in a process group of its own, so the
terminal's SIGINT does not kill it under the window; this process stops it (the end of its
standard input, and SIGTERM), and it stops by itself if this process dies."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

DEMO_NURSE = "lan"
DEMO_LEAD = "truong"  # callcenter.demo.DEMO_LEAD
READY_SECONDS = 60.0
STOP_SECONDS = 15.0  # the backend's own stop: the web form's processes, the daemon
STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))
LOG_LINES = 20  # of the backend's log, shown when it failed (its folder goes)


class Stopped(Exception):
    """A signal (Ctrl-C, SIGTERM, SIGHUP) asked the demo to stop before its window was up."""


def backend_command(ready: Path, rate: float, speed: float, seed: int, lead: bool = False,
                    staff: int = 0, web: bool = True, history: bool = True) -> list[str]:
    """The headless demo for the window: its nurse (or lead) left to the desktop, the ready
    file written once up (and SIGTERM stops it, at any moment)."""
    return [sys.executable, "-m", "callcenter.cli.main", "demo", "--headless", "--quiet",
            "--desktop-user", DEMO_LEAD if lead else DEMO_NURSE,
            "--ready-file", str(ready), "--rate", str(rate), "--speed", str(speed),
            "--seed", str(seed), "--staff", str(staff), *(["--lead"] if lead else []),
            *([] if web else ["--no-web"]), *([] if history else ["--no-history"])]


def wait_ready(ready: Path, backend: subprocess.Popen[bytes], log: Path) -> None:
    """Until the backend wrote `ready`; RuntimeError if it stopped or is too slow (what its
    `log` says is the caller's to show: the demo prints its end, then removes it)."""
    deadline = time.monotonic() + READY_SECONDS
    while not (ready.exists() and ready.stat().st_size > 0):
        if backend.poll() is not None:
            raise RuntimeError("the demo's switch and daemon stopped")
        if time.monotonic() > deadline:
            raise RuntimeError("the demo's switch and daemon did not start")
        time.sleep(0.1)


def start_backend(folder: Path, command: list[str]) -> subprocess.Popen[bytes]:
    """The backend, its output in `folder`/backend.log (this user's only), its scratch folders
    (TMPDIR) inside `folder`, in a process group of its own (the terminal's Ctrl-C is this
    process's to handle), reading commands (--control) on a pipe from here: closed, or this
    process gone, it stops."""
    log = os.open(folder / "backend.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        return subprocess.Popen([*command, "--control"], stdin=subprocess.PIPE, stdout=log,  # noqa: S603 — a fixed argument list, no shell
                                stderr=subprocess.STDOUT,
                                env={**os.environ, "TMPDIR": str(folder)},
                                process_group=0 if os.name == "posix" else None)
    finally:
        os.close(log)


def stop_backend(backend: subprocess.Popen[bytes]) -> None:
    """The end of its input and SIGTERM (it stops what it started: the web form, the
    daemon); SIGKILL if it has not after STOP_SECONDS."""
    if backend.stdin is not None:
        with contextlib.suppress(OSError):
            backend.stdin.close()
    if backend.poll() is None:
        backend.terminate()
    try:
        backend.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        backend.kill()
        backend.wait()


@contextlib.contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Within the block the stop signals raise Stopped (the desktop, once up, handles them
    itself); afterwards, while the demo cleans up, they are ignored, then what handled them
    before does again."""
    def stop(signum: int, _frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    for number in STOP_SIGNALS:
        signal.signal(number, stop)
    try:
        yield
    finally:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)


def run_desktop_demo(rate: float, speed: float, seed: int, lead: bool = False,
                     staff: int = 0, duration: float | None = None, web: bool = True,
                     history: bool = True) -> int:
    from desktop.app import DemoRun
    from desktop.app import main as desktop_main

    previous = {number: signal.getsignal(number) for number in STOP_SIGNALS}
    folder: Path | None = None
    backend: subprocess.Popen[bytes] | None = None
    try:
        with stopped_by_signals():
            try:
                folder = Path(tempfile.mkdtemp(prefix="hotline1022-desktop-demo-"))  # 0700
                ready, log = folder / "ready.json", folder / "backend.log"
                backend = start_backend(folder, backend_command(
                    ready, rate, speed, seed, lead, staff, web, history))
                wait_ready(ready, backend, log)
                print(f"demo: the switch and daemon are up; they log to {log}", flush=True)
                address = json.loads(ready.read_text()).get("web")
                if address:
                    print(f"demo: the public declaration form on {address} (a declaration "
                          "there is on the nurses' callbacks within seconds)", flush=True)
                running = backend
                code = desktop_main(
                    ["--login-file", str(ready), "--drafts", str(folder / "drafts")],
                    demo=DemoRun(quit_after=duration,
                                 stop_when=lambda: running.poll() is not None,
                                 logged_in=lambda username: print(
                                     f"demo: logged in as {_who(username)}; closing the "
                                     "window (or Ctrl-C) ends the demo", flush=True)))
            except Stopped:
                return 0
            except RuntimeError as exc:
                _complain(str(exc), log)
                return 1
        if backend.poll() is not None:
            _complain("the demo's switch and daemon stopped", log)
            return 1
        return code
    finally:
        if backend is not None:
            stop_backend(backend)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _who(username: str) -> str:
    return {DEMO_LEAD: f"the demo lead ({DEMO_LEAD})",
            DEMO_NURSE: f"the demo nurse ({DEMO_NURSE})"}.get(username, username)


def _complain(what: str, log: Path) -> None:
    """What went wrong, with the end of the backend's log (its folder is removed next)."""
    try:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-LOG_LINES:]
    except OSError:
        tail = []
    print("\n".join([f"demo: {what}; the end of its log:", *tail]), file=sys.stderr)
