"""Engines and sessions for SQLite (the embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_FILE = "callcenter.sqlite3"
# What SQLite keeps beside a database (WAL mode: -wal and -shm; a rollback journal otherwise).
# It creates each with the database file's own mode.
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def default_database_url() -> str:
    """A SQLite file in the user's data directory, private to this user (it holds password
    hashes and health data): the directory 0700, the database 0600 (created so by make_engine;
    SQLite gives its -wal and -shm files the database's mode). A directory or files left
    readable by others by an earlier version are made private here."""
    data_dir = Path(platformdirs.user_data_dir("hotline-1022", appauthor=False))
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(mode=0o700, exist_ok=True)
    _make_private(data_dir, 0o700)
    for name in (DEFAULT_FILE, *(DEFAULT_FILE + suffix for suffix in SQLITE_COMPANIONS)):
        _make_private(data_dir / name, 0o600)
    return f"sqlite:///{data_dir / DEFAULT_FILE}"


def _make_private(path: Path, mode: int) -> None:
    """Group and others lose every right on `path`, when it exists and is this user's."""
    if os.name != "posix":
        return
    with contextlib.suppress(FileNotFoundError):
        status = path.lstat()
        if (stat.S_ISDIR(status.st_mode) or stat.S_ISREG(status.st_mode)) \
                and status.st_uid == os.getuid() and status.st_mode & 0o077:
            path.chmod(mode)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a bare postgresql:// URL (SQLAlchemy would look for psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: object) -> Engine:
    engine = create_engine(normalise_url(url), **kwargs)
    if engine.dialect.name == "sqlite":
        _create_private(engine.url.database, engine.url.query)
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _create_private(database: str | None, query: Any) -> None:
    """A SQLite database file that does not exist yet is created empty with mode 0600 before
    SQLite opens it (an empty file is a new database to SQLite), so it, and the -wal and -shm
    files SQLite makes with its mode, are never readable by other users — whatever the umask.
    An existing file keeps the mode it has. In-memory databases and URI file names are left
    to SQLite."""
    if not database or database == ":memory:" or database.startswith("file:") \
            or "uri" in query or "mode" in query:
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite says that it cannot open the file, as before
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the desktop hub read while the
    # daemon writes; busy_timeout turns short write contention into a wait, not an error.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work is committed on success and rolled back on any error."""
    with sessions() as session, session.begin():
        yield session
