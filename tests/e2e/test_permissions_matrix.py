"""Who may change what: every write command × every role, end to end.

Roles on the seeded board: admin (Ada), chair (Chris), owner of 4.1 (Jane), delegate on 4.1
(Sam), member (Mo) and a stranger with no role. An allowed command succeeds and changes the
state; a refused one answers one friendly line and changes nothing at all — plans, boards,
meetings, roles, people, date changes, progress and the audit trail compared before and after.

Refusals all run against one shared bot (they change nothing, which each case checks); each
allowed case gets a fresh bot, so it starts from the same state.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.core.permissions import Role
from bot.render import ids
from bot.render.buttons import challenge_button, challenge_step_buttons
from bot.render.mrkdwn import section
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from bot.services import admin, challenges
from bot.services.plans import (
    Actor,
    add_delegate,
    add_theme,
    find_action,
    find_board,
    find_plan,
    grant_role,
    person_by_name,
    person_for_slack_user,
    set_owners,
)
from bot.services.progress import request_date_change
from bot.services.snapshot import plan_snapshots
from db.models import (
    ActionAssignment,
    AuditEvent,
    Board,
    ChallengeEvent,
    DateChangeRequest,
    MeetingChange,
    Person,
    Plan,
    ProgressUpdate,
    RoleGrant,
)
from tests.e2e.conftest import START
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

USERS = {
    "admin": "UADMIN0000",
    "chair": "UCHAIR0000",
    "owner": "UJANE00000",
    "delegate": "USAM000000",
    "member": "UMEMBER000",
    "stranger": "USTRANGER",
}
ROLES = tuple(USERS)
PLAN_TITLE = "Children's Services Improvement Plan"


@dataclass(frozen=True)
class World:
    seeded: Seeded
    admin: Actor
    request_id: int  # Jane's pending date change


def add_users(local: LocalBot) -> None:
    """Slack users beyond the sandbox's own: a delegate, a stranger, an owner to link."""
    local.emulator.add_user("USAM000000", "sam", "Sam Delegate", "sam@council.example")
    local.emulator.add_user("USTRANGER", "stella", "Stella Stranger", "stella@council.example")
    local.emulator.add_user("UPAT000000", "pat", "Pat Jones", "pat.jones@council.example")


def build_world(local: LocalBot) -> World:
    """The seeded board plus a delegate, a stranger, an owner not yet linked to Slack
    (Pat Jones, on 5.1) and Jane's pending request to move 4.1 to 28 June."""
    add_users(local)
    seeded = seed_board(local)
    now = local.clock.now()
    with local.services.uow() as uow:
        ws = seeded.workspace_id
        actor = Actor(ws, seeded.people["ada"])
        sam = person_for_slack_user(uow, ws, "USAM000000", name="Sam Delegate")
        person_for_slack_user(uow, ws, "USTRANGER", name="Stella Stranger")
        plan = find_plan(uow, ws, None)
        add_delegate(uow, actor, find_action(uow, plan, "4.1"), sam.id, now)
        add_theme(uow, actor, plan, "7", "Early help", now)  # empty: one to remove
        pat = person_by_name(uow, ws, "Pat Jones")
        set_owners(uow, actor, find_action(uow, plan, "5.1"), [pat.id], now)
        request = request_date_change(
            uow,
            Actor(ws, seeded.people["jane"]),
            find_action(uow, plan, "4.1"),
            dt.date(2019, 6, 28),
            "carers' survey moved to June",
            now,
        )
        chair = Actor(ws, seeded.people["chris"])
        challenges.ask(uow, chair, "4.1", "Why has the survey slipped again?", now)  # C1, open
        challenges.ask(uow, chair, "4.1", "Who chairs the carers' forum?", now)  # C2
        challenges.answer(uow, Actor(ws, seeded.people["jane"]), 2, "The fostering lead", now)
        uow.commit()
        return World(seeded, actor, request.id)


def _pause(local: LocalBot, world: World) -> None:
    with local.services.uow() as uow:
        board = find_board(uow, world.seeded.workspace_id, None)
        admin.pause_reminders(uow, world.admin, board, dt.date(2019, 6, 30), local.clock.now())
        uow.commit()


def _second_admin(local: LocalBot, world: World) -> None:
    with local.services.uow() as uow:
        omar = world.seeded.people["omar"]
        grant_role(uow, world.admin, omar, Role.ADMIN, local.clock.now())
        uow.commit()


