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

from bot.core.errors import UserError
from bot.render.mrkdwn import refusal
from bot.render.progress import date_change_asked_text, mine_message, recorded_message
from bot.services import Services
from bot.services.owner import (
    ask_for_new_date,
    date_change_notice,
    my_action,
    my_open_actions,
    record_update,
)
from bot.services.plans import Actor
from handlers.common import actor_of, services_of
from handlers.grammar import (
    Help,
    ListMine,
    OpenUpdateModal,
    RecordUpdate,
    RequestDateChange,
    parse_progress,
)
from handlers.interactions import COMMAND, update_form_view


def register(app: App, services: Services) -> None:
    app.command("/progress")(on_progress)


def on_progress(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    services = services_of(context)
    try:
        actor = actor_of(context)
        match parse_progress(str(command.get("text") or "")):
            case Help(text=text):
                ack(text=text)
            case ListMine():
                ack(**_mine(services, actor))
            case OpenUpdateModal(ref=ref):
                view = update_form_view(services, actor, COMMAND, ref=ref)
                ack()
                client.views_open(trigger_id=command["trigger_id"], view=view)
            case RecordUpdate() as update:
                ack(**_record(services, actor, update, str(command.get("trigger_id") or "")))
            case RequestDateChange() as change:
                trigger_id = str(command.get("trigger_id") or "")
                request_id, answer = _ask(services, actor, change, trigger_id)
                ack(**answer)
    except UserError as error:
        ack(**refusal(error.message))


def _mine(services: Services, actor: Actor) -> dict[str, Any]:
    with services.uow() as uow:
        return mine_message(my_open_actions(uow, actor, services.clock.now()))


def _record(
    services: Services, actor: Actor, update: RecordUpdate, trigger_id: str
) -> dict[str, Any]:
    with services.uow() as uow:
        action = my_action(uow, actor, update.ref)
        recorded = record_update(
            uow,
            actor,
            action,
            services.clock.now(),
            source="command",
            status=update.status,
            note=update.note,
            dedupe_key=f"command:{trigger_id}" if trigger_id else None,
        )
        uow.commit()
    return recorded_message(recorded)


def _ask(
    services: Services, actor: Actor, change: RequestDateChange, trigger_id: str
) -> tuple[int, dict[str, Any]]:
    with services.uow() as uow:
        action = my_action(uow, actor, change.ref)
        request_id = ask_for_new_date(
            uow,
            actor,
            action,
            change.date,
            change.reason,
            services.clock.now(),
            precision=change.precision.value,
            dedupe_key=f"command:{trigger_id}" if trigger_id else None,
        )
        notice = date_change_notice(uow, request_id)
        uow.commit()
    return request_id, {"text": date_change_asked_text(notice)}
