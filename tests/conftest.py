"""Shared fixtures: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.services.uow import UnitOfWork
from db.migrate import upgrade
from db.models import Base
from db.session import make_engine, make_session_factory

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
NOW = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)


def postgres_engine(schema: str) -> Engine:
    """An engine whose connections live in their own schema, so test runs never collide."""
    assert POSTGRES_URL
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return make_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})


def drop_postgres_schema(schema: str) -> None:
    admin = make_engine(POSTGRES_URL or "")
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"ib_test_{uuid.uuid4().hex[:8]}"
    engine = postgres_engine(schema)
    upgrade(engine)
    yield engine
    engine.dispose()
    drop_postgres_schema(schema)


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest) -> Engine:
    name = "sqlite_engine" if request.param == "sqlite" else "pg_engine"
    engine: Engine = request.getfixturevalue(name)
    _empty(engine)
    return engine


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def uow_factory(session_factory: sessionmaker[Session]) -> Callable[[], UnitOfWork]:
    return lambda: UnitOfWork(session_factory)
