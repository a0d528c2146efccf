"""No message the bot can build is refused by Slack: every kind of message, built from a
2,000-action board with 3,000-character notes, 200-character names and titles near the column
limits, goes through the strict emulator (whose refusals fail the test, see conftest.py).

The board is inserted in bulk (as benchmarks/common.py does); the messages are driven the way
people and the scheduler drive them, in both transports.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from bot.core.calendar import calendar_for
from bot.render import ids
from bot.render.mrkdwn import block_text_length
from bot.sandbox.local import LocalBot
from db.history import refresh_action_history
from db.models import (
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    Notification,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
)
from tests.e2e.seed import Seeded, seed_board

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ADA, CHRIS, JANE = "UADMIN0000", "UCHAIR0000", "UJANE00000"
BOARD_CHANNEL = "CBOARD0000"
# Monday 20 May 2019: the weekly digest goes out, and the pack for the meeting on Wednesday 22nd.
DAY = dt.date(2019, 5, 20)
NINE_BST = dt.datetime(2019, 5, 20, 8, 0, tzinfo=dt.UTC)
MEETINGS = "FREQ=MONTHLY;BYMONTHDAY=22"

ACTIONS = 2_000
JANES_ACTIONS = 130
LINKED_OWNERS = 60  # with Slack accounts, 20 actions each
UNLINKED_OWNERS = 400  # named in the plan, never linked to Slack
THEMES = 10
HISTORY_UPDATES = 40
# Working days from DAY to the due date: due soon (10, 3, 0), overdue (5, 10 escalates, 15)...
DUE_OFFSETS = (10, 3, 0, -5, -10, -15, 7, 30)


def long_text(seed: str, length: int) -> str:
    """Text of exactly `length` characters, nearly all of them characters that mrkdwn escapes
    to four or five (`&amp;`, `&lt;`, `&gt;`): the most block text a typed text can become."""
    unit = f"{seed} " + "&<>" * 20
    return (unit * (length // len(unit) + 1))[:length]


def name(n: int, kind: str) -> str:
    """A 200-character name (the column's limit)."""
    return (f"{kind} {n:04d} " + "Featherstonehaugh-Cholmondeley " * 8)[:199] + "x"


def due_on(offset: int) -> dt.date:
    calendar = calendar_for("ENG")
    return calendar.add_working_days(DAY, offset) if offset else DAY


def seed_huge_board(local: LocalBot) -> tuple[Seeded, dict[str, str]]:
    """A 2,000-action board as long as the columns allow. Returns the seeded board and the
    refs to ask about: a theme, an action of Jane's with a long history, one past her 100th."""
    seeded = seed_board(local, meetings=MEETINGS)
    now = local.clock.now()
    for n in range(LINKED_OWNERS):
        local.emulator.add_user(f"UOWNER{n:04d}", f"owner{n}", name(n, "Owner"))
    with local.services.uow() as uow:
        session = uow.session
        board = session.get(Board, seeded.board_id)
        assert board is not None
        board.name = name(0, "Board")
        plan = session.get(Plan, seeded.plan_id)
        assert plan is not None
        plan.title = long_text("Plan", 300)
        jane = session.get(Person, seeded.people["jane"])
        assert jane is not None
        jane.name = name(0, "Jane")
        for person in session.scalars(select(Person)):
            person.title = long_text("Head", 300)
        start = int(session.scalar(select(func.max(Person.id))) or 0) + 1
        linked = list(range(start, start + LINKED_OWNERS))
        unlinked = list(range(start + LINKED_OWNERS, start + LINKED_OWNERS + UNLINKED_OWNERS))
        session.execute(
            insert(Person),
            [
                {
                    "id": pid,
                    "workspace_id": seeded.workspace_id,
                    "name": name(n, "Owner" if n < LINKED_OWNERS else "Unlinked"),
                    "title": long_text("Head", 300),
                    "slack_user_id": f"UOWNER{n:04d}" if n < LINKED_OWNERS else None,
                }
                for n, pid in enumerate(linked + unlinked)
            ],
        )
        theme_start = int(session.scalar(select(func.max(Theme.id))) or 0) + 1
        themes = [
            {
                "id": theme_start + t,
                "plan_id": seeded.plan_id,
                "ref": f"{t + 11}",
                "title": long_text(f"Theme {t + 11}", 300),
                "lead_id": seeded.people["chris"] if t % 2 else linked[t],
                "position": t + 10,
            }
            for t in range(THEMES)
        ]
        session.execute(insert(Theme), themes)
        action_start = int(session.scalar(select(func.max(Action.id))) or 0) + 1
        actions, owners, updates = [], [], []
        for i in range(ACTIONS):
            theme = themes[i % THEMES]
            due = due_on(DUE_OFFSETS[i % len(DUE_OFFSETS)])
            action_id = action_start + i
            actions.append(
                {
                    "id": action_id,
                    "plan_id": seeded.plan_id,
                    "theme_id": theme["id"],
                    "ref": f"{theme['ref']}.{i // THEMES + 1}",
                    "title": long_text(f"Action {i}", 300),
                    "measures": long_text("Measure", 1000),
                    "due_date": due,
                    "due_precision": "day",
                    "original_due_date": due,
                    "date_changes": 0,
                    "status": ("red", "amber", "green", "not_started")[i % 4],
                    "position": i + 10,
                }
            )
            if i < JANES_ACTIONS:
                people = [seeded.people["jane"]]
            elif i < JANES_ACTIONS + LINKED_OWNERS * 20:
                people = [linked[(i - JANES_ACTIONS) // 20]]
            else:
                people = [unlinked[i % UNLINKED_OWNERS]]
            if i % 7 == 0:
                people.append(unlinked[(i + UNLINKED_OWNERS // 2) % UNLINKED_OWNERS])
            owners.extend(
                {"action_id": action_id, "person_id": p, "role": "owner", "position": n}
                for n, p in enumerate(people)
            )
            for u in range(HISTORY_UPDATES if i == 0 else 1):
                updates.append(
                    {
                        "action_id": action_id,
                        "author_id": people[0],
                        "at": now - dt.timedelta(days=40 - u % 40, minutes=u),
                        "status": actions[-1]["status"],
                        "previous_status": "not_started",
                        "note": long_text(f"Update {u}", 3000),
                        "evidence": long_text("Evidence", 1000),
                        "source": "command",
                    }
                )
        session.execute(insert(Action), actions)
        session.execute(insert(ActionAssignment), owners)
        session.execute(insert(ProgressUpdate), updates)
        refresh_action_history(session.connection())
        session.execute(
            insert(DateChangeRequest),
            [
                {
                    "action_id": action_start + 1,
                    "requested_by_id": seeded.people["jane"],
                    "requested_at": now,
                    "old_due_date": actions[1]["due_date"],
                    "new_due_date": dt.date(2019, 12, 31),
                    "reason": long_text("Reason", 3000),
                    "state": "pending",
                }
            ],
        )
        uow.commit()
    refs = {
        "theme": themes[0]["ref"],
        "history": actions[0]["ref"],
        "janes_last": actions[JANES_ACTIONS - 1]["ref"],
        "janes_other": actions[JANES_ACTIONS - 3]["ref"],
    }
    return seeded, refs


class Sizes:
    """The largest block text of what the bot sent Slack, by kind of message."""

    def __init__(self, local: LocalBot) -> None:
        self.local = local
        self.largest: dict[str, int] = {}
        self.calls = 0
        self.messages = 0

    def settle(self, quiet: float = 0.4, timeout: float = 20.0) -> None:
        """Wait until the bot has stopped sending for `quiet` seconds."""
        emulator = self.local.emulator
        deadline = time.monotonic() + timeout
        seen = (-1, -1)
        while time.monotonic() < deadline:
            now = (len(emulator.calls), len(emulator.messages()))
            if now == seen:
                return
            seen = now
            time.sleep(quiet)

    def measure(self, kind: str, drive: Callable[[], object]) -> None:
        drive()
        self.settle()
        emulator = self.local.emulator
        calls, messages = emulator.calls, emulator.messages()
        sizes = [0]
        for call in calls[self.calls :]:
            sizes.append(_payload_text(call.params))
        sizes.extend(block_text_length(m.blocks) for m in messages[self.messages :] if m.from_bot)
        sizes.extend(
            block_text_length(m.blocks) for m in messages if m.from_bot and m.edited and m.blocks
        )
        self.calls, self.messages = len(calls), len(messages)
        self.largest[kind] = max(self.largest.get(kind, 0), *sizes)


def _payload_text(params: dict[str, Any]) -> int:
    total = 0
    for key in ("blocks", "view"):
        value = params.get(key)
        if isinstance(value, str):
            value = json.loads(value)
        if isinstance(value, dict):
            value = value.get("blocks", [])
        total += block_text_length(value or [])
    return total


# The pack builds a Word paper of the 2,000 actions, with its charts, twice here (`/board pack`
# and 09:00's): about 100 s in all on a quiet machine, more on a busy one.
@pytest.mark.timeout(300)
def test_every_message_from_a_huge_board_is_one_slack_accepts(local: LocalBot) -> None:
    started = time.monotonic()
    seeded, refs = seed_huge_board(local)
    seeded_in = time.monotonic() - started
    local.clock.set(NINE_BST - dt.timedelta(hours=1))
    sizes = Sizes(local)
    emulator = local.emulator

    def slash(user: str, command: str, text: str, channel: str | None = None) -> None:
        result = emulator.slash(user, command, text, channel_id=channel)
        assert result.ok, result.body
        if result.ack_message is None:
            result.wait_for_response(1, timeout=30)

    def open_modal(user: str, text: str) -> None:
        assert emulator.slash(user, "/progress", text).ok
        emulator.wait_for(lambda: emulator.open_view(user), what="the update modal", timeout=30)

    def open_home(user: str) -> None:
        emulator.open_home(user)
        emulator.wait_for(lambda: emulator.home_view(user), what="App Home", timeout=30)

    sizes.measure("/board", lambda: slash(CHRIS, "/board", "", BOARD_CHANNEL))
    sizes.measure("/board theme", lambda: slash(CHRIS, "/board", f"theme {refs['theme']}"))
    sizes.measure("/board overdue", lambda: slash(CHRIS, "/board", "overdue"))
    sizes.measure("/board digest", lambda: slash(CHRIS, "/board", "digest"))
    sizes.measure("/board pack", lambda: slash(CHRIS, "/board", "pack", BOARD_CHANNEL))
    sizes.measure("/board history", lambda: slash(CHRIS, "/board", f"history {refs['history']}"))
    sizes.measure("/board action", lambda: slash(CHRIS, "/board", f"action {refs['history']}"))
    sizes.measure("/progress mine", lambda: slash(JANE, "/progress", "mine"))
    sizes.measure("update modal", lambda: open_modal(JANE, refs["janes_last"]))
    emulator.close_view(JANE)
    sizes.measure("App Home (owner)", lambda: open_home(JANE))
    sizes.measure("App Home (chair)", lambda: open_home(CHRIS))
    sizes.measure("/plan people", lambda: slash(ADA, "/plan", "people"))
    sizes.measure("/plan list", lambda: slash(ADA, "/plan", "list"))
    sizes.measure("/plan export", lambda: slash(ADA, "/plan", "export"))

    reason = long_text("Reason", 2_000)
    sizes.measure(
        "date-change request",
        lambda: slash(JANE, "/progress", f"{refs['janes_other']} date 31/12/2019 {reason}"),
    )
    request = emulator.wait_for_message(
        channel=emulator.dm_channel(CHRIS),
        from_bot=True,
        predicate=lambda m: any(a.action_id == ids.APPROVE_DATE_CHANGE for a in m.actions()),
        timeout=10,
    )
    approve = next(a for a in request.actions() if a.action_id == ids.APPROVE_DATE_CHANGE)
    sizes.measure("date-change decision", lambda: emulator.click(CHRIS, request, approve))

    jobs_started = time.monotonic()
    before = len(emulator.messages())
    report = local.run_jobs(NINE_BST)
    jobs_took = time.monotonic() - jobs_started
    assert report.sent > LINKED_OWNERS and report.dropped == 0
    for message in emulator.messages()[before:]:
        payload = (message.metadata or {}).get("event_payload", {})
        if "key" not in payload:
            continue  # the pack's spreadsheet, shared without blocks
        kind = f"09:00 {str(payload['key']).split(':')[0]}"
        sizes.largest[kind] = max(sizes.largest.get(kind, 0), block_text_length(message.blocks))
    with local.services.uow() as uow:
        sent = set(
            uow.session.scalars(select(Notification.kind).where(Notification.state == "sent"))
        )
    assert {"reminder", "escalation", "digest", "pack"} <= sent
    packs = [f for f in emulator.files() if f.name.endswith(".xlsx")]
    assert len(packs) >= 2  # `/board pack`'s and the 09:00 pack's spreadsheets

    kinds = ", ".join(f"{kind}: {size:,}" for kind, size in sizes.largest.items())
    print(
        f"\nseeded in {seeded_in:.1f} s; jobs took {jobs_took:.1f} s; "
        f"whole test {time.monotonic() - started:.1f} s\nlargest block text: {kinds}"
    )
    assert emulator.refusals == []
