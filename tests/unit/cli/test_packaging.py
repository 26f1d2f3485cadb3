"""Two installs from one distribution: `hotline-1022[desktop]` on an agent's PC pulls none of
the daemon's dependencies, `hotline-1022[server]` none of Qt — checked on the metadata pip
resolves (pip's own resolver, a dry run against the package index) and on the imports (each
side imported with the other side's packages made unimportable)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.paths import ROOT_DIR

ROOT = ROOT_DIR
SERVER_ONLY = {"gevent", "greenswitch", "sqlalchemy", "alembic", "psycopg", "pcre2",
               "argon2-cffi", "jinja2", "prometheus-client", "wsproto", "simple-websocket"}
DESKTOP_ONLY = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}

BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"{{name}} is not installed on this side")
sys.meta_path.insert(0, Block())
for module in {modules!r}:
    __import__(module)
print("imported")
"""


def _resolved(extra: str) -> set[str]:
    """What pip would install for `.[extra]` into an empty environment."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
         "--quiet", "--report", "-", f"{ROOT}[{extra}]"],
        capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        pytest.fail(f"pip could not resolve [{extra}]: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    return {item["metadata"]["name"].lower() for item in report["install"]}


def test_the_desktop_install_pulls_nothing_of_the_daemon() -> None:
    names = _resolved("desktop")
    assert "pyside6" in names and "pydantic" in names
    assert not names & SERVER_ONLY, names & SERVER_ONLY


def test_the_server_install_pulls_no_qt() -> None:
    names = _resolved("server")
    assert {"gevent", "sqlalchemy", "greenswitch"} <= names
    assert not names & DESKTOP_ONLY, names & DESKTOP_ONLY


@pytest.mark.parametrize(("blocked", "modules"), [
    ({"gevent", "greenswitch", "sqlalchemy", "alembic", "psycopg", "pcre2", "jinja2", "callcenter",
      "db", "fsxml"},
     ["desktop.app", "desktop.windows", "desktop.forms", "desktop.connection", "desktop.drafts"]),
    ({"PySide6", "shiboken6", "desktop"},
     ["callcenter.daemon", "callcenter.cli.main", "callcenter.sim.runner",
      "callcenter.switchconf.check"]),
], ids=["desktop", "server"])
def test_each_side_imports_without_the_others_packages(blocked: set[str],
                                                        modules: list[str]) -> None:
    script = BLOCK.format(blocked=sorted(blocked), modules=modules)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-3000:]