def _chair_told(local: LocalBot) -> object:
    return local.emulator.wait_for_message(
        channel=local.emulator.dm_channel("UCHAIR0000"), from_bot=True, timeout=5
    )


def _chair_told_once_delivered(local: LocalBot) -> object:
    local.deliver()
    return _chair_told(local)


@dataclass(frozen=True)
class Case:
    command: str
    text: str
    allowed: frozenset[str]
    prepare: Callable[[LocalBot, World], None] | None = None
    settle: Callable[[LocalBot], object] | None = None  # wait for work done after the answer

    @property
    def id(self) -> str:
        return f"{self.command} {self.text}"

    def typed(self, world: World) -> str:
        return self.text.format(request=world.request_id)


ADMIN = frozenset({"admin"})
CASES = (
    Case("/plan", 'board create "Scrutiny Board"', ADMIN),
    Case("/plan", "board meetings first Monday monthly at 09:30", ADMIN),
    Case("/plan", "board meeting add 18/06/2019", ADMIN),
    Case("/plan", "board meeting cancel 11/06/2019", ADMIN),
    Case("/plan", "board reminders overdue=3 due=5,1", ADMIN),
    Case("/plan", "board reminders pause until 31/05/2019", ADMIN),
    Case("/plan", "board reminders resume", ADMIN, _pause),
    Case("/plan", 'new "Early help plan"', ADMIN),
    Case("/plan", 'theme add 6 "Early help"', ADMIN),
    Case("/plan", 'theme edit 4 "Placement stability and permanence"', ADMIN),
    Case("/plan", "theme remove 7", ADMIN),
    Case("/plan", "action move 4.2 to theme 5", ADMIN),
    Case(
        "/plan", 'action add 4.3 "Audit placements" due 31/07/2019 owner <@UOMAR00000|omar>', ADMIN
    ),
    Case("/plan", "action edit 4.1 due 30/06/2019", ADMIN),
    Case("/plan", "action owner 4.1 <@UOMAR00000|omar>", ADMIN),
    Case("/plan", "action delegate 4.2 <@UJANE00000|jane>", ADMIN),
    Case("/plan", "action remove 4.2", ADMIN),
    Case("/plan", 'people link "Pat Jones" <@UPAT000000|pat>', ADMIN),
    Case("/plan", "admins add <@UJANE00000|jane>", ADMIN),
    Case("/plan", "admins remove <@UOMAR00000|omar>", ADMIN, _second_admin),
    Case("/plan", "members add <@UJANE00000|jane>", ADMIN),
    Case("/plan", "members remove <@UMEMBER000|mo>", ADMIN),
    Case("/plan", f'archive "{PLAN_TITLE}"', ADMIN),
    Case("/plan", "setup", frozenset()),  # the workspace has an admin already
    Case("/progress", "4.1 amber carers' survey slipped", frozenset({"owner", "delegate"})),
    Case(
        "/progress",
        "4.1 date 31/07/2019 survey moved after the summer break",
        frozenset({"owner", "delegate"}),
        settle=_chair_told,
    ),
    Case(
        "/progress",
        "4.1 done survey published",  # closes Jane's pending date change; the chair is told
        frozenset({"owner", "delegate"}),
        settle=_chair_told_once_delivered,
    ),
    Case("/board", "approve {request}", frozenset({"chair"})),
    Case(
        "/board",
        'challenge 4.1 "When will carers see the results?"',
        frozenset({"chair", "member"}),
    ),
    Case("/progress", 'answer C1 "The forum moved to June"', frozenset({"owner", "delegate"})),
    Case("/board", "challenge close C1 taken at the meeting", frozenset({"chair", "admin"})),
    Case(
        "/board", 'challenge reopen C2 "And who takes the minutes?"', frozenset({"chair", "admin"})
    ),
)
ALLOWED = [
    pytest.param(case, role, id=f"{case.id} [{role}]")
    for case in CASES
    for role in ROLES
    if role in case.allowed
]
REFUSED = [
    pytest.param(case, role, id=f"{case.id} [{role}]")
    for case in CASES
    for role in ROLES
    if role not in case.allowed
]


