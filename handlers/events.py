"""Events: a reply in the thread of a reminder DM is a progress update; the App Home tab.

Slack retries an event it thinks was not received (`X-Slack-Retry-Num` over HTTP,
`retry_attempt` in Socket Mode; a retry is a number above 0). An update is
recorded under the event's id, so a retry never records twice; answers that record nothing
(help, refusals) are not repeated on a retry.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot.core.errors import UserError
from bot.render.home import home_view
from bot.render.mrkdwn import refusal
from bot.render.progress import DM_HELP, THREAD_HELP, dm_command_hint, recorded_text
from bot.services import Services
from bot.services.owner import (
    find_reminder_thread,
    my_boards_status,
    my_open_actions,
    record_thread_reply,
)
from bot.services.plans import Actor
from handlers.common import actor_of, is_retry, services_of
from handlers.grammar.commands import RecordUpdate, RequestDateChange
from handlers.grammar.progress import parse_progress
from handlers.grammar.tokens import readable

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    app.event("message")(on_message)
    app.event("app_home_opened")(on_home_opened)


def on_message(
    body: dict[str, Any],
    event: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    request: BoltRequest,
) -> None:
    """A message in a DM with the bot: a reminder-thread reply records an update."""
    if event.get("subtype") or event.get("bot_id") or not event.get("user"):
        return  # edits, deletions, joins, and messages from bots (this one included)
    if event.get("channel_type") != "im":
        return
    channel = str(event["channel"])
    thread_ts = event.get("thread_ts")
    retry = is_retry(request)
    if not thread_ts or thread_ts == event.get("ts"):
        if not retry:
            client.chat_postMessage(channel=channel, text=_dm_answer(str(event.get("text") or "")))
        return
    answer = _thread_reply(context, body, event, channel, str(thread_ts), retry=retry)
    if answer:
        client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=answer)


def _dm_answer(text: str) -> str:
    """General help, or the exact `/progress` line when the DM reads like an update."""
    typed = readable(text).strip()
    try:
        command = parse_progress(typed)
    except UserError:
        return DM_HELP
    if isinstance(command, RecordUpdate | RequestDateChange):
        return dm_command_hint(typed)
    return DM_HELP


def _thread_reply(
    context: BoltContext,
    body: dict[str, Any],
    event: dict[str, Any],
    channel: str,
    thread_ts: str,
    *,
    retry: bool,
) -> str | None:
    """What to answer in the thread (None: nothing)."""
    services = services_of(context)
    text = readable(str(event.get("text") or ""))
    dedupe_key = _dedupe_key(body, event)
    try:
        actor = actor_of(context)
        with services.uow() as uow:
            thread = find_reminder_thread(uow, actor.workspace_id, channel, thread_ts)
            if thread is None:
                return None if retry else THREAD_HELP
            recorded = record_thread_reply(
                uow, actor, thread, text, services.clock.now(), dedupe_key=dedupe_key
            )
            uow.commit()
    except UserError as error:
        return None if retry else refusal(error.message)["text"]
    except IntegrityError:
        # The same event delivered twice at once on PostgreSQL: both passed the duplicate
        # check and the unique dedupe key stopped the second. (SQLite serialises writers.)
        log.info("thread reply %s was recorded by a concurrent delivery", dedupe_key)
        return None
    return None if recorded.duplicate else recorded_text(recorded)


def _dedupe_key(body: dict[str, Any], event: dict[str, Any]) -> str:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if event.get("client_msg_id"):
        return f"message:{event['client_msg_id']}"
    return f"message:{event.get('channel')}:{event.get('ts')}"


def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    if event.get("tab", "home") != "home":
        return
    publish_home(services_of(context), client, actor_of(context), str(event["user"]))


def publish_home(
    services: Services,
    client: WebClient,
    actor: Actor,
    user_id: str,
    notice: str | None = None,
) -> None:
    """(Re)draw a person's Home tab: their open actions and their boards' status by theme."""
    now = services.clock.now()
    with services.patient_uow() as uow:  # drawn after the answer, so it may wait
        items = my_open_actions(uow, actor, now)
        boards = my_boards_status(uow, actor, now)
    client.views_publish(user_id=user_id, view=home_view(items, boards, notice))
