"""The `/plan` use cases of bot.services.admin and bot.services.linking, on SQLite and (when
available) PostgreSQL: meeting cycles, one-off meetings, reminder settings and pauses, roles
by Slack user, owner linking and merging, import and export."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from bot.core.errors import Conflict, NotFound, PermissionDenied, UserError
from bot.core.importer import read_plan
from bot.core.permissions import Role
from bot.services import admin
from bot.services.linking import (
    DirectoryMatch,
    SlackProfile,
    email_in,
    link_matches,
    link_person,
    match_by_name,
    unlinked_owners,
)
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    find_action,
    find_plan,
    person_by_name,
    person_for_slack_user,
    roles_of,
    set_owners,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import record_progress
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import AuditEvent, Board, Person, ProgressUpdate
from tests.conftest import NOW
from tests.sheets import HEADER, workbook

UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True)
class World:
    workspace_id: int
    admin: Actor
    jane: Actor
    board_id: int
    plan_id: int


def build(uow_factory: UowFactory) -> World:
    """Ada admin; Jane an owner; one board meeting second Tuesdays; 4.1 owned by Jane."""
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", NOW, "Council")
        ada = person_for_slack_user(uow, ws, "UADMIN0000", name="Ada Admin")
        jane = person_for_slack_user(uow, ws, "UJANE00000", name="Jane Doe")
        actor = Actor(ws, ada.id)
        setup_first_admin(uow, actor, NOW)
        board = create_board(uow, actor, "Improvement Board", NOW)
        admin.set_meetings(uow, actor, board, "second Tuesday monthly", NOW)
        plan = create_plan(uow, actor, board, "ILACS plan", NOW)
        add_theme(uow, actor, plan, "4", "Placement stability", NOW)
        add_action(
            uow,
            actor,
            plan,
            "4.1",
            "Seek views",
            NOW,
            due=dt.date(2019, 5, 31),
            owner_ids=[jane.id],
        )
        uow.commit()
        return World(ws, actor, Actor(ws, jane.id), board.id, plan.id)


def audits(uow: UnitOfWork, what: str) -> list[AuditEvent]:
    return list(uow.session.scalars(select(AuditEvent).where(AuditEvent.what == what)))


# ---------------------------------------------------------------- meetings


def test_meetings_start_from_the_board_local_date_and_list_the_next_three(
    uow_factory: UowFactory,
) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        # 23:30 UTC on Monday 10 June is already Tuesday 11 June in London (BST).
        late = dt.datetime(2019, 6, 10, 23, 30, tzinfo=dt.UTC)
        view = admin.set_meetings(
            uow, world.admin, board, "second Tuesday monthly", late, time=dt.time(14, 0)
        )
        assert board.meeting_rule == "FREQ=MONTHLY;BYDAY=+2TU"
        assert board.meeting_start == dt.date(2019, 6, 11)
        assert board.meeting_time == dt.time(14, 0)
        assert view.next_meetings == (
            dt.date(2019, 6, 11),
            dt.date(2019, 7, 9),
            dt.date(2019, 8, 13),
        )
        assert "second Tuesday of every month" in view.description
        assert audits(uow, "board.meetings")[-1].after == {
            "rule": "FREQ=MONTHLY;BYDAY=+2TU",
            "start": "2019-06-11",
            "time": "14:00",
        }


def test_a_bad_rule_is_refused_and_changes_nothing(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        with pytest.raises(UserError, match="meeting cycle"):
            admin.set_meetings(uow, world.admin, board, "every blue moon", NOW)
        assert board.meeting_rule == "FREQ=MONTHLY;BYDAY=+2TU"


def test_one_off_meetings_add_cancel_and_restore(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        june_cycle, june_extra = dt.date(2019, 6, 11), dt.date(2019, 6, 18)

        view = admin.cancel_meeting(uow, world.admin, board, june_cycle, NOW)
        assert june_cycle not in view.next_meetings
        view = admin.add_meeting(uow, world.admin, board, june_extra, NOW)
        assert view.next_meetings[0] == june_extra
        with pytest.raises(Conflict, match="already has a meeting"):
            admin.add_meeting(uow, world.admin, board, june_extra, NOW)
        with pytest.raises(Conflict, match="already cancelled"):
            admin.cancel_meeting(uow, world.admin, board, june_cycle, NOW)
        with pytest.raises(Conflict, match="already a meeting in"):
            admin.add_meeting(uow, world.admin, board, dt.date(2019, 7, 9), NOW)

        # Adding back a cancelled cycle meeting restores it; cancelling a one-off removes it.
        admin.add_meeting(uow, world.admin, board, june_cycle, NOW)
        view = admin.cancel_meeting(uow, world.admin, board, june_extra, NOW)
        assert view.next_meetings[0] == june_cycle
        assert board.meeting_changes == []
        assert len(audits(uow, "board.meeting_add")) == 2
        assert len(audits(uow, "board.meeting_cancel")) == 2


def test_meeting_changes_that_make_no_sense_are_refused(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        with pytest.raises(NotFound, match="no meeting on 12 June 2019. Next meetings: 11 June"):
            admin.cancel_meeting(uow, world.admin, board, dt.date(2019, 6, 12), NOW)
        with pytest.raises(UserError, match="has passed"):
            admin.add_meeting(uow, world.admin, board, dt.date(2019, 5, 1), NOW)
        with pytest.raises(UserError, match="start at 10:00"):
            admin.add_meeting(uow, world.admin, board, dt.date(2019, 6, 20), NOW, time=dt.time(9))
        admin.add_meeting(uow, world.admin, board, dt.date(2019, 6, 20), NOW, time=dt.time(10))


# ---------------------------------------------------------------- reminders


def test_reminder_settings_merge_with_earlier_ones_and_are_validated(
    uow_factory: UowFactory,
) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        admin.set_reminders(uow, world.admin, board, {"due": (5, 1)}, NOW)
        view = admin.set_reminders(uow, world.admin, board, {"overdue": 3}, NOW)
        assert board.reminder_policy == {"due": [5, 1], "overdue": 3}
        assert view.policy.due == (5, 1) and view.policy.overdue == 3
        assert view.changed == ("overdue",)
        with pytest.raises(UserError, match="updates_due ≤ window"):
            admin.set_reminders(uow, world.admin, board, {"updates_due": 12}, NOW)
        with pytest.raises(UserError, match="0 to 60"):
            admin.set_reminders(uow, world.admin, board, {"due": (90,)}, NOW)
        assert board.reminder_policy == {"due": [5, 1], "overdue": 3}
        event = audits(uow, "board.reminders")[-1]
        assert event.before == {"due": [5, 1]}
        assert event.after == {"due": [5, 1], "overdue": 3}


def test_pause_and_resume(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        with pytest.raises(UserError, match="has passed"):
            admin.pause_reminders(uow, world.admin, board, dt.date(2019, 5, 1), NOW)
        view = admin.pause_reminders(uow, world.admin, board, dt.date(2019, 8, 31), NOW)
        assert view.paused_until == board.paused_until == dt.date(2019, 8, 31)
        view = admin.resume_reminders(uow, world.admin, board, NOW)
        assert view.paused_until is None and board.paused_until is None
        with pytest.raises(Conflict, match="aren't paused"):
            admin.resume_reminders(uow, world.admin, board, NOW)
        assert [e.what for e in audits(uow, "board.pause") + audits(uow, "board.resume")] == [
            "board.pause",
            "board.resume",
        ]


@pytest.mark.parametrize(
    "change",
    [
        lambda uow, w, b: admin.set_meetings(uow, w.jane, b, "monthly", NOW),
        lambda uow, w, b: admin.add_meeting(uow, w.jane, b, dt.date(2019, 6, 20), NOW),
        lambda uow, w, b: admin.cancel_meeting(uow, w.jane, b, dt.date(2019, 6, 11), NOW),
        lambda uow, w, b: admin.set_reminders(uow, w.jane, b, {"overdue": 2}, NOW),
        lambda uow, w, b: admin.pause_reminders(uow, w.jane, b, dt.date(2019, 8, 1), NOW),
        lambda uow, w, b: admin.resume_reminders(uow, w.jane, b, NOW),
        lambda uow, w, b: admin.add_admin(uow, w.jane, SlackProfile("UJANE00000"), NOW),
        lambda uow, w, b: admin.add_member(uow, w.jane, b, SlackProfile("UNEW000000", "New"), NOW),
        lambda uow, w, b: admin.remove_member(uow, w.jane, b, SlackProfile("UJANE00000"), NOW),
        lambda uow, w, b: admin.import_choices(uow, w.jane),
        lambda uow, w, b: unlinked_owners(uow, w.jane),
        lambda uow, w, b: link_person(uow, w.jane, "Jane Doe", SlackProfile("UX00000000"), NOW),
    ],
)
def test_only_admins_configure(uow_factory: UowFactory, change: Callable[..., object]) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        with pytest.raises(PermissionDenied, match="Only a plan admin"):
            change(uow, world, board)


# ---------------------------------------------------------------- roles by Slack user


def test_admins_and_members_by_slack_user(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, world.board_id)
        assert board is not None
        sam = SlackProfile(
            "USAM000000", "Sam Smith", title="Head of Quality", email="sam@x.example"
        )
        change = admin.add_member(uow, world.admin, board, sam, NOW)
        assert change.changed and change.person == "Sam Smith"
        assert not admin.add_member(uow, world.admin, board, sam, NOW).changed
        person = uow.session.scalar(select(Person).where(Person.slack_user_id == "USAM000000"))
        assert person is not None and person.email == "sam@x.example"
        assert (Role.MEMBER.value, board.id) in roles_of(uow, person.id)
        assert admin.remove_member(uow, world.admin, board, SlackProfile("USAM000000"), NOW).changed
        assert not admin.remove_member(
            uow, world.admin, board, SlackProfile("UNOBODY000"), NOW
        ).changed

        assert admin.add_admin(uow, world.admin, SlackProfile("UJANE00000"), NOW).changed
        assert admin.remove_admin(uow, world.admin, SlackProfile("UJANE00000"), NOW).changed
        with pytest.raises(Conflict, match="last admin"):
            admin.remove_admin(uow, world.admin, SlackProfile("UADMIN0000"), NOW)
        # Nobody new was made for a Slack user who was never an admin.
        assert not admin.remove_admin(uow, world.admin, SlackProfile("UGHOST0000"), NOW).changed
        assert (
            uow.session.scalar(select(Person).where(Person.slack_user_id == "UGHOST0000")) is None
        )


# ---------------------------------------------------------------- linking owners


def _owner(uow: UnitOfWork, world: World, name: str, title: str | None = None) -> Person:
    """An owner as an import makes them: a name (and title) with no Slack user."""
    person = person_by_name(uow, world.workspace_id, name, title)
    plan = find_plan(uow, world.workspace_id, None)
    action = find_action(uow, plan, "4.1")
    owners = [a.person_id for a in action.assignments if a.role == "owner"]
    set_owners(uow, world.admin, action, [*owners, person.id], NOW)
    return person


def test_unlinked_owners_carry_their_refs_and_any_email_in_the_cell(
    uow_factory: UowFactory,
) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        _owner(uow, world, "Sam Smith", "sam.smith@council.example")
        _owner(uow, world, "Kim Lo", "Head of Quality")
        owners = unlinked_owners(uow, world.admin)
        assert [(o.name, o.email, o.refs) for o in owners] == [
            ("Kim Lo", None, ("4.1",)),
            ("Sam Smith", "sam.smith@council.example", ("4.1",)),
        ]
    assert email_in("Omar (OMAR.Shah@Council.Example)") == "omar.shah@council.example"
    assert email_in("Head of Service") is None


def test_match_by_name_is_exact_and_never_guesses(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        for name in ("Sam Smith", "Pat Jones", "kim"):
            _owner(uow, world, name)
        owners = unlinked_owners(uow, world.admin)
    directory = [
        SlackProfile("USAM000000", "  sam   SMITH "),
        SlackProfile("UPAT100000", "Pat Jones"),
        SlackProfile("UPAT200000", "Pat Jones"),
        SlackProfile("UKIM000000", "Kim Lo", display_name="Kim"),
        SlackProfile("USAMUEL000", "Samuel Smith"),
    ]
    matches, ambiguous = match_by_name(owners, directory)
    assert sorted((m.profile.user_id, m.how) for m in matches) == [
        ("UKIM000000", "name"),
        ("USAM000000", "name"),
    ]
    assert ambiguous == ["Pat Jones"]


def test_link_matches_links_and_never_merges(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        sam = _owner(uow, world, "Sam Smith", "sam.smith@council.example")
        jd = _owner(uow, world, "J. Doe")
        linked = link_matches(
            uow,
            world.admin,
            [
                DirectoryMatch(
                    sam.id, SlackProfile("USAM000000", "Sam Smith", title="HoQ"), "email"
                ),
                DirectoryMatch(jd.id, SlackProfile("UJANE00000", "Jane Doe"), "name"),
            ],
            NOW,
        )
        assert [(item.name, item.user_id, item.how) for item in linked] == [
            ("Sam Smith", "USAM000000", "email")
        ]
        # The address the cell carried became the email; the title is Slack's.
        assert (sam.slack_user_id, sam.email, sam.title) == (
            "USAM000000",
            "sam.smith@council.example",
            "HoQ",
        )
        assert jd.slack_user_id is None  # Jane is already someone: an admin decides
        assert audits(uow, "person.link")[-1].after == {"slack_user": "USAM000000", "by": "email"}


def test_link_person_links_an_owner_to_a_new_slack_user(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        sam = _owner(uow, world, "Sam Smith")
        result = link_person(
            uow, world.admin, "  sam  smith ", SlackProfile("USAM000000", "S S"), NOW
        )
        assert (result.name, result.merged_into, result.actions) == ("Sam Smith", None, 1)
        assert sam.slack_user_id == "USAM000000" and sam.name == "Sam Smith"
        with pytest.raises(Conflict, match="already linked to that Slack user"):
            link_person(uow, world.admin, "Sam Smith", SlackProfile("USAM000000"), NOW)
        with pytest.raises(Conflict, match="already linked to another Slack user"):
            link_person(uow, world.admin, "Sam Smith", SlackProfile("UOTHER0000"), NOW)


def test_link_person_merges_into_the_person_the_slack_user_already_is(
    uow_factory: UowFactory,
) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        plan = find_plan(uow, world.workspace_id, None)
        duplicate = _owner(uow, world, "J. Doe", "Head of Fostering")
        add_action(
            uow,
            world.admin,
            plan,
            "4.2",
            "Review matching",
            NOW,
            due=dt.date(2019, 6, 30),
            owner_ids=[duplicate.id],
        )
        action = find_action(uow, plan, "4.2")
        record_progress(
            uow, world.admin, action, NOW, source="import", note="Started", check_permission=False
        )
        uow.session.execute(update(ProgressUpdate).values(author_id=duplicate.id))
        duplicate_id = duplicate.id
        uow.commit()
    with uow_factory() as uow:
        result = link_person(
            uow, world.admin, "j. doe", SlackProfile("UJANE00000", "Jane Doe"), NOW
        )
        uow.commit()
        assert (result.name, result.merged_into, result.actions) == ("J. Doe", "Jane Doe", 2)
    with uow_factory() as uow:
        assert uow.session.get(Person, duplicate_id) is None
        jane = uow.session.get(Person, world.jane.person_id)
        assert jane is not None and jane.title == "Head of Fostering"
        owners = {
            a["ref"]: [o["name"] for o in a["owners"]]
            for t in plan_snapshots(uow)[0]["themes"]
            for a in t["actions"]
        }
        assert owners == {"4.1": ["Jane Doe"], "4.2": ["Jane Doe"]}
        assert uow.session.scalar(select(func.count()).select_from(ProgressUpdate)) == 1
        assert uow.session.scalar(select(ProgressUpdate.author_id)) == jane.id
        event = audits(uow, "person.merge")[-1]
        assert event.before == {"name": "J. Doe", "person": duplicate_id}


def test_link_person_names_nobody(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        _owner(uow, world, "Samantha Smith")
        with pytest.raises(NotFound, match="Did you mean “Samantha Smith”"):
            link_person(uow, world.admin, "Samantha Smyth", SlackProfile("USAM000000"), NOW)
        with pytest.raises(NotFound, match="`/plan people` lists"):
            link_person(uow, world.admin, "Nobody Atall", SlackProfile("USAM000000"), NOW)


# ---------------------------------------------------------------- import and export


def _sheet(*rows: list[object]) -> bytes:
    return workbook({"Plan": [list(HEADER), *rows]})


def test_import_sheet_into_the_chosen_board_and_export_it_back(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    with uow_factory() as uow:
        second = create_board(uow, world.admin, "Scrutiny Board", NOW)
        second_id = second.id
        choices = admin.import_choices(uow, world.admin)
        assert [name for _, name in choices.boards] == ["Improvement Board", "Scrutiny Board"]
        assert choices.active_plans == (("ILACS plan", "Improvement Board"),)
        uow.commit()
    data = _sheet(
        [5, "Care leavers"],
        [5.1, "Pathway plans", "30/09/2019", "Audit", "Sam Smith, Head of Quality", "Begun"],
    )
    with uow_factory() as uow:
        result = admin.import_sheet(
            uow,
            world.admin,
            read_plan(data, "leaving-care.xlsx"),
            NOW,
            filename="leaving-care.xlsx",
            board_id=second_id,
        )
        uow.commit()
    assert result.summary.board == "Scrutiny Board"
    assert result.summary.plan == "Leaving care"
    with uow_factory() as uow:
        exported = admin.export_plan(uow, world.admin, "Leaving care", "xlsx", NOW)
        assert exported.filename == "leaving-care-2019-05-16.xlsx"
        assert (exported.themes, exported.actions) == (1, 1)
        again = read_plan(exported.content, exported.filename)
        assert [a.ref for t in again.themes for a in t.actions] == ["5.1"]
        markdown = admin.export_plan(uow, world.admin, "ILACS plan", "md", NOW)
        assert b"4.1" in markdown.content and markdown.filename.endswith(".md")


def test_a_failed_import_is_refused_before_anything_is_written(uow_factory: UowFactory) -> None:
    world = build(uow_factory)
    parsed = read_plan(
        _sheet([6, "Early help"], [6.1, "Triage", "May-19", "", "Kim Lo", ""]), "x.xlsx"
    )
    with uow_factory() as uow:
        with pytest.raises(PermissionDenied):
            admin.import_sheet(uow, world.jane, parsed, NOW, filename="x.xlsx")
        with pytest.raises(NotFound, match="no longer exists"):
            admin.import_sheet(uow, world.admin, parsed, NOW, filename="x.xlsx", board_id=999)


def test_a_merged_spelling_is_remembered_by_the_next_import(uow_factory: UowFactory) -> None:
    """The sheet says "J. Doe"; an admin links that to @jane (already a person); next month's
    import of the same sheet must keep Jane as the owner, not bring back an unlinked J. Doe."""
    world = build(uow_factory)
    sheet = _sheet(
        [4, "Placement stability"],
        [4.2, "Review matching", "30/06/2019", "Moves", "J. Doe, Head of Fostering", "Begun"],
    )

    def import_it() -> None:
        with uow_factory() as uow:
            admin.import_sheet(
                uow, world.admin, read_plan(sheet, "plan.xlsx"), NOW, filename="plan.xlsx"
            )
            uow.commit()

    import_it()
    with uow_factory() as uow:
        link_person(uow, world.admin, "J. Doe", SlackProfile("UJANE00000", "Jane Doe"), NOW)
        uow.commit()
    import_it()
    with uow_factory() as uow:
        names = set(uow.session.scalars(select(Person.name)))
        owners = {
            a["ref"]: [(o["name"], o["slack_user"]) for o in a["owners"]]
            for t in plan_snapshots(uow)[0]["themes"]
            for a in t["actions"]
        }
    assert "J. Doe" not in names
    assert owners["4.2"] == [("Jane Doe", "UJANE00000")]
