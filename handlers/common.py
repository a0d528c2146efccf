"""What every listener shares: who is acting, and how a use case's answer or refusal reaches them.

A listener parses its payload, calls one use case inside `services.uow()`, and renders the
result; a UserError becomes a short ephemeral line saying what to type instead.
"""

from __future__ import annotations

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