def state(local: LocalBot) -> dict[str, Any]:
    """Everything a write command could change."""
    with local.services.uow() as uow:
        session = uow.session

        def rows(*columns: Any) -> list[tuple[Any, ...]]:
            return sorted((tuple(row) for row in session.execute(select(*columns))), key=json.dumps)

        boards = [
            (
                b.id,
                b.name,
                b.chair_id,
                b.channel_id,
                b.meeting_rule,
                str(b.meeting_start),
                str(b.meeting_time),
                json.dumps(b.reminder_policy, sort_keys=True),
                str(b.paused_until),
            )
            for b in session.scalars(select(Board).order_by(Board.id))
        ]
        return {
            "plans": plan_snapshots(uow),
            "plan_rows": rows(Plan.id, Plan.title, Plan.active),
            "boards": boards,
            "meetings": [
                (str(d), k)
                for d, k in session.execute(select(MeetingChange.date, MeetingChange.kind))
            ],
            "grants": rows(RoleGrant.person_id, RoleGrant.role, RoleGrant.board_id),
            "people": rows(Person.id, Person.name, Person.slack_user_id),
            "assignments": rows(
                ActionAssignment.action_id, ActionAssignment.person_id, ActionAssignment.role
            ),
            "date_changes": [
                (r.id, r.state, str(r.new_due_date))
                for r in session.scalars(select(DateChangeRequest).order_by(DateChangeRequest.id))
            ],
            "updates": session.scalar(select(func.count()).select_from(ProgressUpdate)),
            "audit": session.scalar(select(func.count()).select_from(AuditEvent)),
            "challenges": rows(ChallengeEvent.challenge_id, ChallengeEvent.kind),
        }


def answer(local: LocalBot, user_id: str, command: str, text: str) -> str:
    """The command's first ephemeral answer, whether in the ack or on the response URL."""
    result = local.emulator.slash(user_id, command, text)
    assert result.ok, f"{command} {text}: HTTP {result.status} {result.body}"
    if result.text:
        return result.text
    return result.wait_for_response(timeout=5)[0].all_text()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, World]:
    """The world built once; each allowed case starts from a copy of its database."""
    database = tmp_path_factory.mktemp("template") / "world.db"
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as running:
        world = build_world(running)
    return database, world


@pytest.fixture
def fresh(tmp_path: Path, template: tuple[Path, World]) -> Iterator[tuple[LocalBot, World]]:
    database = tmp_path / "e2e.db"
    shutil.copyfile(template[0], database)
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as running:
        add_users(running)
        yield running, template[1]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalBot, World]]:
    database = tmp_path_factory.mktemp("matrix") / "e2e.db"
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as running:
        yield running, build_world(running)


@pytest.mark.parametrize(("case", "role"), REFUSED)
def test_refused_commands_answer_one_friendly_line_and_change_nothing(
    shared: tuple[LocalBot, World], case: Case, role: str
) -> None:
    local, world = shared
    before = state(local)
    reply = answer(local, USERS[role], case.command, case.typed(world))
    assert reply.strip(), "a refusal says why"
    assert "\n" not in reply.strip(), f"one line, not: {reply!r}"
    assert reply.startswith(":warning:")
    assert state(local) == before


@pytest.mark.parametrize(("case", "role"), ALLOWED)
def test_allowed_commands_succeed(fresh: tuple[LocalBot, World], case: Case, role: str) -> None:
    local, world = fresh
    if case.prepare is not None:
        case.prepare(local, world)
    before = state(local)
    reply = answer(local, USERS[role], case.command, case.typed(world))
    assert not reply.startswith(":warning:"), reply
    assert state(local) != before
    if case.settle is not None:
        case.settle(local)


# ---------------------------------------------------------------- buttons

# The views that carry a Challenge button beside their actions, and who is shown it.
CHALLENGE_VIEWS = ("theme 4", "overdue", "history 4.2", "pack")
MAY_CHALLENGE = frozenset({"chair", "member"})
READERS = frozenset(ROLES) - {"stranger"}


def _shown(local: LocalBot, user_id: str, text: str) -> Message:
    result = local.emulator.slash(user_id, "/board", text)
    assert result.ok, result.body
    return result.wait_for_response(timeout=5)[0]


def _challenge_buttons(message: Message) -> list[Any]:
    return [a for a in message.actions() if a.action_id == ids.CHALLENGE_ACTION]


