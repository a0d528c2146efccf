"""`/board`: status, digest and pack previews, overdue, a theme, meetings, an action's history,
and the chair's date-change decisions. Every answer is ephemeral.

The listener acks at once, then parses the text, runs one read model or use case from
`bot.services.board_views` and posts what `bot.render.board` makes of it to the command's
response_url — several posts when a view is split to fit Slack's limits, going on with
chat.postEphemeral past the five posts a response_url takes.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.challenges import EventKind
from bot.render import board as render
from bot.render import deadlines as render_deadlines
from bot.render.challenges import list_messages as challenge_list
from bot.render.challenges import step_message
from bot.render.outbox import OutgoingFile, paper_uploads
from bot.services import Services
from bot.services.plans import Actor
from handlers import grammar as g
from handlers.common import Message, actor_of, answers_refusals, not_switched_on
from handlers.plan_files import direct_message_channel

log = logging.getLogger(__name__)

DECLINE_NEEDS_NUMBER = (
    "To decline with a reason, give the request's number: `/board decline 12 <reason>`."
)


def register(app: App, services: Services) -> None:
    @answers_refusals
    def on_board(
        ack: Ack,
        command: dict[str, Any],
        respond: Respond,
        context: BoltContext,
        client: WebClient,
    ) -> None:
        ack()
        # The command's trigger_id names it: a retry or replay of it changes nothing twice.
        trigger_id = str(command.get("trigger_id") or "")
        parsed = g.parse_board(command.get("text") or "")
        rendered = run(
            services,
            actor_of(context),
            client,
            parsed,
            dedupe_key=f"command:{trigger_id}" if trigger_id else None,
        )
        replies = [_message(r) for r in rendered]
        send(replies, respond, client, command.get("channel_id"), command.get("user_id"))
        if isinstance(parsed, g.ShowPack):
            # The chair's copy of the committee paper, after the preview has been answered.
            paper = services.views.paper(actor_of(context), parsed.board)
            if paper is not None:
                note = send_paper(client, str(command.get("user_id") or ""), paper_uploads(paper))
                respond(response_type="ephemeral", replace_original=False, text=note)

    app.command("/board")(on_board)


def _message(rendered: render.Rendered) -> Message:
    return (
        {"text": rendered.text, "blocks": rendered.blocks}
        if rendered.blocks
        else {"text": rendered.text}
    )


def send(
    replies: list[Message],
    respond: Respond,
    client: WebClient,
    channel_id: str | None,
    user_id: str | None,
) -> None:
    """Post the replies ephemerally. Slack takes five posts to a command's response_url; a
    longer answer goes on with chat.postEphemeral in the same conversation, and ends with a
    note saying what is missing when the bot can't post there."""

    def reply_with(reply: Message) -> None:
        sent = respond(response_type="ephemeral", replace_original=False, **reply)
        if sent.status_code != 200:
            log.warning("Slack refused a /board answer: %s %s", sent.status_code, sent.body)

    if len(replies) <= render.REPLY_LIMIT:
        for reply in replies:
            reply_with(reply)
        return
    cut = render.REPLY_LIMIT - 1
    for reply in replies[:cut]:
        reply_with(reply)
    for number, reply in enumerate(replies[cut:], start=cut + 1):
        if not post_ephemeral(client, channel_id, user_id, reply):
            note = render.left_out(number, len(replies))
            reply_with(_message(note))
            return


def send_paper(client: WebClient, user_id: str, files: list[OutgoingFile]) -> str:
    """Upload the committee paper and its charts to the person's DM with the bot (a file in
    a channel is not private, as the pack preview is). Says, in one line, what was done; a
    chart that Slack won't take is left out, the paper's absence explained."""
    paper, *charts = files
    try:
        dm = direct_message_channel(client, user_id)
        client.files_upload_v2(
            channel=dm,
            content=paper.content,
            filename=paper.filename,
            title=paper.title,
            initial_comment="The committee paper as a Word document, with its charts.",
        )
    except SlackApiError as error:
        code = error.response.get("error")
        log.warning("uploading the committee paper failed: %s", code)
        return (
            f"I couldn't send you the Word paper (Slack said `{code}`): the app needs the "
            "`files:write` scope. Whoever runs the bot can make it with "
            '`improvement-bot pack --board "<name>" --format docx`.'
        )
    for chart in charts:
        try:
            client.files_upload_v2(
                channel=dm,
                content=chart.content,
                filename=chart.filename,
                title=chart.title,
                alt_txt=chart.slack_alt_text,
            )
        except SlackApiError as error:
            log.warning("uploading a chart failed: %s", error.response.get("error"))
    return f"I've sent you the committee paper ({paper.filename}) and its charts in our DM."


