"""Faults: the bot killed mid-delivery, a database write failing mid-call, SQLite busy,
PostgreSQL connections cut under load, Slack refusing for a whole minute. The slow ones are
marked `faults` (still part of the default run)."""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.exc import OperationalError

from benchmarks.common import MORNING
from bot.clock import ManualClock
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.local import LocalBot
from db.models import Action, Notification, ProgressUpdate
from db.session import make_engine
from handlers.errors import SORRY
from scheduler.delivery import Delivery
from scheduler.jobs import plan_notifications
from tests.conftest import drop_postgres_schema, postgres_engine
from tests.e2e.seed import seed_board
from tests.e2e.test_delivery import add_owners, keys_posted, ledger
from tests.e2e.test_delivery_scale import keys_posted as keys_in_slack
from tests.e2e.test_delivery_scale import morning, states

ROOT = Path(__file__).resolve().parents[2]
NINE_BST = MORNING


# Every fault here is on the bot's side of Slack or in its database: one transport will do.
@pytest.fixture
def transport() -> str:
    return "http"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


# ------------------------------------------------------------------ killed mid-delivery


@pytest.mark.faults
@pytest.mark.timeout(600)
def test_killed_at_random_points_of_a_delivery_run_every_message_goes_once(
    tmp_path: Path, emulator: SlackEmulator
) -> None:
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    engine = make_engine(url)
    morning(engine, emulator, 300, 1)
    emulator.set_latency(0.03)  # Slack takes a while, so kills land with posts in flight
    rng = random.Random(20190516)
    moment, kills, left_claimed = NINE_BST, 0, 0

    def start(at: dt.datetime) -> subprocess.Popen[bytes]:
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.e2e.delivering_bot",
                url,
                emulator.api_url,
                emulator.bot_token,
                at.isoformat(),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"ready"
        return child

    while kills < 20:
        child = start(moment)
        # Killed a random few messages into its run, at a random moment between two.
        target = states(engine).get("sent", 0) + rng.randint(1, 10)
        deadline = time.monotonic() + 60
        while states(engine).get("sent", 0) < target and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.06))
        assert child.poll() is None, "the run finished before it could be killed"
        child.kill()
        child.wait(10)
        kills += 1
        left_claimed += states(engine).get("sending", 0)
        moment += dt.timedelta(minutes=2)  # the dead claims (1 minute) have lapsed
    assert left_claimed > 0, "some kills left messages claimed part way"
    assert 0 < states(engine).get("sent", 0) < 300
    for _ in range(5):  # restarted, left alone
        child = start(moment)
        assert child.wait(120) == 0
        if states(engine) == {"sent": 300}:
            break
        moment += dt.timedelta(minutes=2)
    assert states(engine) == {"sent": 300}
    posted = keys_in_slack(emulator)
    assert len(posted) == 300 and set(posted.values()) == {1}
    engine.dispose()


# ------------------------------------------------------------------ a database write fails


class FailingWrite:
    """Fails the `nth` INSERT/UPDATE/DELETE the engine runs from now on (0: records only)."""

    def __init__(self, engine: Engine, nth: int = 0, match: str = "") -> None:
        self.engine, self.nth, self.match = engine, nth, match
        self.writes: list[str] = []
        event.listen(engine, "before_cursor_execute", self)

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb not in {"INSERT", "UPDATE", "DELETE"} or self.match not in statement:
            return
        self.writes.append(statement)
        if len(self.writes) == self.nth:
            raise OperationalError(statement, {}, Exception("disk I/O error"))

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self)


def answer(local: LocalBot, user: str, command: str, words: str) -> str:
    """What the person is shown: the ack's text, or what comes to the response URL (where the
    error handler answers when the request failed)."""
    result = local.emulator.slash(user, command, words)
    if result.ok and result.text.strip():
        return result.text
    replies = local.emulator.wait_for(lambda: result.responses, timeout=10, what="an answer")
    return "\n".join(reply.all_text() for reply in replies)


def snapshot(local: LocalBot) -> tuple[Any, ...]:
    with local.services.uow() as uow:
        s = uow.session
        return (
            s.scalar(select(func.count()).select_from(ProgressUpdate)),
            s.scalar(select(func.count()).select_from(Notification)),
            tuple(s.execute(select(Action.ref, Action.status).order_by(Action.id)).all()),
        )


def test_a_database_write_failing_mid_request_leaves_nothing_half_written(
    local: LocalBot,
) -> None:
    seed_board(local)
    watching = FailingWrite(local.bot.engine)  # how many writes an update takes
    assert (
        "recorded" in answer(local, "UJANE00000", "/progress", "4.1 amber survey slipped").lower()
    )
    watching.remove()
    writes = len(watching.writes)
    assert writes >= 2, watching.writes
    for nth in range(2, writes + 1):  # each write after the first fails in turn
        before = snapshot(local)
        failing = FailingWrite(local.bot.engine, nth)
        try:
            result = local.emulator.slash("UJANE00000", "/progress", f"5.1 red staff left {nth}")
        finally:
            failing.remove()
        # answered in the ack, not with a 500 that makes Slack add its own "failed" notice
        assert (result.status, result.text) == (200, SORRY)
        assert snapshot(local) == before, f"half written when write {nth} failed"
    shown = answer(local, "UJANE00000", "/progress", "5.1 red staff left")
    assert "recorded" in shown.lower()
    assert snapshot(local)[2] != before[2]


