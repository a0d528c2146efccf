"""The committee paper's content, once, as plain blocks (headings, paragraphs, tables,
figures) that the Word and Markdown renderers both lay out.

Each section of the paper is one function of the `BoardPaper` in `SECTIONS`; a new section
(the challenge log, statutory deadlines …) is one more function there. A section says only
what the bot holds: no section is added for data it does not keep yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.core.board_status import ActionRow, Who
from bot.core.calendar import zone
from bot.core.digest import DateChangeRow, PendingDateChange
from bot.core.statuses import Status
from bot.render.charts import (
    COLOUR_NAMES,
    LEGEND_NAMES,
    STACK_ORDER,
    Chart,
    brag_by_theme_chart,
    brag_by_theme_text,
)
from bot.render.mrkdwn import uk_date
from bot.services.paper import BoardPaper

NOTE_LIMIT = 500
BRAG_COLUMNS = STACK_ORDER  # the table's columns follow the chart's stack


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0: the document's title; 1, 2: headings


@dataclass(frozen=True)
class Paragraph:
    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]  # () for a table of label / value rows
    rows: tuple[tuple[str, ...], ...]
    widths_cm: tuple[float, ...] = ()
    total_row: bool = False  # the last row sums the others


@dataclass(frozen=True)
class Figure:
    chart: Chart
    caption: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Figure | PageBreak


@dataclass(frozen=True)
class Options:
    charts: bool = True  # False: the text equivalent only (no matplotlib)


Section = Callable[[BoardPaper, Options], list[Block]]


# ---------------------------------------------------------------- wording


def _names(owners: Sequence[Who]) -> str:
    return ", ".join(w.name for w in owners) or "No owner"


def _status(status: str) -> str:
    return LEGEND_NAMES[Status(status)]


def _due(line: ActionRow) -> str:
    return uk_date(line.due, line.due_precision) if line.due else "No date"


def _local_day(value: dt.datetime, tz: str) -> str:
    return uk_date(value.astimezone(zone(tz)).date())


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _latest(line: ActionRow, tz: str) -> str:
    if line.latest is None or not line.latest.note:  # the paper reads updates with a note
        return "No update"
    return f"{_local_day(line.latest.at, tz)}: {_short(line.latest.note, NOTE_LIMIT)}"


def _since(paper: BoardPaper) -> str:
    pack = paper.pack
    if pack.previous_meeting is not None:
        return f"the meeting on {uk_date(pack.previous_meeting)}"
    return _local_day(pack.updates_since, pack.digest.timezone)


def _theme_name(ref: str, title: str) -> str:
    return f"{ref} {title}".strip()


def _overdue_days(paper: BoardPaper) -> dict[tuple[str, str], int]:
    """(plan, action ref) → working days overdue, from the pack's digest."""
    return {(t.plan, a.ref): a.working_days for t in paper.pack.digest.themes for a in t.overdue}


# ---------------------------------------------------------------- sections


def cover(paper: BoardPaper, options: Options) -> list[Block]:
    pack = paper.pack
    digest = pack.digest
    plans = sorted({t.plan for t in digest.themes})
    report_of = (
        f"{paper.report_of.name}, {paper.report_of.role}" if paper.report_of else "Not recorded"
    )
    blocks: list[Block] = [
        Heading(digest.board, 0),
        Paragraph("Improvement plan: progress report to the board"),
        Table(
            header=(),
            rows=(
                ("Meeting date", uk_date(pack.meeting)),
                ("Report date", uk_date(digest.today)),
                ("Report of", report_of),
                ("Plan" if len(plans) == 1 else "Plans", "; ".join(plans) or "No active plan"),
                ("Period covered", f"Since {_since(paper)}"),
            ),
            widths_cm=(4.0, 12.0),
        ),
        PageBreak(),
    ]
    return blocks


