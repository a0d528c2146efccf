"""The Approve / Decline buttons on a date-change request.

The decision and the DM telling whoever asked are saved in one transaction
(bot.services.date_changes); the outbox then delivers that DM and brings the approvers'
messages up to date. The listener posts nothing itself but its own answer.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, Args

from bot.render import ids
from bot.render.mrkdwn import within_one_message
from bot.render.progress import date_change_decided_message
from bot.services import Services
from handlers.common import actor_of, answers_refusals


def register(app: App, services: Services) -> None:
    app.action(ids.APPROVE_DATE_CHANGE)(deciding(services, approve=True))
    app.action(ids.DECLINE_DATE_CHANGE)(deciding(services, approve=False))


def deciding(services: Services, *, approve: bool) -> Callable[..., None]:
    """The listener of the Approve (or Decline) button."""

    @answers_refusals
    def on_click(args: Args) -> None:
        args.ack()
        request_id = int(args.payload.get("value") or 0)
        decided = services.date_changes.decide(
            actor_of(args.context), request_id, approve, services.clock.now()
        )
        if (args.body.get("container") or {}).get("is_ephemeral"):
            # Clicked on a `/board approve` list: the approvers' DMs are brought up to date
            # by the outbox, but this list is not theirs to edit, so confirm here.
            args.respond(
                **within_one_message(date_change_decided_message(decided.notice)),
                response_type="ephemeral",
                replace_original=False,
            )

    return on_click
