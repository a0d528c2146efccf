"""One truth per action on SQLite and PostgreSQL alike: long names, concurrent writers, a new
user's first burst, control characters. Each of these once broke on one of the databases."""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.cli import run_cli
from bot.clock import ManualClock
from bot.config import Settings
from bot.core.errors import UserError
from bot.core.statuses import Status
from bot.services import Services, Units
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    person_by_name,
    person_for_slack_user,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import ProgressService, record_progress, request_date_change
from bot.services.uow import UnitOfWork
from db.models import Action, Board, DateChangeRequest, Notification, Person, ProgressUpdate
from scheduler.jobs import plan_notifications
from tests.sheets import csv_bytes

UowFactory = Callable[[], UnitOfWork]
NINE = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # 09:00 BST
SETUP = NINE - dt.timedelta(days=30)


def build_board(uow: UnitOfWork, ws: int, admin: Actor, name: str, owner_ids: list[int]) -> int:
    chair = person_for_slack_user(uow, ws, f"UCHAIR{name}", name=f"Chair {name}")
    board = create_board(uow, admin, name, SETUP, chair_id=chair.id, channel_id=f"C{name}")
    plan = create_plan(uow, admin, board, "Plan", SETUP)
    add_theme(uow, admin, plan, "4", "Theme", SETUP)
    action = add_action(
        uow, admin, plan, "4.1", "Action", SETUP, due=dt.date(2019, 5, 31), owner_ids=owner_ids
    )
    return action.id


def admin_of(uow: UnitOfWork) -> tuple[int, Actor]:
    ws = workspace_for_team(uow, "T1", SETUP)
    admin = person_for_slack_user(uow, ws, "UADMIN0000", name="Ada Admin")
    setup_first_admin(uow, Actor(ws, admin.id), SETUP)
    return ws, Actor(ws, admin.id)


def run_together(count: int, work: Callable[[int], Any]) -> list[BaseException]:
    """Run `work(n)` on `count` threads released at once; the errors they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as error:  # reported to the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return errors


# ---------------------------------------------------------------- B4: long names


def test_an_unlinked_owner_with_a_long_name_gets_a_reminder_like_everyone_else(
    uow_factory: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    long_name = "Dr " + "Longname-" * 21 + "Smith"  # just under the 200 a name may have
    assert 180 < len(long_name) <= 200
    with uow_factory() as uow:
        ws, admin = admin_of(uow)
        unlinked = person_by_name(uow, ws, long_name)
        linked = person_for_slack_user(uow, ws, "UJANE00000", name="Jane Doe")
        build_board(uow, ws, admin, "Alpha", [unlinked.id])
        build_board(uow, ws, admin, "Beta", [linked.id])
        uow.commit()
    plan_notifications(services_on(session_factory), NINE)
    with uow_factory() as uow:
        recipients = set(
            uow.session.scalars(
                select(Notification.recipient).where(Notification.kind == "reminder")
            )
        )
    assert recipients == {long_name, "UJANE00000"}


def test_a_board_that_cannot_be_planned_does_not_stop_the_others(
    uow_factory: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    with uow_factory() as uow:
        ws, admin = admin_of(uow)
        jane = person_for_slack_user(uow, ws, "UJANE00000", name="Jane Doe")
        omar = person_for_slack_user(uow, ws, "UOMAR00000", name="Omar Shah")
        build_board(uow, ws, admin, "Broken", [jane.id])
        build_board(uow, ws, admin, "Fine", [omar.id])
        broken = uow.session.scalar(select(Board).where(Board.name == "Broken"))
        assert broken is not None
        broken.reminder_policy = {"no_such_setting": 1}  # as a bad hand edit would leave it
        uow.commit()
    plan_notifications(services_on(session_factory), NINE)
    with uow_factory() as uow:
        reminders = set(
            uow.session.scalars(
                select(Notification.recipient).where(Notification.kind == "reminder")
            )
        )
        alerts = [
            (a.recipient, a.payload["about"], a.payload["error"])
            for a in uow.session.scalars(select(Notification).where(Notification.kind == "alert"))
        ]
    assert reminders == {"UOMAR00000"}
    assert alerts == [("UADMIN0000", "Broken", "planning_failed")]
    plan_notifications(services_on(session_factory), NINE + dt.timedelta(minutes=1))
    with uow_factory() as uow:
        count = uow.session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "alert")
        )
    assert count == 1  # admins are told once, not every minute


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "x" * 250), ("title", "Head of " + "y" * 300)],
)
def test_text_too_long_for_its_column_is_refused_the_same_way_on_both_databases(
    uow_factory: UowFactory, column: str, value: str
) -> None:
    with uow_factory() as uow:
        ws, _ = admin_of(uow)
        uow.commit()
    with uow_factory() as uow, pytest.raises(UserError, match="too long"):
        if column == "name":
            person_by_name(uow, ws, value)
        else:
            person_by_name(uow, ws, "Jane Doe", title=value)
        uow.session.flush()


# ---------------------------------------------------------------- B6: one truth per action


def owned_action(uow_factory: UowFactory) -> tuple[Actor, int]:
    with uow_factory() as uow:
        ws, admin = admin_of(uow)
        jane = person_for_slack_user(uow, ws, "UJANE00000", name="Jane Doe")
        action_id = build_board(uow, ws, admin, "Board", [jane.id])
        uow.commit()
    return Actor(ws, jane.id), action_id


@pytest.mark.slow
def test_concurrent_date_requests_leave_one_pending_request(uow_factory: UowFactory) -> None:
    jane, action_id = owned_action(uow_factory)

    def ask(n: int) -> None:
        with uow_factory() as uow:
            action = uow.session.get(Action, action_id)
            assert action is not None
            request_date_change(
                uow, jane, action, dt.date(2019, 7, 1) + dt.timedelta(days=n), f"reason {n}", NINE
            )
            uow.commit()

    assert run_together(10, ask) == []
    with uow_factory() as uow:
        states = uow.session.scalars(select(DateChangeRequest.state)).all()
    assert states.count("pending") == 1, f"{states.count('pending')} pending requests"
    assert sorted(states) == ["pending"] + ["withdrawn"] * 9


@pytest.mark.slow
def test_concurrent_status_flips_each_record_the_status_they_replaced(
    uow_factory: UowFactory,
) -> None:
    jane, action_id = owned_action(uow_factory)
    flips = [Status.GREEN, Status.AMBER, Status.RED]

    def flip(n: int) -> None:
        with uow_factory() as uow:
            action = uow.session.get(Action, action_id)
            assert action is not None
            record_progress(
                uow, jane, action, NINE, source="command", status=flips[n % 3], note=f"flip {n}"
            )
            uow.commit()

    assert run_together(60, flip) == []
    assert_each_replaced_the_one_before(uow_factory, action_id, 60)


def assert_each_replaced_the_one_before(
    uow_factory: UowFactory, action_id: int, count: int
) -> None:
    """`count` updates, each recording the status the one before it set, the last one's kept."""
    with uow_factory() as uow:
        updates = uow.session.execute(
            select(ProgressUpdate.previous_status, ProgressUpdate.status).order_by(
                ProgressUpdate.id
            )
        ).all()
        final = uow.session.scalar(select(Action.status).where(Action.id == action_id))
    assert len(updates) == count
    chain = [status for _, status in updates]
    wrong = [
        n
        for n, (was, _) in enumerate(updates)
        if was != (chain[n - 1] if n else Status.NOT_STARTED.value)
    ]
    assert wrong == [], f"{len(wrong)} of {count} updates recorded the wrong previous status"
    assert final == chain[-1]


