"""APScheduler wiring. Jobs are registered in one place with stable ids; a database lease
decides which running instance plans (no job store is shared between processes). Every
instance delivers: the ledger's claims keep each message to one sender."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.services import Services
from bot.services.uow import Doorbell
from scheduler.delivery import Delivery
from scheduler.jobs import deliver_notifications, plan_notifications

log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class DeliverSoon:
    """Runs a delivery pass on its own thread as soon as it is asked to (see Doorbell), so a
    message a request enqueued goes out now rather than at the next scheduled delivery,
    without the request posting it. Asks that come while a pass runs make one more pass."""

    def __init__(self, deliver: Callable[[], object], name: str = "deliver-soon") -> None:
        self._deliver = deliver
        self._asked = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def __call__(self) -> None:
        with self._lock:
            self._idle.clear()
            self._asked.set()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every pass asked for so far has run; False if still busy at `timeout`."""
        return self._idle.wait(timeout)

    def _serve(self) -> None:
        while True:
            self._asked.wait()
            if self._stopping:
                return
            with self._lock:
                self._asked.clear()
            try:
                self._deliver()
            except Exception:  # the scheduled delivery tries again
                log.exception("delivery asked for by a request failed")
            with self._lock:
                if not self._asked.is_set():
                    self._idle.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping = True
        self._asked.set()
        self._thread.join(timeout)


class SchedulerService:
    def __init__(
        self,
        services: Services,
        client: WebClient,
        *,
        worker: str | None = None,
        plan_every: dt.timedelta = dt.timedelta(minutes=1),
        deliver_every: dt.timedelta = dt.timedelta(seconds=20),
        doorbell: Doorbell | None = None,
    ) -> None:
        self.services = services
        self.clock = services.clock
        self.worker = worker or worker_name()
        self.delivery = Delivery(services.session_factory, client, self.worker)
        # Requests ring the doorbell after enqueueing; any instance may deliver (claims
        # keep each message to one sender), so this does not wait for the lease.
        self.doorbell = doorbell
        self.deliver_soon: DeliverSoon | None = None
        self.scheduler = BackgroundScheduler(
            timezone=dt.UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300},
        )
        jobs = {  # id: (job, how often, when first)
            "plan_notifications": (
                self.plan,
                plan_every,
                {"next_run_time": dt.datetime.now(dt.UTC)},
            ),
            "deliver_notifications": (self.deliver, deliver_every, {}),
        }
        for job_id, (job, every, first) in jobs.items():
            self.scheduler.add_job(
                job,
                "interval",
                seconds=every.total_seconds(),
                id=job_id,
                replace_existing=True,
                **first,
            )

    def holds_lease(self) -> bool:
        return self.services.scheduling.hold_lease(self.worker, self.clock.now())

    def plan(self) -> None:
        if self.holds_lease():
            plan_notifications(self.services, self.clock.now())

    def deliver(self) -> None:
        """Every instance delivers, lease or not: claims keep each message to one sender."""
        deliver_notifications(self.delivery, self.clock.now())

    def deliver_now(self) -> None:
        self.deliver()

    def start(self) -> None:
        self.scheduler.start()
        if self.doorbell is not None:
            self.deliver_soon = DeliverSoon(self.deliver_now)
            self.doorbell.answer(self.deliver_soon)
        log.info("scheduler started as %s", self.worker)

    def shutdown(self) -> None:
        if self.doorbell is not None and self.deliver_soon is not None:
            self.doorbell.hang_up(self.deliver_soon)
            self.deliver_soon.stop()
        self.scheduler.shutdown(wait=True)
        self.services.scheduling.release_lease(self.worker)
