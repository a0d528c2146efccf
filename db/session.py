"""Engines and sessions, built on demand (never at import)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///improvement-bot.db"
# How long a SQLite transaction waits for another writer's lock before giving up, in seconds,
# unless its engine says otherwise (with_lock_wait): jobs and the CLI can wait this long.
SQLITE_LOCK_WAIT = 30.0
LOCK_WAIT_OPTION = "sqlite_lock_wait"
READ_ONLY_OPTION = "improvement_bot_read_only"
BUSY_TIMEOUT_KEY = "busy_timeout_ms"


def normalise_url(url: str) -> str:
    """PostgreSQL URLs go through psycopg 3 whatever driver they name (or none)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str = DEFAULT_DATABASE_URL, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        _begin_immediately_on_write(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_LOCK_WAIT * 1000)}")
    record.info[BUSY_TIMEOUT_KEY] = int(SQLITE_LOCK_WAIT * 1000)
    if not _is_memory(dbapi_connection):
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _is_memory(dbapi_connection: Any) -> bool:
    cursor = dbapi_connection.cursor()
    try:
        rows = cursor.execute("PRAGMA database_list").fetchall()
    finally:
        cursor.close()
    return any(row[1] == "main" and not row[2] for row in rows)


def _begin_immediately_on_write(engine: Engine) -> None:
    """Let SQLAlchemy, not pysqlite, issue BEGIN — and make it BEGIN IMMEDIATE.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT (SQLAlchemy's
    SQLite dialect documentation gives this recipe). IMMEDIATE takes the write lock at the
    start: with a deferred BEGIN, a transaction that reads and then writes fails at once with
    "database is locked" when another connection committed in between, and no busy timeout
    helps. IMMEDIATE makes it wait its turn instead (up to the busy timeout).
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        wait = conn.get_execution_options().get(LOCK_WAIT_OPTION, SQLITE_LOCK_WAIT)
        busy_ms = int(wait * 1000)
        info = conn.connection.info  # lives as long as the DBAPI connection
        if info.get(BUSY_TIMEOUT_KEY) != busy_ms:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
            info[BUSY_TIMEOUT_KEY] = busy_ms
        # A read-only unit (`reading`) begins deferred: under WAL it reads a snapshot and
        # never holds the write lock, so a long read (the committee paper) blocks no writer.
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def with_lock_wait(engine: Engine, seconds: float) -> Engine:
    """The engine, with SQLite transactions that wait at most `seconds` for another writer
    (then fail with "database is locked", having written nothing). PostgreSQL ignores it."""
    return engine.execution_options(**{LOCK_WAIT_OPTION: seconds})


def reading(engine: Engine) -> Engine:
    """The engine, for transactions that only read: on SQLite they begin deferred (no write
    lock; WAL gives them a snapshot). Writing in one is a mistake SQLite may refuse with
    "database is locked". PostgreSQL ignores it."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, future=True)
