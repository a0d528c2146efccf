"""Unit of work: one transaction per use case; nothing is saved unless committed."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

import bot.services.replan  # noqa: F401 - every commit marks the boards it changed for planning
import bot.services.text_limits  # noqa: F401 - every session refuses text too long for its column
from bot.core.errors import UserError

log = logging.getLogger(__name__)

# Set in a session's `info` by whatever puts a message in the outbox (bot.services.outbox).
ENQUEUED = "outbox.enqueued"

BUSY = (
    "Someone else is saving to the plan right now, so I've recorded nothing. "
    "Please try again in a minute."
)


class Busy(UserError):
    """Another writer held the database for longer than this unit of work could wait.

    Nothing was written (a SQLite transaction that cannot take the lock writes nothing), so
    the person is told so and can simply try again."""

    def __init__(self) -> None:
        super().__init__(BUSY)


def is_lock_timeout(error: BaseException) -> bool:
    return isinstance(error, OperationalError) and (
        "database is locked" in str(error) or "database is busy" in str(error)
    )


class Doorbell:
    """Rung after a commit that put a message in the outbox, so it goes out at once.

    Whoever delivers (the running bot's delivery, the sandbox) answers it; nobody rings it
    but a unit of work, and it never posts anything itself. With nobody answering, messages
    wait for the next scheduled delivery."""

    def __init__(self) -> None:
        self._answers: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def answer(self, handler: Callable[[], None]) -> None:
        with self._lock:
            self._answers.append(handler)

    def hang_up(self, handler: Callable[[], None]) -> None:
        with self._lock:
            if handler in self._answers:
                self._answers.remove(handler)

    def ring(self) -> None:
        with self._lock:
            answers = list(self._answers)
        for handler in answers:
            try:
                handler()
            except Exception:  # the commit stands; the scheduled delivery sends it later
                log.exception("could not ask for delivery")


class UnitOfWork:
    """`with UnitOfWork(factory) as uow: ...; uow.commit()` — leaving without commit rolls back.

    A commit that enqueued a message rings the doorbell, when there is one."""

    def __init__(
        self, session_factory: sessionmaker[Session], doorbell: Doorbell | None = None
    ) -> None:
        self._factory = session_factory
        self._doorbell = doorbell
        self.session: Session

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.session.rollback()
        self.session.close()
        if exc is not None and is_lock_timeout(exc):
            raise Busy() from exc

    def commit(self) -> None:
        enqueued = self.session.info.pop(ENQUEUED, False)
        self.session.commit()
        if enqueued and self._doorbell is not None:
            self._doorbell.ring()

    def flush(self) -> None:
        self.session.flush()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE changed. SQLAlchemy types `execute()` as a Result; for an
    UPDATE it is a CursorResult, which counts them."""
    return cast("CursorResult[Any]", result).rowcount
