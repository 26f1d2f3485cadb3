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


# -- a topic's agents are the staff of its agencies (topics.toml `agencies`) ------------------

def _agents_in(url: str) -> list[str]:
    from db.models import Agent

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(select(Agent.username).order_by(Agent.username)))
    finally:
        engine.dispose()


def _audit(url: str, action: str) -> list[dict]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(
                select(AuditLog.detail).where(AuditLog.action == action).order_by(AuditLog.id)))
    finally:
        engine.dispose()


CLERK = ("agent", "add", "hoa", "--name", "Trần Hoa", "--role", "clerk", "--agency", "TTPVHCC",
         "--extension", "1002")
MISMATCH = ("agent hoa (clerk, agency TTPVHCC) is not staff of the agencies that answer topic "
            "f0_home_care (CDC, SYT)")


def test_a_clerk_is_not_put_on_the_nurses_queue_without_a_word(cli, empty_db_url: str) -> None:
    cli("db", "upgrade")
    cli("topic", "load", str(TOPICS_FILE))
    code, _, err = cli(*CLERK, "--queues", "f0_home_care", stdin="mat-khau-dai-2\n")
    assert code == 2
    assert err.strip() == f"callcenter: error: {MISMATCH} — refused (--force puts them there " \
                          "on purpose)"
    assert _agents_in(empty_db_url) == []  # nothing written
    code, _, err = cli(*CLERK, "--queues", "public_services", stdin="mat-khau-dai-2\n")
    assert code == 0 and err == ""
    code, _, err = cli("agent", "set-queues", "hoa", "public_services", "f0_home_care")
    assert code == 2 and MISMATCH in err
    code, out, _ = cli("agent", "list")
    assert "public_services:1:1" in out and "f0_home_care" not in out


def test_force_puts_the_agent_there_on_purpose(cli, empty_db_url: str) -> None:
    cli("db", "upgrade")
    cli("topic", "load", str(TOPICS_FILE))
    code, _, err = cli(*CLERK, "--queues", "f0_home_care", "--force", stdin="mat-khau-dai-2\n")
    assert code == 0 and err.strip() == f"callcenter: warning: {MISMATCH}"
    assert _audit(empty_db_url, "agent.add")[-1]["forced"] == ["f0_home_care"]
    code, _, err = cli("agent", "set-queues", "hoa", "f0_home_care", "public_services")
    assert code == 0 and err == ""  # a tier the agent has is not asked about again
    code, _, err = cli("agent", "set-queues", "hoa", "epidemic_report", "--force")
    assert code == 0 and "topic epidemic_report (CDC, SYT)" in err
    assert _audit(empty_db_url, "agent.set_queues")[-1]["forced"] == ["epidemic_report"]


def test_an_agent_of_no_agency_gets_a_warning(cli) -> None:
    cli("db", "upgrade")
    cli("topic", "load", str(TOPICS_FILE))
    code, out, err = cli("agent", "add", "lan", "--name", "Lan", "--role", "nurse",
                         "--queues", "f0_home_care", stdin="mat-khau-dai-1\n")
    assert code == 0 and "agent lan added" in out
    assert err.strip() == ("callcenter: warning: agent lan (nurse, no agency) is not staff of "
                           "the agencies that answer topic f0_home_care (CDC, SYT)")


# -- the agent's settings on mod_callcenter ---------------------------------------------------

def test_switch_settings_shown_then_changed(cli, empty_db_url: str) -> None:
    cli("db", "upgrade")
    cli("agent", "add", "lan", "--name", "Lan", "--role", "nurse", "--extension", "1001",
        stdin="mat-khau-dai-1\n")
    code, out, _ = cli("agent", "switch-settings", "lan")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "lan@hotline1022 (nurse) on mod_callcenter:"
    assert [line.split()[:2] for line in lines[1:]] == [
        ["max_no_answer", "3"], ["wrap_up_time", "10"], ["reject_delay_time", "10"],
        ["busy_delay_time", "60"], ["no_answer_delay_time", "60"],
        ["phone_only_status", "none"]]
    code, out, _ = cli("agent", "switch-settings", "lan", "--max-no-answer", "0",
                       "--wrap-up-time", "30", "--reject-delay", "5", "--busy-delay", "20",
                       "--no-answer-delay", "15", "--phone-only-status", "available")
    assert code == 0
    assert out.splitlines()[:6] == [
        "lan: max_no_answer 3 → 0", "lan: wrap_up_time 10 s → 30 s",
        "lan: reject_delay_time 10 s → 5 s", "lan: busy_delay_time 60 s → 20 s",
        "lan: no_answer_delay_time 60 s → 15 s", "lan: phone_only_status none → Available"]
    assert "phone_only_status     Available  held there by the daemon" in out
    assert _audit(empty_db_url, "agent.switch_settings")[-1]["changes"] == {
        "max_no_answer": 0, "wrap_up_time": 30, "reject_delay_time": 5, "busy_delay_time": 20,
        "no_answer_delay_time": 15, "phone_status": "Available"}
    code, out, _ = cli("agent", "switch-settings", "lan", "--phone-only-status", "none")
    assert code == 0 and "lan: phone_only_status Available → none" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--max-no-answer", "-1"), "--max-no-answer -1: must be a whole number from 0 to 100"),
    (("--wrap-up-time", "3601"), "--wrap-up-time 3601: must be a whole number from 0 to 3600"),
    (("--phone-only-status", "Available (On Demand)"), "a phone-only agent would stay Idle"),
    (("--phone-only-status", "busy"), "'busy' is not one of Available, On Break, Logged Out"),
])
def test_bad_switch_settings_are_refused(cli, empty_db_url: str, args: tuple[str, ...],
                                         message: str) -> None:
    cli("db", "upgrade")
    cli("agent", "add", "lan", "--name", "Lan", "--role", "nurse", stdin="mat-khau-dai-1\n")
    code, _, err = cli("agent", "switch-settings", "lan", "--reject-delay", "1", *args)
    assert code == 2 and message in err
    assert _audit(empty_db_url, "agent.switch_settings") == []
    code, out, _ = cli("agent", "switch-settings", "lan")
    assert "reject_delay_time     10 s" in out  # the good value was not kept either


def test_a_setting_that_is_not_a_number_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["agent", "switch-settings", "lan", "--busy-delay", "soon"])
    assert stopped.value.code == 2
    assert "argument --busy-delay: invalid int value: 'soon'" in capsys.readouterr().err


def test_switch_settings_of_nobody(cli) -> None:
    cli("db", "upgrade")
    code, _, err = cli("agent", "switch-settings", "nobody")
    assert code == 2 and "no agent 'nobody'" in err
