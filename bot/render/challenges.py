"""What the challenge log looks like in Slack: a step's confirmation, `/board challenges`, and
the DMs that put a question to the owners and an answer to whoever asked.

Everything a person typed (questions, answers, titles, names) goes through `escape`.
"""

from __future__ import annotations

from typing import Any

from bot.core.challenges import ChallengeFilter, ChallengeState, EventKind
from bot.render import ids
from bot.render.board import Rendered
from bot.render.buttons import record_anyway_button
from bot.render.mrkdwn import (
    SECTION_LIMIT,
    context,
    escape,
    header,
    section,
    sections_from_lines,
    shorten,
)
from bot.render.progress import modal, modal_input
from bot.services.challenges import (
    ChallengeForm,
    ChallengeList,
    ChallengeMessage,
    ChallengeStep,
    ChallengeStepDone,
    ChallengeView,
)

TEXT_LIMIT = 600
QUESTION_INPUT = "question"
QUESTION_LIMIT = 1000  # characters a question may have in the form
TITLE_LIMIT = 120

STATE_EMOJI = {
    ChallengeState.OPEN: ":question:",
    ChallengeState.ANSWERED: ":speech_balloon:",
    ChallengeState.CLOSED: ":white_check_mark:",
}


def _t(text: str | None, limit: int = TEXT_LIMIT) -> str:
    return escape(shorten(" ".join((text or "").split()), limit))


def _quote(text: str | None, limit: int = TEXT_LIMIT) -> str:
    shown = shorten((text or "").strip(), limit)
    return "\n".join(f">{escape(line)}" for line in shown.splitlines() or [""])


def _who(name: str | None) -> str:
    return _t(name, 80) if name else "someone no longer here"


STEPS_SHOWN = 6  # the latest steps of a long exchange; the earlier ones are counted
STEP_LABELS = {
    EventKind.ANSWERED: "Answer from",
    EventKind.REOPENED: "Follow-up from",
    EventKind.CLOSED: "Closed by",
}


def _after_question(c: ChallengeView) -> tuple[int, list[ChallengeStep]]:
    """Every answer, follow-up and closing note after the first question, in order: (how
    many earlier ones are left out, the latest STEPS_SHOWN)."""
    steps = [s for s in c.steps[1:] if s.text]
    if not c.steps and c.answer:  # a view made without its history
        steps = [ChallengeStep(EventKind.ANSWERED, c.answered_by, c.asked_at, c.answer)]
    return max(len(steps) - STEPS_SHOWN, 0), steps[-STEPS_SHOWN:]


def challenge_line(c: ChallengeView) -> str:
    """`:question: *C3* 4.1 Seek foster carers' views — open, asked 12 days ago`, the question,
    then every answer and follow-up in order (a second answer adds to the first)."""
    first = c.steps[0].text if c.steps else c.question
    lines = [
        f"{STATE_EMOJI[c.state]} *{c.label}* *{escape(c.ref)}* {_t(c.title, TITLE_LIMIT)} — "
        f"{c.state.value}, {c.age}" + (" (reopened)" if c.reopened else ""),
        _quote(first, 300),
    ]
    left_out, steps = _after_question(c)
    if left_out:
        lines.append(f"_… {left_out} earlier answers and follow-ups_")
    for step in steps:
        lines.append(f"_{STEP_LABELS[step.kind]} {_who(step.by)}:_")
        lines.append(_quote(step.text, 300))
    return "\n".join(lines)


def challenge_text(c: ChallengeView) -> str:
    """One challenge as plain text, for the pack and the terminal."""
    first = c.steps[0].text if c.steps else c.question
    line = f"  - {c.label} {c.ref} {shorten(c.title, TITLE_LIMIT)}: {c.state.value}, {c.age}"
    line += f" — “{shorten(' '.join((first or '').split()), 300)}”"
    left_out, steps = _after_question(c)
    if left_out:
        line += f" (… {left_out} earlier)"
    for step in steps:
        label = STEP_LABELS[step.kind].removesuffix(" from").removesuffix(" by")
        line += f" {label}: “{shorten(' '.join((step.text or '').split()), 300)}”"
    return line


