"""`/progress`: owners update their actions (DESIGN §4).

Every answer is ephemeral and goes back in the command's ack, within Slack's 3 seconds; a
modal is opened right after the ack. A date-change request's DM to the chair is saved with the
request, and the outbox delivers it.
A ref means the person's own action in an active plan first (bot.services.owner.my_action).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.render.challenges import step_message
from bot.render.progress import date_change_asked_text, mine_message, recorded_message
from bot.services import Services
from handlers.common import actor_of, answers_refusals, not_switched_on
from handlers.grammar import (
    AnswerChallenge,
    Help,
    ListMine,
    OpenUpdateModal,
    RecordUpdate,
    RequestDateChange,
    parse_progress,
)
from handlers.interactions import COMMAND, update_modal_for


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
        match parse_progress(str(command.get("text") or "")):
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
            case other:
                not_switched_on(other)

    app.command("/progress")(on_progress)
