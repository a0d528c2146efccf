"""The APScheduler service: stable job ids, one lease holder, lease released on shutdown."""

from __future__ import annotations

import datetime as dt
import logging
import threading

import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from sqlalchemy import select

from bot.sandbox.local import LocalBot
from db.models import Notification
from scheduler.service import SchedulerService
from tests.e2e.seed import seed_board


# The scheduler calls Slack's Web API, the same in both transports.
@pytest.fixture
def transport() -> str:
    return "http"


NINE_BST = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)


def service(local: LocalBot, worker: str) -> SchedulerService:
    return SchedulerService(local.services, local.slack.delivery, worker=worker)


def test_only_the_lease_holder_plans_any_instance_delivers_and_jobs_have_stable_ids(
    local: LocalBot,
) -> None:
    seed_board(local)
    local.clock.set(NINE_BST)
    first, second = service(local, "first"), service(local, "second")
    assert {job.id for job in first.scheduler.get_jobs()} == {
        "plan_notifications",
        "deliver_notifications",
    }
    first.plan()
    second.plan()  # no lease: plans nothing (the ledger would keep it once anyway)
    assert not second.holds_lease()
    second.deliver()  # delivery needs no lease
    first.deliver()
    with local.services.uow() as uow:
        rows = uow.session.scalars(select(Notification)).all()
        assert [(n.state, n.claimed_by) for n in rows] == [("sent", "second")]
    assert len([m for m in local.emulator.messages(include_ephemeral=False) if m.bot_id]) == 1
    assert first.holds_lease() and not second.holds_lease()


def test_shutdown_hands_the_lease_over(local: LocalBot) -> None:
    first, second = service(local, "first"), service(local, "second")
    first.start()
    try:
        assert first.holds_lease()
        assert not second.holds_lease()
    finally:
        first.shutdown()
    assert second.holds_lease()


def test_a_lapsed_lease_is_taken_over(local: LocalBot) -> None:
    first, second = service(local, "first"), service(local, "second")
    assert first.holds_lease()
    local.clock.advance(dt.timedelta(minutes=2))  # first has stopped renewing
    assert second.holds_lease()
    assert not first.holds_lease()


def test_a_request_is_delivered_at_once_not_at_the_next_delivery_job(
    local: LocalBot, caplog: pytest.LogCaptureFixture
) -> None:
    """The running bot answers the doorbell: a date-change request reaches the chair though
    the scheduled delivery job would not run for another hour, so only the doorbell can have
    sent it. The wait is generous (a busy machine is slow, not wrong); on a failure the ledger,
    Slack's calls and the delivery log say where the message stopped."""
    caplog.set_level(logging.INFO)
    seed_board(local)
    assert local.deliver_soon is not None
    local.services.units.doorbell.hang_up(local.deliver_soon)  # only the service answers
    running = SchedulerService(
        local.services,
        local.slack.delivery,
        worker="running",
        deliver_every=dt.timedelta(hours=1),
        doorbell=local.services.units.doorbell,
    )
    planned = threading.Event()
    running.scheduler.add_listener(
        lambda event: event.job_id == "plan_notifications" and planned.set(),
        EVENT_JOB_EXECUTED | EVENT_JOB_ERROR,
    )
    running.start()
    try:
        # Its first planning pass runs at start and holds SQLite's one writer meanwhile; a
        # request that waited longer than a person's request may would be told to try again.
        assert planned.wait(30), "the first planning pass did not finish"
        asked = local.emulator.slash("UJANE00000", "/progress", "4.1 date 31/07/2019 survey moved")
        chair = local.emulator.dm_channel("UCHAIR0000")
        try:
            local.emulator.wait_for(
                lambda: local.emulator.messages(channel=chair, from_bot=True),
                timeout=30.0,
                what="the request to reach the chair",
            )
        except TimeoutError:
            pytest.fail(
                f"not delivered: Jane was told {asked.all_text()!r}; {what_was_sent(local)}"
            )
    finally:
        running.shutdown()


def what_was_sent(local: LocalBot) -> str:
    with local.services.uow() as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.id)).all()
        ledger = [(n.key, n.state, n.attempts, n.claimed_by, n.due_at, n.error) for n in rows]
    calls = [(c.method, c.status, c.response.get("error")) for c in local.emulator.calls]
    return f"the ledger holds {ledger}; Slack was called {calls}"
