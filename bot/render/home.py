"""The App Home tab: my open actions with their buttons, then status by theme for each board
I'm involved in. A Home view holds at most 100 blocks; what does not fit is counted."""

from __future__ import annotations

from typing import Any

from bot.core.board_status import ThemeStatus
from bot.render.cover import home_away_blocks
from bot.render.mrkdwn import (
    context,
    divider,
    escape,
    header,
    section,
    sections_from_lines,
    shorten,
    status_counts,
)
from bot.render.progress import USAGE_HINT, action_blocks, more_line
from bot.services.cover import MyAbsence
from bot.services.owner import BoardStatus, MyAction

HOME_BLOCK_LIMIT = 100
BOARD_BLOCK_BUDGET = 36  # the boards never crowd out my actions


def home_view(
    items: list[MyAction],
    boards: list[BoardStatus],
    notice: str | None = None,
    away: MyAbsence | None = None,
) -> dict[str, Any]:
    """The Home tab. `notice` is a line of mrkdwn (already escaped) shown at the top; then my
    absence (under way or next, with who covers and Cancel absence) or an I'm away button,
    under my actions."""
    top: list[dict[str, Any]] = [header("Your actions")]
    if notice:
        top.append(context(notice))
    tail = board_blocks(boards)
    if tail:
        tail = [divider(), *tail]
    tail = [*home_away_blocks(away), *tail]
    room = HOME_BLOCK_LIMIT - len(top) - len(tail)
    body: list[dict[str, Any]] = []
    if not items:
        body.append(
            section(
                "You have no open actions in the active plans. "
                "`/progress help` shows what else I can do."
            )
        )
    else:
        shown = len(items)
        if 2 * shown > room:
            shown = max((room - 1) // 2, 0)
        for item in items[:shown]:
            body.extend(action_blocks(item))
        if shown < len(items):
            body.append(
                section(more_line(items[shown:], f"`/progress mine` or {USAGE_HINT} reach them."))
            )
    return {"type": "home", "blocks": [*top, *body, *tail]}


def theme_line(theme: ThemeStatus) -> str:
    overdue = f" · :warning: {theme.overdue} overdue" if theme.overdue else ""
    return (
        f"*{escape(theme.ref)}* {escape(shorten(theme.title, 90))} — "
        f"{status_counts(theme.counts, owing=theme.owing_evidence)}{overdue}"
    )


def board_blocks(
    boards: list[BoardStatus], budget: int = BOARD_BLOCK_BUDGET
) -> list[dict[str, Any]]:
    """Per board: its name, a line per theme (status counts, overdue), and its totals."""
    blocks: list[dict[str, Any]] = []
    for index, board in enumerate(boards):
        lines: list[str] = []
        plans = list(dict.fromkeys(t.plan for t in board.themes))
        for plan in plans:
            if len(plans) > 1:
                lines.append(f"_{escape(shorten(plan, 120))}_")
            lines.extend(theme_line(t) for t in board.themes if t.plan == plan)
        total = board.counts.total
        overdue = f" · :warning: {board.overdue} overdue" if board.overdue else ""
        part = [
            header(f"{board.name}: status by theme"),
            *(sections_from_lines(lines) if lines else [section("No themes yet.")]),
            context(
                f"{total} actions · {status_counts(board.counts, owing=board.owing_evidence)} · "
                f"{board.counts.percent_complete}% complete{overdue}"
                " · `/board` for more"
            ),
        ]
        if len(blocks) + len(part) > budget - 1:
            rest = ", ".join(escape(b.name) for b in boards[index:])
            blocks.append(section(f"…and {len(boards) - index} more boards: {rest}."))
            break
        blocks.extend(part)
    return blocks
