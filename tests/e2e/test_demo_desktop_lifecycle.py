"""`callcenter demo` with a display, as a user runs it (a process, its own terminal's process
group): it ends by itself after --duration, on Ctrl-C (SIGINT to the whole group, as the
terminal sends it), on SIGTERM, and when its window is closed — exit code 0 each time, no
traceback, the backend (switch, daemon) stopped, and its scratch folder (the nurse's password
in ready.json, her drafts, the database) gone. Qt draws offscreen (a display, to the demo),
or, to close the window as a window manager would, on a private Xvfb."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.paths import ROOT_DIR as ROOT
from tests.support.x11 import Display, xvfb, xvfb_available

START_SECONDS = 90.0  # the backend up and the nurse logged in (a loaded CI machine)
STOP_SECONDS = 30.0  # what the demo may take to stop everything
LOGGED_IN = "demo: logged in as the demo nurse (lan)"


@dataclass
class RunningDemo:
    process: subprocess.Popen[bytes]
    scratch: Path  # the demo's TMPDIR: its scratch folders are made in here
    out: Path
    err: Path

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def errors(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, condition: Callable[[], object], what: str,
                 timeout: float = START_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"the demo ended (exit {self.process.returncode}) before {what}:\n"
                            f"{self.output()}\n{self.errors()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"not within {timeout:g} s: {what}\n{self.output()}\n"
                            f"{self.errors()[-3000:]}")
            time.sleep(0.1)

    def logged_in(self) -> None:
        self.wait_for(lambda: LOGGED_IN in self.output(), "the nurse logged in")

    def exit_code(self, timeout: float = STOP_SECONDS) -> int:
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the demo still runs {timeout:g} s later:\n{self.output()}\n"
                        f"{self.errors()[-3000:]}")

    def folders(self) -> list[Path]:
        return sorted(self.scratch.glob("hotline1022-desktop-demo-*"))

    def processes_left(self) -> list[str]:
        """Processes still running whose command line names the scratch folder (the backend,
        the web form's)."""
        left = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if str(self.scratch) in command:
                left.append(command)
        return left


@pytest.fixture
def start_demo(tmp_path: Path) -> Iterator[Callable[..., RunningDemo]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(*options: str, display: str | None = None) -> RunningDemo:
        scratch = tmp_path / "tmp"
        scratch.mkdir(exist_ok=True)
        env = {name: value for name, value in os.environ.items()
               if name not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
        env.update(TMPDIR=str(scratch), XDG_CONFIG_HOME=str(tmp_path / "config"),
                   XDG_DATA_HOME=str(tmp_path / "data"), PYTHONUNBUFFERED="1",
                   **({"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"} if display else
                      {"QT_QPA_PLATFORM": "offscreen"}))
        out, err = tmp_path / "demo.out", tmp_path / "demo.err"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "callcenter.cli.main", "demo", "--rate", "0",
                 "--no-web", "--no-history", *options],
                cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr,
                process_group=0)  # its own group, as a shell's foreground job
        started.append(process)
        return RunningDemo(process, scratch, out, err)

    yield start
    for process in started:  # a failed test's demo: all of its group
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _ended_cleanly(demo: RunningDemo, code: int) -> None:
    assert code == 0, demo.errors()[-3000:]
    errors = demo.errors()
    assert "Traceback" not in errors and "KeyboardInterrupt" not in errors, errors[-3000:]
    assert demo.folders() == []  # the password, the drafts, the database: gone
    assert demo.processes_left() == []


def test_the_demo_ends_by_itself_after_its_duration(start_demo: Callable[..., RunningDemo]
                                                    ) -> None:
    demo = start_demo("--duration", "20")
    demo.logged_in()
    up = time.monotonic()
    code = demo.exit_code(timeout=20 + STOP_SECONDS)
    assert time.monotonic() - up > 15  # the duration, not an early end
    _ended_cleanly(demo, code)


def test_ctrl_c_ends_the_demo_without_a_traceback(start_demo: Callable[..., RunningDemo]
                                                  ) -> None:
    demo = start_demo("--duration", "600")
    demo.logged_in()
    [folder] = demo.folders()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for private in ("ready.json", "backend.log"):
        assert stat.S_IMODE((folder / private).stat().st_mode) == 0o600, private
    os.killpg(demo.process.pid, signal.SIGINT)  # the terminal's Ctrl-C: the whole group
    _ended_cleanly(demo, demo.exit_code())


def test_sigterm_ends_the_demo_and_removes_its_folder(start_demo: Callable[..., RunningDemo]
                                                      ) -> None:
    demo = start_demo("--duration", "600")
    demo.logged_in()
    assert len(demo.folders()) == 1
    demo.process.terminate()  # `kill PID`, a session ending
    _ended_cleanly(demo, demo.exit_code())


@pytest.mark.skipif(not xvfb_available(), reason="no Xvfb (scripts/setup installs it)")
def test_closing_the_window_ends_the_demo(start_demo: Callable[..., RunningDemo]) -> None:
    with xvfb() as display:
        screen = Display(display)
        try:
            demo = start_demo("--duration", "600", display=display)
            demo.logged_in()
            nurse: list[int] = []

            def her_window() -> bool:
                nurse[:] = [shown.window for shown in screen.windows()
                            if shown.title.endswith("Nguyễn Thị Lan")]
                return bool(nurse)

            demo.wait_for(her_window, "the nurse's window on screen")
            screen.ask_to_close(nurse[0])  # the title bar's ×
            code = demo.exit_code()
        finally:
            screen.close()
    _ended_cleanly(demo, code)
