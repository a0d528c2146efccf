"""What every listener shares: who is acting, and how a use case's answer or refusal reaches them.

A listener parses its payload, calls one use case inside `services.uow()`, and renders the
result; a UserError becomes a short ephemeral line saying what to type instead.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import BoltContext, BoltRequest

from bot.core.errors import UserError
from bot.render.mrkdwn import refusal as refusal_message
from bot.services import Services
from bot.services.plans import Actor

log = logging.getLogger(__name__)


@dataclass
class Reply:
    """An ephemeral answer: text (mrkdwn, already escaped) and optional blocks."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def as_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"text": self.text}
        if self.blocks:
            kwargs["blocks"] = self.blocks
        return kwargs


def services_of(context: BoltContext) -> Services:
    return context["services"]


def actor_of(context: BoltContext) -> Actor:
    actor = context.get("actor")
    if actor is None and context.get("actor_error") is not None:
        raise context["actor_error"]
    if actor is None:
        raise UserError("I couldn't tell who you are. Please try again from a Slack workspace.")
    return actor


def refusal(error: UserError) -> Reply:
    """A refusal quotes what the person typed, so it is escaped like any user text."""
    return Reply(**refusal_message(error.message))


def reply_or_refuse(work: Callable[[], Reply]) -> Reply:
    """Run a use case and its rendering; a UserError becomes a friendly refusal."""
    try:
        return work()
    except UserError as error:
        return refusal(error)


def answers_refusals(listener: Callable[..., None]) -> Callable[..., None]:
    """A UserError raised by the listener (after its ack) becomes a short ephemeral reply.

    Bolt passes listener arguments by name and reads them from the unwrapped function, so
    the listener asks for `respond` (and `body`, `client`) as usual; the reply goes through
    the response URL when there is one, else as an ephemeral message in the channel.
    """

    @functools.wraps(listener)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            listener(*args, **kwargs)
        except UserError as error:
            tell_ephemerally(kwargs, refusal_message(error.message))

    return wrapper


def tell_ephemerally(kwargs: dict[str, Any], message: dict[str, Any]) -> None:
    body: dict[str, Any] = kwargs.get("body") or kwargs.get("command") or {}
    respond = kwargs.get("respond")
    if respond is not None and body.get("response_url"):
        respond(**message, response_type="ephemeral", replace_original=False)
        return
    client = kwargs.get("client")
    context = kwargs.get("context")
    channel = (
        (body.get("channel") or {}).get("id") if isinstance(body.get("channel"), dict) else None
    )
    channel = channel or body.get("channel_id") or (context.channel_id if context else None)
    user = (context.user_id if context else None) or body.get("user_id")
    if client is not None and channel and user:
        client.chat_postEphemeral(channel=channel, user=user, **message)
    else:
        log.warning("a refusal had nowhere to go: %s", message.get("text"))


def is_retry(request: BoltRequest) -> bool:
    """Whether Slack is delivering this event again.

    Over HTTP a first delivery has no `X-Slack-Retry-Num`; in Socket Mode every envelope
    carries `retry_attempt`, 0 on the first delivery, which Bolt copies into that header.
    """
    values = request.headers.get("x-slack-retry-num") or []
    value = values[0] if isinstance(values, list | tuple) and values else values
    try:
        return int(str(value or "0").strip()) > 0
    except ValueError:
        return False
