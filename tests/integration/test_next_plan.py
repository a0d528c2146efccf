"""The minute tick plans only the boards whose next send time has come: an idle tick is one
query, and every edit that may change what a board sends has it planned at the next tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.core.deadlines import DeadlineRequest
from bot.core.permissions import Role
from bot.core.statuses import Status
from bot.services import Services, Units
from bot.services.linking import SlackProfile
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    grant_role,
    person_for_slack_user,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.uow import UnitOfWork
from db.models import Board, Notification

NINE = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday, 09:00 BST
TOMORROW_NINE = NINE + dt.timedelta(days=1)
LATER = NINE + dt.timedelta(hours=1)
JANE = SlackProfile("UJANE00000", name="Jane Doe")
OMAR = SlackProfile("UOMAR00000", name="Omar Owner")


@dataclass(frozen=True)
class World:
    services: Services
    admin: Actor
    jane: Actor
    board_id: int
    other_board_id: int
    action_id: int


@pytest.fixture
def world(session_factory: sessionmaker[Session]) -> World:
    """Two boards in one workspace; the first with a chair, a plan and Jane's action 4.1."""
    with UnitOfWork(session_factory) as uow:
        ws = workspace_for_team(uow, "T1", NINE, "Council")
        admin = person_for_slack_user(uow, ws, "UADMIN0000", name="Ada Admin")
        setup_first_admin(uow, Actor(ws, admin.id), NINE)
        actor = Actor(ws, admin.id)
        chair = person_for_slack_user(uow, ws, "UCHAIR0000", name="Chris Chair")
        jane = person_for_slack_user(uow, ws, JANE.user_id, name="Jane Doe")
        person_for_slack_user(uow, ws, OMAR.user_id, name="Omar Owner")
        board = create_board(uow, actor, "Improvement Board", NINE, chair_id=chair.id)
        other = create_board(uow, actor, "Other Board", NINE)
        plan = create_plan(uow, actor, board, "ILACS plan", NINE)
        add_theme(uow, actor, plan, "4", "Placement stability", NINE)
        action = add_action(
            uow, actor, plan, "4.1", "Seek views", NINE, due=dt.date(2019, 5, 31),
            owner_ids=[jane.id],
        )  # fmt: skip
        uow.commit()
        ids = (ws, admin.id, jane.id, board.id, other.id, action.id)
    ws, admin_id, jane_id, board_id, other_id, action_id = ids
    services = Services(Settings(), ManualClock(NINE), Units(session_factory))
    return World(services, Actor(ws, admin_id), Actor(ws, jane_id), board_id, other_id, action_id)


def next_plan_at(world: World, board_id: int) -> dt.datetime | None:
    with world.services.units.patient() as uow:
        return uow.session.scalar(select(Board.next_plan_at).where(Board.id == board_id))


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement run meanwhile, but transaction control (BEGIN, COMMIT…)."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, sql: str, *_: object) -> None:
        if sql.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA"}:
            seen.append(sql)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_first_tick_plans_every_board_and_sets_its_next_send_time(world: World) -> None:
    assert next_plan_at(world, world.board_id) is None  # new: plan at the next tick
    world.services.scheduling.plan_due(NINE)
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE
    assert next_plan_at(world, world.other_board_id) == TOMORROW_NINE


def test_an_idle_tick_is_one_statement(world: World, engine: Engine) -> None:
    assert world.services.scheduling.plan_due(NINE)  # 4.1 is 10 working days from due
    with statements(engine) as seen:
        assert world.services.scheduling.plan_due(NINE + dt.timedelta(minutes=1)) == []
    assert len(seen) == 1, seen
    assert "next_plan_at" in seen[0]
    # …whatever was held: on a Saturday too, and in the minute before Friday's send time.
    with statements(engine) as seen:
        world.services.scheduling.plan_due(TOMORROW_NINE - dt.timedelta(minutes=1))
    assert len(seen) == 1, seen