def summary(paper: BoardPaper, options: Options) -> list[Block]:
    digest = paper.pack.digest
    totals = digest.totals
    rows = []
    for t in digest.themes:
        counts = [str(getattr(t.counts, s.value)) for s in BRAG_COLUMNS]
        rows.append(
            (
                _theme_name(t.ref, t.title),
                *counts,
                str(t.counts.total),
                f"{t.percent_complete}%",
            )
        )
    rows.append(
        (
            "All themes",
            *(str(getattr(totals.counts, s.value)) for s in BRAG_COLUMNS),
            str(totals.actions),
            f"{totals.percent_complete}%",
        )
    )
    blocks: list[Block] = [
        Heading("Summary", 1),
        Paragraph(
            f"{totals.actions} {'action' if totals.actions == 1 else 'actions'}, "
            f"{totals.percent_complete}% complete. {totals.overdue} overdue; "
            f"{len(paper.pack.pending_date_changes)} date "
            f"{'change' if len(paper.pack.pending_date_changes) == 1 else 'changes'} "
            f"for the board to decide; {len(paper.pack.not_updated)} "
            f"{'owner has' if len(paper.pack.not_updated) == 1 else 'owners have'} "
            f"not updated since {_since(paper)}."
        ),
        Table(
            header=("Theme", *(COLOUR_NAMES[s] for s in BRAG_COLUMNS), "Total", "% complete"),
            rows=tuple(rows),
            widths_cm=(5.0, 1.6, 1.6, 1.6, 1.6, 1.6, 1.5, 2.2),
            total_row=True,
        ),
        Paragraph(" · ".join(LEGEND_NAMES[s] for s in BRAG_COLUMNS) + "."),
    ]
    themes = [(_theme_name(t.ref, t.title), t.counts) for t in digest.themes]
    caption = brag_by_theme_text(themes)
    if options.charts and themes:
        blocks.append(Figure(brag_by_theme_chart(themes), caption))
    else:
        blocks.append(Paragraph(caption, emphasis=True))
    blocks.append(PageBreak())
    return blocks


def themes(paper: BoardPaper, options: Options) -> list[Block]:
    tz = paper.pack.digest.timezone
    blocks: list[Block] = [Heading("Progress by theme", 1)]
    if not paper.themes:
        blocks.append(Paragraph("There is no active plan on this board."))
    for theme, digest_theme in zip(paper.themes, paper.pack.digest.themes, strict=True):
        blocks.append(Heading(_theme_name(theme.ref, theme.title), 2))
        blocks.append(
            Paragraph(
                f"{digest_theme.counts.total} actions, {digest_theme.percent_complete}% complete."
            )
        )
        if not theme.actions:
            blocks.append(Paragraph("No actions in this theme."))
            continue
        blocks.append(
            Table(
                header=("Ref", "Action", "Owner", "Due", "Status", "Latest update", "Slips"),
                rows=tuple(
                    (
                        a.ref,
                        a.title,
                        _names(a.owners),
                        _due(a),
                        _status(a.status),
                        _latest(a, tz),
                        str(a.slips),
                    )
                    for a in theme.actions
                ),
                widths_cm=(1.2, 3.7, 2.4, 1.9, 2.0, 4.4, 1.4),
            )
        )
    return blocks


def exceptions(paper: BoardPaper, options: Options) -> list[Block]:
    overdue = _overdue_days(paper)
    escalate = paper.escalate_after
    found: list[tuple[int, int, tuple[str, ...]]] = []
    for theme in paper.themes:
        for a in theme.actions:
            days = overdue.get((theme.plan, a.ref))
            reasons = []
            if days is not None and days >= escalate:
                reasons.append(f"Escalated: {days} working days overdue")
            elif days is not None:
                reasons.append(f"Overdue: {days} working {'day' if days == 1 else 'days'}")
            if a.status == Status.RED:
                reasons.append("Red status")
            if reasons:
                rank = 0 if days is not None and days >= escalate else 1 if days else 2
                row = (a.ref, a.title, _names(a.owners), _due(a), _status(a.status))
                found.append((rank, -(days or 0), (*row, "; ".join(reasons))))
    blocks: list[Block] = [
        Heading("Exceptions", 1),
        Paragraph(
            f"Actions off track (red) or past their due date. Escalated means {escalate} or more "
            "working days overdue, the point at which the theme lead and the chair are told."
        ),
    ]
    if not found:
        blocks.append(Paragraph("No action is off track or overdue."))
        return blocks
    found.sort(key=lambda item: (item[0], item[1]))
    blocks.append(
        Table(
            header=("Ref", "Action", "Owner", "Due", "Status", "Why listed"),
            rows=tuple(row for _, _, row in found),
            widths_cm=(1.2, 5.0, 3.0, 2.0, 1.8, 4.4),
        )
    )
    return blocks


