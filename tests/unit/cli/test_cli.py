"""The `callcenter` command on an empty database of each kind, as an administrator uses it."""

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from callcenter.cli.main import main
from db import migrate
from db.engine import make_engine
from db.models import AuditLog, Topic
from tests.conftest import TOPICS_FILE, UNITS_FILE
from tests.support.hotline import free_port


@pytest.fixture
def cli(empty_db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLCENTER_CONFIG", raising=False)
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", empty_db_url)

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _count(url: str, statement) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.scalar(statement)
    finally:
        engine.dispose()


def test_first_day_of_an_administrator(cli, empty_db_url: str) -> None:
    code, out, _ = cli("db", "current")
    assert code == 0 and "revision none (empty)" in out
    code, out, _ = cli("db", "upgrade")
    assert code == 0 and f"is at revision {migrate.head_revision()}" in out
    code, out, _ = cli("topic", "load", str(TOPICS_FILE))
    assert code == 0 and "3 topics read, 6 changes" in out
    code, out, _ = cli("db", "load-units", str(UNITS_FILE))
    assert code == 0 and "65 units read, 65 changed" in out
    code, out, _ = cli("agent", "add", "lan", "--name", "Nguyễn Thị Lan", "--role", "nurse",
                       "--agency", "CDC", "--extension", "1001", "--queues", "f0_home_care",
                       stdin="mat-khau-dai-1\n")
    assert code == 0, out
    code, out, _ = cli("agent", "list")
    assert "lan" in out and "f0_home_care:1:1" in out and "Nguyễn Thị Lan" in out
    code, out, _ = cli("agent", "sip-password", "lan")
    assert code == 0 and "SIP password of lan (domain hotline1022): " in out
    code, out, _ = cli("agent", "disable", "lan")
    assert code == 0 and "disabled" in out
    code, out, _ = cli("topic", "list")
    assert "f0_home_care@hotline1022" in out
    code, _, err = cli("run")  # no event-socket password configured: refused, plainly
    assert code == 2 and "set [switch] password" in err
    actions = _count(empty_db_url, select(func.count()).select_from(AuditLog))
    assert actions == 5  # topic.load, units.load, agent.add, agent.sip_password, agent.disable


@pytest.mark.parametrize("args, stdin, message", [
    (("agent", "add", "lan", "--name", "Lan", "--role", "nurse", "--agency", "XYZ"),
     "mat-khau-dai-1\n", "unknown agency 'XYZ'"),
    (("agent", "add", "lan", "--name", "Lan", "--role", "nurse", "--queues", "dengue"),
     "mat-khau-dai-1\n", "unknown topic dengue"),
    (("agent", "set-queues", "nobody", "f0_home_care"), "", "no agent 'nobody'"),
])
def test_bad_input_is_refused_with_a_message(cli, args, stdin, message) -> None:
    cli("db", "upgrade")
    cli("topic", "load", str(TOPICS_FILE))
    code, _, err = cli(*args, stdin=stdin)
    assert code == 2 and message in err


def test_duplicate_username_writes_nothing(cli, empty_db_url: str) -> None:
    cli("db", "upgrade")
    args = ("agent", "add", "lan", "--name", "Lan", "--role", "nurse")
    assert cli(*args, stdin="mat-khau-dai-1\n")[0] == 0
    code, _, err = cli(*args, stdin="mat-khau-dai-2\n")
    assert code == 2 and "username 'lan' is taken" in err
    assert _count(empty_db_url, select(func.count()).select_from(AuditLog)) == 1


def test_bad_topics_file_writes_nothing(cli, empty_db_url: str, tmp_path: Path) -> None:
    cli("db", "upgrade")
    bad = tmp_path / "bad.toml"
    bad.write_text(TOPICS_FILE.read_text(encoding="utf-8").replace(
        'type = "integer"\nminimum = 1900', 'type = "integr"\nminimum = 1900'), encoding="utf-8")
    code, _, err = cli("topic", "load", str(bad))
    assert code == 2 and "not a valid JSON Schema at properties/birth_year/type" in err
    assert _count(empty_db_url, select(func.count()).select_from(Topic)) == 0


def test_bad_units_file_writes_nothing(cli, empty_db_url: str, tmp_path: Path) -> None:
    cli("db", "upgrade")
    bad = tmp_path / "units.csv"
    bad.write_text("code,name,kind,former_units\n96,Tỉnh Cà Mau,tinh,\n32167,,xa,Xã Tân Đức\n",
                   encoding="utf-8")
    code, _, err = cli("db", "load-units", str(bad))
    assert code == 2 and "line 3: the name is missing" in err


def test_commands_refuse_an_unmigrated_database(cli) -> None:
    code, _, err = cli("topic", "list")
    assert code == 2 and "run `callcenter db upgrade` first" in err


def test_downgrade_to_base(cli) -> None:
    cli("db", "upgrade")
    code, out, _ = cli("db", "downgrade", "base")
    assert code == 0 and "none (empty)" in out


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_config_show_masks_secrets(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLCENTER_SWITCH__PASSWORD", "esl-secret")
    code, out, _ = cli("config", "show")
    assert code == 0 and "esl-secret" not in out and 'password = "********"' in out


def test_console_script_is_installed() -> None:
    bindir = Path(sys.executable).parent
    result = subprocess.run([str(bindir / "callcenter"), "--help"], capture_output=True,
                            text=True, check=True)
    for command in ("run", "db", "agent", "topic", "config"):
        assert command in result.stdout


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@pytest.mark.parametrize("where", ["before", "after", "after="])
def test_config_is_read_wherever_the_option_stands(cli, tmp_path: Path, where: str) -> None:
    """The scripts pass their arguments after the command (`scripts/install-switch-conf
    --config F …` runs `callcenter switch-conf install --config F …`)."""
    site = tmp_path / "site.toml"
    site.write_text("[switch]\nport = 8123\n", encoding="utf-8")
    args = {"before": ["--config", str(site), "config", "show"],
            "after": ["config", "show", "--config", str(site)],
            "after=": ["config", "show", f"--config={site}"]}[where]
    code, out, _ = cli(*args)
    assert code == 0 and "port = 8123" in out


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_run_says_when_it_stops_on_sigterm(db_url: str, tmp_path: Path) -> None:
    """The operator's `systemctl stop` (SIGTERM) leaves a line saying the daemon stopped, and
    exit status 0; no switch is needed (the link keeps retrying meanwhile)."""
    env = {**os.environ, "CALLCENTER_DATABASE__URL": db_url,
           "CALLCENTER_SWITCH__PASSWORD": "esl-s3cret",
           "CALLCENTER_SWITCH__PORT": str(free_port()),  # nothing listens: no switch
           "CALLCENTER_IVR__LISTEN_PORT": str(free_port()),
           "CALLCENTER_HTTP__LISTEN_PORT": "0", "CALLCENTER_CDR__SPOOL_DIR": str(tmp_path)}
    env.pop("CALLCENTER_CONFIG", None)
    bindir = Path(sys.executable).parent
    daemon = subprocess.Popen([str(bindir / "callcenter"), "run"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in daemon.stdout:  # waits for the line, not for a time
            if line.startswith("switch: connecting"):
                break
        daemon.send_signal(signal.SIGTERM)
        _out, err = daemon.communicate(timeout=30)
    finally:
        daemon.kill()
    assert daemon.returncode == 0, err
    assert "daemon: SIGTERM: stopping" in err and "daemon: stopped" in err
