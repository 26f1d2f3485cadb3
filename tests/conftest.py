"""Shared fixtures: every database test runs on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

# Before anything imports Qt: the tests draw real widgets, offscreen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db import migrate
from db.engine import make_engine, make_sessionmaker, transaction
from db.topics import load_topics, read_topics_file
from db.units import load_units, read_units_csv
from tests.support.pg_server import throwaway_cluster

ROOT = Path(__file__).resolve().parent.parent
TOPICS_FILE = ROOT / "db" / "seed" / "topics.toml"
UNITS_FILE = ROOT / "db" / "seed" / "ca_mau_units_2025.csv"
BACKENDS = ["sqlite", "postgresql"]
_names = itertools.count()


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """CALLCENTER_TEST_PG_URL (a role that may create databases), or a throwaway cluster."""
    given = os.environ.get("CALLCENTER_TEST_PG_URL")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


def _admin(server_url: str) -> psycopg.Connection:
    conninfo = make_url(server_url).set(drivername="postgresql")
    return psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True)


def _database_url(server_url: str, name: str) -> str:
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template(pg_server_url: str) -> Iterator[str]:
    """A database migrated once to head, cloned by each test (CREATE DATABASE … TEMPLATE)."""
    name = f"callcenter_template_{os.getpid()}"
    with _admin(pg_server_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrate.upgrade(_database_url(pg_server_url, name))
    yield name
    with _admin(pg_server_url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate.upgrade(f"sqlite:///{path}")
    return path


def _pg_database(request: pytest.FixtureRequest, template: str | None) -> Iterator[str]:
    server = request.getfixturevalue("pg_server_url")
    name = f"callcenter_test_{os.getpid()}_{next(_names)}"
    clause = f' TEMPLATE "{template}"' if template else ""
    with _admin(server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{clause}')
    yield _database_url(server, name)
    with _admin(server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database at the newest schema revision, fresh for this test."""
    if backend == "sqlite":
        path = tmp_path / "callcenter.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _pg_database(request, request.getfixturevalue("pg_template"))


@pytest.fixture(scope="module", params=BACKENDS)
def module_db_url(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database at the newest revision shared by one module's tests, on each backend in
    turn (for tests that start a server process once per module)."""
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("module-db") / "callcenter.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        yield from _pg_database(request, request.getfixturevalue("pg_template"))


@pytest.fixture
def empty_db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    else:
        yield from _pg_database(request, None)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The shipped topics, agencies and administrative units, loaded."""
    with transaction(sessions) as session:
        load_topics(session, read_topics_file(TOPICS_FILE))
        load_units(session, read_units_csv(UNITS_FILE))
    return sessions


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many database tests ran on each backend, so a skipped one cannot hide."""
    counts = {name: {"passed": 0, "failed": 0, "skipped": 0} for name in BACKENDS}
    for outcome in counts["sqlite"]:
        for report in terminalreporter.stats.get(outcome, []):
            for name in BACKENDS:
                if f"[{name}" in getattr(report, "nodeid", ""):
                    counts[name][outcome] += 1
    if any(sum(c.values()) for c in counts.values()):
        line = "; ".join(f"{name}: " + ", ".join(f"{n} {k}" for k, n in c.items())
                         for name, c in counts.items())
        terminalreporter.write_line(f"database tests by backend — {line}")
