"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine

from db.migrate import current_revision, head_revision, upgrade
from db.models import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrading_an_up_to_date_database_does_nothing(engine: Engine) -> None:
    upgrade(engine)
    assert upgrade(engine) is False