def step_message(done: ChallengeStepDone) -> dict[str, Any]:
    """What whoever took a step is told (ephemeral); a held answer, with Record anyway."""
    c = done.challenge
    if done.held is not None:
        lines = [
            f":shield: *Not recorded yet* — your answer to *{c.label}* on *{escape(c.ref)}* "
            "looks like it holds a child's or family's personal details. The board's log isn't "
            "a case record."
        ]
        lines += [f"• {escape(explanation)}" for explanation in done.held.explanations]
        lines.append(
            "Send it again without them, or press *Record anyway* to record it as you wrote it "
            "(the audit log keeps who confirmed and when, not the text)."
        )
        text = "\n".join(lines)[:SECTION_LIMIT]
        return {
            "text": text,
            "blocks": [section(text), record_anyway_button(done.held.held_id, answer=True)],
        }
    told = (
        f" I've sent it to {done.told} {'person' if done.told == 1 else 'people'} by DM."
        if done.told
        else ""
    )
    on = f"*{c.label}* on *{escape(c.ref)}*"
    match done.kind:
        case EventKind.ASKED:
            first = (
                f":question: Challenge *{c.label}* on *{escape(c.ref)}* {_t(c.title, TITLE_LIMIT)} "
                f"is with its owners.{told}"
            )
        case EventKind.ANSWERED:
            first = f":speech_balloon: Your answer to {on} is recorded.{told}"
        case EventKind.CLOSED:
            first = f":white_check_mark: {on} is closed."
        case _:
            first = (
                f":arrows_counterclockwise: *{c.label}* on *{escape(c.ref)}* is open again.{told}"
            )
    if done.duplicate:
        first = f":information_source: That was recorded already: *{c.label}* is {c.state.value}."
    return {"text": f"{first}\n{challenge_line(c)}"[:SECTION_LIMIT]}


def list_messages(view: ChallengeList) -> list[Rendered]:
    """`/board challenges`: the log, oldest asked first, with ages."""
    counts = view.counts
    summary = f"{counts.open} open · {counts.answered} answered · {counts.closed} closed"
    which = "open and answered" if view.show is ChallengeFilter.CURRENT else view.show.value
    if not view.items:
        text = f":white_check_mark: No {which} challenges on {_t(view.board, 80)}. ({summary})"
        return [Rendered(text, [])]
    blocks = [
        header(f"{shorten(view.board, 80)} — challenges ({which})"),
        context(
            f'{summary} · owners answer with `/progress answer C12 "…"`; the chair closes '
            "with `/board challenge close C12`"
        ),
        *sections_from_lines([challenge_line(c) for c in view.items[:40]]),
    ]
    if len(view.items) > 40:
        blocks.append(context(f"… and {len(view.items) - 40} more."))
    return [Rendered(f"Challenges on {_t(view.board, 80)}: {summary}", blocks)]


def challenge_dm(message: ChallengeMessage) -> dict[str, Any]:
    """A question or follow-up to an owner, or an answer to whoever asked."""
    c = message.challenge
    action = f"*{escape(c.ref)}* {_t(c.title, TITLE_LIMIT)}"
    if message.kind is EventKind.ANSWERED:
        lines = [
            f":speech_balloon: {_who(message.by)} answered challenge *{c.label}* on {action} "
            f"({_t(c.board, 80)}):",
            _quote(message.text),
            f"_Your question:_ {_t(c.question, 300)}",
            f"Close it with `/board challenge close {c.label}`, or ask a follow-up with "
            f'`/board challenge reopen {c.label} "&lt;question&gt;"`.',
        ]
    else:
        verb = "asks a follow-up on" if message.kind is EventKind.REOPENED else "challenges"
        lines = [
            f":question: {_t(c.board, 80)} ({_who(message.by)}) {verb} your action {action}:",
            _quote(message.text),
            f"*Reply in this thread to answer*, or use `/progress answer {c.label} "
            f'"&lt;answer&gt;"`. The board sees the answer in its pack.',
        ]
        if message.covering_for:
            lines.insert(0, f"You're covering for {_who(message.covering_for)} while they're away.")
    text = "\n".join(lines)[:SECTION_LIMIT]
    return {"text": text, "blocks": sections_from_lines(lines)}


# ---------------------------------------------------------------- the Challenge button's form


def challenge_modal(form: ChallengeForm, metadata: str = "") -> dict[str, Any]:
    """The question, on the action the Challenge button was pressed on."""
    blocks = [
        section(
            f"*{escape(form.ref)}* {_t(form.title, 200)} · {_t(form.board, 80)}\n"
            "Its owners get the question by DM and answer in its thread."
        ),
        modal_input(
            QUESTION_INPUT,
            "Your question",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": QUESTION_LIMIT,
                "placeholder": {"type": "plain_text", "text": "What would the board like to know?"},
            },
        ),
    ]
    return modal(ids.CHALLENGE_MODAL, "Challenge", blocks, submit="Ask", metadata=metadata)


def follow_up_modal(c: ChallengeView, metadata: str = "") -> dict[str, Any]:
    """The chair's follow-up question on an answered (or closed) challenge: the exchange so
    far, and the question, which reopens it and goes to the owners."""
    blocks = [
        section(challenge_line(c)[:SECTION_LIMIT]),
        modal_input(
            QUESTION_INPUT,
            "Your follow-up question",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": QUESTION_LIMIT,
                "placeholder": {"type": "plain_text", "text": "What does the board still need?"},
            },
        ),
    ]
    return modal(
        ids.FOLLOW_UP_MODAL, f"Follow up {c.label}"[:24], blocks, submit="Ask", metadata=metadata
    )


def challenge_asked_modal(done: ChallengeStepDone) -> dict[str, Any]:
    """What the form turns into once the question is with the owners."""
    return modal(ids.CHALLENGE_MODAL, "Challenge sent", [section(step_message(done)["text"])])
