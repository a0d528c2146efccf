"""Turn a ledger row into what is posted: read fresh from the database at send time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from bot.core.dates import format_day
from bot.core.exporter import export_xlsx
from bot.core.filenames import pack_plan_filename
from bot.render.digest import digest_blocks, digest_fallback_text, pack_blocks, pack_fallback_text
from bot.render.mrkdwn import escape, fit_message, section
from bot.render.progress import date_change_closed_dm, date_change_decided_message
from bot.render.reminders import reminder_blocks, reminder_text
from bot.services.digest import build_digest, build_pack
from bot.services.outbox import PLANNING_FAILED, reminder_lines
from bot.services.owner import DATE_CHANGE_REQUEST, date_change_notice, sent_notices
from bot.services.progress import DATE_CHANGE_CLOSED
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import Notification, Person, Plan

# Posted digests and packs list at most this many actions per theme and list; the rest are a
# `/board theme <ref>` away. A 2,000-action board otherwise fills dozens of messages.
POSTED_LIST_LIMIT = 10


@dataclass(frozen=True)
class OutgoingFile:
    filename: str
    title: str
    content: bytes


@dataclass(frozen=True)
class Edit:
    """A message the bot sent earlier, to be shown as it stands now once this one is out."""

    channel: str
    ts: str
    message: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    text: str
    parts: list[list[dict[str, Any]]]  # one list of blocks per Slack message
    files: list[OutgoingFile] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)


def render_notification(
    uow: UnitOfWork, notification: Notification, now: dt.datetime
) -> Outgoing | None:
    """What to post for a notification, or None when nothing is left to say; every part
    within the one message budget Slack accepts (see `fit_message`)."""
    outgoing = _render(uow, notification, now)
    if outgoing is None:
        return None
    parts = [fitted for part in outgoing.parts for fitted in fit_message(part)]
    return Outgoing(text=outgoing.text, parts=parts, files=outgoing.files, edits=outgoing.edits)


def _render(uow: UnitOfWork, notification: Notification, now: dt.datetime) -> Outgoing | None:
    kind = notification.kind
    if kind in ("reminder", "escalation"):
        lines = reminder_lines(uow, notification)
        if not lines:
            return None
        escalation = kind == "escalation"
        note = (notification.payload or {}).get("note")
        return Outgoing(
            text=reminder_text(lines, escalation),
            parts=[reminder_blocks(lines, escalation, note=note)],
        )
    board_id = notification.board_id
    if kind == "digest" and board_id is not None:
        digest = build_digest(uow, board_id, now)
        return Outgoing(
            text=digest_fallback_text(digest),
            parts=digest_blocks(digest, max_items=POSTED_LIST_LIMIT),
        )
    if kind == "pack" and board_id is not None:
        meeting = dt.date.fromisoformat(notification.payload["meeting"])
        pack = build_pack(uow, board_id, meeting, now)
        return Outgoing(
            text=pack_fallback_text(pack),
            parts=pack_blocks(pack, max_items=POSTED_LIST_LIMIT),
            files=plan_files(uow, board_id, meeting),
        )
    if kind == DATE_CHANGE_CLOSED:
        request_id = notification.payload["request_id"]
        notice = date_change_notice(uow, request_id)
        message = date_change_closed_dm(notice)
        # The request the approvers were sent stops offering Approve / Decline (editing it
        # again for a second approver changes nothing).
        closed = date_change_decided_message(notice)
        edits = [
            Edit(channel, ts, closed)
            for channel, ts in sent_notices(uow, DATE_CHANGE_REQUEST, request_id)
        ]
        return Outgoing(text=message["text"], parts=[message["blocks"]], edits=edits)
    if kind == "alert":
        return Outgoing(
            text="A message could not be delivered", parts=[alert_blocks(uow, notification)]
        )
    return None


def plan_files(uow: UnitOfWork, board_id: int, day: dt.date) -> list[OutgoingFile]:
    plan_ids = list(
        uow.session.scalars(
            select(Plan.id)
            .where(Plan.board_id == board_id, Plan.active.is_(True))
            .order_by(Plan.id)
        )
    )
    files = []
    for snapshot in plan_snapshots(uow, plan_ids=plan_ids):
        files.append(
            OutgoingFile(
                filename=pack_plan_filename(snapshot["title"], day),
                title=f"{snapshot['title']} ({format_day(day)})",
                content=export_xlsx(snapshot),
            )
        )
    return files


ALERT_REASONS = {
    "unlinked": "they aren't linked to a Slack user yet — link them with "
    '`/plan people link "<name>" @user`',
    "user_not_found": "Slack doesn't know that user any more",
    "user_disabled": "their Slack account is deactivated — give their actions a new owner "
    "with `/plan action owner <ref> @user`",
    "msg_blocks_too_long": "Slack said the message was too long (`msg_blocks_too_long`) — "
    "tell whoever runs the bot",
    "invalid_blocks": "Slack refused the message's layout (`invalid_blocks`) — "
    "tell whoever runs the bot",
    "channel_not_found": "the board channel no longer exists — set a new one with "
    "`/plan board create` or ask an admin",
    "not_in_channel": "I'm not in the board channel — invite me with `/invite @improvement-bot`",
    "is_archived": "the board channel is archived — choose another board channel",
}


def alert_blocks(uow: UnitOfWork, notification: Notification) -> list[dict[str, Any]]:
    payload = notification.payload or {}
    about = payload.get("about", "someone")
    person_id = payload.get("about_person_id")
    if person_id is not None:
        person = uow.session.get(Person, person_id)
        if person is not None:
            about = person.name
    error = str(payload.get("error", "unknown"))
    if error == PLANNING_FAILED:
        return [
            section(
                f":warning: I couldn't plan the reminders of *{escape(about)}*, so it gets none "
                "today (the other boards are fine). Check its reminder settings "
                "(`/plan board reminders`); the bot's log has the details."
            )
        ]
    reason = ALERT_REASONS.get(error, f"Slack said `{escape(error)}`")
    kind = escape(str(payload.get("kind", "message")))
    return [section(f":warning: I couldn't deliver a {kind} to *{escape(about)}*: {reason}.")]
