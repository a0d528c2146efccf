"""The ledger and the scheduler lease on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from bot.core.statuses import Status
from bot.services.lease import acquire_or_renew, release
from bot.services.outbox import claim, load_facts, plan_due, preview
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    find_plan,
    person_for_slack_user,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import record_progress
from bot.services.uow import UnitOfWork
from db.insert import insert_many
from db.models import Notification, NotificationItem

UowFactory = Callable[[], UnitOfWork]
NINE = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # 09:00 BST


def build(uow_factory: UowFactory, actions: int = 3) -> dict[str, int]:
    now = NINE - dt.timedelta(days=30)
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", now)
        admin = person_for_slack_user(uow, ws, "UADMIN0000", name="Ada Admin")
        setup_first_admin(uow, Actor(ws, admin.id), now)
        actor = Actor(ws, admin.id)
        chair = person_for_slack_user(uow, ws, "UCHAIR0000", name="Chris Chair")
        board = create_board(uow, actor, "Board", now, chair_id=chair.id, channel_id="CB")
        plan = create_plan(uow, actor, board, "Plan", now)
        add_theme(uow, actor, plan, "4", "Theme", now)
        ids = {}
        for n in range(actions):
            owner = person_for_slack_user(uow, ws, f"U{n:09d}", name=f"Owner {n}")
            action = add_action(
                uow,
                actor,
                plan,
                f"4.{n + 1}",
                f"Action {n}",
                now,
                due=dt.date(2019, 5, 31),
                owner_ids=[owner.id],
            )
            ids[action.ref] = action.id
            record_progress(
                uow, Actor(ws, owner.id), action, now, source="command", status=Status.GREEN
            )
        uow.commit()
    return ids


@contextmanager
def count_statements(uow: UnitOfWork) -> Iterator[list[str]]:
    seen: list[str] = []
    engine = uow.session.get_bind()

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_preview_names_each_message_once_in_the_design_shape(uow_factory: UowFactory) -> None:
    build(uow_factory)
    with uow_factory() as uow:
        messages = preview(uow, NINE)
    assert [m["kind"] for m in messages] == ["reminder"] * 3
    assert messages[0] == {
        "kind": "reminder",
        "to": "U000000000",
        "items": [{"action": "4.1", "reason": "due_soon", "working_days": 10}],
        "key": messages[0]["key"],
    }
    assert len({m["key"] for m in messages}) == 3


def test_planning_is_idempotent_and_preview_skips_what_was_sent(uow_factory: UowFactory) -> None:
    build(uow_factory)
    for _ in range(2):
        with uow_factory() as uow:
            plan_due(uow, NINE)
            uow.commit()
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == 3
        assert uow.session.scalar(select(func.count()).select_from(NotificationItem)) == 3
        first = uow.session.scalars(select(Notification).order_by(Notification.id)).first()
        assert first is not None
        first.state = "sent"
        uow.commit()
    with uow_factory() as uow:
        assert len(preview(uow, NINE)) == 2


def test_claim_is_exclusive_until_the_lease_lapses(uow_factory: UowFactory) -> None:
    build(uow_factory, actions=1)
    with uow_factory() as uow:
        plan_due(uow, NINE)
        uow.commit()
        notification_id = uow.session.scalar(select(Notification.id))
    lease = dt.timedelta(minutes=5)
    with uow_factory() as uow:
        assert claim(uow, notification_id, "a", NINE, lease) is True
        uow.commit()
    with uow_factory() as uow:
        assert claim(uow, notification_id, "b", NINE + dt.timedelta(minutes=1), lease) is False
        assert claim(uow, notification_id, "b", NINE + dt.timedelta(minutes=6), lease) is True
        uow.commit()
        row = uow.session.get(Notification, notification_id)
        assert row is not None and (row.claimed_by, row.attempts) == ("b", 2)


def test_scheduler_lease_has_one_holder(uow_factory: UowFactory) -> None:
    ttl = dt.timedelta(seconds=90)
    with uow_factory() as uow:
        assert acquire_or_renew(uow, "one", NINE, ttl)
        uow.commit()
    with uow_factory() as uow:
        assert not acquire_or_renew(uow, "two", NINE + dt.timedelta(seconds=30), ttl)
        assert acquire_or_renew(uow, "one", NINE + dt.timedelta(seconds=60), ttl)
        uow.commit()
    with uow_factory() as uow:
        assert not acquire_or_renew(uow, "two", NINE + dt.timedelta(seconds=120), ttl)
        assert acquire_or_renew(uow, "two", NINE + dt.timedelta(seconds=200), ttl)
        uow.commit()
    with uow_factory() as uow:
        release(uow, "two")
        uow.commit()
    with uow_factory() as uow:
        assert acquire_or_renew(uow, "one", NINE + dt.timedelta(seconds=201), ttl)


def test_loading_facts_takes_the_same_statements_for_3_or_60_actions(
    uow_factory: UowFactory,
) -> None:
    build(uow_factory, actions=3)
    with uow_factory() as uow, count_statements(uow) as few:
        boards, actions = load_facts(uow)
    assert len(actions) == 3 and actions[0].last_update_at is not None
    assert actions[0].last_update_at.tzinfo is not None
    build_more(uow_factory, 57)
    with uow_factory() as uow, count_statements(uow) as many:
        boards, actions = load_facts(uow)
    assert len(actions) == 60
    assert len(many) == len(few)


def build_more(uow_factory: UowFactory, count: int, due: dt.date = dt.date(2019, 6, 28)) -> None:
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", NINE)
        plan = find_plan(uow, ws, None)
        for n in range(count):
            owner = person_for_slack_user(uow, ws, f"UX{n:04d}", name=f"Extra {n}")
            add_action(
                uow,
                Actor.operator(ws),
                plan,
                f"4.{100 + n}",
                "More",
                NINE,
                due=due,
                owner_ids=[owner.id],
            )
        uow.commit()


def test_planned_ledger_rows_read_back_as_the_messages_said(uow_factory: UowFactory) -> None:
    ids = build(uow_factory, actions=2)
    with uow_factory() as uow:
        keys = plan_due(uow, NINE)
        uow.commit()
    with uow_factory() as uow:
        rows = uow.session.scalars(select(Notification).order_by(Notification.key)).all()
        assert sorted(keys) == [row.key for row in rows] and len(rows) == 2
        board_id = rows[0].board_id
        assert board_id is not None
        first = rows[0]
        assert (first.kind, first.state, first.attempts) == ("reminder", "pending", 0)
        assert first.recipient == "U000000000" and first.recipient_person_id is not None
        assert first.due_at == NINE and first.due_at.tzinfo is not None
        assert first.created_at == NINE
        assert first.local_day == dt.date(2019, 5, 16)
        assert first.timezone == "Europe/London"
        assert first.channel is None and first.claimed_until is None and first.ts is None
        assert first.payload == {"meeting": None, "board_id": board_id, "note": None}
        items = uow.session.scalars(
            select(NotificationItem).where(NotificationItem.notification_id == first.id)
        ).all()
        assert [(i.action_id, i.reason, i.working_days, i.position) for i in items] == [
            (ids["4.1"], "due_soon", 10, 0)
        ]


def test_planning_takes_the_same_statements_for_3_or_60_messages(
    uow_factory: UowFactory,
) -> None:
    build(uow_factory, actions=3)
    with uow_factory() as uow, count_statements(uow) as few:
        assert len(plan_due(uow, NINE)) == 3  # not committed
    build_more(uow_factory, 57, due=dt.date(2019, 5, 31))
    with uow_factory() as uow, count_statements(uow) as many:
        assert len(plan_due(uow, NINE)) == 60
    assert len(many) == len(few)


def test_insert_many_skips_keys_held_and_returns_the_rows_made(uow_factory: UowFactory) -> None:
    build(uow_factory, actions=1)
    with uow_factory() as uow:
        plan_due(uow, NINE)
        uow.commit()
    with uow_factory() as uow:
        held = uow.session.scalars(select(Notification)).one()
        row = {
            "workspace_id": held.workspace_id,
            "board_id": None,
            "kind": "alert",
            "recipient": "UADMIN0000",
            "recipient_person_id": None,
            "payload": {"about": "x", "nested": [1, {"a": None}]},
            "state": "pending",
            "attempts": 0,
            "due_at": NINE + dt.timedelta(hours=1, microseconds=5),
            "local_day": dt.date(2019, 5, 16),
            "created_at": NINE,
        }
        ledger = Notification.__table__
        made = insert_many(
            uow.session,
            ledger,  # type: ignore[arg-type]
            [{**row, "key": held.key}, {**row, "key": "new:1"}, {**row, "key": "new:1"}],
            ignore_conflicts_on=["key"],
            returning=[ledger.c.key],
        )
        assert [tuple(r) for r in made] == [("new:1",)]
        assert insert_many(uow.session, ledger, []) == []  # type: ignore[arg-type]
        uow.commit()
    with uow_factory() as uow:
        new = uow.session.scalars(select(Notification).where(Notification.key == "new:1")).one()
        assert new.payload == {"about": "x", "nested": [1, {"a": None}]}
        assert new.due_at == NINE + dt.timedelta(hours=1, microseconds=5)
        assert new.board_id is None and new.local_day == dt.date(2019, 5, 16)
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == 2
