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


def test_the_phone_status_column_keeps_the_agents_and_their_tiers(empty_db_url: str) -> None:
    """0011 adds and drops `agent.phone_status` in place: on SQLite a copied agent table would
    be dropped, and with foreign keys on that DROP deletes the tiers that reference it."""
    from sqlalchemy import text

    migrate.upgrade(empty_db_url, "0010")
    engine = make_engine(empty_db_url)
    try:
        with engine.begin() as connection:
            for statement in (
                "INSERT INTO topic (key, code_prefix, name_vi, name_en, queue, "
                "service_level_seconds, acw_seconds, outcomes, form_schema, rules, "
                "queue_options, updated_at, active) VALUES ('t', 'T', 't', 't', 'q', 20, 0, "
                "'[]', '{}', '{}', '{}', '2026-01-01 00:00:00+00', true)",
                "INSERT INTO agent (username, full_name, role, password_hash, created_at, "
                "updated_at, wrap_up_time) VALUES ('lan', 'Lan', 'nurse', 'x', "
                "'2026-01-01 00:00:00+00', '2026-01-01 00:00:00+00', 25)",
                "INSERT INTO tier (agent_id, topic_id, level, position) SELECT agent.id, "
                "topic.id, 1, 1 FROM agent, topic",
            ):
                connection.execute(text(statement))
        migrate.upgrade(empty_db_url, "0011")
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT username, wrap_up_time, phone_status FROM agent")).all() == [
                ("lan", 25, None)]
            assert connection.execute(text("SELECT count(*) FROM tier")).scalar() == 1
        with engine.begin() as connection:
            connection.execute(text("UPDATE agent SET phone_status = 'Available'"))
        migrate.downgrade(empty_db_url, "0010")
        with engine.connect() as connection:
            assert connection.execute(text("SELECT username FROM agent")).all() == [("lan",)]
            assert connection.execute(text("SELECT count(*) FROM tier")).scalar() == 1
            assert "phone_status" not in {c["name"] for c in inspect(connection).get_columns(
                "agent")}
    finally:
        engine.dispose()
