"""Every set-up and progress use case, on SQLite and (when available) PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.errors import Conflict, NotFound, PermissionDenied, UserError
from bot.core.impact import Impact
from bot.core.permissions import Role
from bot.core.statuses import Status
from bot.services import Units
from bot.services.plans import (
    Actor,
    add_action,
    add_delegate,
    add_theme,
    archive_plan,
    create_board,
    create_plan,
    edit_action,
    find_action,
    find_board,
    find_plan,
    grant_role,
    person_by_name,
    person_for_slack_user,
    remove_action,
    revoke_role,
    set_owners,
    setup_first_admin,
    workspace_for_cli,
    workspace_for_team,
)
from bot.services.progress import (
    ProgressService,
    decide_date_change,
    pending_date_changes,
    record_progress,
    request_date_change,
)
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.history import refresh_action_history
from db.models import Action, AuditEvent, ProgressUpdate, Workspace
from tests.conftest import NOW

UowFactory = Callable[[], UnitOfWork]


def build_world(uow_factory: UowFactory) -> dict[str, int]:
    """A workspace with an admin, a chair, two owners, a member; one board, plan, theme, action."""
    with uow_factory() as uow:
        workspace_id = workspace_for_team(uow, "T1", NOW, "Council")
        admin = person_for_slack_user(uow, workspace_id, "UADMIN0000", name="Ada Admin")
        setup_first_admin(uow, Actor(workspace_id, admin.id), NOW)
        actor = Actor(workspace_id, admin.id)
        chair = person_for_slack_user(uow, workspace_id, "UCHAIR0000", name="Chris Chair")
        jane = person_for_slack_user(uow, workspace_id, "UJANE00000", name="Jane Doe")
        omar = person_for_slack_user(uow, workspace_id, "UOMAR00000", name="Omar Owner")
        mo = person_for_slack_user(uow, workspace_id, "UMEMBER000", name="Mo Member")
        board = create_board(uow, actor, "Improvement Board", NOW, chair_id=chair.id)
        grant_role(uow, actor, mo.id, Role.MEMBER, NOW, board_id=board.id)
        plan = create_plan(uow, actor, board, "ILACS plan", NOW, source="ILACS 2018")
        add_theme(uow, actor, plan, "4", "Placement stability", NOW)
        action = add_action(
            uow,
            actor,
            plan,
            "4.1",
            "Seek foster carers' views",
            NOW,
            due=dt.date(2019, 5, 31),
            due_precision="month",
            owner_ids=[jane.id],
        )
        uow.commit()
        return {
            "ws": workspace_id,
            "admin": admin.id,
            "chair": chair.id,
            "jane": jane.id,
            "omar": omar.id,
            "member": mo.id,
            "board": board.id,
            "plan": plan.id,
            "action": action.id,
        }


def test_build_plan_from_nothing_and_show_it(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        [plan] = plan_snapshots(uow)
    assert plan["title"] == "ILACS plan"
    assert plan["board"] == "Improvement Board"
    [theme] = plan["themes"]
    assert theme["ref"] == "4"
    [action] = theme["actions"]
    assert action == {
        "ref": "4.1",
        "title": "Seek foster carers' views",
        "due": "2019-05-31",
        "due_precision": "month",
        "due_text": None,
        "status": "not_started",
        "measures": None,
        "owners": [{"name": "Jane Doe", "title": None, "slack_user": "UJANE00000"}],
        "latest_update": None,
        "fields": {},
        "impact": {
            "judgement": None,
            "evidence": None,
            "delivered": False,
            "evidenced": False,
            "owes_evidence": False,
            "headline": "Not started",
        },
        "movement": None,  # the read model without a moment: no movement or challenges
        "challenges": [],
    }
    assert world["action"]


def test_first_admin_only_once(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        with pytest.raises(Conflict, match="already has admins"):
            setup_first_admin(uow, Actor(world["ws"], world["jane"]), NOW)
        with pytest.raises(Conflict, match="already an admin"):
            setup_first_admin(uow, Actor(world["ws"], world["admin"]), NOW)


def test_progress_update_sets_status_and_blue_sets_completion(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        result = record_progress(
            uow, jane, action, NOW, source="command", status=Status.AMBER, note="survey slipped"
        )
        uow.commit()
    assert (result.previous_status, result.status) == (Status.NOT_STARTED, Status.AMBER)
    later = NOW + dt.timedelta(days=3)
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        record_progress(uow, jane, action, later, source="modal", status=Status.BLUE)
        uow.commit()
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        assert action.status == "blue"
        assert action.completed_on == later.date()
        updates = uow.session.scalars(
            select(ProgressUpdate).where(ProgressUpdate.action_id == action.id).order_by("id")
        ).all()
        assert [(u.previous_status, u.status, u.source) for u in updates] == [
            ("not_started", "amber", "command"),
            ("amber", "blue", "modal"),
        ]
        [plan] = plan_snapshots(uow)
    latest = plan["themes"][0]["actions"][0]["latest_update"]
    assert latest == {"at": later.isoformat(), "status": "blue", "note": None, "source": "modal"}


def test_reopening_clears_completion_and_note_only_keeps_status(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        record_progress(uow, jane, action, NOW, source="command", status=Status.BLUE)
        record_progress(
            uow, jane, action, NOW, source="command", status=Status.RED, note="reopened"
        )
        record_progress(uow, jane, action, NOW, source="command", note="still red")
        uow.commit()
        assert action.status == "red"
        assert action.completed_on is None


def test_empty_update_is_refused(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        with pytest.raises(UserError, match="/progress 4.1 amber"):
            record_progress(uow, Actor(world["ws"], world["jane"]), action, NOW, source="command")


def test_same_slack_request_never_recorded_twice(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    for _ in range(2):
        with uow_factory() as uow:
            action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
            record_progress(
                uow, jane, action, NOW, source="thread", note="x", dedupe_key="event:Ev123"
            )
            uow.commit()
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", False), ("chair", False), ("jane", True), ("omar", False), ("member", False)],
)
def test_who_may_update_an_action(uow_factory: UowFactory, who: str, allowed: bool) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        actor = Actor(world["ws"], world[who])
        if allowed:
            record_progress(uow, actor, action, NOW, source="command", status=Status.GREEN)
        else:
            with pytest.raises(PermissionDenied, match="owners and delegates"):
                record_progress(uow, actor, action, NOW, source="command", status=Status.GREEN)


def test_delegate_may_update(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    admin = Actor(world["ws"], world["admin"])
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        assert add_delegate(uow, admin, action, world["omar"], NOW) is True
        assert add_delegate(uow, admin, action, world["omar"], NOW) is False
        uow.commit()
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        record_progress(
            uow, Actor(world["ws"], world["omar"]), action, NOW, source="command", note="ok"
        )


@pytest.mark.parametrize("who", ["chair", "jane", "member"])
def test_only_admins_configure(uow_factory: UowFactory, who: str) -> None:
    world = build_world(uow_factory)
    actor = Actor(world["ws"], world[who])
    with uow_factory() as uow:
        board = find_board(uow, world["ws"], None)
        plan = find_plan(uow, world["ws"], None)
        action = find_action(uow, plan, "4.1")
        attempts = [
            lambda: create_board(uow, actor, "Another", NOW),
            lambda: create_plan(uow, actor, board, "Another", NOW),
            lambda: add_theme(uow, actor, plan, "5", "Another", NOW),
            lambda: add_action(uow, actor, plan, "4.2", "x", NOW, due=None),
            lambda: edit_action(uow, actor, action, NOW, title="new"),
            lambda: set_owners(uow, actor, action, [world["omar"]], NOW),
            lambda: add_delegate(uow, actor, action, world["omar"], NOW),
            lambda: remove_action(uow, actor, action, NOW),
            lambda: archive_plan(uow, actor, plan, NOW),
            lambda: grant_role(uow, actor, world["omar"], Role.ADMIN, NOW),
        ]
        for attempt in attempts:
            with pytest.raises(PermissionDenied, match="Only a plan admin"):
                attempt()


def test_date_change_flow_keeps_original_and_counts(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    chair = Actor(world["ws"], world["chair"])
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        request = request_date_change(
            uow, jane, action, dt.date(2019, 6, 30), "survey moved to June", NOW
        )
        uow.commit()
        request_id = request.id
    with uow_factory() as uow:
        assert [r.id for r in pending_date_changes(uow, world["board"])] == [request_id]
        with pytest.raises(PermissionDenied, match="chair"):
            decide_date_change(uow, jane, request_id, True, NOW)
        decide_date_change(uow, chair, request_id, True, NOW, note="agreed at board")
        uow.commit()
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        assert action.due_date == dt.date(2019, 6, 30)
        assert action.original_due_date == dt.date(2019, 5, 31)
        assert action.date_changes == 1
        assert pending_date_changes(uow, world["board"]) == []
        with pytest.raises(Conflict, match="already approved"):
            decide_date_change(uow, chair, request_id, False, NOW)
        whats = uow.session.scalars(select(AuditEvent.what)).all()
        assert "date_change.approved" in whats


def test_declined_date_change_leaves_date(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        request = request_date_change(
            uow, Actor(world["ws"], world["jane"]), action, dt.date(2019, 9, 30), "later", NOW
        )
        decide_date_change(uow, Actor(world["ws"], world["chair"]), request.id, False, NOW)
        uow.commit()
        assert action.due_date == dt.date(2019, 5, 31)
        assert action.date_changes == 0
        assert request.state == "declined"


def test_date_change_needs_reason_and_new_date(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        with pytest.raises(UserError, match="reason"):
            request_date_change(uow, jane, action, dt.date(2019, 6, 30), "  ", NOW)
        with pytest.raises(UserError, match="already due"):
            request_date_change(uow, jane, action, dt.date(2019, 5, 31), "same", NOW)


def test_edit_owners_remove_and_readd(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    admin = Actor(world["ws"], world["admin"])
    with uow_factory() as uow:
        plan = find_plan(uow, world["ws"], None)
        action = find_action(uow, plan, "4.1")
        changes = edit_action(uow, admin, action, NOW, due=dt.date(2019, 7, 15), measures="m")
        assert set(changes) == {"due", "measures"}
        with pytest.raises(UserError, match="Nothing to change"):
            edit_action(uow, admin, action, NOW, title=action.title)
        set_owners(uow, admin, action, [world["omar"], world["jane"]], NOW)
        uow.commit()
    with uow_factory() as uow:
        [snapshot] = plan_snapshots(uow)
        owners = [o["name"] for o in snapshot["themes"][0]["actions"][0]["owners"]]
        assert owners == ["Omar Owner", "Jane Doe"]
        plan = find_plan(uow, world["ws"], None)
        remove_action(uow, admin, find_action(uow, plan, "4.1"), NOW)
        uow.commit()
    with uow_factory() as uow:
        plan = find_plan(uow, world["ws"], None)
        with pytest.raises(NotFound):
            find_action(uow, plan, "4.1")
        assert plan_snapshots(uow)[0]["themes"][0]["actions"] == []
        again = add_action(uow, admin, plan, "4.1", "Back again", NOW, due=None)
        uow.commit()
        assert again.id == world["action"]


def test_duplicates_and_bad_refs_refused(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    admin = Actor(world["ws"], world["admin"])
    with uow_factory() as uow:
        plan = find_plan(uow, world["ws"], None)
        board = find_board(uow, world["ws"], "improvement board")
        with pytest.raises(Conflict):
            create_board(uow, admin, "IMPROVEMENT board", NOW)
        with pytest.raises(Conflict):
            create_plan(uow, admin, board, "ilacs PLAN", NOW)
        with pytest.raises(Conflict):
            add_theme(uow, admin, plan, "4.0", "again", NOW)
        with pytest.raises(Conflict):
            add_action(uow, admin, plan, "4.1", "again", NOW, due=None)
        with pytest.raises(UserError, match="usable action ref"):
            add_action(uow, admin, plan, "4 .1!", "bad", NOW, due=None)
        with pytest.raises(NotFound, match="Theme 9"):
            add_action(uow, admin, plan, "9.1", "no theme", NOW, due=None)


def test_last_admin_cannot_be_removed(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    admin = Actor(world["ws"], world["admin"])
    with uow_factory() as uow:
        with pytest.raises(Conflict, match="last admin"):
            revoke_role(uow, admin, world["admin"], Role.ADMIN, NOW)
        grant_role(uow, admin, world["jane"], Role.ADMIN, NOW)
        assert revoke_role(uow, admin, world["admin"], Role.ADMIN, NOW) is True


def test_archived_plan_is_not_the_default(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        plan = find_plan(uow, world["ws"], None)
        archive_plan(uow, Actor(world["ws"], world["admin"]), plan, NOW)
        uow.commit()
    with uow_factory() as uow:
        with pytest.raises(NotFound, match="no active plan"):
            find_plan(uow, world["ws"], None)
        assert find_plan(uow, world["ws"], "ILACS plan").active is False


def test_uncommitted_work_is_rolled_back(uow_factory: UowFactory) -> None:
    world = build_world(uow_factory)
    with uow_factory() as uow:
        plan = find_plan(uow, world["ws"], None)
        add_theme(uow, Actor(world["ws"], world["admin"]), plan, "5", "Not saved", NOW)
    with uow_factory() as uow:
        refs = [t["ref"] for t in plan_snapshots(uow)[0]["themes"]]
    assert refs == ["4"]


def test_first_slack_team_adopts_local_workspace(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        local = workspace_for_cli(uow, NOW)
        person_by_name(uow, local, "Jane Doe", "Head of Fostering")
        uow.commit()
    with uow_factory() as uow:
        assert workspace_for_team(uow, "T42", NOW, "Council") == local
        assert workspace_for_team(uow, "T99", NOW, "Other") != local
        uow.commit()
    with uow_factory() as uow:
        teams = uow.session.scalars(select(Workspace.team_id).order_by(Workspace.id)).all()
    assert teams == ["T42", "T99"]


def test_slack_user_links_unlinked_person_by_name(uow_factory: UowFactory) -> None:
    with uow_factory() as uow:
        ws = workspace_for_cli(uow, NOW)
        imported = person_by_name(uow, ws, "jane  doe", "Head of Fostering")
        linked = person_for_slack_user(
            uow, ws, "UJ00000000", name="Jane Doe", email="jane@example.org"
        )
        assert linked.id == imported.id
        assert (linked.slack_user_id, linked.title, linked.email) == (
            "UJ00000000",
            "Head of Fostering",
            "jane@example.org",
        )


def test_what_an_action_keeps_of_its_updates_matches_the_updates(uow_factory: UowFactory) -> None:
    """The first update, the latest status set, and the latest impact and evidence, kept on the
    action as updates are recorded (in any order of their times, as an import of older updates
    records them), equal what db.history recomputes from the updates themselves."""
    world = build_world(uow_factory)
    jane = Actor(world["ws"], world["jane"])
    day = dt.timedelta(days=1)
    steps = [
        (NOW, {"status": Status.AMBER, "note": "survey slipped"}),
        (NOW + day, {"note": "survey out", "impact": Impact.EMERGING}),
        (NOW - 3 * day, {"status": Status.GREEN, "evidence": "carer panel minutes"}),  # older
        (NOW + day, {"evidence": "feedback themes", "impact": Impact.EVIDENCED}),  # same moment
        (NOW + 2 * day, {"status": Status.BLUE, "note": "done"}),
    ]
    for at, given in steps:
        with uow_factory() as uow:
            action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
            record_progress(uow, jane, action, at, source="command", **given)  # type: ignore[arg-type]
            uow.commit()
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        kept = _kept(action)
        assert kept == (
            NOW - 3 * day,
            "amber",  # the older update was recorded while the action stood at amber
            NOW + 2 * day,
            "blue",
            "evidenced",
            NOW + day,
            "feedback themes",
            NOW + day,
            NOW + 2 * day,
            True,
        )
        newest = action.latest_update_id
        refresh_action_history(uow.session.connection(), [action.id])
        uow.session.expire(action)
        assert _kept(action) == kept
        assert action.latest_update_id == newest


def test_the_everyday_update_keeps_the_same_as_the_full_one(
    uow_factory: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    """`/progress <ref> <status> <note>` from an owner is written in one read and two writes
    (`record_mine_at_once`); what it records, and what the action keeps, equal what the full
    path records for the same steps (the same steps as above, ending with a reopening)."""
    day = dt.timedelta(days=1)
    steps = [
        (NOW, {"status": Status.AMBER, "note": "survey slipped"}),
        (NOW + day, {"status": None, "note": "survey out", "impact": Impact.EMERGING}),
        (NOW - 3 * day, {"status": Status.GREEN, "note": None, "evidence": "carer minutes"}),
        (
            NOW + day,
            {"status": None, "note": None, "evidence": "themes", "impact": Impact.EVIDENCED},
        ),
        (NOW + 2 * day, {"status": Status.BLUE, "note": "done"}),  # the full path: completes
        (NOW + 3 * day, {"status": Status.RED, "note": "reopened: panel cancelled"}),  # full
        (NOW + 4 * day, {"status": Status.AMBER, "note": "panel rebooked"}),
    ]
    world = build_world(uow_factory)
    progress = ProgressService(Units(session_factory))
    jane = Actor(world["ws"], world["jane"])
    told = []
    for n, (at, given) in enumerate(steps):
        recorded = progress.record(jane, "4.1", at, dedupe_key=f"command:T{n}", **given)  # type: ignore[arg-type]
        told.append((recorded.status, recorded.previous_status, recorded.note, recorded.impact))
    with uow_factory() as uow:
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        kept = (*_kept(action), action.status, action.completed_on)
        newest = action.latest_update_id
        updates = uow.session.scalars(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == action.id)
            .order_by(ProgressUpdate.id)
        ).all()
        written = [
            (
                u.at,
                u.status,
                u.previous_status,
                u.note,
                u.evidence,
                u.impact,
                u.source,
                u.dedupe_key,
            )
            for u in updates
        ]
        refresh_action_history(uow.session.connection(), [action.id])
        uow.session.expire(action)
        assert _kept(action) == kept[:-2]
        assert action.latest_update_id == newest == updates[-1].id
    assert [previous for _status, previous, _note, _impact in told] == [
        Status.NOT_STARTED,
        Status.AMBER,
        Status.AMBER,
        Status.GREEN,
        Status.GREEN,
        Status.BLUE,
        Status.RED,
    ]
    assert kept[-2:] == ("amber", None)  # reopened: no completion date
    assert [row[1:3] for row in written] == [
        ("amber", "not_started"),
        ("amber", "amber"),
        ("green", "amber"),
        ("green", "green"),
        ("blue", "green"),
        ("red", "blue"),
        ("amber", "red"),
    ]
    assert {row[6] for row in written} == {"command"}
    assert [row[7] for row in written] == [f"command:T{n}" for n in range(len(steps))]


def test_the_everyday_update_is_one_read_and_two_writes(
    uow_factory: UowFactory, session_factory: sessionmaker[Session]
) -> None:
    """An owner's `/progress 4.1 amber …` costs the same few statements on either database; a
    retry of the same Slack request records nothing twice."""
    world = build_world(uow_factory)
    progress = ProgressService(Units(session_factory))
    jane = Actor(world["ws"], world["jane"])
    engine = session_factory.kw["bind"]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", count)
    try:
        first = progress.record(
            jane, "4.1", NOW, status=Status.AMBER, note="survey slipped", dedupe_key="command:A"
        )
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert first.status is Status.AMBER and not first.duplicate
    locks = ["SELECT"] if engine.dialect.name == "postgresql" else []  # the row lock
    assert [s for s in statements if s in ("SELECT", "INSERT", "UPDATE")] == [
        *locks,
        "SELECT",
        "INSERT",
        "UPDATE",
    ]
    again = progress.record(
        jane, "4.1", NOW, status=Status.AMBER, note="survey slipped", dedupe_key="command:A"
    )
    assert again.duplicate
    with uow_factory() as uow:
        assert uow.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1


@pytest.mark.parametrize("path", ["everyday", "full"])
def test_an_update_sent_again_is_kept_once_but_a_change_back_is_recorded(
    uow_factory: UowFactory, session_factory: sessionmaker[Session], path: str
) -> None:
    """Sent twice within minutes (a retry after Slack timed out): recorded once. Amber, then
    green, then amber again: three updates, and the action ends amber."""
    world = build_world(uow_factory)
    progress = ProgressService(Units(session_factory))
    jane = Actor(world["ws"], world["jane"])
    minute = dt.timedelta(minutes=1)

    def send(at: dt.datetime, status: Status, note: str) -> bool:
        if path == "everyday":
            return progress.record(jane, "4.1", at, status=status, note=note).repeated
        with uow_factory() as uow:
            action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
            result = record_progress(
                uow, jane, action, at, source="command", status=status, note=note
            )
            uow.commit()
            return result.repeated

    assert not send(NOW, Status.AMBER, "survey slipped")
    assert send(NOW + minute, Status.AMBER, "survey slipped")
    assert not send(NOW + 2 * minute, Status.GREEN, "back on track")
    assert not send(NOW + 3 * minute, Status.AMBER, "survey slipped")
    assert not send(NOW + 20 * minute, Status.AMBER, "survey slipped")  # long after: a new one
    with uow_factory() as uow:
        statuses = uow.session.scalars(
            select(ProgressUpdate.status).order_by(ProgressUpdate.id)
        ).all()
        action = find_action(uow, find_plan(uow, world["ws"], None), "4.1")
        assert statuses == ["amber", "green", "amber", "amber"]
        assert action.status == "amber"


def _kept(action: Action) -> tuple[object, ...]:
    return (
        action.first_update_at,
        action.first_replaced_status,
        action.status_set_at,
        action.status_set_to,
        action.impact,
        action.impact_at,
        action.evidence,
        action.evidence_at,
        action.latest_update_at,
        action.latest_update_id is not None,
    )
