"""The SQLite database holds argon2 hashes and health data: its directory (the default one) is
0700 and its files 0600 — the database, and the -wal and -shm files SQLite makes beside it —
whatever the umask. A default directory or database an earlier version left readable is made
private."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from db import engine as db_engine
from db.engine import default_database_url, make_engine


@pytest.fixture(autouse=True)
def usual_umask() -> Iterator[None]:
    """022, as on most systems: what SQLite and mkdir would make 0644 and 0755."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def written(url: str) -> Iterator[None]:
    """A table written in WAL mode, its connection kept open inside (SQLite removes -wal and
    -shm when the last one closes)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE agent (username TEXT, password_hash TEXT)"))
            connection.execute(text("INSERT INTO agent VALUES ('lan', '$argon2id$…')"))
            connection.commit()
            yield
    finally:
        engine.dispose()


def test_a_new_database_and_its_wal_and_shm_files_are_private(tmp_path: Path) -> None:
    database = tmp_path / "callcenter.sqlite3"
    with written(f"sqlite:///{database}"):
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert {f.name: oct(mode(f)) for f in files} == {f.name: "0o600" for f in files}


def test_the_default_database_is_private(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    data_dir = tmp_path / "share" / "hotline-1022"
    monkeypatch.setattr(db_engine.platformdirs, "user_data_dir", lambda *_a, **_k: str(data_dir))
    url = default_database_url()
    assert url == f"sqlite:///{data_dir / 'callcenter.sqlite3'}"
    assert mode(data_dir) == 0o700
    with written(url):
        assert {f.name: oct(mode(f)) for f in data_dir.iterdir()} == {
            "callcenter.sqlite3": "0o600", "callcenter.sqlite3-wal": "0o600",
            "callcenter.sqlite3-shm": "0o600"}


def test_a_default_database_left_readable_is_made_private(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As an earlier version left it: the directory 0755, the files 0644."""
    data_dir = tmp_path / "hotline-1022"
    data_dir.mkdir(mode=0o755)
    for name in ("callcenter.sqlite3", "callcenter.sqlite3-wal", "callcenter.sqlite3-shm"):
        (data_dir / name).write_bytes(b"")
        (data_dir / name).chmod(0o644)
    monkeypatch.setattr(db_engine.platformdirs, "user_data_dir", lambda *_a, **_k: str(data_dir))
    default_database_url()
    assert mode(data_dir) == 0o700
    assert {f.name: oct(mode(f)) for f in data_dir.iterdir()} == {
        "callcenter.sqlite3": "0o600", "callcenter.sqlite3-wal": "0o600",
        "callcenter.sqlite3-shm": "0o600"}


def test_an_existing_database_elsewhere_keeps_its_mode_and_memory_needs_no_file(
        tmp_path: Path) -> None:
    """A file the operator made (and chose the mode of) is left as it is."""
    database = tmp_path / "shared.sqlite3"
    database.write_bytes(b"")
    database.chmod(0o640)
    with written(f"sqlite:///{database}"):
        assert mode(database) == 0o640 and mode(Path(f"{database}-wal")) == 0o640
    with make_engine("sqlite://").connect() as connection:
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shared.sqlite3"]