@pytest.mark.parametrize("view", CHALLENGE_VIEWS)
@pytest.mark.parametrize("role", sorted(READERS))
def test_the_challenge_button_shows_only_to_those_who_may_challenge(
    shared: tuple[LocalBot, World], view: str, role: str
) -> None:
    local, _ = shared
    found = _challenge_buttons(_shown(local, USERS[role], view))
    assert bool(found) == (role in MAY_CHALLENGE), found


@pytest.mark.parametrize("role", sorted(MAY_CHALLENGE))
def test_the_challenge_button_asks_for_those_who_may(
    fresh: tuple[LocalBot, World], role: str
) -> None:
    local, world = fresh
    user = USERS[role]
    message = _shown(local, user, "history 4.2")
    (button,) = _challenge_buttons(message)
    local.emulator.click(user, message, button)
    local.emulator.wait_for(lambda: local.emulator.open_view(user) is not None, what="the form")
    before = state(local)

    saved = local.emulator.submit_view(user, values={"question": "When is the review due?"})

    assert saved.errors == {}
    assert state(local) != before


@pytest.mark.parametrize("role", sorted(frozenset(ROLES) - MAY_CHALLENGE))
def test_a_challenge_button_pressed_by_anyone_else_is_refused_and_changes_nothing(
    shared: tuple[LocalBot, World], role: str
) -> None:
    """A Challenge button that reached someone who may not ask (an old message, a forwarded
    view) answers one friendly line, opens no form and records nothing."""
    local, world = shared
    user = USERS[role]
    client = local.slack.client
    channel = client.conversations_open(users=user)["channel"]["id"]
    action_id = world.seeded.actions["4.2"]
    posted = client.chat_postMessage(
        channel=channel,
        text="4.2",
        blocks=[{**section("*4.2*"), "accessory": challenge_button(action_id)}],
    )
    (message,) = [m for m in local.emulator.messages(channel=channel) if m.ts == posted["ts"]]
    before = state(local)

    clicked = local.emulator.click(user, message, _challenge_buttons(message)[0])
    (reply,) = clicked.wait_for_response(timeout=5)

    assert reply.text.startswith(":warning:"), reply.text
    assert "\n" not in reply.text.strip()
    assert local.emulator.open_view(user) is None
    assert state(local) == before


def test_the_matrix_covers_every_role_for_every_command() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(CASES) * len(ROLES)
    assert {case.command for case in CASES} == {"/plan", "/progress", "/board"}


# Close / Follow up under an answered challenge in the pack: for the chair and admins.
MAY_CLOSE = frozenset({"chair", "admin"})
ANSWERED = 2  # C2 is answered in the world


def _step_buttons(message: Message) -> list[Any]:
    wanted = (ids.CLOSE_CHALLENGE, ids.FOLLOW_UP_CHALLENGE)
    return [a for a in message.actions() if a.action_id in wanted]


@pytest.mark.parametrize("role", sorted(READERS))
def test_close_and_follow_up_show_in_the_pack_only_to_those_who_may_close(
    shared: tuple[LocalBot, World], role: str
) -> None:
    local, _ = shared
    found = _step_buttons(_shown(local, USERS[role], "pack"))
    assert bool(found) == (role in MAY_CLOSE), found


@pytest.mark.parametrize("role", sorted(frozenset(ROLES) - MAY_CLOSE))
@pytest.mark.parametrize("which", [ids.CLOSE_CHALLENGE, ids.FOLLOW_UP_CHALLENGE])
def test_close_or_follow_up_pressed_by_anyone_else_is_refused_and_changes_nothing(
    shared: tuple[LocalBot, World], role: str, which: str
) -> None:
    """The posted pack reaches the whole board channel: a press by someone who may not close
    answers one friendly line, opens no form and records nothing."""
    local, _ = shared
    user = USERS[role]
    client = local.slack.client
    channel = client.conversations_open(users=user)["channel"]["id"]
    posted = client.chat_postMessage(
        channel=channel, text="C2", blocks=[section("*C2*"), challenge_step_buttons(ANSWERED)]
    )
    (message,) = [m for m in local.emulator.messages(channel=channel) if m.ts == posted["ts"]]
    before = state(local)

    (pressed,) = [a for a in _step_buttons(message) if a.action_id == which]
    clicked = local.emulator.click(user, message, pressed)
    (reply,) = clicked.wait_for_response(timeout=5)

    assert reply.text.startswith(":warning:"), reply.text
    assert "\n" not in reply.text.strip()
    assert local.emulator.open_view(user) is None
    assert state(local) == before