def test_the_tick_at_the_next_send_time_plans_the_board(world: World, engine: Engine) -> None:
    world.services.scheduling.plan_due(NINE)
    with statements(engine) as seen:
        world.services.scheduling.plan_due(TOMORROW_NINE)
    assert len(seen) > 1
    assert next_plan_at(world, world.board_id) == dt.datetime(2019, 5, 20, 8, 0, tzinfo=dt.UTC)


def test_an_update_that_cannot_add_a_reminder_leaves_the_tick_idle(
    world: World, engine: Engine
) -> None:
    world.services.scheduling.plan_due(NINE)
    world.services.progress.record(world.jane, "4.1", LATER, status=Status.AMBER, note="slipped")
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE
    with statements(engine) as seen:
        world.services.scheduling.plan_due(LATER + dt.timedelta(minutes=1))
    assert len(seen) == 1, seen


def test_a_reminder_made_due_after_nine_goes_out_at_the_next_tick(world: World) -> None:
    """Omar's action, added at 10:00 and due in 3 working days, is reminded of at 10:01."""
    world.services.scheduling.plan_due(NINE)
    world.services.plans.add_action(
        world.admin, None, "4.2", "Recruit carers", LATER,
        due=dt.date(2019, 5, 21), due_precision="day", owners=[OMAR],
    )  # fmt: skip
    keys = world.services.scheduling.plan_due(LATER + dt.timedelta(minutes=1))
    assert any(key.startswith("reminder:person:") for key in keys), keys
    with world.services.units.patient() as uow:
        held = uow.session.scalars(select(Notification.key)).all()
    assert sum(1 for key in held if key.endswith(":2019-05-16")) == 2  # Jane's and Omar's


Edit = Callable[[World], object]


def _timezone(world: World) -> None:
    with world.services.units.patient() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        board.timezone = "Europe/Dublin"
        uow.commit()


def _region(world: World) -> None:
    with world.services.units.patient() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        board.region = "SCT"
        uow.commit()


def _theme_lead(world: World) -> None:
    world.services.plans.edit_theme(world.admin, None, "4", LATER, lead=OMAR)


def _away(world: World) -> None:
    world.services.cover.set_away(
        world.jane, dt.date(2019, 5, 16), dt.date(2019, 5, 24), OMAR, None, LATER
    )


