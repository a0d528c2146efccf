"""What every listener shares: who is acting, and how a use case's answer or refusal reaches them.

A listener acks, parses its payload, calls one use case (a method of a service bound when the
listener was registered), renders the result and replies; a UserError becomes a short
ephemeral line saying what to type instead. Every reply is a `Message`: the keyword arguments
of one Slack message (`text`, and `blocks` when there are any).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

from slack_bolt import Args, BoltContext, BoltRequest, Respond

from bot.core.errors import UserError
from bot.render.mrkdwn import refusal as refusal_message
from bot.services.plans import Actor

Message = dict[str, Any]

log = logging.getLogger(__name__)


def actor_of(context: BoltContext) -> Actor:
    actor = context.get("actor")
    if actor is None and context.get("actor_error") is not None:
        raise context["actor_error"]
    if actor is None:
        raise UserError("I couldn't tell who you are. Please try again from a Slack workspace.")
    return actor


Listener = Callable[..., None]


def refusals_go_to(
    tell: Callable[[dict[str, Any], UserError], None],
) -> Callable[[Listener], Listener]:
    """A UserError raised by the listener is answered by `tell(listener's kwargs, error)`.

    Bolt passes listener arguments by name and reads them from the unwrapped function, so
    the listener asks for what `tell` needs (`ack`, `respond`, `body`, `client`) as usual —
    or takes them all as Bolt's one `args: Args`.
    """

    def decorate(listener: Listener) -> Listener:
        @functools.wraps(listener)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            try:
                listener(*args, **kwargs)
            except UserError as error:
                tell(_by_name(kwargs), error)

        return wrapper

    return decorate


_ARGUMENT_NAMES = (
    "ack",
    "action",
    "body",
    "client",
    "command",
    "context",
    "event",
    "request",
    "respond",
    "view",
)


def _by_name(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A listener's arguments by name, also when it took them as Bolt's `args: Args`."""
    bundle = kwargs.get("args")
    if not isinstance(bundle, Args):
        return kwargs
    return {name: getattr(bundle, name) for name in _ARGUMENT_NAMES}


def _ack_or_tell_ephemerally(kwargs: dict[str, Any], error: UserError) -> None:
    ack = kwargs.get("ack")
    if ack is not None and getattr(ack, "response", None) is None:
        ack(**refusal_message(error.message))
    else:
        tell_ephemerally(kwargs, refusal_message(error.message))


def answers_refusals(listener: Listener) -> Listener:
    """A UserError raised by the listener becomes a short ephemeral reply.

    Before the ack, the refusal is the ack's answer (a slash command's reply rides on it).
    After it, the reply goes through the response URL when there is one, else as an
    ephemeral message in the channel.
    """
    return refusals_go_to(_ack_or_tell_ephemerally)(listener)


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


def reply(respond: Respond, messages: Message | Iterable[Message]) -> None:
    """Answer a command or a button ephemerally through its response URL, leaving the
    message it came from as it is."""
    for message in [messages] if isinstance(messages, dict) else messages:
        respond(**message, response_type="ephemeral", replace_original=False)


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


def not_switched_on(command: object) -> NoReturn:
    """The grammar knows this command but no use case answers it yet: say so, change nothing."""
    name = type(command).__name__
    raise UserError(
        f"I understood that, but this version can't do it yet ({name}); nothing was changed. "
        "Type `help` after the command to see what it can do."
    )
