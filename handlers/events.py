"""Events: a reply in the thread of a reminder DM is a progress update; the App Home tab.

Slack retries an event it thinks was not received (`X-Slack-Retry-Num` over HTTP,
`retry_attempt` in Socket Mode; a retry is a number above 0). An update is
recorded under the event's id, so a retry never records twice; answers that record nothing
(help, refusals) are not repeated on a retry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltRequest
from slack_sdk import WebClient

from bot.core.errors import UserError
from bot.render.challenges import step_message
from bot.render.home import home_view
from bot.render.mrkdwn import refusal
from bot.render.progress import DM_HELP, THREAD_HELP, dm_command_hint, recorded_message
from bot.services import Services
from bot.services.plans import Actor
from bot.services.progress import ThreadReply
from handlers.common import actor_of, is_retry, refusals_go_to
from handlers.grammar.commands import RecordUpdate, RequestDateChange
from handlers.grammar.progress import parse_progress
from handlers.grammar.tokens import readable


def register(app: App, services: Services) -> None:
    progress = services.progress
    publish_home = home_publisher(services)

    @refusals_go_to(_refuse_in_thread)
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
                client.chat_postMessage(
                    channel=channel, text=_dm_answer(str(event.get("text") or ""))
                )
            return
        reply = (
            actor_of(context),
            channel,
            str(thread_ts),
            readable(str(event.get("text") or "")),
            services.clock.now(),
        )
        dedupe_key = _dedupe_key(body, event)
        challenged = services.challenges.thread_answer(*reply, dedupe_key=dedupe_key)
        if challenged.in_challenge_thread:
            done = challenged.done
            if done is not None and not done.duplicate:
                client.chat_postMessage(channel=channel, thread_ts=thread_ts, **step_message(done))
            return
        answered = progress.thread_reply(*reply, dedupe_key=dedupe_key)
        answer = _thread_answer(answered, retry=retry)
        if answer:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, **answer)

    def on_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab", "home") != "home":
            return
        publish_home(client, actor_of(context), str(event["user"]))

    app.event("message")(on_message)
    app.event("app_home_opened")(on_home_opened)


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


def _refuse_in_thread(kwargs: dict[str, Any], error: UserError) -> None:
    """A refused reply is answered in its thread (a DM has nobody else to see it), once."""
    event = kwargs["event"]
    if not is_retry(kwargs["request"]):
        kwargs["client"].chat_postMessage(
            channel=event["channel"],
            thread_ts=event["thread_ts"],
            text=refusal(error.message)["text"],
        )


def _thread_answer(answered: ThreadReply, *, retry: bool) -> dict[str, Any] | None:
    """What to answer in the thread (None: nothing; a retry repeats no help)."""
    if not answered.in_reminder_thread:
        return None if retry else {"text": THREAD_HELP}
    recorded = answered.recorded
    return None if recorded is None or recorded.duplicate else recorded_message(recorded)


def _dedupe_key(body: dict[str, Any], event: dict[str, Any]) -> str:
    if body.get("event_id"):
        return f"event:{body['event_id']}"
    if event.get("client_msg_id"):
        return f"message:{event['client_msg_id']}"
    return f"message:{event.get('channel')}:{event.get('ts')}"


def home_publisher(services: Services) -> Callable[..., None]:
    """(Re)draws a person's Home tab: their open actions and their boards' status by theme."""

    def publish_home(
        client: WebClient, actor: Actor, user_id: str, notice: str | None = None
    ) -> None:
        home = services.views.home(actor, services.clock.now())
        client.views_publish(
            user_id=user_id,
            view=home_view(list(home.actions), list(home.boards), notice, home.away),
        )

    return publish_home
