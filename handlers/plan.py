"""`/plan`: admins set up boards and plans (DESIGN §4), and the import modal.

Each line is parsed by `handlers.grammar.parse_plan`, run as one `PlanService` use case (the
people it mentions looked up in Slack first) and answered ephemerally through the response
URL. Slow work — fetching and importing a sheet, building and uploading an export — happens
after the ack.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.render import cover as render_cover
from bot.render import deadlines as render_deadlines
from bot.render import plan as render
from bot.render import privacy as render_privacy
from bot.services import Services
from bot.services.admin import PlanService
from bot.services.linking import PeopleService, SlackProfile
from bot.services.plans import Actor
from handlers import grammar as g
from handlers import plan_import
from handlers.common import Message, actor_of, answers_refusals, reply
from handlers.plan_files import upload_file
from handlers.plan_people import users_info

log = logging.getLogger(__name__)

REMINDER_FIELDS = ("due", "overdue", "escalate", "window", "updates_due", "last_call", "pack")

Answer = Message | list[Message] | None


def register(app: App, services: Services) -> None:
    @answers_refusals
    def on_plan_command(
        ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
    ) -> None:
        ack()
        parsed = g.parse_plan(command.get("text") or "")
        request = _Request(services, client, actor_of(context), services.clock.now(), command)
        reply(respond, _HANDLERS[type(parsed)](parsed, request) or [])

    app.command("/plan")(on_plan_command)
    plan_import.register(app, services)


@dataclass(frozen=True)
class _Request:
    """One `/plan` command: who typed it where and when, and the services to answer with."""

    services: Services
    client: WebClient
    actor: Actor
    now: dt.datetime
    command: dict[str, Any]  # the slash command's payload: where, by whom, its trigger

    @property
    def plans(self) -> PlanService:
        return self.services.plans

    @property
    def people(self) -> PeopleService:
        return self.services.people

    def profiles(self, user_ids: Sequence[str]) -> list[SlackProfile]:
        """Profiles of the people a line mentions (Slack is asked about strangers only)."""
        found = self.people.profiles(self.actor, user_ids, lambda u: users_info(self.client, u))
        return [found[user_id] for user_id in user_ids]

    def profile(self, user_id: str | None) -> SlackProfile | None:
        return self.profiles([user_id])[0] if user_id else None


# ---------------------------------------------------------------- help and setup


def _help(command: g.Help, r: _Request) -> Message:
    return render.text(command.text)


def _setup(command: g.Setup, r: _Request) -> Message:
    r.plans.setup(r.actor, r.now)
    return render.setup_done()


# ---------------------------------------------------------------- boards


def _board_create(command: g.BoardCreate, r: _Request) -> Message:
    chair, channel = r.profile(command.chair), command.channel
    board = r.plans.create_board(r.actor, command.name, r.now, chair=chair, channel_id=channel)
    return render.board_created(board.board, *_chair_and_channel(command, r))


def _board_edit(command: g.BoardEdit, r: _Request) -> Message:
    chair, channel = r.profile(command.chair), command.channel
    board = r.plans.edit_board(r.actor, command.board, r.now, chair=chair, channel_id=channel)
    return render.board_edited(board.board, *_chair_and_channel(command, r))


def _chair_and_channel(
    command: g.BoardCreate | g.BoardEdit, r: _Request
) -> tuple[str | None, str | None, bool | None]:
    """The chair and channel a board line named, and whether the bot is in that channel."""
    return command.chair, command.channel, _bot_in_channel(r.client, command.channel)


def _bot_in_channel(client: WebClient, channel_id: str | None) -> bool | None:
    if not channel_id:
        return None
    try:
        return bool(client.conversations_info(channel=channel_id)["channel"].get("is_member"))
    except SlackApiError:
        return None  # a private channel the bot can't see: nothing useful to say


def _board_meetings(command: g.BoardMeetings, r: _Request) -> Message:
    return render.meetings(
        r.plans.set_meetings(r.actor, command.board, command.rule, r.now, command.time)
    )


def _board_meeting_add(command: g.BoardMeetingAdd, r: _Request) -> Message:
    return render.meeting_added(
        r.plans.add_meeting(r.actor, command.board, command.date, r.now, command.time)
    )


def _board_meeting_cancel(command: g.BoardMeetingCancel, r: _Request) -> Message:
    return render.meeting_cancelled(
        r.plans.cancel_meeting(r.actor, command.board, command.date, r.now)
    )


def _board_reminders(command: g.BoardReminders, r: _Request) -> Message:
    changes = {
        key: getattr(command, key) for key in REMINDER_FIELDS if getattr(command, key) is not None
    }
    return render.reminders(r.plans.set_reminders(r.actor, command.board, changes, r.now))


def _board_pause(command: g.BoardRemindersPause, r: _Request) -> Message:
    return render.reminders(r.plans.pause_reminders(r.actor, command.board, command.until, r.now))


def _board_resume(command: g.BoardRemindersResume, r: _Request) -> Message:
    return render.reminders(r.plans.resume_reminders(r.actor, command.board, r.now), resumed=True)


# ---------------------------------------------------------------- plans, themes, actions


def _plan_new(command: g.PlanNew, r: _Request) -> Message:
    plan = r.plans.create_plan(r.actor, command.board, command.title, r.now)
    return render.plan_created(plan.title, plan.board)


def _plan_list(command: g.PlanList, r: _Request) -> Message:
    return render.plan_list(r.plans.list_plans(r.actor))


def _archive(command: g.PlanArchive, r: _Request) -> Message:
    return render.archived(r.plans.archive(r.actor, command.title, r.now).title)


def _theme_add(command: g.ThemeAdd, r: _Request) -> Message:
    lead = r.profile(command.lead)
    theme = r.plans.add_theme(r.actor, command.plan, command.ref, command.title, r.now, lead=lead)
    return render.theme_added(theme.ref, theme.title, command.lead)


def _theme_edit(command: g.ThemeEdit, r: _Request) -> Message:
    lead = r.profile(command.lead)
    theme = r.plans.edit_theme(
        r.actor, command.plan, command.ref, r.now, title=command.title, lead=lead
    )
    return render.theme_edited(theme.ref, theme.title, theme.changed, command.lead)


def _theme_remove(command: g.ThemeRemove, r: _Request) -> Message:
    theme = r.plans.remove_theme(r.actor, command.plan, command.ref, r.now)
    return render.theme_removed(theme.ref, theme.title)


def _action_add(command: g.ActionAdd, r: _Request) -> Message:
    owners = r.profiles(command.owners)
    action = r.plans.add_action(
        r.actor,
        command.plan,
        command.ref,
        command.title,
        r.now,
        due=command.due.value,
        due_precision=command.due.precision.value,
        owners=owners,
        theme=command.theme,
        measures=command.measures,
    )
    return render.action_added(
        action.ref, action.title, command.due, command.owners, action.theme_ref
    )


def _action_move(command: g.ActionMove, r: _Request) -> Message:
    moved = r.plans.move_action(r.actor, command.plan, command.ref, command.theme, r.now)
    return render.action_moved(
        moved.ref, moved.title, moved.before, moved.theme_ref, moved.theme_title
    )


def _action_edit(command: g.ActionEdit, r: _Request) -> Message:
    edited = r.plans.edit_action(
        r.actor,
        command.plan,
        command.ref,
        r.now,
        title=command.title,
        due=command.due.value if command.due else None,
        due_precision=command.due.precision.value if command.due else None,
        measures=command.measures,
    )
    return render.action_edited(edited.ref, edited.changed)


def _action_owners(command: g.ActionOwners, r: _Request) -> Message:
    owners = r.profiles(command.owners)
    action = r.plans.set_owners(r.actor, command.plan, command.ref, owners, r.now)
    return render.owners_set(action.ref, command.owners)


def _action_delegate(command: g.ActionDelegate, r: _Request) -> Message:
    (delegate,) = r.profiles([command.user])
    action = r.plans.add_delegate(r.actor, command.plan, command.ref, delegate, r.now)
    return render.delegate_added(action.ref, command.user, action.done)


def _action_remove(command: g.ActionRemove, r: _Request) -> Message:
    action = r.plans.remove_action(r.actor, command.plan, command.ref, r.now)
    return render.action_removed(action.ref, action.title)


# ---------------------------------------------------------------- people and roles


def _people(command: g.PeopleList, r: _Request) -> list[Message]:
    people = r.people.unlinked(r.actor)
    return render.people(people.owners) if people.any_plan else [render.people_without_a_plan()]


def _people_link(command: g.PeopleLink, r: _Request) -> Message:
    (person,) = r.profiles([command.user])
    return render.linked(r.people.link(r.actor, command.name, person, r.now))


def _admin_add(command: g.AdminAdd, r: _Request) -> Message:
    (person,) = r.profiles([command.user])
    return render.role_changed(r.plans.add_admin(r.actor, person, r.now), command.user)


def _admin_remove(command: g.AdminRemove, r: _Request) -> Message:
    change = r.plans.remove_admin(r.actor, SlackProfile(command.user), r.now)
    return render.role_removed(change, command.user)


def _member_add(command: g.MemberAdd, r: _Request) -> Message:
    (person,) = r.profiles([command.user])
    change = r.plans.add_member(r.actor, command.board, person, r.now)
    return render.role_changed(change, command.user)


def _member_remove(command: g.MemberRemove, r: _Request) -> Message:
    change = r.plans.remove_member(r.actor, command.board, SlackProfile(command.user), r.now)
    return render.role_removed(change, command.user)


# ---------------------------------------------------------------- export and import


def _export(command: g.PlanExport, r: _Request) -> Message:
    exported = r.plans.export(r.actor, command.plan, command.format, r.now)
    try:
        where = upload_file(
            r.client,
            content=exported.content,
            filename=exported.filename,
            title=exported.plan,
            comment=render.export_comment(exported),
            channel_id=str(r.command.get("channel_id") or ""),
            channel_name=r.command.get("channel_name"),
            user_id=str(r.command.get("user_id")),
        )
    except SlackApiError as error:
        log.warning("uploading an export failed: %s", error.response.get("error"))
        raise UserError(
            "Slack wouldn't take the file just now. Try `/plan export` again in a minute."
        ) from None
    return render.exported(exported, where)


def _import(command: g.PlanImport, r: _Request) -> None:
    choices = r.services.imports.choices(r.actor)
    plan_import.open_form(r.client, r.command.get("trigger_id"), choices)


# ---------------------------------------------------------------- cover, clocks and care


def _privacy_show(command: g.PrivacyShow, r: _Request) -> Message:
    return render_privacy.patterns_message(r.services.privacy.show(r.actor))


def _privacy_change(command: g.PrivacyChange, r: _Request) -> Message:
    changed = r.services.privacy.change(r.actor, command.lines, r.now)
    return render_privacy.patterns_message(changed, changed=changed.changed)


def _privacy_reset(command: g.PrivacyReset, r: _Request) -> Message:
    changed = r.services.privacy.reset(r.actor, r.now)
    return render_privacy.patterns_message(changed, changed=changed.changed)


def _privacy_switch(command: g.PrivacySwitch, r: _Request) -> Message:
    switched = r.services.privacy.switch(r.actor, command.on, r.now)
    return render_privacy.switched_message(switched)


def _deadline_add(command: g.DeadlineAdd, r: _Request) -> Message:
    change = r.services.deadlines.add(
        r.actor,
        command.request,
        r.profile(command.owner),
        command.board,
        r.now,
        change=command.change,
    )
    return render_deadlines.deadline_set(change)


def _deadline_remove(command: g.DeadlineRemove, r: _Request) -> Message:
    removed = r.services.deadlines.remove(r.actor, command.title, command.board, r.now)
    return render_deadlines.deadline_removed(removed)


def _deadline_list(command: g.DeadlineList, r: _Request) -> Message:
    views = r.services.deadlines.listed(r.actor, command.board, r.now, every_board=True)
    return render_deadlines.deadlines_message(views, every_board=True)


def _people_away(command: g.SetAbsence, r: _Request) -> Message:
    person = r.profile(command.person)
    away = r.services.cover.set_away(
        r.actor, command.start, command.end, r.profile(command.deputy), person, r.now
    )
    return render_cover.absence_set(away)


def _people_back(command: g.EndAbsence, r: _Request) -> Message:
    return render_cover.absence_ended(
        r.services.cover.back(r.actor, r.profile(command.person), r.now)
    )


def _people_away_cancel(command: g.CancelAbsence, r: _Request) -> Message:
    cancelled = r.services.cover.cancel(r.actor, command.start, r.profile(command.person), r.now)
    return render_cover.absences_cancelled(cancelled)


_HANDLERS: dict[type, Callable[[Any, _Request], Answer]] = {
    g.Help: _help,
    g.Setup: _setup,
    g.BoardCreate: _board_create,
    g.BoardEdit: _board_edit,
    g.BoardMeetings: _board_meetings,
    g.BoardMeetingAdd: _board_meeting_add,
    g.BoardMeetingCancel: _board_meeting_cancel,
    g.BoardReminders: _board_reminders,
    g.BoardRemindersPause: _board_pause,
    g.BoardRemindersResume: _board_resume,
    g.PlanNew: _plan_new,
    g.PlanList: _plan_list,
    g.PlanArchive: _archive,
    g.ThemeAdd: _theme_add,
    g.ThemeEdit: _theme_edit,
    g.ThemeRemove: _theme_remove,
    g.ActionAdd: _action_add,
    g.ActionMove: _action_move,
    g.ActionEdit: _action_edit,
    g.ActionOwners: _action_owners,
    g.ActionDelegate: _action_delegate,
    g.ActionRemove: _action_remove,
    g.PeopleList: _people,
    g.PeopleLink: _people_link,
    g.AdminAdd: _admin_add,
    g.AdminRemove: _admin_remove,
    g.MemberAdd: _member_add,
    g.MemberRemove: _member_remove,
    g.PlanExport: _export,
    g.PlanImport: _import,
    g.PrivacyShow: _privacy_show,
    g.PrivacyChange: _privacy_change,
    g.PrivacyReset: _privacy_reset,
    g.PrivacySwitch: _privacy_switch,
    g.DeadlineAdd: _deadline_add,
    g.DeadlineRemove: _deadline_remove,
    g.DeadlineList: _deadline_list,
    g.SetAbsence: _people_away,
    g.EndAbsence: _people_back,
    g.CancelAbsence: _people_away_cancel,
}
