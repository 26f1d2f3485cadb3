"""What an install copies from deploy/ (README, "Deploy on Debian 12"): the systemd units pass
`systemd-analyze verify` without a warning and keep their hardening, they run commands the CLI
has; the system user and the folders are what systemd-sysusers and systemd-tmpfiles accept; the
example configuration is the settings' own, every key, its secrets left to the environment; the
`hotline1022` wrapper is a shell script that runs `callcenter` with the site's files."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel, SecretStr

from callcenter.cli.main import build_parser
from callcenter.config import Settings, load_settings
from tests.support.paths import ROOT_DIR

DEPLOY = ROOT_DIR / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
EXAMPLE = DEPLOY / "callcenter.example.toml"
WRAPPER = DEPLOY / "bin" / "hotline1022"
# Where README's step 3 installs the code; the units name it.
INSTALLED = "/opt/hotline1022/.venv/bin/callcenter"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
# The hardening every unit keeps (README, "Operate"): one line each, as written.
HARDENING = (
    "User=hotline1022", "NoNewPrivileges=yes", "CapabilityBoundingSet=", "ProtectSystem=strict",
    "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
    "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
    "LockPersonality=yes", "MemoryDenyWriteExecute=yes", "UMask=0027", "Restart=on-failure",
    "EnvironmentFile=-/etc/hotline1022/secrets.env",
    "Environment=CALLCENTER_CONFIG=/etc/hotline1022/callcenter.toml",
)


def an_executable() -> str:
    """What ExecStart= may name on this machine: the checkout's `callcenter`, else Python."""
    here = Path(sys.executable).with_name("callcenter")
    return str(here if os.access(here, os.X_OK) else Path(sys.executable))


def verify(units: list[Path], folder: Path) -> list[str]:
    """`systemd-analyze verify` on copies of `units` in `folder`, their ExecStart pointed at a
    program that exists here: the problems it reports about them (a warning is one: systemd
    logs an unknown or misspelt directive and carries on), or its exit status."""
    assert SYSTEMD_ANALYZE is not None
    copies = []
    for unit in units:
        copy = folder / unit.name
        copy.write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, an_executable()),
                        encoding="utf-8")
        copies.append(copy)
    done = subprocess.run([SYSTEMD_ANALYZE, "verify", "--man=no", *map(str, copies)],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""})
    names = [copy.name for copy in copies]
    problems = [line for line in (done.stdout + done.stderr).splitlines()
                if any(name in line for name in names)]
    if done.returncode != 0:
        problems.append(f"systemd-analyze verify exited with {done.returncode}: "
                        f"{done.stderr.strip()[-2000:]}")
    return problems


def directives(unit: Path) -> list[str]:
    return [line.strip() for line in unit.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith(("#", ";", "["))]


needs_systemd = pytest.mark.skipif(SYSTEMD_ANALYZE is None,
                                   reason="systemd-analyze is not installed here (Debian: systemd)")


def test_the_units_are_shipped() -> None:
    assert [unit.name for unit in UNITS] == ["hotline1022-callcenter.service",
                                             "hotline1022-web.service"]


@needs_systemd
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path: Path) -> None:
    assert verify(UNITS, tmp_path) == []


@needs_systemd
def test_the_check_catches_a_misspelt_directive_and_a_missing_program(tmp_path: Path) -> None:
    """The check above can fail: systemd warns about a misspelt directive and exits 0, and it
    refuses an ExecStart= that is not there."""
    good = UNITS[0].read_text(encoding="utf-8")
    misspelt = tmp_path / "src" / "hotline1022-misspelt.service"
    misspelt.parent.mkdir()
    misspelt.write_text(good.replace("ProtectSystem=strict", "ProtectSystm=strict"),
                        encoding="utf-8")
    problems = verify([misspelt], tmp_path)
    assert any("ProtectSystm" in line for line in problems), problems
    missing = tmp_path / "src" / "hotline1022-missing.service"
    missing.write_text(good.replace(INSTALLED, "/nonexistent/callcenter"), encoding="utf-8")
    assert verify([missing], tmp_path)


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_keeps_its_hardening(unit: Path) -> None:
    lines = directives(unit)
    assert [want for want in HARDENING if want not in lines] == []


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_every_unit_runs_a_command_the_cli_has(unit: Path) -> None:
    (start,) = [line.removeprefix("ExecStart=") for line in directives(unit)
                if line.startswith("ExecStart=")]
    program, *arguments = shlex.split(start)
    assert program == INSTALLED
    assert arguments in (["run"], ["web", "serve"])
    build_parser().parse_args(arguments)  # SystemExit if the CLI had no such command


def test_the_daemon_may_write_where_the_configuration_says_it_writes() -> None:
    """The CDR spool and the reports folder of the example configuration are writable under
    ProtectSystem=strict: a ReadWritePaths= line, or the unit's StateDirectory."""
    example = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
    lines = directives(DEPLOY / "systemd" / "hotline1022-callcenter.service")
    writable = [Path(line.split("=", 1)[1].lstrip("-")) for line in lines
                if line.startswith("ReadWritePaths=")]
    writable += [Path("/var/lib") / line.split("=", 1)[1] for line in lines
                 if line.startswith("StateDirectory=")]
    for folder in (example["cdr"]["spool_dir"], example["reports"]["folder"]):
        assert any(Path(folder).is_relative_to(place) for place in writable), folder


