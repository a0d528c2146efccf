"""`/plan`: admins set up boards and plans (DESIGN §4), and the import modal.

Each line is parsed by `handlers.grammar.parse_plan`, run as one use case in one unit of
work, and answered ephemerally through the response URL. Slow work — fetching and importing
a sheet, building and uploading an export — happens after the ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.render import ids
from bot.render import plan as render
from bot.render.mrkdwn import refusal
from bot.services import Services, admin
from bot.services.linking import SlackProfile, link_person, unlinked_owners
from bot.services.plans import (
    Actor,
    add_action,
    add_delegate,
    add_theme,
    archive_plan,
    create_board,
    create_plan,
    edit_action,
    edit_theme,
    find_action,
    find_board,
    find_plan,
    find_theme,
    has_active_plan,
    list_plans,
    move_action,
    remove_action,
    remove_theme,
    set_board_chair,
    set_board_channel,
    set_owners,
    setup_first_admin,
)
from handlers.common import actor_of, services_of
from handlers.grammar import (
    ActionAdd,
    ActionDelegate,
    ActionEdit,
    ActionMove,
    ActionOwners,
    ActionRemove,
    AdminAdd,
    AdminRemove,
    BoardCreate,
    BoardEdit,
    BoardMeetingAdd,
    BoardMeetingCancel,
    BoardMeetings,
    BoardReminders,
    BoardRemindersPause,
    BoardRemindersResume,
    Help,
    MemberAdd,
    MemberRemove,
    PeopleLink,
    PeopleList,
    PlanArchive,
    PlanCommand,
    PlanExport,
    PlanImport,
    PlanList,
    PlanNew,
    Setup,
    ThemeAdd,
    ThemeEdit,
    ThemeRemove,
    parse_plan,
)
from handlers.plan_files import upload_file
from handlers.plan_import import on_import_submitted, open_import_form
from handlers.plan_people import fetch_profiles

log = logging.getLogger(__name__)

REMINDER_FIELDS = ("due", "overdue", "escalate", "window", "updates_due", "last_call", "pack")


def register(app: App, services: Services) -> None:
    app.command("/plan")(on_plan_command)
    app.view(ids.IMPORT_MODAL)(on_import_submitted)


@dataclass(frozen=True)
class _Request:
    """One `/plan` command: who typed it where, and the parts to act with."""

    services: Services
    client: WebClient
    actor: Actor
    user_id: str
    channel_id: str
    channel_name: str | None
    trigger_id: str | None

    def profiles(self, user_ids: tuple[str, ...] | list[str]) -> dict[str, SlackProfile]:
        return fetch_profiles(self.services, self.client, self.actor, list(user_ids))


def on_plan_command(
    ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    ack()
    try:
        parsed = parse_plan(command.get("text") or "")
        request = _Request(
            services=services_of(context),
            client=client,
            actor=actor_of(context),
            user_id=str(command.get("user_id")),
            channel_id=str(command.get("channel_id") or ""),
            channel_name=command.get("channel_name"),
            trigger_id=command.get("trigger_id"),
        )
        reply = _run(parsed, request)
    except UserError as error:
        reply = refusal(error.message)
    for message in [reply] if isinstance(reply, dict) else reply or []:
        respond(**message, response_type="ephemeral", replace_original=False)


def _run(command: PlanCommand, request: _Request) -> render.Message | list[render.Message] | None:
    """The one use case the command names, rendered."""
    return _HANDLERS[type(command)](command, request)


# ---------------------------------------------------------------- help and setup


def _help(command: Help, request: _Request) -> render.Message:
    return render.text(command.text)


def _setup(command: Setup, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        setup_first_admin(uow, request.actor, services.clock.now())
        uow.commit()
    return render.setup_done()


# ---------------------------------------------------------------- boards


def _board_create(command: BoardCreate, request: _Request) -> render.Message:
    services = request.services
    chair = request.profiles([command.chair])[command.chair] if command.chair else None
    with services.uow() as uow:
        chair_id = admin.person_for_profile(uow, request.actor, chair).id if chair else None
        board = create_board(
            uow,
            request.actor,
            command.name,
            services.clock.now(),
            chair_id=chair_id,
            channel_id=command.channel,
            timezone=services.settings.timezone,
            region=services.settings.region,
        )
        name = board.name
        uow.commit()
    in_channel = _bot_in_channel(request.client, command.channel) if command.channel else None
    return render.board_created(name, command.chair, command.channel, in_channel)


def _board_edit(command: BoardEdit, request: _Request) -> render.Message:
    services = request.services
    chair = request.profiles([command.chair])[command.chair] if command.chair else None
    now = services.clock.now()
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        if chair is not None:
            chair_id = admin.person_for_profile(uow, request.actor, chair).id
            set_board_chair(uow, request.actor, board, chair_id, now)
        if command.channel:
            set_board_channel(uow, request.actor, board, command.channel, now)
        name = board.name
        uow.commit()
    in_channel = _bot_in_channel(request.client, command.channel) if command.channel else None
    return render.board_edited(name, command.chair, command.channel, in_channel)


def _bot_in_channel(client: WebClient, channel_id: str) -> bool | None:
    try:
        return bool(client.conversations_info(channel=channel_id)["channel"].get("is_member"))
    except SlackApiError:
        return None  # a private channel the bot can't see: nothing useful to say


def _board_meetings(command: BoardMeetings, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.set_meetings(
            uow, request.actor, board, command.rule, services.clock.now(), time=command.time
        )
        uow.commit()
    return render.meetings(view)


def _board_meeting_add(command: BoardMeetingAdd, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.add_meeting(
            uow, request.actor, board, command.date, services.clock.now(), time=command.time
        )
        uow.commit()
    return render.meeting_added(view)


def _board_meeting_cancel(command: BoardMeetingCancel, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.cancel_meeting(uow, request.actor, board, command.date, services.clock.now())
        uow.commit()
    return render.meeting_cancelled(view)


def _board_reminders(command: BoardReminders, request: _Request) -> render.Message:
    services = request.services
    changes = {
        key: getattr(command, key) for key in REMINDER_FIELDS if getattr(command, key) is not None
    }
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.set_reminders(uow, request.actor, board, changes, services.clock.now())
        uow.commit()
    return render.reminders(view)


def _board_pause(command: BoardRemindersPause, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.pause_reminders(uow, request.actor, board, command.until, services.clock.now())
        uow.commit()
    return render.reminders(view)


def _board_resume(command: BoardRemindersResume, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        view = admin.resume_reminders(uow, request.actor, board, services.clock.now())
        uow.commit()
    return render.reminders(view, resumed=True)


# ---------------------------------------------------------------- plans, themes, actions


def _plan_new(command: PlanNew, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        plan = create_plan(uow, request.actor, board, command.title, services.clock.now())
        title, board_name = plan.title, board.name
        uow.commit()
    return render.plan_created(title, board_name)


def _theme_add(command: ThemeAdd, request: _Request) -> render.Message:
    services = request.services
    lead = request.profiles([command.lead])[command.lead] if command.lead else None
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        lead_id = admin.person_for_profile(uow, request.actor, lead).id if lead else None
        theme = add_theme(
            uow,
            request.actor,
            plan,
            command.ref,
            command.title,
            services.clock.now(),
            lead_id=lead_id,
        )
        ref, title = theme.ref, theme.title
        uow.commit()
    return render.theme_added(ref, title, command.lead)


def _plan_list(command: PlanList, request: _Request) -> render.Message:
    with request.services.uow() as uow:
        boards = list_plans(uow, request.actor)
    return render.plan_list(boards)


def _theme_edit(command: ThemeEdit, request: _Request) -> render.Message:
    services = request.services
    lead = request.profiles([command.lead])[command.lead] if command.lead else None
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        theme = find_theme(uow, plan, command.ref)
        lead_id = admin.person_for_profile(uow, request.actor, lead).id if lead else None
        changes = edit_theme(
            uow, request.actor, theme, services.clock.now(), title=command.title, lead_id=lead_id
        )
        ref, title = theme.ref, theme.title
        uow.commit()
    return render.theme_edited(ref, title, changes, command.lead)


def _theme_remove(command: ThemeRemove, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        theme = find_theme(uow, plan, command.ref)
        ref, title = theme.ref, theme.title
        remove_theme(uow, request.actor, theme, services.clock.now())
        uow.commit()
    return render.theme_removed(ref, title)


def _action_move(command: ActionMove, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        action = find_action(uow, plan, command.ref)
        theme = find_theme(uow, plan, command.theme)
        before = move_action(uow, request.actor, action, theme, services.clock.now())
        ref, title, theme_ref, theme_title = action.ref, action.title, theme.ref, theme.title
        uow.commit()
    return render.action_moved(ref, title, before, theme_ref, theme_title)


def _action_add(command: ActionAdd, request: _Request) -> render.Message:
    services = request.services
    profiles = request.profiles(command.owners)
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        owner_ids = [
            admin.person_for_profile(uow, request.actor, profiles[u]).id for u in command.owners
        ]
        action = add_action(
            uow,
            request.actor,
            plan,
            command.ref,
            command.title,
            services.clock.now(),
            due=command.due.value,
            due_precision=command.due.precision.value,
            owner_ids=owner_ids,
            theme_ref=command.theme,
            measures=command.measures,
        )
        ref, title, theme_ref = action.ref, action.title, action.theme.ref
        uow.commit()
    return render.action_added(ref, title, command.due, command.owners, theme_ref)


def _action_edit(command: ActionEdit, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        action = find_action(uow, plan, command.ref)
        changes = edit_action(
            uow,
            request.actor,
            action,
            services.clock.now(),
            title=command.title,
            due=command.due.value if command.due else None,
            due_precision=command.due.precision.value if command.due else None,
            measures=command.measures,
        )
        ref = action.ref
        uow.commit()
    return render.action_edited(ref, changes)


def _action_owners(command: ActionOwners, request: _Request) -> render.Message:
    services = request.services
    profiles = request.profiles(command.owners)
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        action = find_action(uow, plan, command.ref)
        owner_ids = [
            admin.person_for_profile(uow, request.actor, profiles[u]).id for u in command.owners
        ]
        set_owners(uow, request.actor, action, owner_ids, services.clock.now())
        ref = action.ref
        uow.commit()
    return render.owners_set(ref, command.owners)


def _action_delegate(command: ActionDelegate, request: _Request) -> render.Message:
    services = request.services
    profile = request.profiles([command.user])[command.user]
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        action = find_action(uow, plan, command.ref)
        person = admin.person_for_profile(uow, request.actor, profile)
        added = add_delegate(uow, request.actor, action, person.id, services.clock.now())
        ref = action.ref
        uow.commit()
    return render.delegate_added(ref, command.user, added)


def _action_remove(command: ActionRemove, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.plan)
        action = find_action(uow, plan, command.ref)
        remove_action(uow, request.actor, action, services.clock.now())
        ref, title = action.ref, action.title
        uow.commit()
    return render.action_removed(ref, title)


def _archive(command: PlanArchive, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        plan = find_plan(uow, request.actor.workspace_id, command.title)
        archive_plan(uow, request.actor, plan, services.clock.now())
        title = plan.title
        uow.commit()
    return render.archived(title)


# ---------------------------------------------------------------- people and roles


def _people(command: PeopleList, request: _Request) -> list[render.Message]:
    with request.services.uow() as uow:
        owners = unlinked_owners(uow, request.actor)
        any_plan = has_active_plan(uow, request.actor.workspace_id)
    if not any_plan:
        return render.people_without_a_plan()
    return render.people(owners)


def _people_link(command: PeopleLink, request: _Request) -> render.Message:
    services = request.services
    profile = request.profiles([command.user])[command.user]
    with services.uow() as uow:
        result = link_person(uow, request.actor, command.name, profile, services.clock.now())
        uow.commit()
    return render.linked(result)


def _admin_add(command: AdminAdd, request: _Request) -> render.Message:
    services = request.services
    profile = request.profiles([command.user])[command.user]
    with services.uow() as uow:
        change = admin.add_admin(uow, request.actor, profile, services.clock.now())
        uow.commit()
    return render.role_changed(change, command.user)


def _admin_remove(command: AdminRemove, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        change = admin.remove_admin(
            uow, request.actor, SlackProfile(command.user), services.clock.now()
        )
        uow.commit()
    return render.role_removed(change, command.user)


def _member_add(command: MemberAdd, request: _Request) -> render.Message:
    services = request.services
    profile = request.profiles([command.user])[command.user]
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        change = admin.add_member(uow, request.actor, board, profile, services.clock.now())
        uow.commit()
    return render.role_changed(change, command.user)


def _member_remove(command: MemberRemove, request: _Request) -> render.Message:
    services = request.services
    with services.uow() as uow:
        board = find_board(uow, request.actor.workspace_id, command.board)
        change = admin.remove_member(
            uow, request.actor, board, SlackProfile(command.user), services.clock.now()
        )
        uow.commit()
    return render.role_removed(change, command.user)


# ---------------------------------------------------------------- export


def _export(command: PlanExport, request: _Request) -> render.Message:
    services = request.services
    now = services.clock.now()
    with services.uow() as uow:
        exported = admin.export_plan(uow, request.actor, command.plan, command.format, now)
    try:
        where = upload_file(
            request.client,
            content=exported.content,
            filename=exported.filename,
            title=exported.plan,
            comment=render.export_comment(exported),
            channel_id=request.channel_id,
            channel_name=request.channel_name,
            user_id=request.user_id,
        )
    except SlackApiError as error:
        log.warning("uploading an export failed: %s", error.response.get("error"))
        raise UserError(
            "Slack wouldn't take the file just now. Try `/plan export` again in a minute."
        ) from None
    return render.exported(exported, where)


# ---------------------------------------------------------------- import


def _import(command: PlanImport, request: _Request) -> None:
    open_import_form(request.services, request.client, request.actor, request.trigger_id)


_HANDLERS: dict[type, Callable[[Any, _Request], render.Message | list[render.Message] | None]] = {
    Help: _help,
    Setup: _setup,
    BoardCreate: _board_create,
    BoardEdit: _board_edit,
    BoardMeetings: _board_meetings,
    BoardMeetingAdd: _board_meeting_add,
    BoardMeetingCancel: _board_meeting_cancel,
    BoardReminders: _board_reminders,
    BoardRemindersPause: _board_pause,
    BoardRemindersResume: _board_resume,
    PlanNew: _plan_new,
    PlanList: _plan_list,
    ThemeAdd: _theme_add,
    ThemeEdit: _theme_edit,
    ThemeRemove: _theme_remove,
    ActionAdd: _action_add,
    ActionMove: _action_move,
    ActionEdit: _action_edit,
    ActionOwners: _action_owners,
    ActionDelegate: _action_delegate,
    ActionRemove: _action_remove,
    PlanArchive: _archive,
    PeopleList: _people,
    PeopleLink: _people_link,
    AdminAdd: _admin_add,
    AdminRemove: _admin_remove,
    MemberAdd: _member_add,
    MemberRemove: _member_remove,
    PlanExport: _export,
    PlanImport: _import,
}
