"""Engines and sessions, built on demand (never at import)."""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///improvement-bot.db"
# How long a SQLite transaction waits for another writer's lock before giving up, in seconds,
# unless its engine says otherwise (with_lock_wait): jobs and the CLI can wait this long.
SQLITE_LOCK_WAIT = 30.0
LOCK_WAIT_OPTION = "sqlite_lock_wait"
READ_ONLY_OPTION = "improvement_bot_read_only"
BUSY_TIMEOUT_KEY = "busy_timeout_ms"
HOLDS_WRITER_KEY = "holds_writer_turn"

# One writer's turn per SQLite database file in this process (see _begin_immediately_on_write).
_writer_turns: dict[str, threading.Lock] = {}
_writer_turns_guard = threading.Lock()


def _writer_turn(database: str) -> threading.Lock | None:
    """The lock that queues this process's writers to `database` (None: in memory)."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    path = os.path.realpath(database)
    with _writer_turns_guard:
        return _writer_turns.setdefault(path, threading.Lock())


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
        _begin_immediately_on_write(engine, _writer_turn(make_url(url).database or ""))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "do_connect", _postgresql_in_utc)
    return engine


def _postgresql_in_utc(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    """Every session in UTC, whatever the server's default zone: times come back as UTC
    already (psycopg gives them datetime.timezone.utc), so reading the thousands of them in a
    digest costs no conversion each, and any SQL that turns a time into a day does it the
    same way on every server. Added to options the URL may already carry."""
    params["options"] = f"{params.get('options', '')} -c TimeZone=UTC".strip()


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


def _begin_immediately_on_write(engine: Engine, turn: threading.Lock | None) -> None:
    """Let SQLAlchemy, not pysqlite, issue BEGIN — and make it BEGIN IMMEDIATE.

    pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINT (SQLAlchemy's
    SQLite dialect documentation gives this recipe). IMMEDIATE takes the write lock at the
    start: with a deferred BEGIN, a transaction that reads and then writes fails at once with
    "database is locked" when another connection committed in between, and no busy timeout
    helps. IMMEDIATE makes it wait its turn instead (up to the busy timeout).

    Within this process the writers queue on a lock (`turn`) before BEGIN: SQLite's busy
    handler polls, sleeping up to 100 ms between tries, so eight requests writing at once
    waited tens of milliseconds each for a lock freed in one; a queue hands the turn on the
    moment it is freed. The turn is held until the connection goes back to the pool (the
    unit of work has committed or rolled back by then); other processes still meet SQLite's
    own lock and its busy timeout.
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        wait = conn.get_execution_options().get(LOCK_WAIT_OPTION, SQLITE_LOCK_WAIT)
        info = conn.connection.info  # lives as long as the DBAPI connection
        # A read-only unit (`reading`) begins deferred: under WAL it reads a snapshot and
        # never holds the write lock, so a long read (the committee paper) blocks no writer
        # and takes no writer's turn.
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        if turn is not None and not read_only and not info.get(HOLDS_WRITER_KEY):
            if not turn.acquire(timeout=wait):
                raise OperationalError(
                    "BEGIN IMMEDIATE", None, sqlite3.OperationalError("database is locked")
                )
            info[HOLDS_WRITER_KEY] = True
        try:
            busy_ms = int(wait * 1000)
            if info.get(BUSY_TIMEOUT_KEY) != busy_ms:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={busy_ms}")
                info[BUSY_TIMEOUT_KEY] = busy_ms
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")
        except BaseException:
            _give_turn_back(info)
            raise

    def _give_turn_back(info: dict[str, Any]) -> None:
        if turn is not None and info.pop(HOLDS_WRITER_KEY, False):
            turn.release()

    @event.listens_for(engine, "checkin")
    def _checkin(_dbapi_connection: Any, record: Any) -> None:
        _give_turn_back(record.info)

    @event.listens_for(engine, "invalidate")
    def _invalidated(_dbapi_connection: Any, record: Any, _error: Any) -> None:
        _give_turn_back(record.info)  # before the connection, and what it knew, is dropped


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
