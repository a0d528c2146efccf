"""Use cases: plain values in (ids, refs, text, the actor, `now`), plain read models out.

Each use case opens and commits its own unit of work, so a Slack listener, the CLI, the
scheduler and the sandbox all call the same function and none of them holds a transaction.
A use case returns a frozen dataclass read model, never an ORM row, and refuses with a
`UserError` that the listener's `answers_refusals` turns into a reply.

Groups of use cases, one class per area (`PlanService`, …), hang off `Services` as cached
properties, built once by `bot.app.bootstrap()` and bound to listeners and jobs when they
are registered. `Units.request()` is for a person who is waiting, `Units.patient()` for jobs
and after-the-answer work.

Every message the bot starts, date-change notices included, goes through the outbox
(`bot.services.outbox`): written in the transaction that causes it, delivered exactly once.

Imports: `bot.core`, `bot.services`, `db`, `bot.clock` and `bot.config` only; nothing here
knows Slack (tests/unit/test_layers.py). Type-checked with mypy's strict flags (pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.services.uow import Busy, Doorbell, UnitOfWork, is_lock_timeout

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.services.admin import ImportService, PlanService
    from bot.services.board_views import ViewService
    from bot.services.challenges import ChallengeService
    from bot.services.cover import CoverService
    from bot.services.date_changes import DateChangeService
    from bot.services.deadlines import DeadlineService
    from bot.services.linking import PeopleService
    from bot.services.operator import OperatorService
    from bot.services.privacy import PrivacyService
    from bot.services.progress import ProgressService
    from bot.services.sandbox import SandboxService
    from bot.services.scheduling import SchedulingService


@dataclass(frozen=True)
class Units:
    """Where units of work come from.

    `request()` is for work a person waits on: its transactions wait for another writer only
    as long as Slack waits for an answer (then say so, having recorded nothing).
    `patient()` is for work after the answer has gone, and for jobs: it may wait.
    A commit of either that put a message in the outbox rings `doorbell`.
    """

    session_factory: sessionmaker[Session]
    request_session_factory: sessionmaker[Session] | None = None
    reading_session_factory: sessionmaker[Session] | None = None  # db.session.reading
    doorbell: Doorbell = field(default_factory=Doorbell)

    def request(self) -> UnitOfWork:
        return UnitOfWork(self.request_session_factory or self.session_factory, self.doorbell)

    def patient(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.doorbell)

    def written(self, work: Callable[[Connection], T]) -> T:
        """Run `work` on one connection in one transaction of a person's request, committed
        when it returns: for a hot write made of Core statements alone, which needs no ORM
        session built, flushed and closed around it. The session's hooks (boards to plan
        again, text limits, the doorbell) do not see it: `work` must change nothing they watch,
        and check its own text against its columns."""
        engine = (self.request_session_factory or self.session_factory).kw["bind"]
        try:
            with engine.begin() as connection:
                return work(connection)
        except OperationalError as error:
            if is_lock_timeout(error):
                raise Busy() from error
            raise

    def reading(self) -> UnitOfWork:
        """A unit that only reads, however long: on SQLite it holds no write lock."""
        return UnitOfWork(self.reading_session_factory or self.session_factory, self.doorbell)

    def committed(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run `work` in a request's unit of work and commit what it did."""
        with self.request() as uow:
            result = work(uow)
            uow.commit()
        return result


class UseCases:
    """A group of use cases over one database (subclasses add what else they need)."""

    def __init__(self, units: Units) -> None:
        self.units = units


@dataclass
class Services:
    """The use cases, bound to one database, one clock and one set of settings."""

    settings: Settings
    clock: Clock
    units: Units

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.units.session_factory

    def uow(self) -> UnitOfWork:
        """A unit of work for what the tests read and arrange around the bot: it waits for
        another writer as long as a scheduled job does. A person's Slack request has
        `units.request()`, which gives up after half a second and says so."""
        return self.units.patient()

    @cached_property
    def operator(self) -> OperatorService:
        """Use cases for the operator at the command line."""
        from bot.services.operator import OperatorService

        return OperatorService(self.units)

    @cached_property
    def sandbox(self) -> SandboxService:
        """What the sandbox asks of a local database."""
        from bot.services.sandbox import SandboxService

        return SandboxService(self.units)

    @cached_property
    def date_changes(self) -> DateChangeService:
        from bot.services.date_changes import DateChangeService

        return DateChangeService(self.units)

    @cached_property
    def views(self) -> ViewService:
        """What people read: /board's views, the previews and the App Home."""
        from bot.services.board_views import ViewService

        return ViewService(self.units, self.clock)

    @cached_property
    def plans(self) -> PlanService:
        from bot.services.admin import PlanService

        return PlanService(self.units, self.settings)

    @cached_property
    def people(self) -> PeopleService:
        from bot.services.linking import PeopleService

        return PeopleService(self.units)

    @cached_property
    def progress(self) -> ProgressService:
        from bot.services.progress import ProgressService

        return ProgressService(self.units)

    @cached_property
    def imports(self) -> ImportService:
        from bot.services.admin import ImportService

        return ImportService(self.units, self.settings, self.people)

    @cached_property
    def scheduling(self) -> SchedulingService:
        """What the scheduler's jobs ask of the database."""
        from bot.services.scheduling import SchedulingService

        return SchedulingService(self.units)

    @cached_property
    def challenges(self) -> ChallengeService:
        from bot.services.challenges import ChallengeService

        return ChallengeService(self.units)

    @cached_property
    def privacy(self) -> PrivacyService:
        """The workspace's personal-data checks (`/plan privacy`)."""
        from bot.services.privacy import PrivacyService

        return PrivacyService(self.units)

    @cached_property
    def deadlines(self) -> DeadlineService:
        """Statutory and board deadlines (`/plan deadline`, `/board deadlines`)."""
        from bot.services.deadlines import DeadlineService

        return DeadlineService(self.units)

    @cached_property
    def cover(self) -> CoverService:
        """Owners away and their deputies (`/progress away`, `/plan people away`)."""
        from bot.services.cover import CoverService

        return CoverService(self.units)
