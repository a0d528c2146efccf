"""Unit of work: one transaction per use case; nothing is saved unless committed."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

import bot.services.text_limits  # noqa: F401 - every session refuses text too long for its column
from bot.core.errors import UserError

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


class UnitOfWork:
    """`with UnitOfWork(factory) as uow: ...; uow.commit()` — leaving without commit rolls back."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory
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
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()