@pytest.mark.slow
def test_concurrent_updates_by_command_each_record_the_status_they_replaced(
    session_factory: sessionmaker[Session], uow_factory: UowFactory
) -> None:
    """The same through `/progress`'s use case (one read and two writes), with every Slack
    request sent twice at once, as Slack retries: each is recorded once."""
    jane, action_id = owned_action(uow_factory)
    progress = ProgressService(Units(session_factory))
    flips = [Status.GREEN, Status.AMBER, Status.RED]

    def flip(n: int) -> None:
        request = n // 2  # two threads send each request
        progress.record(
            jane,
            "4.1",
            NINE,
            status=flips[request % 3],
            note=f"flip {request}",
            dedupe_key=f"command:{request}",
        )

    assert run_together(40, flip) == []
    assert_each_replaced_the_one_before(uow_factory, action_id, 20)


# ---------------------------------------------------------------- B7: a new user's first burst


@pytest.mark.slow
def test_a_new_users_first_burst_makes_one_person(
    uow_factory: UowFactory,
) -> None:
    with uow_factory() as uow:
        workspace_for_team(uow, "T1", SETUP)
        uow.commit()

    def first_request(n: int) -> None:
        with uow_factory() as uow:
            ws = workspace_for_team(uow, "T1", SETUP)
            person_for_slack_user(uow, ws, "UNEW000000", name="New Person")
            uow.commit()

    assert run_together(30, first_request) == []
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Person)) == 1


@pytest.mark.slow
def test_a_new_workspaces_first_burst_makes_one_workspace(uow_factory: UowFactory) -> None:
    def first_request(n: int) -> None:
        with uow_factory() as uow:
            ws = workspace_for_team(uow, "TNEW", SETUP)
            person_for_slack_user(uow, ws, f"U{n}", name=f"Person {n}")
            uow.commit()

    assert run_together(20, first_request) == []
    with uow_factory() as uow:
        people_per_workspace = uow.session.execute(
            select(Person.workspace_id, func.count()).group_by(Person.workspace_id)
        ).all()
    assert [count for _, count in people_per_workspace] == [20]


def test_an_import_with_an_owner_name_too_long_to_keep_imports_and_says_where(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":  # the CLI in this test run's own schema
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
        url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        url = url.render_as_string(hide_password=False)
    owner = "Dr " + "Jane-Mary " * 24 + "Smith"
    assert len(owner) > 200
    sheet = tmp_path / "plan.csv"
    sheet.write_bytes(
        csv_bytes(
            [
                "Ref,Theme / Action,Due date,Owner",
                "4,Placement stability,,",
                f"4.1,Act,31/05/2019,{owner}",
            ]
        )
    )
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(
        ["plan", "import", str(sheet), "--board", "Board"],
        stdout=out,
        stderr=err,
        environ={"DATABASE_URL": url},
        now=NINE,
    )
    assert code == 0, err.getvalue()
    assert 'row 3, column "Owner": left out the owner' in out.getvalue()
    assert "at most 200" in out.getvalue() and "Error" not in out.getvalue() + err.getvalue()


def services_on(session_factory: sessionmaker[Session]) -> Services:
    """The use cases over the test's database (planning reads no clock or settings)."""
    return Services(Settings(), ManualClock(NINE), Units(session_factory))
