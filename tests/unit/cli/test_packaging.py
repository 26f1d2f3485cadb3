"""Two installs from one distribution: `hotline-1022[desktop]` on an agent's PC pulls none of
the daemon's dependencies, `hotline-1022[server]` none of Qt — checked on the metadata pip
resolves (pip's own resolver, a dry run against the package index) and on the imports (each
side imported with the other side's packages made unimportable). And the wheel itself: built
without setuptools' warnings, holding every file of the packages (the data they read too), and
working from where it is installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.paths import ROOT_DIR

ROOT = ROOT_DIR
SERVER_ONLY = {"gevent", "greenswitch", "sqlalchemy", "alembic", "psycopg", "pcre2",
               "argon2-cffi", "jinja2", "prometheus-client", "wsproto", "simple-websocket"}
DESKTOP_ONLY = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6"}
PACKAGES = ("callcenter", "db", "desktop", "protocol", "rules", "fsxml")
# What setuptools says of a data folder it takes for a package left out of `packages`
# ("Package 'db.seed' is absent from the `packages` configuration … would be ignored"; before
# setuptools 67: "Installing 'db.seed' as data is deprecated").
SETUPTOOLS_DATA_WARNINGS = ("would be ignored", "is absent from the `packages`",
                            "as data is deprecated")

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


def _source_files() -> set[str]:
    """Every file of the packages, modules and data alike, as the wheel names them."""
    files = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                files.add(path.relative_to(ROOT).as_posix())
    return files


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel pip builds from a copy of the checkout (so no build/ is left in it), and
    what the build printed (-v: the backend's output too)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, source / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-cache-dir", "-v",
         "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    if done.returncode != 0:
        pytest.fail(f"pip could not build the wheel: {output[-3000:]}")
    [built] = out.glob("hotline_1022-*.whl")
    return built, output


def test_the_wheel_builds_without_setuptools_warnings(wheel: tuple[Path, str]) -> None:
    _, output = wheel
    warned = [line.strip() for line in output.splitlines()
              if any(text in line for text in SETUPTOOLS_DATA_WARNINGS)]
    assert not warned, "\n".join(warned)


def test_the_wheel_holds_every_file_of_the_packages(wheel: tuple[Path, str]) -> None:
    built, _ = wheel
    with zipfile.ZipFile(built) as archive:
        names = set(archive.namelist())
    missing = sorted(_source_files() - names)
    assert not missing, missing
    # the data the code reads, named so that an empty source tree cannot pass
    assert {"db/seed/topics.toml", "db/migrations/env.py", "db/migrations/script.py.mako",
            "desktop/i18n/hotline_vi.qm", "callcenter/sim/conf/vars.xml",
            "callcenter/sim/stock/v1.10.12/autoload_configs/callcenter.conf.xml",
            "callcenter/web/templates/base.html"} <= names


INSTALLED = """
import db
from pathlib import Path
assert Path(db.__file__).parent.parent == Path.cwd(), db.__file__
from db import migrate
from callcenter.sim.runner import DEFAULT_CONF
from callcenter.sim.stock_tree import STOCK
assert (DEFAULT_CONF / "autoload_configs" / "callcenter.conf.xml").is_file()
assert (STOCK / "SOURCE.md").is_file()
print(migrate.head_revision())
"""


def test_the_installed_wheel_finds_its_migrations_and_data(wheel: tuple[Path, str],
                                                            tmp_path: Path) -> None:
    built, _ = wheel
    with zipfile.ZipFile(built) as archive:
        archive.extractall(tmp_path)
    # `python -c` puts the working directory first on sys.path: the unpacked wheel's packages
    # are imported, not the checkout's (the assertion in the script checks it).
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run([sys.executable, "-c", INSTALLED], cwd=tmp_path, env=environment,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    from db import migrate
    assert done.stdout.strip() == migrate.head_revision()
