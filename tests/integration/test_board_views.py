"""`/board`'s read models (bot.services.board_views) on SQLite and, when available, PostgreSQL.

The world: Thursday 16 May 2019, 08:00 UTC (09:00 in London). One board meeting on the
second Tuesday of the month; theme 4 (lead Chris, the chair) holds 4.1 (Jane, due 31 May),
4.2 (Omar, due 30 April: 11 working days overdue, 6 May being a bank holiday) and 4.3
(Jane, complete); theme 5 holds 5.1 (Jane and Omar, due 28 June).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.core.errors import Conflict, NotFound, PermissionDenied, UserError
from bot.core.permissions import Role
from bot.core.statuses import Status
from bot.services import Services, Units
from bot.services import board_views as views
from bot.services.plans import (
    Actor,
    add_action,
    add_delegate,
    add_theme,
    archive_plan,
    create_board,
    create_plan,
    grant_role,
    person_for_slack_user,
    remove_action,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import decide_date_change, record_progress, request_date_change
from bot.services.uow import UnitOfWork
from db.models import Action, Board, MeetingChange, Plan
from tests.conftest import NOW

UowFactory = Callable[[], UnitOfWork]
TODAY = dt.date(2019, 5, 16)


@dataclass(frozen=True)
class World:
    ws: int
    board: int
    plan: int
    people: dict[str, int]
    actions: dict[str, int]

    def actor(self, handle: str) -> Actor:
        return Actor(self.ws, self.people[handle])


def build(uow_factory: UowFactory, extra_actions: int = 0) -> World:
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", NOW, "Council")
        people = {
            handle: person_for_slack_user(uow, ws, f"U{handle.upper():0<9}", name=name).id
            for handle, name in (
                ("ada", "Ada Admin"),
                ("chris", "Chris Chair"),
                ("jane", "Jane Doe"),
                ("omar", "Omar Shah"),
                ("mo", "Mo Member"),
                ("sam", "Sam Stranger"),
                ("dee", "Dee Delegate"),
            )
        }
        admin = Actor(ws, people["ada"])
        setup_first_admin(uow, admin, NOW)
        board = create_board(uow, admin, "Improvement Board", NOW, chair_id=people["chris"])
        board.meeting_rule = "FREQ=MONTHLY;BYDAY=+2TU"
        board.meeting_start = dt.date(2019, 1, 1)
        grant_role(uow, admin, people["mo"], Role.MEMBER, NOW, board_id=board.id)
        plan = create_plan(uow, admin, board, "Improvement Plan", NOW)
        add_theme(uow, admin, plan, "4", "Placement stability", NOW, lead_id=people["chris"])
        add_theme(uow, admin, plan, "5", "Practice quality", NOW)
        actions = {}
        for ref, due, owners in (
            ("4.1", dt.date(2019, 5, 31), ["jane"]),
            ("4.2", dt.date(2019, 4, 30), ["omar"]),
            ("4.3", dt.date(2019, 3, 29), ["jane"]),
            ("5.1", dt.date(2019, 6, 28), ["jane", "omar"]),
            *((f"5.{n + 2}", dt.date(2019, 4, 1), ["omar"]) for n in range(extra_actions)),
        ):
            action = add_action(
                uow,
                admin,
                plan,
                ref,
                f"Action {ref}",
                NOW,
                due=due,
                owner_ids=[people[o] for o in owners],
            )
            actions[ref] = action.id
        four_one = uow.session.get(Action, actions["4.1"])
        assert four_one is not None
        add_delegate(uow, admin, four_one, people["dee"], NOW)
        four_three = uow.session.get(Action, actions["4.3"])
        assert four_three is not None
        record_progress(
            uow,
            Actor(ws, people["jane"]),
            four_three,
            NOW - dt.timedelta(days=20),
            source="command",
            status=Status.BLUE,
        )
        uow.commit()
        return World(ws, board.id, plan.id, people, actions)


@pytest.fixture
def world(uow_factory: UowFactory) -> World:
    return build(uow_factory)


def action_of(uow: UnitOfWork, world: World, ref: str) -> Action:
    action = uow.session.get(Action, world.actions[ref])
    assert action is not None
    return action


@contextmanager
def counting(uow: UnitOfWork) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = uow.session.get_bind()

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- status


def test_status_by_theme(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        request_date_change(
            uow,
            world.actor("jane"),
            action_of(uow, world, "4.1"),
            dt.date(2019, 6, 30),
            "survey",
            NOW,
        )
        uow.commit()
    with uow_factory() as uow:
        status = views.board_status(uow, world.actor("mo"), None, NOW)
    assert status.board.name == "Improvement Board"
    assert status.board.today == TODAY
    assert [(t.ref, t.counts.total, t.percent_complete, t.overdue) for t in status.themes] == [
        ("4", 3, 33, 1),
        ("5", 1, 0, 0),
    ]
    assert status.themes[0].counts.blue == 1 and status.themes[0].counts.not_started == 2
    assert status.counts.total == 4 and status.percent_complete == 25
    assert status.overdue == 1
    assert status.pending_date_changes == 1
    assert not status.several_plans


def test_removed_actions_and_archived_plans_do_not_count(
    uow_factory: UowFactory, world: World
) -> None:
    with uow_factory() as uow:
        admin = world.actor("ada")
        remove_action(uow, admin, action_of(uow, world, "4.2"), NOW)
        board = uow.session.get(Board, world.board)
        assert board is not None
        old = create_plan(uow, admin, board, "Old Plan", NOW)
        add_theme(uow, admin, old, "9", "Old theme", NOW)
        archive_plan(uow, admin, old, NOW)
        uow.commit()
    with uow_factory() as uow:
        status = views.board_status(uow, world.actor("chris"), "improvement board", NOW)
        overdue = views.overdue_actions(uow, world.actor("chris"), None, NOW)
    assert [t.ref for t in status.themes] == ["4", "5"]
    assert status.counts.total == 3 and status.overdue == 0
    assert overdue.items == ()


# ---------------------------------------------------------------- overdue


def test_overdue_with_working_days_most_overdue_first(uow_factory: UowFactory) -> None:
    world = build(uow_factory, extra_actions=2)
    with uow_factory() as uow:
        overdue = views.overdue_actions(uow, world.actor("jane"), None, NOW)
    assert [(i.ref, i.theme_ref, i.working_days) for i in overdue.items] == [
        ("5.2", "5", 30),
        ("5.3", "5", 30),
        ("4.2", "4", 11),
    ]
    assert [w.name for w in overdue.items[-1].owners] == ["Omar Shah"]
    assert overdue.items[-1].due == dt.date(2019, 4, 30)


# ---------------------------------------------------------------- one theme


def test_theme_detail(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        jane = world.actor("jane")
        four_one = action_of(uow, world, "4.1")
        record_progress(
            uow, jane, four_one, NOW - dt.timedelta(days=2), source="command",
            status=Status.AMBER, note="older",
        )  # fmt: skip
        record_progress(
            uow, jane, four_one, NOW - dt.timedelta(days=1), source="modal", note="newest"
        )
        record_progress(  # after `now`: not seen yet
            uow, jane, four_one, NOW + dt.timedelta(hours=1), source="modal", note="future"
        )
        uow.commit()
    with uow_factory() as uow:
        theme = views.theme_detail(uow, world.actor("omar"), None, "4.0", NOW)
    assert (theme.ref, theme.title, theme.plan) == ("4", "Placement stability", "Improvement Plan")
    assert theme.lead is not None and theme.lead.name == "Chris Chair"
    assert theme.counts.total == 3 and theme.overdue == 1
    by_ref = {a.ref: a for a in theme.actions}
    assert list(by_ref) == ["4.1", "4.2", "4.3"]
    four_one = by_ref["4.1"]
    assert [w.name for w in four_one.owners] == ["Jane Doe"]
    assert [w.name for w in four_one.delegates] == ["Dee Delegate"]
    assert four_one.latest is not None
    assert (four_one.latest.note, four_one.latest.author) == ("newest", "Jane Doe")
    assert four_one.working_days_overdue is None
    assert by_ref["4.2"].working_days_overdue == 11 and by_ref["4.2"].latest is None
    assert by_ref["4.3"].status == "blue" and by_ref["4.3"].working_days_overdue is None


def test_theme_not_found(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow, pytest.raises(NotFound, match="no theme 7"):
        views.theme_detail(uow, world.actor("chris"), None, "7", NOW)


# ---------------------------------------------------------------- meetings


def test_meetings_with_reminder_days_additions_and_cancellations(
    uow_factory: UowFactory, world: World
) -> None:
    with uow_factory() as uow:
        uow.session.add_all(
            [
                MeetingChange(board_id=world.board, date=dt.date(2019, 6, 11), kind="cancelled"),
                MeetingChange(board_id=world.board, date=dt.date(2019, 6, 18), kind="added"),
                MeetingChange(board_id=world.board, date=dt.date(2019, 5, 1), kind="added"),
            ]
        )
        board = uow.session.get(Board, world.board)
        assert board is not None
        board.reminder_policy = {"pack": 3}
        board.paused_until = dt.date(2019, 5, 20)
        uow.commit()
    with uow_factory() as uow:
        meetings = views.meetings(uow, world.actor("dee"), None, NOW, count=3)
    assert meetings.cycle == "second Tuesday of every month from 1 January 2019 at 10:00"
    assert meetings.paused_until == dt.date(2019, 5, 20)
    assert [(m.date, m.kind) for m in meetings.meetings] == [
        (dt.date(2019, 6, 11), "cancelled"),
        (dt.date(2019, 6, 18), "added"),
        (dt.date(2019, 7, 9), "regular"),
        (dt.date(2019, 8, 13), "regular"),
    ]
    added = meetings.meetings[1]
    assert added.starts_at.isoformat() == "2019-06-18T10:00:00+01:00"
    assert added.window_opens == dt.date(2019, 6, 4)  # 10 working days before
    assert added.last_call == dt.date(2019, 6, 10)  # 6
    assert added.updates_due == dt.date(2019, 6, 11)  # 5
    assert added.pack == dt.date(2019, 6, 13)  # 3, the board's own setting
    assert meetings.meetings[0].window_opens is None


def test_meetings_with_no_cycle(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board)
        assert board is not None
        board.meeting_rule = None
        uow.commit()
    with uow_factory() as uow:
        meetings = views.meetings(uow, world.actor("chris"), None, NOW)
        assert meetings.cycle is None and meetings.meetings == ()
        with pytest.raises(UserError, match="no meeting coming up"):
            views.pack_preview(uow, world.actor("chris"), None, NOW)


# ---------------------------------------------------------------- history


def test_history_newest_first_with_date_changes(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        jane = world.actor("jane")
        action = action_of(uow, world, "4.1")
        for days, status in ((5, Status.GREEN), (3, Status.AMBER)):
            record_progress(
                uow, jane, action, NOW - dt.timedelta(days=days), source="command",
                status=status, note=f"{days} days ago",
            )  # fmt: skip
        first = request_date_change(
            uow, jane, action, dt.date(2019, 6, 30), "venue", NOW - dt.timedelta(days=2)
        )
        request_date_change(  # replaces the first, which is withdrawn
            uow, jane, action, dt.date(2019, 7, 31), "summer", NOW - dt.timedelta(days=1)
        )
        uow.commit()
        first_id = first.id
    with uow_factory() as uow:
        history = views.action_history(uow, world.actor("chris"), None, "4.1", NOW)
    assert (history.ref, history.status, history.due) == ("4.1", "amber", dt.date(2019, 5, 31))
    assert history.total_updates == 4
    assert [u.note for u in history.updates] == [
        "Asked the board to move the due date: summer",
        "Asked the board to move the due date: venue",
        "3 days ago",
        "5 days ago",
    ]
    assert history.updates[2].status_changed
    assert (history.updates[2].previous_status, history.updates[2].status) == ("green", "amber")
    assert history.updates[0].new_due == dt.date(2019, 7, 31)
    assert history.updates[0].author == "Jane Doe"
    assert [(c.new_due, c.state) for c in history.date_changes] == [
        (dt.date(2019, 7, 31), "pending"),
        (dt.date(2019, 6, 30), "withdrawn"),
    ]
    assert history.date_changes[1].id == first_id


def test_history_keeps_to_its_limit(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        action = action_of(uow, world, "5.1")
        for n in range(views.HISTORY_LIMIT + 3):
            record_progress(
                uow, world.actor("omar"), action, NOW - dt.timedelta(minutes=n),
                source="command", note=f"update {n}",
            )  # fmt: skip
        uow.commit()
    with uow_factory() as uow:
        history = views.action_history(uow, world.actor("omar"), None, "5.1", NOW)
    assert history.total_updates == views.HISTORY_LIMIT + 3
    assert len(history.updates) == views.HISTORY_LIMIT
    assert history.updates[0].note == "update 0"


def test_history_of_an_unknown_or_removed_action(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        remove_action(uow, world.actor("ada"), action_of(uow, world, "4.2"), NOW)
        uow.commit()
    with uow_factory() as uow:
        for ref in ("4.2", "8.8"):
            with pytest.raises(NotFound, match=f"no action {ref}"):
                views.action_history(uow, world.actor("chris"), None, ref, NOW)


# ---------------------------------------------------------------- previews


def test_digest_and_pack_previews(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        digest = views.digest_preview(uow, world.actor("mo"), None, NOW)
        pack = views.pack_preview(uow, world.actor("mo"), None, NOW)
    assert digest.totals.actions == 4 and digest.totals.overdue == 1
    assert pack.meeting == dt.date(2019, 6, 11)
    assert pack.previous_meeting == dt.date(2019, 5, 14)


# ---------------------------------------------------------------- date changes


def test_pending_changes_and_who_may_decide(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        request_date_change(
            uow, world.actor("omar"), action_of(uow, world, "4.2"), dt.date(2019, 7, 31),
            "new provider", NOW - dt.timedelta(hours=1),
        )  # fmt: skip
        uow.commit()
    with uow_factory() as uow:
        chair_view = views.pending_changes(uow, world.actor("chris"), None, NOW)
        member_view = views.pending_changes(uow, world.actor("mo"), None, NOW)
    [item] = chair_view.items
    assert (item.ref, item.old_due, item.new_due, item.reason) == (
        "4.2",
        dt.date(2019, 4, 30),
        dt.date(2019, 7, 31),
        "new provider",
    )
    assert item.requested_by is not None and item.requested_by.name == "Omar Shah"
    assert chair_view.can_decide and not member_view.can_decide
    assert member_view.items == chair_view.items


def test_admins_decide_for_a_board_with_no_chair(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board)
        assert board is not None
        board.chair_id = None
        uow.commit()
    with uow_factory() as uow:
        assert views.pending_changes(uow, world.actor("ada"), None, NOW).can_decide


def test_decide(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        action = action_of(uow, world, "5.1")
        request = request_date_change(
            uow, world.actor("jane"), action, dt.date(2019, 9, 30), "leave", NOW
        )
        uow.commit()
        request_id = request.id
    with uow_factory() as uow, pytest.raises(PermissionDenied):
        decide_date_change(uow, world.actor("mo"), request_id, True, NOW)
    with uow_factory() as uow:
        decision = views.decision(
            decide_date_change(uow, world.actor("chris"), request_id, False, NOW, "no evidence")
        )
        uow.commit()
    assert (decision.state, decision.ref, decision.note) == ("declined", "5.1", "no evidence")
    assert decision.old_due == dt.date(2019, 6, 28)
    assert decision.requested_by is not None and decision.requested_by.name == "Jane Doe"
    with uow_factory() as uow:
        assert action_of(uow, world, "5.1").due_date == dt.date(2019, 6, 28)
        with pytest.raises(Conflict, match="already declined"):
            decide_date_change(uow, world.actor("chris"), request_id, True, NOW)


# ---------------------------------------------------------------- permission and boards


READERS = ("ada", "chris", "mo", "jane", "omar", "dee")


def every_view(uow: UnitOfWork, actor: Actor) -> None:
    views.board_status(uow, actor, None, NOW)
    views.overdue_actions(uow, actor, None, NOW)
    views.theme_detail(uow, actor, None, "4", NOW)
    views.meetings(uow, actor, None, NOW)
    views.action_history(uow, actor, None, "4.1", NOW)
    views.digest_preview(uow, actor, None, NOW)
    views.pack_preview(uow, actor, None, NOW)
    views.pending_changes(uow, actor, None, NOW)


@pytest.mark.parametrize("handle", READERS)
def test_everyone_on_the_board_may_read(uow_factory: UowFactory, world: World, handle: str) -> None:
    with uow_factory() as uow:
        every_view(uow, world.actor(handle))


@pytest.mark.parametrize(
    "view",
    [
        lambda uow, a: views.board_status(uow, a, None, NOW),
        lambda uow, a: views.overdue_actions(uow, a, None, NOW),
        lambda uow, a: views.theme_detail(uow, a, None, "4", NOW),
        lambda uow, a: views.meetings(uow, a, None, NOW),
        lambda uow, a: views.action_history(uow, a, None, "4.1", NOW),
        lambda uow, a: views.digest_preview(uow, a, None, NOW),
        lambda uow, a: views.pack_preview(uow, a, None, NOW),
        lambda uow, a: views.pending_changes(uow, a, None, NOW),
    ],
)
def test_a_stranger_may_read_nothing(
    uow_factory: UowFactory, world: World, view: Callable[[UnitOfWork, Actor], object]
) -> None:
    with uow_factory() as uow, pytest.raises(PermissionDenied, match="not on this board"):
        view(uow, world.actor("sam"))


def test_boards_are_found_by_name(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        create_board(uow, world.actor("ada"), "Scrutiny Board", NOW)
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(UserError, match="several boards"):
            views.board_status(uow, world.actor("ada"), None, NOW)
        with pytest.raises(NotFound, match="no board called"):
            views.board_status(uow, world.actor("ada"), "Nope", NOW)
        scrutiny = views.board_status(uow, world.actor("ada"), "scrutiny board", NOW)
        assert scrutiny.themes == () and scrutiny.counts.total == 0
        # Jane owns actions on the Improvement Board only.
        with pytest.raises(PermissionDenied):
            views.board_status(uow, world.actor("jane"), "Scrutiny Board", NOW)


def test_another_workspace_sees_none_of_it(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        other = workspace_for_team(uow, "T2", NOW, "Elsewhere")
        person = person_for_slack_user(uow, other, "UX00000000", name="Xavier")
        uow.commit()
        outsider = Actor(other, person.id)
    with uow_factory() as uow, pytest.raises(NotFound, match="no boards yet"):
        views.board_status(uow, outsider, None, NOW)


# ---------------------------------------------------------------- a fixed number of queries


def statements_for(uow_factory: UowFactory, world: World) -> list[int]:
    counts = []
    for read in (
        lambda uow: views.board_status(uow, world.actor("chris"), None, NOW),
        lambda uow: views.overdue_actions(uow, world.actor("chris"), None, NOW),
        lambda uow: views.theme_detail(uow, world.actor("chris"), None, "5", NOW),
        lambda uow: views.meetings(uow, world.actor("chris"), None, NOW),
        lambda uow: views.action_history(uow, world.actor("chris"), None, "5.1", NOW),
        lambda uow: views.pending_changes(uow, world.actor("chris"), None, NOW),
    ):
        with uow_factory() as uow, counting(uow) as seen:
            read(uow)
        counts.append(len(seen))
    return counts


def add_updates(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        plan = uow.session.get(Plan, world.plan)
        assert plan is not None
        for action in uow.session.scalars(select(Action).where(Action.plan_id == plan.id)):
            if action.status == "blue":
                continue
            owner = Actor(world.ws, action.assignments[0].person_id)
            record_progress(
                uow, owner, action, NOW - dt.timedelta(hours=2), source="command", note="n"
            )
            request_date_change(
                uow, owner, action, dt.date(2019, 12, 31), "later", NOW - dt.timedelta(hours=1)
            )
        uow.commit()


def test_the_number_of_queries_does_not_grow_with_the_plan(uow_factory: UowFactory) -> None:
    small = build(uow_factory, extra_actions=0)
    add_updates(uow_factory, small)
    few = statements_for(uow_factory, small)
    with uow_factory() as uow:
        for table in reversed(Action.metadata.sorted_tables):
            uow.session.execute(table.delete())
        uow.commit()
    large = build(uow_factory, extra_actions=40)
    add_updates(uow_factory, large)
    many = statements_for(uow_factory, large)
    assert few == many
    assert max(many) <= 12


# ---------------------------------------------------------------- the use cases


def test_the_view_service_answers_as_the_building_blocks_do(
    session_factory: sessionmaker[Session], uow_factory: UowFactory, world: World
) -> None:
    services = Services(Settings(), ManualClock(NOW), Units(session_factory))
    chair, jane = world.actor("chris"), world.actor("jane")
    with uow_factory() as uow:
        status = views.board_status(uow, chair, None, NOW)
        theme = views.theme_detail(uow, chair, None, "4", NOW)
        overdue = views.overdue_actions(uow, chair, None, NOW)
        digest = views.digest_preview(uow, chair, None, NOW)
        history = views.action_history(uow, chair, None, "4.1", NOW)
    assert services.views is services.views
    assert services.views.status(chair, None) == status
    assert services.views.theme(chair, None, "4") == theme
    assert services.views.overdue(chair, None) == overdue
    assert services.views.digest(chair, None) == digest
    assert services.views.history(chair, None, "4.1") == history
    assert services.views.pending(chair, None).can_decide
    home = services.views.home(jane)
    assert [a.ref for a in home.actions] and [b.name for b in home.boards] == ["Improvement Board"]