def post_ephemeral(
    client: WebClient, channel_id: str | None, user_id: str | None, reply: Message
) -> bool:
    if not channel_id or not user_id:
        return False
    try:
        client.chat_postEphemeral(channel=channel_id, user=user_id, **reply)
    except SlackApiError as error:
        log.warning("can't post a /board answer in %s: %s", channel_id, error.response.get("error"))
        return False
    return True


def run(
    services: Services,
    actor: Actor,
    client: WebClient,
    command: g.BoardCommand,
    *,
    dedupe_key: str | None = None,
) -> list[render.Rendered]:
    now = services.clock.now()
    boards = services.views
    match command:
        case g.Help(text=help_text):
            return [render.Rendered(help_text, [])]
        case g.ShowStatus(board=board):
            return render.status_messages(boards.status(actor, board, now))
        case g.ShowDigest(board=board):
            return render.digest_preview_messages(boards.digest(actor, board, now))
        case g.ShowPack(board=board):
            preview = boards.pack(actor, board, now)
            return render.pack_preview_messages(
                preview.pack,
                can_decide=preview.can_decide,
                can_challenge=preview.can_challenge,
                can_close=preview.can_close,
            )
        case g.ShowOverdue(board=board):
            return render.overdue_messages(boards.overdue(actor, board, now))
        case g.ShowTheme(ref=ref, board=board):
            return render.theme_messages(boards.theme(actor, board, ref, now))
        case g.ShowMeetings(board=board):
            return render.meetings_messages(boards.meetings(actor, board, now))
        case g.ShowHistory(ref=ref, board=board):
            return render.history_messages(boards.history(actor, board, ref, now))
        case g.ApproveDateChange(request_id=None, board=board):
            return render.pending_messages(boards.pending(actor, board, now))
        case g.DeclineDateChange(request_id=None, reason=reason, board=board):
            hint = DECLINE_NEEDS_NUMBER if reason else None
            return render.pending_messages(boards.pending(actor, board, now), hint)
        case g.ApproveDateChange(request_id=int(request_id)):
            return [decide(services, actor, request_id, approve=True)]
        case g.DeclineDateChange(request_id=int(request_id), reason=reason):
            return [decide(services, actor, request_id, approve=False, note=reason)]
        case g.AskChallenge(ref=ref, question=question, board=board):
            done = services.challenges.ask(
                actor, ref, question, now, board=board, dedupe_key=dedupe_key
            )
            return [_rendered(step_message(done))]
        case g.ListChallenges(show=show, board=board):
            return challenge_list(services.challenges.list(actor, board, show, now))
        case (
            g.CloseChallenge(challenge=challenge_id, text=text, board=board)
            | g.ReopenChallenge(challenge=challenge_id, text=text, board=board)
        ):
            kind = EventKind.CLOSED if isinstance(command, g.CloseChallenge) else EventKind.REOPENED
            done = services.challenges.chair_step(
                actor, challenge_id, kind, text, now, board=board, dedupe_key=dedupe_key
            )
            return [_rendered(step_message(done))]
        case g.ShowDeadlines(board=board):
            views = services.deadlines.listed(actor, board, now)
            return [render.Rendered(render_deadlines.deadlines_message(views)["text"], [])]
    not_switched_on(command)


def _rendered(message: dict[str, Any]) -> render.Rendered:
    return render.Rendered(str(message["text"]), list(message.get("blocks") or []))


def decide(
    services: Services,
    actor: Actor,
    request_id: int,
    *,
    approve: bool,
    note: str | None = None,
) -> render.Rendered:
    """Approve or decline a date change. The DM to the person who asked is saved with the
    decision and goes out with the outbox's next delivery, run at once."""
    decided = services.date_changes.decide(actor, request_id, approve, services.clock.now(), note)
    return render.decision_message(decided.decision, announced=True)
