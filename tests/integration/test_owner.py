"""Owner use cases and reads (bot.services.owner) on SQLite, and on PostgreSQL when configured."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from bot.core.errors import Conflict, NotFound, PermissionDenied, UserError
from bot.core.permissions import Role
from bot.core.statuses import Status
from bot.services import outbox
from bot.services.outbox import DATE_CHANGE_DECISION, DATE_CHANGE_REQUEST, sent_messages
from bot.services.owner import (
    FieldError,
    ReminderThread,
    ThreadAction,
    action_by_id,
    ask_for_new_date,
    complete_action,
    date_change_notice,
    find_reminder_thread,
    my_action,
    my_boards_status,
    my_open_actions,
    read_reply,
    record_thread_reply,
    ref_key,
    update_form,
    update_from_form,
    withdrawn_requests,
)
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
from bot.services.progress import decide_date_change, record_progress
from bot.services.uow import UnitOfWork
from db.models import Action, DateChangeRequest, Notification, NotificationItem, Plan

UowFactory = Callable[[], UnitOfWork]
NOW = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday, 09:00 in London


@dataclass(frozen=True)
class World:
    ws: int
    people: dict[str, int]
    actions: dict[str, int]  # "plan:ref" -> id
    board: int
    plans: dict[str, int]

    def actor(self, name: str) -> Actor:
        return Actor(self.ws, self.people[name])


@pytest.fixture
def world(uow_factory: UowFactory) -> World:
    """One board, two active plans and an archived one.

    Main plan: 4.1 (Jane, due 31 May), 4.2 (Omar, due 30 Apr: overdue), 4.10 (Jane, no date),
    5.1 (Jane and Omar), 5.2 (Jane, complete), 5.3 (Jane, removed); Omar delegates 4.2 to Pat.
    Second plan: 4.1 (Omar). Archived plan: 1.1 (Jane).
    """
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", NOW, "Council")
        people = {
            name: person_for_slack_user(uow, ws, f"U{name.upper():0<9}", name=name.title()).id
            for name in ("ada", "chris", "jane", "omar", "pat", "mo", "sam")
        }
        admin = Actor(ws, people["ada"])
        setup_first_admin(uow, admin, NOW)
        board = create_board(uow, admin, "Improvement Board", NOW, chair_id=people["chris"])
        grant_role(uow, admin, people["mo"], Role.MEMBER, NOW, board_id=board.id)
        main = create_plan(uow, admin, board, "Main plan", NOW)
        second = create_plan(uow, admin, board, "Second plan", NOW)
        old = create_plan(uow, admin, board, "Old plan", NOW)
        add_theme(uow, admin, main, "4", "Placement stability", NOW, lead_id=people["sam"])
        add_theme(uow, admin, main, "5", "Practice", NOW)
        add_theme(uow, admin, second, "4", "Second theme", NOW)
        add_theme(uow, admin, old, "1", "Old theme", NOW)
        actions: dict[str, int] = {}
        for plan, ref, due, owners in (
            (main, "4.1", dt.date(2019, 5, 31), ["jane"]),
            (main, "4.2", dt.date(2019, 4, 30), ["omar"]),
            (main, "4.10", None, ["jane"]),
            (main, "5.1", dt.date(2019, 6, 28), ["jane", "omar"]),
            (main, "5.2", dt.date(2019, 6, 1), ["jane"]),
            (main, "5.3", dt.date(2019, 6, 2), ["jane"]),
            (second, "4.1", dt.date(2019, 9, 30), ["omar"]),
            (old, "1.1", dt.date(2019, 1, 31), ["jane"]),
        ):
            action = add_action(
                uow,
                admin,
                plan,
                ref,
                f"Action {ref} of {plan.title}",
                NOW,
                due=due,
                owner_ids=[people[o] for o in owners],
            )
            actions[f"{plan.title}:{ref}"] = action.id
        delegated = uow.session.get(Action, actions["Main plan:4.2"])
        assert delegated is not None
        add_delegate(uow, admin, delegated, people["pat"], NOW)
        jane = Actor(ws, people["jane"])
        done = uow.session.get(Action, actions["Main plan:5.2"])
        assert done is not None
        record_progress(uow, jane, done, NOW, source="command", status=Status.BLUE)
        removed = uow.session.get(Action, actions["Main plan:5.3"])
        assert removed is not None
        remove_action(uow, admin, removed, NOW)
        archive_plan(uow, admin, old, NOW)
        uow.commit()
        return World(
            ws, people, actions, board.id, {"main": main.id, "second": second.id, "old": old.id}
        )


def action_id(world: World, ref: str, plan: str = "Main plan") -> int:
    return world.actions[f"{plan}:{ref}"]


# ---------------------------------------------------------------- my actions


def test_my_open_actions_are_mine_open_and_active_soonest_first(
    uow_factory: UowFactory, world: World
) -> None:
    later = NOW + dt.timedelta(days=1)
    with uow_factory() as uow:
        action = uow.session.get(Action, action_id(world, "4.1"))
        assert action is not None
        record_progress(
            uow, world.actor("jane"), action, later, source="command", note="latest note"
        )
        record_progress(  # recorded afterwards, about an earlier moment (an import, say)
            uow, world.actor("jane"), action, NOW, source="import", note="older note"
        )
        uow.commit()
    with uow_factory() as uow:
        mine = my_open_actions(uow, world.actor("jane"), later)
        pats = my_open_actions(uow, world.actor("pat"), later)
        nobody = my_open_actions(uow, Actor(world.ws, None), later)

    assert [a.ref for a in mine] == ["4.1", "5.1", "4.10"]
    first = mine[0]
    assert (first.status, first.due, first.plan, first.board) == (
        Status.NOT_STARTED,
        dt.date(2019, 5, 31),
        "Main plan",
        "Improvement Board",
    )
    assert (first.last_update_note, first.last_update_on) == ("latest note", dt.date(2019, 5, 17))
    assert not first.overdue and not first.delegate
    assert [(a.ref, a.delegate, a.overdue) for a in pats] == [("4.2", True, True)]
    assert nobody == []


def test_ref_key_orders_refs_as_people_read_them() -> None:
    assert sorted(["4.10", "4.2", "A1", "4.1", "10.1"], key=ref_key) == [
        "4.1",
        "4.2",
        "4.10",
        "10.1",
        "A1",
    ]


def test_my_action_prefers_the_one_i_own(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        assert my_action(uow, world.actor("jane"), "4.1").id == action_id(world, "4.1")
        assert my_action(uow, world.actor("omar"), "4.1").id == action_id(
            world, "4.1", "Second plan"
        )
        assert my_action(uow, world.actor("mo"), "4.2").id == action_id(world, "4.2")
        assert my_action(uow, world.actor("jane"), "4.2.").id == action_id(world, "4.2")
        with pytest.raises(UserError, match="Several plans have an action 4.1"):
            my_action(uow, world.actor("mo"), "4.1")
        with pytest.raises(NotFound, match="no action 9.9"):
            my_action(uow, world.actor("jane"), "9.9")
        with pytest.raises(NotFound):  # removed
            my_action(uow, world.actor("jane"), "5.3")
        with pytest.raises(NotFound):  # in an archived plan
            my_action(uow, world.actor("jane"), "1.1")


def test_action_by_id_refuses_what_is_gone(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        other_ws = Actor(workspace_for_team(uow, "T2", NOW), None)
        with pytest.raises(NotFound):
            action_by_id(uow, world.actor("jane"), action_id(world, "5.3"))
        with pytest.raises(NotFound):
            action_by_id(uow, other_ws, action_id(world, "4.1"))
        with pytest.raises(Conflict, match="archived"):
            action_by_id(uow, world.actor("jane"), action_id(world, "1.1", "Old plan"))


def test_update_form_offers_mine_and_checks_a_named_action(
    uow_factory: UowFactory, world: World
) -> None:
    with uow_factory() as uow:
        form = update_form(uow, world.actor("jane"), NOW)
        on_done = update_form(uow, world.actor("jane"), NOW, action_id(world, "5.2"))
        assert [c.ref for c in form.choices] == ["4.1", "5.1", "4.10"] and form.selected is None
        assert on_done.selected is not None and on_done.selected.ref == "5.2"
        assert [c.ref for c in on_done.choices] == ["5.2", "4.1", "5.1", "4.10"]
        with pytest.raises(PermissionDenied):
            update_form(uow, world.actor("jane"), NOW, action_id(world, "4.2"))
        with pytest.raises(NotFound, match="no open actions"):
            update_form(uow, world.actor("mo"), NOW)


# ---------------------------------------------------------------- updates


def test_update_from_form_needs_an_action_and_something_to_say(
    uow_factory: UowFactory, world: World
) -> None:
    jane = world.actor("jane")
    with uow_factory() as uow:
        with pytest.raises(FieldError) as no_action:
            update_from_form(uow, jane, None, NOW, status=Status.RED, note=None, evidence=None)
        with pytest.raises(FieldError) as nothing:
            update_from_form(
                uow, jane, action_id(world, "4.1"), NOW, status=None, note="  ", evidence=None
            )
        evidence_only = update_from_form(
            uow, jane, action_id(world, "4.1"), NOW, status=None, note=None, evidence="minutes"
        )
    assert no_action.value.field == "action"
    assert nothing.value.field == "note"
    assert evidence_only.evidence == "minutes" and evidence_only.status is Status.NOT_STARTED


def test_complete_action_once_and_only_by_an_owner(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        with pytest.raises(PermissionDenied):
            complete_action(uow, world.actor("mo"), action_id(world, "4.1"), NOW)
        done = complete_action(uow, world.actor("pat"), action_id(world, "4.2"), NOW)
        assert (done.status, done.previous_status) == (Status.BLUE, Status.NOT_STARTED)
        with pytest.raises(Conflict, match="already marked complete"):
            complete_action(uow, world.actor("omar"), action_id(world, "4.2"), NOW)


# ---------------------------------------------------------------- reminder threads


def _reminder(
    uow: UnitOfWork, world: World, refs: list[str], kind: str = "reminder", ts: str = "1.1"
) -> None:
    notification = Notification(
        workspace_id=world.ws,
        board_id=world.board,
        key=f"{kind}:test:{ts}",
        kind=kind,
        recipient="UJANE00000",
        recipient_person_id=world.people["jane"],
        payload={},
        state="sent",
        attempts=1,
        due_at=NOW,
        local_day=NOW.date(),
        created_at=NOW,
        channel="DJANE00000",
        ts=ts,
    )
    uow.session.add(notification)
    uow.session.flush()
    for ref in refs:
        uow.session.add(
            NotificationItem(
                notification_id=notification.id, action_id=action_id(world, ref), reason="x"
            )
        )
    uow.session.flush()


def test_find_reminder_thread_by_channel_and_ts(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        _reminder(uow, world, ["5.1", "4.1"])
        _reminder(uow, world, [], kind="digest", ts="2.2")
        thread = find_reminder_thread(uow, world.ws, "DJANE00000", "1.1")
        assert thread is not None
        assert [a.ref for a in thread.actions] == ["4.1", "5.1"]
        assert find_reminder_thread(uow, world.ws, "DJANE00000", "2.2") is None
        assert find_reminder_thread(uow, world.ws, "DOMAR00000", "1.1") is None
        assert find_reminder_thread(uow, world.ws + 1, "DJANE00000", "1.1") is None


ONE = ReminderThread(1, "reminder", (ThreadAction(1, "4.1", "One"),))
TWO = ReminderThread(1, "reminder", (ThreadAction(1, "4.1", "One"), ThreadAction(2, "5.1", "Two")))


@pytest.mark.parametrize(
    ("thread", "text", "expected"),
    [
        (ONE, "amber: survey slipped", ("4.1", Status.AMBER, "survey slipped")),
        (ONE, "4.1 amber: survey slipped", ("4.1", Status.AMBER, "survey slipped")),
        (ONE, "4.1: done", ("4.1", Status.BLUE, None)),
        (ONE, "on track - forum booked", ("4.1", Status.GREEN, "forum booked")),
        (ONE, "a forum is booked", ("4.1", None, "a forum is booked")),
        (ONE, "3 forums held", ("4.1", None, "3 forums held")),
        (ONE, "red: late\nsecond line", ("4.1", Status.RED, "late\nsecond line")),
        (TWO, "5.1 at risk: auditor off", ("5.1", Status.AMBER, "auditor off")),
        (TWO, "4.1\ngreen", ("4.1", Status.GREEN, None)),
    ],
)
def test_read_reply(
    thread: ReminderThread, text: str, expected: tuple[str, Status | None, str | None]
) -> None:
    action, status, note = read_reply(thread, text)
    assert (action.ref, status, note) == expected


def test_read_reply_asks_which_when_a_batched_reminder_has_no_ref() -> None:
    with pytest.raises(UserError, match=r"about 4\.1 and 5\.1.*`4\.1 amber: survey slipped`"):
        read_reply(TWO, "amber: survey slipped")
    with pytest.raises(UserError, match="about 4.1 and 5.1"):
        read_reply(TWO, "9.9 amber: survey slipped")


def test_a_thread_reply_is_recorded_once(uow_factory: UowFactory, world: World) -> None:
    with uow_factory() as uow:
        _reminder(uow, world, ["4.1"])
        thread = find_reminder_thread(uow, world.ws, "DJANE00000", "1.1")
        assert thread is not None
        first = record_thread_reply(
            uow, world.actor("jane"), thread, "amber: x", NOW, dedupe_key="event:Ev1"
        )
        again = record_thread_reply(
            uow, world.actor("jane"), thread, "amber: x", NOW, dedupe_key="event:Ev1"
        )
        with pytest.raises(PermissionDenied):
            record_thread_reply(uow, world.actor("omar"), thread, "red", NOW, dedupe_key="Ev2")
    assert (first.duplicate, first.status, first.note) == (False, Status.AMBER, "x")
    assert again.duplicate


# ---------------------------------------------------------------- date changes


def test_ask_for_new_date_checks_the_date_and_reason(uow_factory: UowFactory, world: World) -> None:
    jane = world.actor("jane")
    with uow_factory() as uow:
        action = action_by_id(uow, jane, action_id(world, "4.1"))
        for new_due, reason, field in (
            (dt.date(2019, 5, 15), "late", "date"),
            (dt.date(2019, 5, 31), "late", "date"),
            (dt.date(2019, 7, 31), "  ", "reason"),
        ):
            with pytest.raises(FieldError) as refused:
                ask_for_new_date(uow, jane, action, new_due, reason, NOW)
            assert refused.value.field == field
        with pytest.raises(PermissionDenied):
            ask_for_new_date(uow, world.actor("mo"), action, dt.date(2019, 7, 31), "x", NOW)
        ask_for_new_date(uow, jane, action, dt.date(2019, 5, 16), "today is fine", NOW)
        month = ask_for_new_date(
            uow, jane, action, dt.date(2019, 7, 31), "summer", NOW, precision="month"
        )
        notice = date_change_notice(uow, month)

    assert (notice.state, notice.old_due, notice.new_due, notice.new_precision) == (
        "pending",
        dt.date(2019, 5, 31),
        dt.date(2019, 7, 31),
        "month",
    )
    assert notice.requested_by is not None and notice.requested_by.name == "Jane"
    assert [a.name for a in notice.approvers] == ["Chris"]


def test_a_newer_request_withdraws_the_pending_one(uow_factory: UowFactory, world: World) -> None:
    jane = world.actor("jane")
    with uow_factory() as uow:
        action = action_by_id(uow, jane, action_id(world, "4.1"))
        first = ask_for_new_date(uow, jane, action, dt.date(2019, 7, 31), "a", NOW)
        second = ask_for_new_date(uow, jane, action, dt.date(2019, 8, 31), "b", NOW)
        assert withdrawn_requests(uow, second) == [first]
        assert date_change_notice(uow, first).state == "withdrawn"


def test_approvers_are_the_chair_or_else_the_admins(uow_factory: UowFactory, world: World) -> None:
    jane = world.actor("jane")
    with uow_factory() as uow:
        plan = uow.session.get(Plan, world.plans["main"])
        assert plan is not None
        plan.board.chair_id = None
        uow.session.flush()
        uow.session.expire_all()
        action = action_by_id(uow, jane, action_id(world, "4.1"))
        request_id = ask_for_new_date(uow, jane, action, dt.date(2019, 7, 31), "a", NOW)
        notice = date_change_notice(uow, request_id)
    assert [(a.name, a.slack_user_id) for a in notice.approvers] == [("Ada", "UADA000000")]


def test_date_change_messages_are_enqueued_once_with_the_request(
    uow_factory: UowFactory, world: World
) -> None:
    jane = world.actor("jane")
    with uow_factory() as uow:
        action = action_by_id(uow, jane, action_id(world, "4.1"))
        request_id = ask_for_new_date(uow, jane, action, dt.date(2019, 7, 31), "a", NOW)
        notice = date_change_notice(uow, request_id)
        (chair,) = notice.approvers
        key = outbox.date_change_key(DATE_CHANGE_REQUEST, request_id, chair.person_id)
        (row,) = uow.session.scalars(select(Notification).where(Notification.key == key)).all()
        assert (row.state, row.attempts, row.claimed_until) == (outbox.PENDING, 0, None)
        request = uow.session.get(DateChangeRequest, request_id)
        assert request is not None
        outbox.enqueue_date_change(uow, request, NOW)  # again: the key is already there
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == 1
        assert sent_messages(uow, DATE_CHANGE_REQUEST, request_id) == []
        outbox.mark(uow, row.id, outbox.SENT, NOW, channel="DCHRIS0000", ts="5.5")
        assert sent_messages(uow, DATE_CHANGE_REQUEST, request_id) == [("DCHRIS0000", "5.5")]
        decide_date_change(uow, world.actor("chris"), request_id, True, NOW)
        decided = date_change_notice(uow, request_id)
        told = uow.session.scalars(
            select(Notification.key).where(Notification.kind == DATE_CHANGE_DECISION)
        ).all()
    assert decided.state == "approved"
    assert (decided.due, decided.original_due) == (dt.date(2019, 7, 31), dt.date(2019, 5, 31))
    assert decided.decided_by is not None and decided.decided_by.name == "Chris"
    assert told == [outbox.date_change_key(DATE_CHANGE_DECISION, request_id, jane.person_id)]


# ---------------------------------------------------------------- status by theme


def test_boards_status_by_theme_for_the_people_involved(
    uow_factory: UowFactory, world: World
) -> None:
    with uow_factory() as uow:
        seen = {
            name: my_boards_status(uow, world.actor(name), NOW)
            for name in ("ada", "chris", "jane", "pat", "mo", "sam")
        }
        stranger = person_for_slack_user(uow, world.ws, "USTRANGER", name="Stranger")
        nobody = my_boards_status(uow, Actor(world.ws, stranger.id), NOW)

    assert nobody == []
    assert {name: len(boards) for name, boards in seen.items()} == dict.fromkeys(seen, 1)
    (board,) = seen["jane"]
    assert [(t.plan, t.ref, t.total) for t in board.themes] == [
        ("Main plan", "4", 3),
        ("Main plan", "5", 2),
        ("Second plan", "4", 1),
    ]
    theme4 = board.themes[0]
    assert theme4.counts[Status.NOT_STARTED] == 3 and theme4.overdue == 1
    assert board.themes[1].counts[Status.BLUE] == 1
    assert board.counts[Status.BLUE] == 1 and sum(board.counts.values()) == 6