_Change = TypeVar("_Change", PendingDateChange, DateChangeRow)


def _date_change_table(
    changes: Sequence[_Change], last: str, describe: Callable[[_Change], str]
) -> Block:
    """A table of date changes, the last column saying `describe(change)`; "None." for none."""
    if not changes:
        return Paragraph("None.")
    return Table(
        header=("Ref", "Action", "From", "To", "Reason", last),
        rows=tuple(
            (
                c.ref,
                c.title,
                uk_date(c.old_due),
                uk_date(c.new_due, c.new_precision),
                c.reason,
                describe(c),
            )
            for c in changes
        ),
        widths_cm=(1.2, 4.2, 2.2, 2.2, 4.2, 3.0),
    )


def date_changes(paper: BoardPaper, options: Options) -> list[Block]:
    pack = paper.pack
    tz = pack.digest.timezone
    return [
        Heading("Date changes", 1),
        Heading("Asked for, awaiting the board's decision", 2),
        _date_change_table(
            pack.pending_date_changes,
            "Asked by",
            lambda c: (
                (c.requested_by.name if c.requested_by else "Unknown")
                + f", {_local_day(c.requested_at, tz)}"
            ),
        ),
        Heading(f"Decided since {_since(paper)}", 2),
        _date_change_table(
            paper.decided_date_changes,
            "Decision",
            lambda c: (
                ("Approved" if c.approved else "Declined")
                + (f" by {c.decided_by}" if c.decided_by else "")
                + (f", {_local_day(c.decided_at, tz)}" if c.decided_at else "")
                + (f": {c.note}" if c.note else "")
            ),
        ),
    ]


def not_updated(paper: BoardPaper, options: Options) -> list[Block]:
    pack = paper.pack
    blocks: list[Block] = [Heading(f"Owners who have not updated since {_since(paper)}", 1)]
    if not pack.not_updated:
        blocks.append(Paragraph("Every owner with open actions has updated."))
        return blocks
    blocks.append(
        Table(
            header=("Owner", "Actions without an update"),
            rows=tuple((n.who.name, ", ".join(n.refs)) for n in pack.not_updated),
            widths_cm=(6.0, 11.0),
        )
    )
    return blocks


SECTIONS: tuple[Section, ...] = (cover, summary, themes, exceptions, date_changes, not_updated)


def paper_blocks(paper: BoardPaper, options: Options | None = None) -> list[Block]:
    """Every section's blocks, in order."""
    options = options or Options()
    return [block for section in SECTIONS for block in section(paper, options)]


# ---------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


def paper_markdown(paper: BoardPaper) -> str:
    """The paper as Markdown: the same sections, the chart as its text equivalent."""
    lines: list[str] = []
    for block in paper_blocks(paper, Options(charts=False)):
        if isinstance(block, Heading):
            lines += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            lines += [f"_{block.text}_" if block.emphasis else block.text, ""]
        elif isinstance(block, Table):
            if not block.header:
                lines += [f"**{_cell(row[0])}:** {_cell(row[1])}  " for row in block.rows]
                lines.append("")
                continue
            lines.append("| " + " | ".join(_cell(h) for h in block.header) + " |")
            lines.append("|" + "|".join("---" for _ in block.header) + "|")
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
            lines.append("")
        elif isinstance(block, Figure):
            lines += [f"_{block.caption}_", ""]
    return "\n".join(lines).rstrip() + "\n"
