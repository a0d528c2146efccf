"""Slack messages of what the outbox sends: reminders, digests, packs, date-change DMs and
alerts, from the read models of bot.services.outbox_messages.

Every part is within the one message budget Slack accepts (see `fit_message`); a message
with buttons, or one updated in place later, stays one message (`within_one_message`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.core.dates import format_day
from bot.core.digest import Digest
from bot.core.exporter import export_xlsx
from bot.core.filenames import pack_filename, pack_plan_filename, slug
from bot.render.challenges import challenge_dm
from bot.render.charts import SMALL_DPI, brag_by_theme_chart
from bot.render.digest import digest_blocks, digest_fallback_text, pack_blocks, pack_fallback_text
from bot.render.mrkdwn import escape, fit_message, section, within_one_message
from bot.render.paper import Figure, Options, paper_blocks
from bot.render.progress import (
    date_change_closed_dm,
    date_change_decided_message,
    date_change_decision_dm,
    date_change_request_message,
)
from bot.render.reminders import reminder_blocks, reminder_text
from bot.services.challenges import ChallengeMessage
from bot.services.outbox import DATE_CHANGE_CLOSED, DATE_CHANGE_REQUEST, PLANNING_FAILED
from bot.services.outbox_messages import (
    AlertMessage,
    Composed,
    CoverNoticeMessage,
    DateChangeMessage,
    DeadlineMessage,
    DigestMessage,
    PackMessage,
    ReminderMessage,
)
from bot.services.paper import BoardPaper

# Posted digests and packs list at most this many actions per theme and list; the rest are a
# `/board theme <ref>` away. A 2,000-action board otherwise fills dozens of messages.
POSTED_LIST_LIMIT = 10
ALT_TEXT_LIMIT = 1000  # characters of an image's alt text kept with an upload


@dataclass(frozen=True)
class OutgoingFile:
    """A document uploaded with the message: in its thread (a pack's paper and spreadsheets),
    or just after it (`in_thread` False: the digest's chart)."""

    filename: str
    title: str
    content: bytes
    alt_text: str | None = None  # an image's words, for screen readers
    # A chart is optional: when Slack won't take it (no files:write scope, a failed upload),
    # `alt_text` is posted in the message's thread instead, and the message still counts as sent.
    optional: bool = False
    in_thread: bool = True

    @property
    def slack_alt_text(self) -> str | None:
        """The alt text as an upload carries it, within what Slack keeps."""
        text = self.alt_text
        if text is None or len(text) <= ALT_TEXT_LIMIT:
            return text
        return text[: ALT_TEXT_LIMIT - 1] + "…"


@dataclass(frozen=True)
class Edit:
    """A message the bot sent earlier, to be shown as it stands now once this one is out."""

    channel: str
    ts: str
    message: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    """What is posted for one ledger row."""

    text: str
    parts: list[list[dict[str, Any]]]  # one list of blocks per Slack message; none: edits only
    files: list[OutgoingFile] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)


def outgoing(composed: Composed) -> Outgoing:
    """What to post for a composed message, every part within Slack's limits."""
    rendered = _render(composed)
    parts = [fitted for part in rendered.parts for fitted in fit_message(part)]
    return Outgoing(text=rendered.text, parts=parts, files=rendered.files, edits=rendered.edits)


def _render(composed: Composed) -> Outgoing:
    match composed:
        case ReminderMessage(lines=lines, escalation=escalation, note=note):
            return Outgoing(
                text=reminder_text(lines, escalation),
                parts=[reminder_blocks(lines, escalation, note=note)],
            )
        case DigestMessage(digest=digest):
            return Outgoing(
                text=digest_fallback_text(digest),
                parts=digest_blocks(digest, max_items=POSTED_LIST_LIMIT),
                files=[digest_chart(digest)] if digest.themes else [],
            )
        case PackMessage(pack=pack, meeting=meeting, snapshots=snapshots, paper=paper):
            paper_files = paper_uploads(paper) if paper is not None else []
            return Outgoing(
                text=pack_fallback_text(pack),
                # Posted to the chair and the board channel: Challenge beside each exception,
                # Close / Follow up under each answered challenge; whoever may not is refused.
                parts=pack_blocks(
                    pack, max_items=POSTED_LIST_LIMIT, can_challenge=True, can_close=True
                ),
                files=paper_files + [plan_file(snapshot, meeting) for snapshot in snapshots],
            )
        case DateChangeMessage():
            return date_change(composed)
        case AlertMessage():
            return Outgoing(text="A message could not be delivered", parts=[alert_blocks(composed)])
        case ChallengeMessage():
            message = within_one_message(challenge_dm(composed))
            return Outgoing(text=message["text"], parts=[message.get("blocks") or []])
        case DeadlineMessage():
            text = deadline_reminder_text(composed)
            return Outgoing(text=text, parts=[[section(text)]])
        case CoverNoticeMessage():
            text = cover_notice_text(composed)
            return Outgoing(text=text, parts=[[section(text)]])
    raise AssertionError(f"no rendering for {composed!r}")


def date_change(composed: DateChangeMessage) -> Outgoing:
    """A request to its approvers (shown decided when it was decided before it went out), the
    decision to whoever asked, or the news that a request closed; and the approvers' earlier
    messages brought up to date, so they stop offering Approve / Decline."""
    notice = composed.notice
    if composed.kind == DATE_CHANGE_REQUEST:
        message = (
            date_change_request_message(notice)
            if notice.state == "pending"
            else date_change_decided_message(notice)
        )
    elif composed.kind == DATE_CHANGE_CLOSED:
        message = date_change_closed_dm(notice)
    else:
        message = date_change_decision_dm(notice)
    edits = [
        Edit(channel, ts, within_one_message(date_change_decided_message(notice)))
        for channel, ts in composed.request_messages
    ] + [
        Edit(channel, ts, within_one_message(date_change_decided_message(old)))
        for old, sent in composed.replaced
        for channel, ts in sent
    ]
    message = within_one_message(message)
    parts = [] if composed.quiet else [message.get("blocks") or []]
    return Outgoing(text=message["text"], parts=parts, edits=edits)


def plan_file(snapshot: dict[str, Any], day: dt.date) -> OutgoingFile:
    """A plan as the spreadsheet attached to a pack."""
    return OutgoingFile(
        filename=pack_plan_filename(snapshot["title"], day),
        title=f"{snapshot['title']} ({format_day(day)})",
        content=export_xlsx(snapshot),
    )


def digest_chart(digest: Digest) -> OutgoingFile:
    """The digest's small BRAG-by-theme chart, its words as alt text; optional."""
    themes = [(f"{t.ref} {t.title}".strip(), t.counts) for t in digest.themes]
    chart = brag_by_theme_chart(themes, dpi=SMALL_DPI)
    return OutgoingFile(
        filename=f"{slug(digest.board, keep_case=True)}-status-{digest.today.isoformat()}.png",
        title=f"{digest.board}: status by theme, {format_day(digest.today)}",
        content=chart.png,
        alt_text=chart.alt_text,
        optional=True,
        in_thread=False,
    )


def paper_uploads(paper: BoardPaper) -> list[OutgoingFile]:
    """The committee paper (.docx) and its charts (PNG, each with its words as alt text; the
    charts are optional, the paper is not). Each chart is drawn once for both."""
    from bot.render.paper_docx import paper_docx  # python-docx only when a pack goes out

    blocks = paper_blocks(paper, Options(charts=True))
    board, meeting = paper.pack.digest.board, paper.pack.meeting
    files = [
        OutgoingFile(
            filename=pack_filename(board, meeting, "docx"),
            title=f"{board}: committee paper for {format_day(meeting)}",
            content=paper_docx(paper, blocks=blocks),
        )
    ]
    for number, figure in enumerate((b for b in blocks if isinstance(b, Figure)), start=1):
        files.append(
            OutgoingFile(
                filename=pack_filename(board, meeting, "png").replace(
                    ".png", f"-chart-{number}.png"
                ),
                title=f"{board}: {figure.title}",
                content=figure.chart.png,
                alt_text=figure.chart.alt_text,
                optional=True,
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


def alert_blocks(alert: AlertMessage) -> list[dict[str, Any]]:
    about = escape(alert.about)
    if alert.error == PLANNING_FAILED:
        return [
            section(
                f":warning: I couldn't plan the reminders of *{about}*, so it gets none "
                "today (the other boards are fine). Check its reminder settings "
                "(`/plan board reminders`); the bot's log has the details."
            )
        ]
    reason = ALERT_REASONS.get(alert.error, f"Slack said `{escape(alert.error)}`")
    kind = escape(alert.kind)
    return [section(f":warning: I couldn't deliver a {kind} to *{about}*: {reason}.")]


def deadline_reminder_text(message: DeadlineMessage) -> str:
    """A deadline's reminder: red once overdue, who owns it, and whom a deputy covers."""
    mark = ":red_circle:" if message.overdue else ":alarm_clock:"
    lines = [f"{mark} *Deadline* on {escape(message.board)}: {escape(message.countdown)}"]
    if message.owner:
        lines.append(f"Owner: {escape(message.owner)}")
    if message.covering_for:
        lines.append(f"_{escape(message.covering_for)}_")
    lines.append("`/board deadlines` lists every deadline.")
    return "\n".join(lines)


def cover_notice_text(message: CoverNoticeMessage) -> str:
    """To a deputy the working day before: whom they cover, from when to when."""
    owner = escape(message.owner)
    return (
        f":busts_in_silhouette: From {format_day(message.start, weekday=True)} to "
        f"{format_day(message.end, weekday=True)} you cover for {owner} while they're away "
        f"(back on {format_day(message.back_on, weekday=True)}). Their reminders, escalations and "
        "the board's challenges come to you, saying whom you cover, and you may update their "
        "actions meanwhile: `/progress <ref> <status> <note>`."
    )
