"""The Approve / Decline buttons on a date-change request.

The decision and the DM telling whoever asked are saved in one transaction
(bot.services.date_changes); the outbox then delivers that DM and brings the approvers'
messages up to date. The listener posts nothing itself but its own answer.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.render import ids
from bot.render.mrkdwn import within_one_message
from bot.render.progress import date_change_decided_message
from bot.services import Services
from handlers.common import actor_of, answers_refusals


def register(app: App, services: Services) -> None:
    @answers_refusals
    def on_approve(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
        respond: Respond,
    ) -> None:
        ack()
        decide(services, action, body, context, respond, approve=True)

    @answers_refusals
    def on_decline(
        ack: Ack,
        action: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
        respond: Respond,
    ) -> None:
        ack()
        decide(services, action, body, context, respond, approve=False)

    app.action(ids.APPROVE_DATE_CHANGE)(on_approve)
    app.action(ids.DECLINE_DATE_CHANGE)(on_decline)


def decide(
    services: Services,
    action: dict[str, Any],
    body: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    *,
    approve: bool,
) -> None:
    request_id = int(action.get("value") or 0)
    notice = services.date_changes.decide(
        actor_of(context), request_id, approve, services.clock.now()
    )
    if (body.get("container") or {}).get("is_ephemeral"):
        # Clicked on a `/board approve` list: the approvers' DMs are brought up to date by
        # the outbox, but this list is not theirs to edit, so confirm here.
        respond(
            **within_one_message(date_change_decided_message(notice)),
            response_type="ephemeral",
            replace_original=False,
        )
