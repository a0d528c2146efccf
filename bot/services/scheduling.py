"""What the scheduler asks of the database: plan what is due, and hold the lease that says
which running instance plans. Each call is its own unit of work, which may wait for a writer
(no person is waiting on it)."""

from __future__ import annotations

import datetime as dt

from bot.services import UseCases
from bot.services.lease import acquire_or_renew, release
from bot.services.outbox import plan_due
from bot.services.uow import UnitOfWork

LEASE_TTL = dt.timedelta(seconds=90)


class SchedulingService(UseCases):
    def plan_due(self, now: dt.datetime) -> list[str]:
        """Enqueue whatever the reminder rules say is due at `now`; the new ledger keys.

        It rings no doorbell: the scheduler's own delivery pass follows the plan."""
        with UnitOfWork(self.units.session_factory) as uow:
            keys = plan_due(uow, now)
            uow.commit()
        return keys

    def hold_lease(self, worker: str, now: dt.datetime, ttl: dt.timedelta = LEASE_TTL) -> bool:
        """Take, or renew, the planning lease; whether `worker` holds it now."""
        with self.units.patient() as uow:
            held = acquire_or_renew(uow, worker, now, ttl)
            uow.commit()
        return held

    def release_lease(self, worker: str) -> None:
        with self.units.patient() as uow:
            release(uow, worker)
            uow.commit()
