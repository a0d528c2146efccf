"""Hostile requests to the real bot: the same signed bytes sent again, a writer holding the
database, control characters. Nothing is lost, nothing is recorded twice, and nobody is told
"failed" about something that was recorded."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.render import ids
from bot.sandbox.emulator import AppResponse
from bot.sandbox.local import LocalBot
from bot.services.uow import BUSY
from db.models import Action, AuditEvent, DateChangeRequest, Person, ProgressUpdate
from handlers.errors import SORRY
from tests.conftest import POSTGRES_URL, drop_postgres_schema, postgres_engine
from tests.e2e.seed import Seeded, seed_board
from tests.e2e.test_date_changes import ASK, CHAIR, JANE, bot_dms, sending, wait_for_dms

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OMAR, ADMIN = "UOMAR00000", "UADMIN0000"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def count(local: LocalBot, *where: object, model: object = ProgressUpdate) -> int:
    with local.services.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def settle(local: LocalBot, seconds: float = 1.0) -> None:
    """Give listeners still running after their ack the time to do (or not do) their work."""
    time.sleep(seconds)
    local.emulator.wait_for(lambda: not sending(local), what="the ledger to record the DMs")


# ---------------------------------------------------------------- B8: replayed requests


def test_a_date_request_replayed_five_times_asks_the_chair_once(
    local: LocalBot, board: Seeded
) -> None:
    asked = local.emulator.slash(JANE, "/progress", ASK)
    replays = [local.emulator.replay(asked) for _ in range(4)]

    assert [r.status for r in replays] == [200] * 4
    assert {r.body for r in replays} == {asked.body}  # the same answer each time
    wait_for_dms(local, CHAIR)
    settle(local)
    requests = count(local, model=DateChangeRequest)
    assert requests == 1, f"{requests} date-change requests from one signed request"
    assert len(bot_dms(local, CHAIR)) == 1
    assert count(local, ProgressUpdate.new_due_date.is_not(None)) == 1


def test_an_approval_replayed_five_times_moves_the_date_once(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.slash(JANE, "/progress", ASK)
    (to_chair,) = wait_for_dms(local, CHAIR)
    approved = local.emulator.click(CHAIR, to_chair, ids.APPROVE_DATE_CHANGE)
    wait_for_dms(local, JANE)
    replays = [local.emulator.replay(approved) for _ in range(4)]

    assert [r.status for r in replays] == [200] * 4
    settle(local)
    with local.services.uow() as uow:
        action = uow.session.get(Action, board.actions["4.1"])
        assert action is not None
        assert action.date_changes == 1
    assert count(local, AuditEvent.what == "date_change.approved", model=AuditEvent) == 1
    assert len(bot_dms(local, JANE)) == 1


def test_a_plan_change_replayed_five_times_is_recorded_once(local: LocalBot, board: Seeded) -> None:
    paused = local.emulator.slash(ADMIN, "/plan", "board reminders pause until 31/05/2019")
    (answer,) = paused.wait_for_response()
    assert "31 May 2019" in answer.text
    replays = [local.emulator.replay(paused) for _ in range(4)]

    assert [r.status for r in replays] == [200] * 4
    settle(local)
    assert count(local, AuditEvent.what == "board.pause", model=AuditEvent) == 1


# ---------------------------------------------------------------- B5: a writer holds SQLite


@contextmanager
def writer_holding_the_database(local: LocalBot, seconds: float) -> Iterator[None]:
    """Another process's long write (an import, a migration) holding SQLite's write lock."""
    path = make_url(local.database_url).database
    assert path
    release = threading.Event()
    held = threading.Event()

    def hold() -> None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(seconds)
        connection.execute("COMMIT")
        connection.close()

    writer = threading.Thread(target=hold)
    writer.start()
    held.wait(5)
    try:
        yield
    finally:
        writer.join(seconds + 5)


def test_updates_while_a_writer_holds_the_database_are_recorded_or_refused_never_both(
    local: LocalBot, board: Seeded
) -> None:
    local.emulator.app_timeout = 3.0  # Slack's: a later answer is shown as "failed"
    local.emulator.slash(JANE, "/progress", "mine")  # Jane is known; Omar is new to the bot
    senders = [(JANE, "4.1") if n % 3 else (OMAR, "4.2") for n in range(21)]
    answers: dict[int, AppResponse] = {}

    def send(n: int) -> None:
        user, ref = senders[n]
        answers[n] = local.emulator.slash(user, "/progress", f"{ref} note burst {n}")

    # Longer than a request waits, so some are refused; the last ones find it free.
    with writer_holding_the_database(local, seconds=1.2):
        threads = [threading.Thread(target=send, args=(n,)) for n in range(21)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    settle(local)

    with local.services.uow() as uow:
        notes = set(uow.session.scalars(select(ProgressUpdate.note)))
    failed = [n for n, a in answers.items() if not a.ok]
    recorded = [n for n, a in answers.items() if a.ok and "Recorded an update" in a.body]
    refused = [n for n, a in answers.items() if a.ok and BUSY in a.body]
    kept = sorted(n for n in range(21) if f"burst {n}" in notes)
    assert failed == [], f"{len(failed)} of 21 answered late; {len(kept)} recorded in all"
    assert sorted(recorded + refused) == list(range(21))
    assert kept == sorted(recorded), "recorded means kept, and refused means not kept"


def test_the_chairs_views_answer_while_a_writer_holds_the_database(
    local: LocalBot, board: Seeded
) -> None:
    """A view only reads: a long write elsewhere neither delays it nor makes it "busy"."""
    local.emulator.app_timeout = 3.0
    local.emulator.slash(CHAIR, "/board", "").wait_for_response(timeout=5)  # Chris is known
    hold = 2.5
    answers: dict[str, str] = {}
    with writer_holding_the_database(local, seconds=hold):
        started = time.monotonic()
        for text in ("", "overdue", "digest", "approve"):
            (answer,) = local.emulator.slash(CHAIR, "/board", text).wait_for_response(timeout=5)
            answers[text] = answer.all_text()
        answered_within = time.monotonic() - started
    assert answered_within < hold, "every view answered while the write still held SQLite"
    assert not [text for text, said in answers.items() if BUSY in said]
    assert "3 actions" in answers[""]
    assert "Improvement Board — digest" in answers["digest"]
    assert "No date changes are waiting" in answers["approve"]


# ---------------------------------------------------------------- on both databases


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_local(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock
) -> Iterator[LocalBot]:
    """The whole bot on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        with LocalBot(f"sqlite:///{tmp_path / 'e2e.db'}", clock) as running:
            yield running
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"ib_e2e_{uuid.uuid4().hex[:8]}"
    postgres_engine(schema).dispose()
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        with LocalBot(url.render_as_string(hide_password=False), clock) as running:
            yield running
    finally:
        drop_postgres_schema(schema)


