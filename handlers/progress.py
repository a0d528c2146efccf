"""`/progress`: owners update their actions (DESIGN §4).

Every answer is ephemeral and goes back in the command's ack, within Slack's 3 seconds; a
modal is opened right after the ack. A date-change request's DM to the chair is saved with the
request, and the outbox delivers it.
A ref means the person's own action in an active plan first (bot.services.owner.my_action).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.render.challenges import step_message
from bot.render.cover import absence_ended, absence_set, absences_cancelled
from bot.render.progress import date_change_asked_text, mine_message, recorded_message
from bot.services import Services
from bot.services.linking import SlackProfile
from bot.services.plans import Actor, matching_ref
from handlers.common import actor_of, answers_refusals, not_switched_on
from handlers.grammar import (
    AnswerChallenge,
    CancelAbsence,
    EndAbsence,
    Help,
    ListMine,
    OpenUpdateModal,
    ProgressCommand,
    RecordUpdate,
    RequestDateChange,
    SetAbsence,
    parse_progress,
)
from handlers.interactions import COMMAND, update_modal_for
from handlers.plan_people import users_info
from handlers.request_thread import answer_in_this_thread

# The context key under which the middleware leaves the command it read for the listener.
PARSED = "progress_command"


def register(app: App, services: Services) -> None:
    progress = services.progress

    @answers_refusals
    def on_progress(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        actor = actor_of(context)
        now = services.clock.now()
        trigger_id = str(command.get("trigger_id") or "")
        dedupe_key = f"command:{trigger_id}" if trigger_id else None
        parsed = context.get(PARSED)
        match parse_progress(str(command.get("text") or "")) if parsed is None else parsed:
            case Help(text=text):
                ack(text=text)
            case ListMine():
                ack(**mine_message(progress.mine(actor, now)))
            case OpenUpdateModal(ref=ref):
                view = update_modal_for(progress.update_form(actor, now, ref=ref), COMMAND)
                ack()
                client.views_open(trigger_id=command["trigger_id"], view=view)
            case RecordUpdate(ref=ref, status=status, note=note, impact=impact, evidence=evidence):
                recorded = progress.record(
                    actor,
                    ref,
                    now,
                    status=status,
                    note=note,
                    impact=impact,
                    evidence=evidence,
                    dedupe_key=dedupe_key,
                )
                ack(**recorded_message(recorded))
            case RequestDateChange() as change:
                notice = progress.ask_for_new_date(
                    actor,
                    change.date,
                    change.reason,
                    now,
                    ref=change.ref,
                    precision=change.precision.value,
                    dedupe_key=dedupe_key,
                )
                ack(text=date_change_asked_text(notice))
            case AnswerChallenge(challenge=challenge_id, text=answer):
                done = services.challenges.answer(
                    actor, challenge_id, answer, now, dedupe_key=dedupe_key
                )
                ack(**step_message(done))
            case SetAbsence(start=start, end=end, deputy=deputy, person=None):
                cover = deputy_profile(actor, client, deputy)
                ack(**absence_set(services.cover.set_away(actor, start, end, cover, None, now)))
            case EndAbsence(person=None):
                ack(**absence_ended(services.cover.back(actor, None, now)))
            case CancelAbsence(start=start, person=None):
                ack(**absences_cancelled(services.cover.cancel(actor, start, None, now)))
            case other:
                not_switched_on(other)

    def deputy_profile(actor: Actor, client: WebClient, user: str | None) -> SlackProfile | None:
        if user is None:
            return None
        found = services.people.profiles(actor, [user], lambda u: users_info(client, u))
        return found[user]

    @app.middleware
    def answer_in_request_thread(
        body: dict[str, Any], context: BoltContext, next: Callable[[], Any]
    ) -> Any:
        """`/progress` answers in its ack, except when it opens the update form after it.
        What it read is kept for the listener (`PARSED`), which need not read it again.
        Answers about the same action (a workspace's ref) take turns (handlers.request_thread)."""
        is_progress = body.get("command") == "/progress"
        parsed = _parsed(str(body.get("text") or "")) if is_progress else None
        if parsed is not None:
            context[PARSED] = parsed
        answer_in_this_thread(
            is_progress and not isinstance(parsed, OpenUpdateModal),
            turn_key(context.team_id, parsed),
        )
        return next()

    app.command("/progress")(on_progress)


def turn_key(team_id: str | None, parsed: ProgressCommand | None) -> tuple[str, str] | None:
    """What an answer to `/progress` writes, for taking turns (handlers.request_thread): its
    workspace and the ref it names, as actions are found by it, or None when it names no
    action."""
    ref = getattr(parsed, "ref", None)
    if not team_id or not isinstance(ref, str):
        return None
    return (team_id, matching_ref(ref))


def _parsed(text: str) -> ProgressCommand | None:
    """`/progress text` read, or None when it cannot be: the listener then reads it again and
    answers the mistake in its ack, as it answers any refusal."""
    try:
        return parse_progress(text)
    except UserError:
        return None
