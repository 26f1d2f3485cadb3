"""What every subcommand needs: the effective settings and a database to talk to."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from callcenter.config import Settings, load_settings
from db.engine import make_engine, make_sessionmaker, transaction
from db.errors import DataError
from db.migrate import current_revision, head_revision


def settings(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


@contextmanager
def database(args: argparse.Namespace) -> Iterator[Session]:
    """One transaction on an up-to-date schema: committed if the command succeeds."""
    engine = make_engine(settings(args).database_url())
    try:
        current = current_revision(engine)
        if current != head_revision():
            raise DataError(f"the database schema is at {current or 'nothing'}, the code needs "
                            f"{head_revision()}: run `callcenter db upgrade` first")
        with transaction(make_sessionmaker(engine)) as session:
            yield session
    finally:
        engine.dispose()