EDITS: dict[str, Edit] = {
    "new due date": lambda w: w.services.plans.edit_action(
        w.admin, None, "4.1", LATER, due=dt.date(2019, 5, 21), due_precision="day"
    ),
    "action added": lambda w: w.services.plans.add_action(
        w.admin, None, "4.2", "Recruit", LATER, due=None, due_precision="day", owners=[OMAR]
    ),
    "action removed": lambda w: w.services.plans.remove_action(w.admin, None, "4.1", LATER),
    "action completed": lambda w: w.services.progress.complete(w.jane, w.action_id, LATER),
    "owners changed": lambda w: w.services.plans.set_owners(w.admin, None, "4.1", [OMAR], LATER),
    "theme lead": _theme_lead,
    "meeting rule": lambda w: w.services.plans.set_meetings(
        w.admin, "Improvement Board", "FREQ=MONTHLY;BYDAY=+2TU", LATER, None
    ),
    "meeting added": lambda w: w.services.plans.add_meeting(
        w.admin, "Improvement Board", dt.date(2019, 6, 4), LATER, None
    ),
    "meeting cancelled": lambda w: w.services.plans.cancel_meeting(
        w.admin, "Improvement Board", dt.date(2019, 6, 11), LATER
    ),
    "paused": lambda w: w.services.plans.pause_reminders(
        w.admin, "Improvement Board", dt.date(2019, 5, 24), LATER
    ),
    "reminder policy": lambda w: w.services.plans.set_reminders(
        w.admin, "Improvement Board", {"due": (5, 1, 0)}, LATER
    ),
    "chair changed": lambda w: w.services.plans.edit_board(
        w.admin, "Improvement Board", LATER, chair=OMAR
    ),
    "time zone": _timezone,
    "holiday region": _region,
    "absence": _away,
    "deadline": lambda w: w.services.deadlines.add(
        w.admin,
        DeadlineRequest("Written statement", dt.date(2019, 6, 14)),
        None,
        "Improvement Board",
        LATER,
    ),
    "admin added": lambda w: w.services.plans.add_admin(w.admin, JANE, LATER),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_each_edit_has_the_board_planned_at_the_next_tick(
    world: World, engine: Engine, name: str
) -> None:
    world.services.scheduling.plan_due(NINE)
    if name == "meeting cancelled":  # a meeting on the cycle to cancel
        EDITS["meeting rule"](world)
        world.services.scheduling.plan_due(LATER)
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE
    EDITS[name](world)
    assert next_plan_at(world, world.board_id) is None, name
    with statements(engine) as seen:
        world.services.scheduling.plan_due(LATER + dt.timedelta(minutes=1))
    assert len(seen) > 1, name
    assert next_plan_at(world, world.board_id) is not None


def test_resuming_a_paused_board_has_it_planned(world: World) -> None:
    world.services.plans.pause_reminders(
        world.admin, "Improvement Board", dt.date(2019, 5, 24), NINE
    )
    world.services.scheduling.plan_due(NINE)
    # Paused to Friday 24 May; Monday 27 May is a bank holiday.
    assert next_plan_at(world, world.board_id) == dt.datetime(2019, 5, 28, 8, 0, tzinfo=dt.UTC)
    world.services.plans.resume_reminders(world.admin, "Improvement Board", LATER)
    assert next_plan_at(world, world.board_id) is None


def test_an_edit_that_rolls_back_changes_nothing(world: World) -> None:
    world.services.scheduling.plan_due(NINE)
    with world.services.units.patient() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        board.paused_until = dt.date(2019, 6, 1)
        uow.session.flush()
        # leaves without committing
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE


def test_a_board_planned_late_on_its_day_still_sends_that_day(world: World) -> None:
    """Down from 08:30 to 15:00: the first tick back sends the day's reminder; a board whose
    send time passed on an earlier day sends nothing for it (DESIGN §6)."""
    world.services.scheduling.plan_due(NINE - dt.timedelta(minutes=30))
    assert next_plan_at(world, world.board_id) == NINE
    keys = world.services.scheduling.plan_due(NINE + dt.timedelta(hours=6))
    assert "reminder:person:" in " ".join(keys)
    # Next down from Thursday 15:00 to Saturday: Friday's send time passed, nothing planned.
    saturday = NINE + dt.timedelta(days=2)
    assert world.services.scheduling.plan_due(saturday) == []
    assert next_plan_at(world, world.board_id) == dt.datetime(2019, 5, 20, 8, 0, tzinfo=dt.UTC)


def test_a_board_that_cannot_be_planned_is_tried_again_at_the_next_tick(world: World) -> None:
    with world.services.units.patient() as uow:
        board = uow.session.get(Board, world.other_board_id)
        assert board is not None
        board.reminder_policy = {"due": "not a list"}
        uow.commit()
    world.services.scheduling.plan_due(NINE)
    assert next_plan_at(world, world.other_board_id) is None
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE


def test_grant_role_on_another_workspace_leaves_this_one_idle(
    world: World, session_factory: sessionmaker[Session]
) -> None:
    world.services.scheduling.plan_due(NINE)
    with UnitOfWork(session_factory) as uow:
        ws = workspace_for_team(uow, "T2", LATER, "Elsewhere")
        person = person_for_slack_user(uow, ws, "UELSE00000", name="Else Where")
        grant_role(uow, Actor.operator(ws), person.id, Role.ADMIN, LATER)
        uow.commit()
    assert next_plan_at(world, world.board_id) == TOMORROW_NINE