def test_a_delivery_whose_record_fails_after_posting_is_sent_once(local: LocalBot) -> None:
    seed_board(local)
    plan_notifications(local.services, NINE_BST)
    failing = FailingWrite(local.bot.engine, 1, match="sent_at")
    try:
        report = local.deliver(NINE_BST)
    finally:
        failing.remove()
    assert report.sent == 0 and len(failing.writes) == 1
    [row] = ledger(local)
    assert row.state == "sending"  # posted; the claim lapses
    report = local.deliver(NINE_BST + dt.timedelta(minutes=6))
    assert report.sent == 1 and report.recovered == 1
    assert set(keys_posted(local).values()) == {1}


# ------------------------------------------------------------------ SQLite busy


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    """Another process's writer: takes SQLite's write lock and keeps it for `seconds`."""
    taken = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        connection.execute("COMMIT")
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(5)
    return holder


def test_planning_and_delivery_wait_out_a_busy_sqlite_and_write(
    local: LocalBot, tmp_path: Path
) -> None:
    seed_board(local)
    holder = hold_write_lock(tmp_path / "e2e.db", 1.5)
    started = time.monotonic()
    report = local.run_jobs(NINE_BST)  # plans, then claims, reads, posts and records
    holder.join()
    assert time.monotonic() - started >= 1.0, "the lock was waited for"
    assert report.sent == 1 and report.failed == 0
    [row] = ledger(local)
    assert row.state == "sent"
    # A request waits out a short write (longer ones are refused, saying so: nothing lost).
    holder = hold_write_lock(tmp_path / "e2e.db", 0.3)
    shown = answer(local, "UJANE00000", "/progress", "4.1 date 30/06/2019 survey moved")
    holder.join()
    local.wait_for_delivery()
    assert "chair" in shown.lower() or "asked" in shown.lower(), shown
    assert {n.state for n in ledger(local)} == {"sent"} and len(ledger(local)) == 2


# ------------------------------------------------------------------ PostgreSQL cut off


@pytest.mark.postgres
@pytest.mark.faults
def test_postgresql_connections_cut_under_load_lose_no_request_silently(
    clock: ManualClock,
) -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"ib_cut_{uuid.uuid4().hex[:8]}"
    app_name = f"ib-{schema}"
    postgres_engine(schema).dispose()
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}&application_name={app_name}"
    admin = make_engine(base)
    try:
        with LocalBot(url, clock) as local:
            seed_board(local)
            stop = threading.Event()
            cut = 0

            def cutter() -> None:  # the server restarting, as each connection sees it
                nonlocal cut
                while not stop.is_set():
                    with admin.begin() as connection:
                        cut += len(
                            connection.execute(
                                text(
                                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE application_name = :name"
                                ),
                                {"name": app_name},
                            ).all()
                        )
                    time.sleep(0.05)

            answers: dict[str, str] = {}

            def send(worker: int) -> None:
                for n in range(10):
                    note = f"visit {worker}-{n}"
                    answers[note] = answer(local, "UJANE00000", "/progress", f"4.1 note {note}")

            cutting = threading.Thread(target=cutter)
            cutting.start()
            senders = [threading.Thread(target=send, args=(w,)) for w in range(4)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join(120)
            stop.set()
            cutting.join(10)
            assert cut > 0, "connections were cut"
            with local.services.uow() as uow:
                recorded = Counter(uow.session.scalars(select(ProgressUpdate.note)))
            assert len(answers) == 40
            for note, shown in answers.items():
                if "recorded" in shown.lower():
                    assert recorded[note] == 1, f"{note!r}: said recorded, but it is not"
                else:  # told so, never silence
                    assert SORRY in shown, shown
                assert recorded[note] <= 1
            # Once the server is back, the bot works again without a restart.
            assert "recorded" in answer(local, "UJANE00000", "/progress", "4.1 note back").lower()
    finally:
        admin.dispose()
        drop_postgres_schema(schema)


# ------------------------------------------------------------------ Slack refuses a minute


@pytest.mark.faults
@pytest.mark.parametrize("status", [429, 503])
def test_slack_refusing_for_a_whole_minute_then_everything_goes_once_the_same_day(
    tmp_path: Path, status: int
) -> None:
    clock = ManualClock(NINE_BST)
    with LocalBot(
        f"sqlite:///{tmp_path / 'minute.db'}",
        clock,
        slack_clock=lambda: clock.now().timestamp(),
    ) as local:
        seed_board(local)
        add_owners(local, 24, dt.date(2019, 5, 31))
        local.emulator.outage(status, 60, retry_after=30)
        delivery = Delivery(
            local.services.session_factory,
            WebClient(token=local.emulator.bot_token, base_url=local.emulator.api_url),
            worker="w",
            monotonic=lambda: clock.now().timestamp(),
            sleep=lambda seconds: clock.advance(dt.timedelta(seconds=seconds)) and None,
        )
        while clock.now() < NINE_BST + dt.timedelta(hours=3):
            plan_notifications(local.services, clock.now())
            delivery.run(clock.now())
            if {n.state for n in ledger(local)} == {"sent"}:
                break
            clock.advance(dt.timedelta(seconds=20))  # the next delivery job
        rows = ledger(local)
        assert len(rows) == 25 and {n.state for n in rows} == {"sent"}
        assert any(c.status == status for c in local.emulator.calls), "Slack refused"
        out = [m for m in local.emulator.messages(include_ephemeral=False) if m.bot_id]
        assert min(float(m.ts) for m in out) >= NINE_BST.timestamp() + 60  # after the minute
        assert all(n.sent_at and n.sent_at.date() == NINE_BST.date() for n in rows)
        posted = keys_posted(local)
        assert len(posted) == 25 and set(posted.values()) == {1}
