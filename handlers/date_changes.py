"""Date changes between the owner who asks and the chair who decides.

`announce_request` DMs the board's chair (or, with no chair, the workspace's admins) a new
request with Approve / Decline buttons; `announce_decision` updates those messages to show
the outcome and tells the person who asked. Both are called after the use case's unit of work
has committed, by `/progress`, the new-date modal, the buttons here and `/board approve`.
Each message is claimed in the notification ledger first, so calling either twice sends
nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.render import ids
from bot.render.mrkdwn import refusal, within_one_message
from bot.render.progress import (
    date_change_decided_message,
    date_change_decision_dm,
    date_change_request_message,
)
from bot.services import Services
from bot.services.owner import (
    DATE_CHANGE_DECISION,
    DATE_CHANGE_REQUEST,
    DateChangeNotice,
    Who,
    claim_notice,
    date_change_notice,
    notice_failed,
    notice_sent,
    sent_notices,
    withdrawn_requests,
)
from bot.services.progress import decide_date_change
from handlers.common import actor_of

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def decision(approve: bool) -> Any:
        def on_decision(
            ack: Ack,
            action: dict[str, Any],
            body: dict[str, Any],
            client: WebClient,
            context: BoltContext,
            respond: Respond,
        ) -> None:
            ack()
            _decide(services, action, body, client, context, respond, approve=approve)

        return on_decision

    app.action(ids.APPROVE_DATE_CHANGE)(decision(approve=True))
    app.action(ids.DECLINE_DATE_CHANGE)(decision(approve=False))


def _decide(
    services: Services,
    action: dict[str, Any],
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    respond: Respond,
    *,
    approve: bool,
) -> None:
    try:
        request_id = int(action.get("value") or 0)
        with services.uow() as uow:
            decide_date_change(uow, actor_of(context), request_id, approve, services.clock.now())
            uow.commit()
    except UserError as error:
        respond(**refusal(error.message), response_type="ephemeral", replace_original=False)
        return
    announce_decision(services, client, request_id)
    if (body.get("container") or {}).get("is_ephemeral"):
        # Clicked on a `/board approve` list: the chair's DM copy is edited by
        # announce_decision, but this list is not theirs to edit, so confirm here.
        with services.patient_uow() as uow:
            notice = date_change_notice(uow, request_id)
        respond(
            **within_one_message(date_change_decided_message(notice)),
            response_type="ephemeral",
            replace_original=False,
        )


def announce_request(services: Services, client: WebClient, request_id: int) -> None:
    """DM a new date-change request to whoever decides it, with Approve / Decline buttons.

    Requests it replaced (withdrawn before a decision) have their messages updated to say so.
    """
    now = services.clock.now()
    # Read, then claim in a transaction of its own (see _claim_each). This runs after the
    # answer has gone, so its transactions may wait for another writer.
    with services.patient_uow() as uow:
        notice = date_change_notice(uow, request_id)
        replaced = [
            (date_change_notice(uow, old), sent_notices(uow, DATE_CHANGE_REQUEST, old))
            for old in withdrawn_requests(uow, request_id)
        ]
    claims = _claim_each(services, notice, DATE_CHANGE_REQUEST, notice.approvers, now)
    if not notice.approvers:
        log.warning("date change %s: board %s has no chair or admin", request_id, notice.board)
    _send_each(services, client, claims, date_change_request_message(notice))
    for old, messages in replaced:
        _update_each(client, messages, date_change_decided_message(old))


def announce_decision(services: Services, client: WebClient, request_id: int) -> None:
    """Show the outcome on the chair's messages and tell the person who asked (once)."""
    now = services.clock.now()
    with services.patient_uow() as uow:
        notice = date_change_notice(uow, request_id)
        messages = sent_notices(uow, DATE_CHANGE_REQUEST, request_id)
    decided = notice.state in ("approved", "declined")
    asker = (notice.requested_by,) if notice.requested_by and decided else ()
    claims = _claim_each(services, notice, DATE_CHANGE_DECISION, asker, now)
    _update_each(client, messages, date_change_decided_message(notice))
    _send_each(services, client, claims, date_change_decision_dm(notice))


def _claim_each(
    services: Services,
    notice: DateChangeNotice,
    kind: str,
    people: tuple[Who, ...],
    now: dt.datetime,
) -> list[tuple[Who, int]]:
    """Ledger rows for the people who have a Slack user and have not had this message yet.

    The transaction writes first, so on SQLite it takes the write lock (waiting for another
    writer) rather than failing on a snapshot that a concurrent commit made stale."""
    claims = []
    with services.patient_uow() as uow:
        for person in people:
            if not person.slack_user_id:
                log.warning("date change %s: %s has no Slack user", notice.request_id, person.name)
                continue
            notification_id = claim_notice(uow, notice, kind, person, now)
            if notification_id is not None:
                claims.append((person, notification_id))
        uow.commit()
    return claims


def _send_each(
    services: Services,
    client: WebClient,
    claims: list[tuple[Who, int]],
    message: dict[str, Any],
) -> None:
    for person, notification_id in claims:
        now = services.clock.now()
        try:
            response = client.chat_postMessage(
                channel=person.slack_user_id or "",
                unfurl_links=False,
                **within_one_message(message),
            )
        except SlackApiError as error:
            log.exception("could not DM %s about a date change", person.name)
            with services.patient_uow() as uow:
                notice_failed(uow, notification_id, str(error.response.get("error", "")), now)
                uow.commit()
            continue
        with services.patient_uow() as uow:
            notice_sent(uow, notification_id, str(response["channel"]), str(response["ts"]), now)
            uow.commit()


def _update_each(
    client: WebClient, messages: list[tuple[str, str]], message: dict[str, Any]
) -> None:
    for channel, ts in messages:
        try:
            client.chat_update(channel=channel, ts=ts, **within_one_message(message))
        except SlackApiError:
            log.exception("could not update the date-change message %s in %s", ts, channel)