@needs_systemd
def test_systemd_sysusers_takes_the_user(tmp_path: Path) -> None:
    done = subprocess.run(["systemd-sysusers", f"--root={tmp_path}", "--dry-run",
                           str(DEPLOY / "sysusers.d" / "hotline1022.conf")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Creating user 'hotline1022'" in done.stdout + done.stderr


@needs_systemd
@pytest.mark.skipif(os.geteuid() != 0, reason="systemd-tmpfiles must be root to set owners")
def test_systemd_tmpfiles_makes_the_folders(tmp_path: Path) -> None:
    """In a scratch root whose passwd names the two users: the folders, their modes."""
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text(
        "root:x:0:0::/root:/bin/sh\nhotline1022:x:990:990::/var/lib/hotline1022:/sbin/nologin\n"
        "freeswitch:x:991:991::/var/lib/freeswitch:/sbin/nologin\n", encoding="utf-8")
    (tmp_path / "etc" / "group").write_text(
        "root:x:0:\nhotline1022:x:990:\nfreeswitch:x:991:\n", encoding="utf-8")
    done = subprocess.run(["systemd-tmpfiles", "--create", f"--root={tmp_path}",
                           str(DEPLOY / "tmpfiles.d" / "hotline1022.conf")],
                          capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    modes = {folder: (tmp_path / folder.lstrip("/")).stat() for folder in (
        "/etc/hotline1022", "/etc/hotline1022/tls", "/var/lib/hotline1022/reports",
        "/var/spool/hotline1022/cdr")}
    assert {folder: (oct(s.st_mode & 0o7777), s.st_uid, s.st_gid)
            for folder, s in modes.items()} == {
        "/etc/hotline1022": ("0o750", 0, 990),
        "/etc/hotline1022/tls": ("0o700", 990, 990),
        "/var/lib/hotline1022/reports": ("0o750", 990, 990),
        "/var/spool/hotline1022/cdr": ("0o2770", 991, 990),
    }


def secret_keys() -> set[tuple[str, str]]:
    """(section, key) of every setting held as a secret."""
    return {(section, key) for section, model in sections().items()
            for key, setting in model.model_fields.items()
            if setting.annotation is SecretStr or SecretStr in getattr(
                setting.annotation, "__args__", ())}


def sections() -> dict[str, type[BaseModel]]:
    return {section: field.annotation for section, field in Settings.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)}


def variable(section: str, key: str) -> str:
    return f"CALLCENTER_{section.upper()}__{key.upper()}"


def test_the_example_configuration_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """As the services load it: the file, and the secrets from the environment."""
    for section, key in secret_keys():
        monkeypatch.setenv(variable(section, key), "a-long-random-test-secret")
    monkeypatch.setenv("CALLCENTER_DATABASE__URL", "postgresql://hotline1022:pw@127.0.0.1/hl")
    settings = load_settings(EXAMPLE)
    assert settings.database.url.startswith("postgresql://")
    assert settings.hub.tls_cert == Path("/etc/hotline1022/tls/hub.crt")
    assert str(settings.cdr.spool_dir) == "/var/spool/hotline1022/cdr"


def test_the_example_configuration_has_every_key_and_no_secret() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    secrets = secret_keys()
    missing = []
    for section, model in sections().items():
        for key, setting in model.model_fields.items():
            spelt = setting.alias or key
            if (section, key) in secrets:
                assert spelt not in data.get(section, {}), f"secret [{section}] {spelt} in file"
                assert variable(section, key) in text, f"{variable(section, key)} not named"
            elif spelt not in data.get(section, {}):
                missing.append(f"[{section}] {spelt}")
    assert missing == []
    assert "CALLCENTER_DATABASE__URL" in text


def test_the_secrets_the_readme_lists_are_the_settings_secrets() -> None:
    readme = (ROOT_DIR / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^(CALLCENTER_[A-Z_]+)=", readme, flags=re.MULTILINE))
    assert listed == {variable(*pair) for pair in secret_keys()} | {"CALLCENTER_DATABASE__URL"}


def test_the_wrapper_is_a_shell_script_that_runs_callcenter() -> None:
    assert os.access(WRAPPER, os.X_OK)
    done = subprocess.run(["sh", "-n", str(WRAPPER)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    text = WRAPPER.read_text(encoding="utf-8")
    assert "/etc/hotline1022/callcenter.toml" in text
    assert "/etc/hotline1022/secrets.env" in text
    assert '"$prefix/.venv/bin/callcenter"' in text


def test_the_wrapper_passes_its_arguments_with_the_sites_files(tmp_path: Path) -> None:
    """Run as the current user (HOTLINE1022_USER), against a stand-in `callcenter` that prints
    what it was given and the secret it sees."""
    prefix = tmp_path / "opt"
    (prefix / ".venv" / "bin").mkdir(parents=True)
    fake = prefix / ".venv" / "bin" / "callcenter"
    fake.write_text('#!/bin/sh\necho "$CALLCENTER_SWITCH__PASSWORD" "$@"\n', encoding="utf-8")
    fake.chmod(0o755)
    secrets = tmp_path / "secrets.env"
    secrets.write_text("CALLCENTER_SWITCH__PASSWORD='s3cret with spaces'\n", encoding="utf-8")
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout
    done = subprocess.run(
        [str(WRAPPER), "agent", "list"], capture_output=True, text=True, timeout=30, check=False,
        env={**os.environ, "HOTLINE1022_PREFIX": str(prefix), "HOTLINE1022_USER": user.strip(),
             "HOTLINE1022_CONFIG": "/site/callcenter.toml",
             "HOTLINE1022_SECRETS": str(secrets)})
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "s3cret with spaces --config /site/callcenter.toml agent list\n"
