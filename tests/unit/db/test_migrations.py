"""The migrations build exactly the schema the models declare, up and down, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from db import migrate
from db.engine import make_engine
from db.models import Base


def _differences(url: str) -> list:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "compare_server_default": True})
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_models_and_migrations_agree(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    assert _differences(empty_db_url) == []


def test_upgrade_downgrade_upgrade(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    expected = set(Base.metadata.tables) | {"alembic_version"}
    assert _tables(empty_db_url) == expected
    migrate.downgrade(empty_db_url, "base")
    assert _tables(empty_db_url) <= {"alembic_version"}
    migrate.upgrade(empty_db_url)
    assert _tables(empty_db_url) == expected
    engine = make_engine(empty_db_url)
    try:
        assert migrate.is_current(engine)
    finally:
        engine.dispose()
