"""The committee paper's content, once, as plain blocks (headings, paragraphs, tables,
figures) that the Word and Markdown renderers both lay out.

Each section of the paper is one function of the `BoardPaper` in `SECTIONS`: the cover, the
summary (delivery and impact by theme, movement since the last meeting, the BRAG chart), the
trend over the last six meetings (its chart), progress by theme, exceptions, date changes,
the challenge log, statutory deadlines, cover for absent owners, and owners who have not
updated. A new section is one more function there. Every chart comes with its text
equivalent: as its alt text and caption in Word, in its place in Markdown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.core.board_status import ActionRow, Who
from bot.core.calendar import zone
from bot.core.digest import DateChangeRow, PendingDateChange, row_impact
from bot.core.impact import Impact, impact_counts
from bot.core.statuses import Status
from bot.render.charts import (
    COLOUR_NAMES,
    LEGEND_NAMES,
    STACK_ORDER,
    Chart,
    brag_by_theme_chart,
    brag_by_theme_text,
    trend_chart,
    trend_text,
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
    """A chart: its text equivalent is the picture's alt text (and, where no picture can be
    shown, the text in its place); `caption` is printed under it."""

    chart: Chart
    caption: str
    title: str = "BRAG status by theme"  # the picture's title, beside its alt text


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


def _impact(line: ActionRow) -> str:
    """The action's impact as the table reads it: its latest judgement, and whether the
    evidence for it was given."""
    judged = row_impact(line)
    if judged.impact is None:
        return "Not judged"
    if judged.impact is Impact.EVIDENCED and not judged.impact_evidenced:
        return "Said evidenced, no evidence given"
    return judged.impact.words.capitalize()


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


def _movement_since(paper: BoardPaper) -> str:
    since = paper.pack.digest.movement_since
    return f"since {uk_date(since)}" if since is not None else "(no meeting yet to compare with)"


def summary(paper: BoardPaper, options: Options) -> list[Block]:
    pack = paper.pack
    digest = pack.digest
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
    impact = digest.impact
    pending = len(pack.pending_date_changes)
    challenges = digest.challenges
    open_challenges = (challenges.open + challenges.answered) if challenges else 0
    blocks: list[Block] = [
        Heading("Summary", 1),
        Paragraph(
            f"{totals.actions} {'action' if totals.actions == 1 else 'actions'}, "
            f"{totals.percent_complete}% complete. {totals.overdue} overdue; "
            f"{pending} date {'change' if pending == 1 else 'changes'} "
            f"for the board to decide; {len(pack.not_updated)} "
            f"{'owner has' if len(pack.not_updated) == 1 else 'owners have'} "
            f"not updated since {_since(paper)}; {open_challenges} "
            f"{'challenge' if open_challenges == 1 else 'challenges'} open or awaiting the "
            "chair."
        ),
        Paragraph(
            f"Delivery and impact are counted apart: {impact.delivered} delivered, "
            f"{impact.impact_evidenced} with impact evidenced, {impact.impact_emerging} "
            f"emerging; {impact.owing_evidence} delivered with impact not yet evidenced."
        ),
        Heading("Delivery by theme (BRAG)", 2),
        Table(
            header=("Theme", *(COLOUR_NAMES[s] for s in BRAG_COLUMNS), "Total", "% complete"),
            rows=tuple(rows),
            widths_cm=(5.5, 1.4, 1.5, 1.6, 1.3, 2.0, 1.4, 2.3),
            total_row=True,
        ),
        Paragraph(" · ".join(LEGEND_NAMES[s] for s in BRAG_COLUMNS) + "."),
        Heading(f"Impact and movement {_movement_since(paper)}", 2),
        _impact_table(paper),
    ]
    themes = [(_theme_name(t.ref, t.title), t.counts) for t in digest.themes]
    caption = brag_by_theme_text(themes)
    if options.charts and themes:
        blocks.append(
            Figure(
                brag_by_theme_chart(themes),
                "Figure 1. Actions by status for each theme (the numbers are in the table above).",
            )
        )
    else:
        blocks.append(Paragraph(caption, emphasis=True))
    blocks.append(PageBreak())
    return blocks


def _impact_table(paper: BoardPaper) -> Table:
    """Per theme: delivered, impact evidenced and emerging, owing evidence, and movement."""
    movement = {(m.plan, m.ref): m for m in paper.pack.digest.movement}
    rows = []
    for theme in paper.themes:
        counts = impact_counts(row_impact(a) for a in theme.actions)
        moved = movement.get((theme.plan, theme.ref))
        line = moved.summary.line if moved is not None else "No actions"
        slips = moved.summary.slips if moved is not None else 0
        rows.append(
            (
                _theme_name(theme.ref, theme.title),
                str(counts.delivered),
                str(counts.impact_evidenced),
                str(counts.impact_emerging),
                str(counts.owing_evidence),
                line + (f"; {slips} {'slip' if slips == 1 else 'slips'}" if slips else ""),
            )
        )
    impact = paper.pack.digest.impact
    rows.append(
        (
            "All themes",
            str(impact.delivered),
            str(impact.impact_evidenced),
            str(impact.impact_emerging),
            str(impact.owing_evidence),
            _slipped(paper.pack.digest.movement_slips),
        )
    )
    return Table(
        header=(
            "Theme",
            "Delivered",
            "Impact evidenced",
            "Impact emerging",
            "Owing evidence",
            "Movement",
        ),
        rows=tuple(rows),
        widths_cm=(3.6, 2.1, 2.4, 2.4, 2.3, 4.2),
        total_row=True,
    )


def _slipped(slips: int) -> str:
    return f"{slips} due {'date' if slips == 1 else 'dates'} slipped"


def trend(paper: BoardPaper, options: Options) -> list[Block]:
    points = paper.trend
    meetings = [p for p in points if not p.is_now]
    blocks: list[Block] = [
        Heading("Trend over the last meetings", 1),
        Paragraph(
            "The board's actions by status and by impact at the start of "
            + (
                "its last meeting"
                if len(meetings) == 1
                else f"each of its last {len(meetings)} meetings"
            )
            + ", and now; statuses as they stood then, from the update history."
            if meetings
            else "There is no earlier meeting to compare with yet; this is the first."
        ),
    ]
    rows = tuple(
        (
            f"Now ({uk_date(p.day)})" if p.is_now else uk_date(p.day),
            *(str(p.counts[s]) for s in BRAG_COLUMNS),
            str(p.actions),
            str(p.impact.impact_evidenced),
            str(p.impact.impact_emerging),
            str(p.not_yet_evidenced),
        )
        for p in points
    )
    blocks.append(
        Table(
            header=(
                "Meeting",
                *(COLOUR_NAMES[s] for s in BRAG_COLUMNS),
                "Total",
                "Evidenced",
                "Emerging",
                "Not yet evidenced",
            ),
            rows=rows,
            widths_cm=(1.8, 1.1, 1.5, 1.6, 1.0, 1.7, 1.4, 2.3, 2.3, 2.3),
        )
    )
    caption = trend_text(points)
    if options.charts and meetings:
        blocks.append(
            Figure(
                trend_chart(points),
                "Figure 2. The board's actions by status and by impact at each meeting, and now "
                "(the numbers are in the table above).",
                "Trend of BRAG and impact",
            )
        )
    else:
        blocks.append(Paragraph(caption, emphasis=True))
    blocks.append(PageBreak())
    return blocks


def themes(paper: BoardPaper, options: Options) -> list[Block]:
    tz = paper.pack.digest.timezone
    movement = {(m.plan, m.ref): m for m in paper.pack.digest.movement}
    blocks: list[Block] = [Heading("Progress by theme", 1)]
    if not paper.themes:
        blocks.append(Paragraph("There is no active plan on this board."))
    for theme, digest_theme in zip(paper.themes, paper.pack.digest.themes, strict=True):
        blocks.append(Heading(_theme_name(theme.ref, theme.title), 2))
        moved = movement.get((theme.plan, theme.ref))
        blocks.append(
            Paragraph(
                f"{digest_theme.counts.total} actions, {digest_theme.percent_complete}% complete"
                + (f"; {moved.summary.line}." if moved is not None else ".")
            )
        )
        if not theme.actions:
            blocks.append(Paragraph("No actions in this theme."))
            continue
        blocks.append(
            Table(
                header=(
                    "Ref",
                    "Action",
                    "Owner",
                    "Due",
                    "Status",
                    "Impact",
                    "Latest update",
                    "Slips",
                ),
                rows=tuple(
                    (
                        a.ref,
                        a.title,
                        _names(a.owners),
                        _due(a),
                        _status(a.status),
                        _impact(a),
                        _latest(a, tz),
                        str(a.slips),
                    )
                    for a in theme.actions
                ),
                widths_cm=(1.0, 3.1, 2.0, 1.9, 2.1, 2.1, 3.4, 1.4),
            )
        )
    return blocks


def exceptions(paper: BoardPaper, options: Options) -> list[Block]:
    """Red, overdue and escalated actions; delivered ones whose impact is not yet evidenced;
    open ones whose last three updates gave no evidence of impact. An action listed for
    several reasons is one row giving them all."""
    overdue = _overdue_days(paper)
    escalate = paper.escalate_after
    owing = {o.action_id for o in paper.pack.digest.owing_evidence}
    quiet = {o.action_id for o in paper.pack.without_impact}
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
            if a.id in owing:
                reasons.append("Delivered, impact not yet evidenced")
            if a.id in quiet:
                reasons.append("Activity without evidence of impact (last three updates)")
            if reasons:
                if days is not None and days >= escalate:
                    rank = 0
                elif days is not None or a.status == Status.RED:
                    rank = 1
                else:
                    rank = 2
                row = (a.ref, a.title, _names(a.owners), _due(a), _status(a.status))
                found.append((rank, -(days or 0), (*row, "; ".join(reasons))))
    blocks: list[Block] = [
        Heading("Exceptions", 1),
        Paragraph(
            f"Actions off track (red) or past their due date; escalated means {escalate} or "
            "more working days overdue, the point at which the theme lead and the chair are "
            "told. Also listed: actions delivered whose impact is not yet evidenced, and "
            "activity without evidence of impact (the last three updates gave no impact "
            "judgement and no evidence)."
        ),
    ]
    if not found:
        blocks.append(Paragraph("No action is off track, overdue or owing evidence of impact."))
        return blocks
    found.sort(key=lambda item: (item[0], item[1]))
    blocks.append(
        Table(
            header=("Ref", "Action", "Owner", "Due", "Status", "Why listed"),
            rows=tuple(row for _, _, row in found),
            widths_cm=(1.0, 4.4, 2.6, 2.0, 2.2, 4.8),
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


def challenge_log(paper: BoardPaper, options: Options) -> list[Block]:
    since = paper.closed_since
    closed_since = f"closed since {_since(paper)}" if since is not None else "closed"
    blocks: list[Block] = [
        Heading("Challenge log", 1),
        Paragraph(
            "The board's questions to action owners: open (waiting for the owners), answered "
            f"(waiting for the chair to close or follow up), and those {closed_since}."
        ),
    ]
    if not paper.challenge_log:
        blocks.append(Paragraph("No challenges to report."))
        return blocks
    blocks.append(
        Table(
            header=("No.", "Ref", "Question", "Asked by", "State", "Age", "Latest answer"),
            rows=tuple(
                (
                    c.label,
                    c.ref,
                    _short(c.question, NOTE_LIMIT),
                    c.asked_by or "Unknown",
                    c.state.capitalize(),
                    c.age,
                    (
                        f"{c.answered_by}: {_short(c.answer, NOTE_LIMIT)}"
                        if c.answer and c.answered_by
                        else _short(c.answer, NOTE_LIMIT)
                        if c.answer
                        else "Closed without an answer"
                        if c.state == "closed"
                        else "No answer yet"
                    ),
                )
                for c in paper.challenge_log
            ),
            widths_cm=(1.1, 1.0, 4.3, 2.0, 2.1, 2.3, 4.2),
        )
    )
    return blocks


def deadlines(paper: BoardPaper, options: Options) -> list[Block]:
    countdowns = paper.pack.digest.deadlines
    blocks: list[Block] = [
        Heading("Statutory deadlines", 1),
        Paragraph(
            "Counted down in working days (weekends and bank holidays of the board's region "
            "not counted); an overdue deadline is red."
        ),
    ]
    if not countdowns:
        blocks.append(Paragraph("No statutory deadlines are set for this board."))
        return blocks
    blocks.append(
        Table(
            header=("Deadline", "Due", "Working days left", "Status"),
            rows=tuple(
                (
                    c.title,
                    uk_date(c.due),
                    str(c.working_days_left),
                    "Red: overdue"
                    if c.overdue
                    else "Due today"
                    if c.working_days_left == 0
                    else "Amber: within 10 working days"
                    if c.working_days_left <= 10
                    else "On course",
                )
                for c in countdowns
            ),
            widths_cm=(7.0, 3.6, 2.8, 3.6),
        )
    )
    return blocks


def cover_for_absence(paper: BoardPaper, options: Options) -> list[Block]:
    lines = paper.pack.digest.covering
    blocks: list[Block] = [Heading("Cover for absent owners", 1)]
    if not lines:
        blocks.append(Paragraph("No action owner is away today."))
        return blocks
    blocks += [Paragraph(line + ".") for line in lines]
    return blocks


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


SECTIONS: tuple[Section, ...] = (
    cover,
    summary,
    trend,
    themes,
    exceptions,
    date_changes,
    challenge_log,
    deadlines,
    cover_for_absence,
    not_updated,
)


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
