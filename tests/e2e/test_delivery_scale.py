"""Delivery that scales out: every instance delivers, a few workers in each, and each
workspace keeps its own rate-limit budget, so one council's 429 does not slow another's."""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select

from benchmarks.common import MORNING, reminder_morning, team_id
from bot.render.ids import NOTIFICATION_EVENT
from bot.sandbox.emulator import SlackEmulator
from bot.services import Units
from bot.services.outbox import plan_due
from db.migrate import upgrade
from db.models import Notification, Workspace
from db.session import make_engine, make_session_factory
from scheduler.budget import Job, RateBudget, WorkQueue
from scheduler.delivery import Delivery
from tests.conftest import drop_postgres_schema, postgres_engine


class FakeTime:
    """A monotonic clock that moves only when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def keys_posted(emulator: SlackEmulator) -> Counter[str]:
    found: Counter[str] = Counter()
    for message in emulator.messages(include_ephemeral=False):
        metadata = message.metadata or {}
        if metadata.get("event_type") == NOTIFICATION_EVENT:
            found[metadata["event_payload"]["key"]] += 1
    return found


def states(engine: Engine) -> Counter[str]:
    with engine.connect() as connection:
        return Counter(
            dict(
                connection.execute(
                    select(Notification.state, func.count()).group_by(Notification.state)
                ).all()
            )
        )


def morning(engine: Engine, emulator: SlackEmulator, count: int, workspaces: int) -> Units:
    upgrade(engine)
    reminder_morning(engine, emulator, count, workspaces)
    units = Units(session_factory=make_session_factory(engine))
    with units.patient() as uow:
        plan_due(uow, MORNING)
        uow.commit()
    return units


def clients_for(emulator: SlackEmulator, workspaces: int) -> Callable[[str | None], WebClient]:
    clients = {
        team_id(w): WebClient(
            token=emulator.add_team(team_id(w)), base_url=emulator.api_url, retry_handlers=[]
        )
        for w in range(1, workspaces + 1)
    }
    return lambda team: clients[team or ""]


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


def test_the_queue_passes_over_a_held_workspace_and_waits_only_when_nothing_else_is_left() -> None:
    time = FakeTime()
    budget = RateBudget(time)
    budget.hold(1, "chat.postMessage", 5.0)
    queue = WorkQueue(
        [Job(1, 1, "T1"), Job(2, 1, "T1"), Job(3, 2, "T2")],
        budget,
        sleep=time.sleep,
        max_wait=10.0,
    )
    first = queue.take()
    assert first is not None and first.workspace_id == 2  # workspace 1 is held
    assert time() == 1000.0
    second = queue.take()  # only the held workspace is left: wait for it
    assert second is not None and second.notification_id == 1
    assert time() >= 1005.0
    budget.hold(1, "conversations.open", 60.0)
    assert queue.take() is None  # longer than a pass waits: left for the next
    assert queue.left_for_later == 1


def test_the_emulator_limits_each_workspace_and_method_apart(emulator: SlackEmulator) -> None:
    emulator.add_user("UAAAA00000", "a", "A", "a@x.example")
    emulator.set_rate_limits({"chat.postMessage": 2})
    first, second = (
        WebClient(token=emulator.add_team(t), base_url=emulator.api_url, retry_handlers=[])
        for t in ("T0000000A1", "T0000000A2")
    )
    channel = emulator.dm_channel("UAAAA00000")
    statuses = []
    for client in (first, first, first, second):
        try:
            client.chat_postMessage(channel=channel, text="hello")
            statuses.append(200)
        except Exception as error:  # a SlackApiError carrying the 429
            statuses.append(error.response.status_code)  # type: ignore[attr-defined]
            assert int(error.response.headers["Retry-After"]) >= 1  # type: ignore[attr-defined]
    # The per-channel limit (3 in 3 s) is not met by 3 posts; the workspace's is.
    assert statuses == [200, 200, 429, 200]
    assert first.conversations_open(users="UAAAA00000")["ok"]  # another method: its own budget


def test_one_workspaces_429_does_not_hold_up_another(
    tmp_path: Path, emulator: SlackEmulator
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'budget.db'}")
    units = morning(engine, emulator, 15, 2)  # 8 reminders in workspace 1, 7 in workspace 2
    emulator.set_rate_limits({"chat.postMessage": 7})  # a minute's posts: 1 meets it, 2 not
    time = FakeTime()
    delivery = Delivery(
        units.session_factory,
        WebClient(token=emulator.bot_token, base_url=emulator.api_url),
        worker="w",
        clients=clients_for(emulator, 2),
        monotonic=time,
        sleep=time.sleep,
        max_rate_wait=5.0,
    )
    report = delivery.run(MORNING)
    # Workspace 1's eighth post was answered 429 (wait most of a minute): that message is left
    # pending, untouched, for a later pass; nobody waited for it, and workspace 2 sent all.
    assert [(c.team, c.status) for c in emulator.calls if c.status != 200] == [(team_id(1), 429)]
    assert report.sent == 14 and report.deferred == 1 and report.failed == 0
    assert time() == 1000.0
    with units.patient() as uow:
        rows = uow.session.execute(
            select(Workspace.team_id, Notification.state, Notification.attempts).join(
                Workspace, Workspace.id == Notification.workspace_id
            )
        ).all()
    assert Counter((t, s, a) for t, s, a in rows) == {
        (team_id(1), "sent", 1): 7,
        (team_id(1), "pending", 0): 1,
        (team_id(2), "sent", 1): 7,
    }
    emulator.clear_faults()
    time.sleep(60)
    assert delivery.run(MORNING + dt.timedelta(minutes=1)).sent == 1
    posted = keys_posted(emulator)
    assert len(posted) == 15 and set(posted.values()) == {1}
    engine.dispose()


def test_a_pass_waits_out_a_short_retry_after_and_sends_everything(
    tmp_path: Path, emulator: SlackEmulator
) -> None:
    """Each workspace may post 3 messages in 3 s: the 429s' Retry-After is within what a pass
    waits, so the workers wait it out (each workspace on its own) and all 12 go in one pass."""
    engine = make_engine(f"sqlite:///{tmp_path / 'wait.db'}")
    units = morning(engine, emulator, 12, 2)
    emulator.set_rate_limits({"chat.postMessage": 3}, speed=20.0)  # a 3 s window
    real = Delivery(
        units.session_factory,
        WebClient(token=emulator.bot_token, base_url=emulator.api_url),
        worker="w",
        clients=clients_for(emulator, 2),
        workers=4,
    )
    report = real.run(MORNING)
    assert report.sent == 12 and report.deferred == 0
    limited = [c for c in emulator.calls if c.status == 429]
    assert limited, "Slack's limit was met"
    posted = keys_posted(emulator)
    assert len(posted) == 12 and set(posted.values()) == {1}
    engine.dispose()


@pytest.mark.postgres
def test_two_instances_share_a_1000_message_morning_on_postgresql(
    emulator: SlackEmulator,
) -> None:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"ib_scale_{uuid.uuid4().hex[:8]}"
    setup = postgres_engine(schema)
    try:
        morning(setup, emulator, 1000, 10)
        clients = clients_for(emulator, 10)
        # Two instances: each its own engine (connection pool) and its own workers.
        instances = []
        for name in ("one", "two"):
            engine = postgres_engine_in(schema)
            instances.append(
                (
                    engine,
                    Delivery(
                        make_session_factory(engine),
                        WebClient(token=emulator.bot_token, base_url=emulator.api_url),
                        worker=name,
                        clients=clients,
                        workers=8,
                    ),
                )
            )
        errors: list[BaseException] = []

        def deliver(delivery: Delivery) -> None:
            try:
                moment = MORNING
                while states(setup).get("pending", 0):
                    delivery.run(moment, limit=1000)
                    moment += dt.timedelta(minutes=1)
            except BaseException as error:  # surfaced below
                errors.append(error)

        threads = [threading.Thread(target=deliver, args=(d,)) for _, d in instances]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        assert not errors
        assert states(setup) == {"sent": 1000}
        posted = keys_posted(emulator)
        assert len(posted) == 1000 and set(posted.values()) == {1}
        with setup.connect() as connection:
            by = dict(
                connection.execute(
                    select(Notification.claimed_by, func.count()).group_by(Notification.claimed_by)
                ).all()
            )
        assert set(by) == {"one", "two"}, f"both instances sent some: {by}"
        for engine, _ in instances:
            engine.dispose()
    finally:
        setup.dispose()
        drop_postgres_schema(schema)


def postgres_engine_in(schema: str) -> Engine:
    url = os.environ["TEST_DATABASE_URL"]
    return make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
