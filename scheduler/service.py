"""APScheduler wiring. Jobs are registered in one place with stable ids; a database lease
decides which running instance does the work (no job store is shared between processes)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.services.uow import UnitOfWork
from scheduler.delivery import Delivery
from scheduler.jobs import deliver_notifications, plan_notifications
from scheduler.lease import acquire_or_renew, release

log = logging.getLogger(__name__)

LEASE_TTL = dt.timedelta(seconds=90)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class SchedulerService:
    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client: WebClient,
        clock: Clock,
        *,
        worker: str | None = None,
        plan_every: dt.timedelta = dt.timedelta(minutes=1),
        deliver_every: dt.timedelta = dt.timedelta(seconds=20),
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.worker = worker or worker_name()
        self.delivery = Delivery(session_factory, client, self.worker)
        self.scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        self.scheduler.add_job(
            self.plan,
            "interval",
            seconds=plan_every.total_seconds(),
            id="plan_notifications",
            replace_existing=True,
            next_run_time=dt.datetime.now(dt.UTC),
        )
        self.scheduler.add_job(
            self.deliver,
            "interval",
            seconds=deliver_every.total_seconds(),
            id="deliver_notifications",
            replace_existing=True,
        )

    def holds_lease(self) -> bool:
        with UnitOfWork(self.session_factory) as uow:
            held = acquire_or_renew(uow, self.worker, self.clock.now(), LEASE_TTL)
            uow.commit()
        return held

    def plan(self) -> None:
        if self.holds_lease():
            plan_notifications(self.session_factory, self.clock.now())

    def deliver(self) -> None:
        if self.holds_lease():
            deliver_notifications(self.delivery, self.clock.now())

    def start(self) -> None:
        self.scheduler.start()
        log.info("scheduler started as %s", self.worker)

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=True)
        with UnitOfWork(self.session_factory) as uow:
            release(uow, self.worker)
            uow.commit()
