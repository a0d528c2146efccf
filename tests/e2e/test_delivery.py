"""Reminders delivered through the emulator: on time, exactly once, across restarts and faults."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import event, select, update

from bot.clock import ManualClock
from bot.render.ids import APPROVE_DATE_CHANGE, NOTIFICATION_EVENT
from bot.sandbox.local import LocalBot
from bot.services.plans import (
    Actor,
    add_action,
    find_plan,
    person_for_slack_user,
    workspace_for_team,
)
from db.models import Notification, Person
from scheduler.delivery import Delivery
from scheduler.jobs import plan_notifications
from tests.conftest import drop_postgres_schema, postgres_engine
from tests.e2e.seed import seed_board


# Delivery is the bot calling Slack's Web API, the same in both transports.
@pytest.fixture
def transport() -> str:
    return "http"


NINE_BST = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday 16 May 2019, 09:00 BST


def bot_messages(local: LocalBot, channel: str | None = None) -> list:
    return [
        m for m in local.emulator.messages(channel=channel, include_ephemeral=False) if m.bot_id
    ]


def ledger(local: LocalBot) -> list[Notification]:
    with local.services.uow() as uow:
        rows = list(uow.session.scalars(select(Notification).order_by(Notification.id)))
        uow.session.expunge_all()
        return rows


def keys_posted(local: LocalBot) -> Counter[str]:
    found: Counter[str] = Counter()
    for message in bot_messages(local):
        metadata = message.metadata or {}
        if metadata.get("event_type") == NOTIFICATION_EVENT:
            payload = metadata["event_payload"]
            found[f"{payload['key']}#{payload['part']}"] += 1
    return found


def test_nothing_before_nine_then_one_dm_at_nine(local: LocalBot) -> None:
    seed_board(local)
    local.run_jobs(NINE_BST - dt.timedelta(minutes=1))
    assert bot_messages(local) == []

    report = local.run_jobs(NINE_BST)
    assert report.sent == 1
    [dm] = bot_messages(local)
    assert dm.channel == local.emulator.dm_channel("UJANE00000")
    assert "4.1" in dm.all_text() and "due in 10 working days" in dm.all_text()
    assert {a.action_id for a in dm.actions()} >= {
        "update_action",
        "complete_action",
        "ask_new_date",
    }
    [row] = ledger(local)
    assert (row.key, row.state, row.channel, row.ts) == (
        f"reminder:person:{row.recipient_person_id}:2019-05-16",
        "sent",
        dm.channel,
        dm.ts,
    )

    again = local.run_jobs(NINE_BST + dt.timedelta(hours=3))
    assert again.sent == 0
    assert len(bot_messages(local)) == 1


def test_restart_after_posting_but_before_recording_never_posts_twice(
    tmp_path: Path, clock: ManualClock
) -> None:
    url = f"sqlite:///{tmp_path / 'restart.db'}"
    with LocalBot(url, clock) as first:
        seed_board(first)
        first.run_jobs(NINE_BST)
        [row] = ledger(first)
        # The state a crash leaves behind: Slack has the message, the ledger still says sending.
        with first.services.uow() as uow:
            uow.session.execute(
                update(Notification)
                .where(Notification.id == row.id)
                .values(
                    state="sending",
                    ts=None,
                    parts_sent=[],
                    claimed_until=NINE_BST + dt.timedelta(minutes=1),
                )
            )
            uow.commit()
        posted = first.emulator.messages(include_ephemeral=False)
        # Restart: a new process (new app, new delivery worker) against the same Slack and database.
        restarted = Delivery(
            first.services.session_factory, first.slack.delivery, worker="after-restart"
        )
        report = restarted.run(NINE_BST + dt.timedelta(minutes=10))
        assert report.recovered == 1 and report.sent == 1
        assert first.emulator.messages(include_ephemeral=False) == posted
        [recovered] = ledger(first)
        assert recovered.state == "sent" and recovered.ts == posted[0].ts


def test_restart_before_posting_sends_once(local: LocalBot) -> None:
    seed_board(local)
    plan_notifications(local.services, NINE_BST)
    [row] = ledger(local)
    with local.services.uow() as uow:  # claimed by a worker that died before posting
        uow.session.execute(
            update(Notification)
            .where(Notification.id == row.id)
            .values(state="sending", attempts=1, claimed_until=NINE_BST + dt.timedelta(minutes=5))
        )
        uow.commit()
    assert local.run_jobs(NINE_BST + dt.timedelta(minutes=1)).sent == 0  # claim still live
    assert local.run_jobs(NINE_BST + dt.timedelta(minutes=6)).sent == 1
    assert sum(keys_posted(local).values()) == 1


def add_owners(local: LocalBot, count: int, due: dt.date) -> None:
    """`count` more Slack users, each owning one action due on `due`."""
    now = local.clock.now()
    team = local.emulator.workspace.team_id
    with local.services.uow() as uow:
        ws = workspace_for_team(uow, team, now)
        plan = find_plan(uow, ws, None)
        for n in range(count):
            user_id = f"UOWNER{n:04d}"
            local.emulator.add_user(user_id, f"owner{n}", f"Owner {n}", f"owner{n}@council.example")
            person = person_for_slack_user(uow, ws, user_id, name=f"Owner {n}")
            add_action(
                uow,
                Actor.operator(ws),
                plan,
                f"5.{n + 10}",
                f"Action {n}",
                now,
                due=due,
                owner_ids=[person.id],
            )
        uow.commit()


def test_server_errors_and_rate_limits_deliver_everything_exactly_once(local: LocalBot) -> None:
    seed_board(local)
    add_owners(local, 24, dt.date(2019, 5, 31))
    local.emulator.set_failure_rate(
        0.3, seed=7, statuses=(500,), methods=["chat.postMessage", "conversations.open"]
    )
    local.emulator.fail_next("chat.postMessage", status=429, retry_after=0, times=2)
    moment = NINE_BST
    for _ in range(30):
        local.run_jobs(moment)
        if all(n.state == "sent" for n in ledger(local)):
            break
        moment += dt.timedelta(minutes=1)
    local.emulator.clear_faults()
    rows = ledger(local)
    assert len(rows) == 25  # Jane and the 24 new owners
    assert {n.state for n in rows} == {"sent"}
    posted = keys_posted(local)
    assert len(posted) == 25 and set(posted.values()) == {1}
    assert any(c.status == 500 for c in local.emulator.calls), "faults were injected"


def test_a_deactivated_owner_fails_once_and_admins_are_told_once(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.deactivate_user("UJANE00000")
    local.run_jobs(NINE_BST)
    rows = {n.kind: n for n in ledger(local)}
    assert rows["reminder"].state == "failed"
    assert rows["reminder"].error in ("account_inactive", "user_not_found", "user_disabled")
    local.run_jobs(NINE_BST + dt.timedelta(minutes=1))
    alerts = [
        m for m in bot_messages(local) if m.channel == local.emulator.dm_channel("UADMIN0000")
    ]
    assert len(alerts) == 1 and "Jane Doe" in alerts[0].all_text()
    # The next reminder day fails again, but the admin is not told twice.
    local.run_jobs(dt.datetime(2019, 5, 28, 8, 0, tzinfo=dt.UTC))
    local.run_jobs(dt.datetime(2019, 5, 28, 8, 1, tzinfo=dt.UTC))
    alerts = [
        m for m in bot_messages(local) if m.channel == local.emulator.dm_channel("UADMIN0000")
    ]
    assert len(alerts) == 1


def test_an_unlinked_owner_is_reported_to_admins(local: LocalBot) -> None:
    seed = seed_board(local)
    with local.services.uow() as uow:
        jane = uow.session.get(Person, seed.people["jane"])
        assert jane is not None
        jane.slack_user_id = None
        uow.commit()
    local.run_jobs(NINE_BST)
    local.run_jobs(NINE_BST + dt.timedelta(minutes=1))
    [reminder] = [n for n in ledger(local) if n.kind == "reminder"]
    assert (reminder.state, reminder.error, reminder.recipient) == (
        "failed",
        "unlinked",
        "Jane Doe",
    )
    [alert] = [
        m for m in bot_messages(local) if m.channel == local.emulator.dm_channel("UADMIN0000")
    ]
    assert "/plan people link" in alert.all_text()


def test_missed_while_down_goes_out_the_same_day_and_is_dropped_the_next(local: LocalBot) -> None:
    seed_board(local)
    plan_notifications(local.services, NINE_BST)  # planned, then the bot died
    # Back at 15:00 the same day: it goes out.
    assert local.run_jobs(NINE_BST + dt.timedelta(hours=6)).sent == 1

    plan_notifications(local.services, dt.datetime(2019, 5, 28, 8, tzinfo=dt.UTC))
    # Down until the next morning: 28 May's messages (Jane's and Omar's DMs for the June
    # meeting's update window, and the digest delayed by the bank holiday to the chair and the
    # channel) are dropped, not sent late.
    report = local.run_jobs(dt.datetime(2019, 5, 29, 7, 0, tzinfo=dt.UTC))
    assert (report.dropped, report.sent) == (4, 0)
    states = [(n.kind, n.state) for n in ledger(local)]
    assert states[0] == ("reminder", "sent")
    assert sorted(states[1:]) == [
        ("digest", "dropped"),
        ("digest", "dropped"),
        ("reminder", "dropped"),
        ("reminder", "dropped"),
    ]
    assert len(bot_messages(local)) == 1


def test_weekly_digest_goes_to_chair_and_channel(local: LocalBot) -> None:
    seed_board(local)
    monday = dt.datetime(2019, 5, 20, 8, 0, tzinfo=dt.UTC)
    local.run_jobs(monday)
    kinds = Counter(n.kind for n in ledger(local) if n.state == "sent")
    assert kinds["digest"] == 2
    channel_posts = bot_messages(local, channel="CBOARD0000")
    assert channel_posts and "Improvement Board" in channel_posts[0].all_text()
    chair_posts = bot_messages(local, channel=local.emulator.dm_channel("UCHAIR0000"))
    assert chair_posts


def test_pack_uploads_the_plan_before_the_meeting(local: LocalBot) -> None:
    seed_board(local)
    pack_day = dt.datetime(2019, 6, 7, 8, 0, tzinfo=dt.UTC)  # 2 working days before 11 June
    local.run_jobs(pack_day)
    packs = [n for n in ledger(local) if n.kind == "pack"]
    assert {n.state for n in packs} == {"sent"} and len(packs) == 2
    files = [f for f in local.emulator.files(channel="CBOARD0000") if f.name.endswith(".xlsx")]
    assert files and files[0].content[:2] == b"PK"  # beside the paper (test_paper_uploads)


@pytest.mark.postgres
def test_two_schedulers_at_once_on_postgresql(clock: ManualClock) -> None:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL (CI sets it)")
    schema = f"ib_e2e_{uuid.uuid4().hex[:8]}"
    postgres_engine(schema).dispose()
    separator = "&" if "?" in base else "?"
    url = f"{base}{separator}options=-csearch_path%3D{schema}"
    try:
        with LocalBot(url, clock) as local:
            seed_board(local)
            add_owners(local, 30, dt.date(2019, 5, 31))
            workers = [
                Delivery(local.services.session_factory, local.slack.delivery, worker=f"w{i}")
                for i in range(2)
            ]
            for _ in workers:  # both instances plan: the ledger keeps one row per key
                plan_notifications(local.services, NINE_BST)
            errors: list[BaseException] = []

            def run(worker: Delivery) -> None:
                try:
                    worker.run(NINE_BST)
                except BaseException as error:  # surfaced below
                    errors.append(error)

            threads = [threading.Thread(target=run, args=(w,)) for w in workers]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            assert not errors
            posted = keys_posted(local)
            assert len(posted) == 31 and set(posted.values()) == {1}
            assert {n.state for n in ledger(local)} == {"sent"}
    finally:
        drop_postgres_schema(schema)


def test_an_action_due_for_two_reasons_is_delivered_in_one_valid_message(local: LocalBot) -> None:
    seed_board(local)
    # 28 May 2019: 4.1 is 3 working days from due and the June meeting's window opens.
    report = local.run_jobs(dt.datetime(2019, 5, 28, 8, 0, tzinfo=dt.UTC))
    assert report.failed == 0
    [jane] = [
        m for m in bot_messages(local) if m.channel == local.emulator.dm_channel("UJANE00000")
    ]
    text = jane.all_text()
    assert "due in 3 working days" in text and "board update wanted" in text


@pytest.mark.parametrize("when", ["after-enqueue", "after-post"])
def test_a_date_change_dm_survives_the_bot_being_killed(local: LocalBot, when: str) -> None:
    """The bot is killed between saving a request (with its DM, in one commit) and posting
    it, or between posting it and recording that; the restarted bot sends it exactly once,
    and records where, so the decision can still edit it."""
    seeded = seed_board(local)
    now = local.clock.now()
    dying = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.e2e.dying_bot",
            local.database_url,
            local.emulator.api_url,
            local.emulator.bot_token,
            now.isoformat(),
            str(seeded.workspace_id),
            str(seeded.people["jane"]),
            str(seeded.actions["4.1"]),
            when,
        ],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=120,
    )
    assert dying.returncode == -signal.SIGKILL, dying.stderr.decode()[-2000:]
    chair_dm = local.emulator.dm_channel("UCHAIR0000")
    posted_before = bot_messages(local, chair_dm)
    assert len(posted_before) == (1 if when == "after-post" else 0)
    [row] = ledger(local)
    assert row.state == "sending" if when == "after-post" else row.state == "pending"

    # The restarted bot: its delivery runs once any claim the dead one held has lapsed.
    later = now + dt.timedelta(minutes=6)
    local.deliver(later)
    local.deliver(later + dt.timedelta(minutes=1))

    [to_chair] = bot_messages(local, chair_dm)
    assert "31 July 2019" in to_chair.all_text()
    assert sum(keys_posted(local).values()) == 1
    [sent] = ledger(local)
    assert (sent.state, sent.channel, sent.ts) == ("sent", chair_dm, to_chair.ts)
    local.emulator.click("UCHAIR0000", to_chair, APPROVE_DATE_CHANGE)
    local.emulator.wait_for(
        lambda: any(m.edited for m in bot_messages(local, chair_dm)),
        what="the chair's request to show the decision",
    )


def test_a_dm_takes_three_short_transactions(local: LocalBot) -> None:
    """Claim, read, record: a run that sends one DM opens four transactions, the first to
    find what is due (there were six: the DM's own five wrote its channel and its parts
    separately)."""
    seed_board(local)
    plan_notifications(local.services, NINE_BST)
    begun: list[object] = []

    def count(connection: object) -> None:
        begun.append(connection)

    event.listen(local.bot.engine, "begin", count)
    try:
        assert local.deliver(NINE_BST).sent == 1
    finally:
        event.remove(local.bot.engine, "begin", count)
    assert len(begun) == 4