def test_control_characters_are_dropped_the_same_way_on_both_databases(
    any_local: LocalBot,
) -> None:
    seed_board(any_local)
    result = any_local.emulator.slash(JANE, "/progress", "4.1 note carers\x00 met\x07 today\x1b")

    assert result.ok and "Recorded an update" in result.body
    assert count(any_local, ProgressUpdate.note == "carers met today") == 1


def test_a_new_users_first_burst_is_answered_every_time(any_local: LocalBot) -> None:
    seed_board(any_local)
    any_local.emulator.add_user("UNEW000000", "newbie", "New Person", "new@council.example")
    answers: list[AppResponse] = []

    def board() -> None:
        answers.append(any_local.emulator.slash("UNEW000000", "/board"))

    threads = [threading.Thread(target=board) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(a.status for a in answers) == [200] * 30
    assert not any(SORRY in a.body for a in answers)
    assert count(any_local, Person.slack_user_id == "UNEW000000", model=Person) == 1


def test_the_same_signed_requests_replayed_at_once_record_once(any_local: LocalBot) -> None:
    seed_board(any_local)
    update = any_local.emulator.slash(JANE, "/progress", "4.1 amber survey slipped")
    asked = any_local.emulator.slash(JANE, "/progress", ASK)
    wait_for_dms(any_local, CHAIR)
    answers: list[AppResponse] = []

    def replay(original: AppResponse) -> None:
        answers.append(any_local.emulator.replay(original))

    threads = [threading.Thread(target=replay, args=(r,)) for r in [update, asked] * 5]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    settle(any_local)

    assert sorted(a.status for a in answers) == [200] * 10
    assert count(any_local, ProgressUpdate.note == "survey slipped") == 1
    assert count(any_local, model=DateChangeRequest) == 1
    assert len(bot_dms(any_local, CHAIR)) == 1
