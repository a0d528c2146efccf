"""Text for Slack: escaping and splitting to Slack's limits.

Everything a person typed goes through `escape` before it is put into mrkdwn, so a
`<!channel>` or `<@U…>` in a note is shown as typed and never pings anyone.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.core.board_status import StatusCounts
from bot.core.dates import format_day
from bot.core.impact import ActionImpact, find_impact
from bot.core.statuses import STATUS_EMOJI, Status

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
BLOCK_LIMIT = 50
MESSAGE_TEXT_LIMIT = 3000
# Slack refuses a message whose blocks carry much more than ~12,000 characters of text
# (msg_blocks_too_long; refused from 11,341 in practice), though no limit is documented.
# Every message the bot posts stays within this one budget of block text.
MESSAGE_TEXT_BUDGET = 10_000


def escape(text: str | None) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def refusal(message: str) -> dict[str, Any]:
    """A UserError as one friendly line, escaped (it may quote what the person typed)."""
    return {"text": f":warning: {escape(' '.join(message.split()))}"}


def plain(text: str | None, limit: int | None = None) -> str:
    """Text for a plain_text object (Slack does not parse mentions there), trimmed to a limit."""
    text = " ".join((text or "").split())
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def shorten(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def excerpt(text: str | None, limit: int) -> tuple[str, bool]:
    """Text on one line, cut to `limit` characters with "…": (the excerpt, whether it was cut)."""
    short = shorten(text, limit)
    return short, short != " ".join((text or "").split())


def status_badge(status: str | Status) -> str:
    status = Status(status)
    return f"{STATUS_EMOJI[status]} {status.label}"


def delivery_badge(status: str | Status, impact: str | None, evidence: str | None) -> str:
    """An action's state: its status, or for a complete one whether its impact is evidenced
    (`🔵 Delivered, impact not yet evidenced`), never plain done."""
    status = Status(status)
    if not status.is_complete:
        return status_badge(status)
    judged = ActionImpact("", status, find_impact(impact), evidence)
    return f"{STATUS_EMOJI[status]} {judged.headline}"


def status_counts(counts: StatusCounts, *, emoji: bool = True, owing: int | None = None) -> str:
    """`🟢 On track 3 · 🟠 At risk 1`: the statuses with at least one action, in BRAG order,
    named as every other message names them (without the emoji for plain text); "no actions"
    when there are none. With `owing` (how many complete actions have no evidence of impact)
    the complete ones are counted apart: `🔵 Delivered, impact evidenced 1 · 🔵 Delivered,
    impact not yet evidenced 2`."""
    shown = []
    for s, n in counts.items():
        name = status_badge(s) if emoji else s.label
        if not n:
            continue
        if s.is_complete and owing is not None:
            mark = f"{STATUS_EMOJI[s]} " if emoji else ""
            owed = min(owing, n)
            if n - owed:
                shown.append(f"{mark}Delivered, impact evidenced {n - owed}")
            if owed:
                shown.append(f"{mark}Delivered, impact not yet evidenced {owed}")
            continue
        shown.append(f"{name} {n}")
    return " · ".join(shown) if shown else "no actions"


def uk_date(value: dt.date | str | None, precision: str = "day") -> str:
    """A date (or an ISO date string) as people read it: bot.core.dates.format_day."""
    if value is None:
        return "no date"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return format_day(value, precision)


def mention(slack_user_id: str | None, fallback_name: str) -> str:
    """A mention for a linked person, their escaped name otherwise."""
    return f"<@{slack_user_id}>" if slack_user_id else escape(fallback_name)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_LIMIT]}}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": plain(text, HEADER_LIMIT)}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def sections_from_lines(lines: Iterable[str], limit: int = SECTION_LIMIT) -> list[dict[str, Any]]:
    """Pack lines into as few sections as fit Slack's per-section limit; a longer line is cut."""
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        if len(line) > limit:
            line = line[: limit - 1] + "…"
        extra = len(line) + (1 if current else 0)
        if current and size + extra > limit:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
            extra = len(line)
        current.append(line)
        size += extra
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def block_text_length(value: Any) -> int:
    """Characters of text in blocks (every `text` string, however deep), as Slack counts
    them towards msg_blocks_too_long."""
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else block_text_length(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(block_text_length(v) for v in value)
    return 0


def take_within_budget(
    head: list[dict[str, Any]],
    groups: Sequence[list[dict[str, Any]]],
    tail: Callable[[int], list[dict[str, Any]]],
    budget: int = MESSAGE_TEXT_BUDGET,
) -> list[dict[str, Any]]:
    """One message's blocks: `head`, then as many of `groups` (an item's blocks each, in
    order) as fit with `tail(shown)` (say, "…and N more") within the block and text budget."""
    sizes = [block_text_length(group) for group in groups]
    head_size = block_text_length(head)
    shown = len(groups)
    while shown > 0:
        used = head_size + sum(sizes[:shown])
        end = tail(shown)
        blocks = len(head) + sum(len(g) for g in groups[:shown]) + len(end)
        if used + block_text_length(end) <= budget and blocks <= BLOCK_LIMIT:
            break
        shown -= 1
    return [*head, *(block for group in groups[:shown] for block in group), *tail(shown)]


def fit_message(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """A message's blocks as one or more messages Slack accepts: at most BLOCK_LIMIT blocks
    and MESSAGE_TEXT_BUDGET characters of block text each. Renderers keep within these
    themselves; this is the last guard before anything is posted."""
    if len(blocks) <= BLOCK_LIMIT and block_text_length(blocks) <= MESSAGE_TEXT_BUDGET:
        return [blocks]
    messages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for block in blocks:
        length = min(block_text_length(block), MESSAGE_TEXT_BUDGET)
        if current and (len(current) >= BLOCK_LIMIT or size + length > MESSAGE_TEXT_BUDGET):
            messages.append(current)
            current, size = [], 0
        current.append(_within_budget(block))
        size += length
    if current:
        messages.append(current)
    return messages


def within_one_message(message: dict[str, Any]) -> dict[str, Any]:
    """A message that must stay one message (it carries buttons, or is updated in place) within
    the budget: its longest texts are cut until its blocks fit."""
    blocks = message.get("blocks")
    if not blocks or block_text_length(blocks) <= MESSAGE_TEXT_BUDGET:
        return message
    blocks = copy.deepcopy(blocks)
    texts = sorted(_text_objects(blocks), key=lambda t: len(t["text"]), reverse=True)
    over = block_text_length(blocks) - MESSAGE_TEXT_BUDGET
    for text in texts:
        if over <= 0:
            break
        keep = max(len(text["text"]) - over - 1, 1)
        over -= len(text["text"]) - keep - 1
        text["text"] = text["text"][:keep].rstrip() + "…"
    return {**message, "blocks": blocks}


def _text_objects(value: Any) -> list[dict[str, Any]]:
    """The text objects (`{"type": "mrkdwn" | "plain_text", "text": …}`) in blocks."""
    if isinstance(value, list):
        return [found for v in value for found in _text_objects(v)]
    if not isinstance(value, dict):
        return []
    if value.get("type") in ("mrkdwn", "plain_text") and isinstance(value.get("text"), str):
        return [value]
    return [found for v in value.values() for found in _text_objects(v)]


def _within_budget(block: dict[str, Any]) -> dict[str, Any]:
    """A single block carrying more text than a whole message may (fields, many elements)
    becomes one section of its text, cut to the section limit."""
    if block_text_length(block) <= MESSAGE_TEXT_BUDGET:
        return block
    return section(shorten(_all_text(block), SECTION_LIMIT))


def _all_text(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(
            v if k == "text" and isinstance(v, str) else _all_text(v) for k, v in value.items()
        ).strip()
    if isinstance(value, list):
        return " ".join(_all_text(v) for v in value).strip()
    return ""


def split_blocks(
    blocks: list[dict[str, Any]], limit: int = BLOCK_LIMIT, text_limit: int = MESSAGE_TEXT_BUDGET
) -> list[list[dict[str, Any]]]:
    """Split a long list of blocks into messages of at most `limit` blocks and about
    `text_limit` characters of text, never starting a message with a divider."""
    messages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for block in blocks:
        length = len(json.dumps(block, ensure_ascii=False))
        if current and (len(current) >= limit or size + length > text_limit):
            messages.append(current)
            current, size = [], 0
        if not current and block.get("type") == "divider":
            continue
        current.append(block)
        size += length
    if current:
        messages.append(current)
    return messages or [[]]


# A status an import brought in is the sheet's word, not the admin's who ran the import.
FROM_THE_SHEET = "from the imported sheet"
