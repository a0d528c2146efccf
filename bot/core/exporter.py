"""Write a plan (the DESIGN §7 `plan show --json` dict) as .xlsx, .csv or Markdown.

The .xlsx and .csv files have the DESIGN §1 columns plus Status and Last updated, and read
back through `bot.core.importer.read_plan` to the same themes, actions and progress.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.core.dates import MONTH_NAMES, DatePrecision, last_day_of_month
from bot.core.owner_cells import looks_like_name
from bot.core.sheet_reader import CSV_QUOTED_STARTS
from bot.core.statuses import Status

COLUMNS = (
    "Ref",
    "Theme / Action",
    "Completion date",
    "How will progress / impact be measured or evidenced?",
    "Owner",
    "Progress to date",
    "Status",
    "Last updated",
)
COLUMN_WIDTHS = (8, 50, 14, 45, 30, 55, 12, 13)
DAY_FORMAT = "dd/mm/yyyy"
MONTH_FORMAT = "mmm-yy"
SHEET_NAME = "Plan"
LOCAL_TIMEZONE = DEFAULT_TIMEZONE

STATUS_FILLS = {
    Status.NOT_STARTED: "F2F2F2",
    Status.GREEN: "C6EFCE",
    Status.AMBER: "FFEB9C",
    Status.RED: "FFC7CE",
    Status.BLUE: "BDD7EE",
}
_THEME_FILL = PatternFill("solid", fgColor="D9D9D9")
_HEADER_FILL = PatternFill("solid", fgColor="BFBFBF")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class _Row:
    """One exported row: a theme (just ref and title) or an action."""

    is_theme: bool
    ref: str
    title: str
    due: dt.date | None = None
    month: bool = False
    measures: str = ""
    owners: str = ""
    progress: str = ""
    status: Status | None = None
    updated: dt.date | None = None
    due_text: str = ""  # the sheet's words when the due cell is not a date
    fields: tuple[tuple[str, str], ...] = ()


# The importer's name for each exported column, to put a sheet's other columns back in place.
_FIELD_OF_COLUMN: tuple[str, ...] = (
    "ref",
    "action",
    "due",
    "measures",
    "owner",
    "progress",
    "status",
)
_FIELD_OF_COLUMN += ("last_updated",)


def _layout(plan: dict[str, Any]) -> list[int | str]:
    """Exported columns in order: an index into COLUMNS, or the name of a sheet's own column
    placed after the known column it followed when imported."""
    layout: list[int | str] = list(range(len(COLUMNS)))
    extras = [c for c in plan.get("sheet_columns") or [] if c.get("name")]
    for extra in reversed(extras):
        after = extra.get("after")
        if after in _FIELD_OF_COLUMN:
            position = layout.index(_FIELD_OF_COLUMN.index(after)) + 1
        else:
            position = 0
        layout.insert(position, str(extra["name"]))
    seen = {c for c in layout if isinstance(c, str)}
    for theme in plan.get("themes") or []:  # fields whose column the plan no longer lists
        for action in theme.get("actions") or []:
            for name in action.get("fields") or {}:
                if name not in seen:
                    seen.add(name)
                    layout.append(name)
    return layout


def _header_name(column: int | str) -> str:
    return COLUMNS[column] if isinstance(column, int) else column


def _width(column: int | str) -> int:
    return COLUMN_WIDTHS[column] if isinstance(column, int) else 25


def export_xlsx(plan: dict[str, Any]) -> bytes:
    """The plan as a workbook: title block, frozen header, bold theme rows, real date cells."""
    workbook = Workbook()
    sheet = cast(Worksheet, workbook.active)  # a new workbook starts with one worksheet
    sheet.title = SHEET_NAME
    title = sheet.cell(row=1, column=1, value=_clean(plan.get("title") or "Improvement plan"))
    title.font = Font(bold=True, size=14)
    title.data_type = "s"
    if plan.get("board"):
        board = sheet.cell(row=2, column=1, value=_clean(f"Board: {plan['board']}"))
        board.data_type = "s"
    header_row = 4

    layout = _layout(plan)
    for column, spec in enumerate(layout, start=1):
        name, width = _header_name(spec), _width(spec)
        head = sheet.cell(row=header_row, column=column, value=_clean(name))
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        head.alignment = _WRAP
        head.border = _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width

    number = header_row
    for number, row in enumerate(_rows(plan), start=header_row + 1):
        known: list[Any] = [
            row.ref,
            row.title,
            row.due if row.due is not None else row.due_text,
            row.measures,
            row.owners,
            row.progress,
            row.status.label if row.status else "",
            row.updated,
        ]
        fields = dict(row.fields)
        values = [known[c] if isinstance(c, int) else fields.get(c, "") for c in layout]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, str):
                if value:
                    cell.value = _clean(value)
                    cell.data_type = "s"  # text such as "=2 posts filled" is not a formula
            else:
                cell.value = value
            cell.alignment = _WRAP
            cell.border = _BORDER
            if row.is_theme:
                cell.font = Font(bold=True)
                cell.fill = _THEME_FILL
        if row.due is not None:
            sheet.cell(row=number, column=layout.index(2) + 1).number_format = (
                MONTH_FORMAT if row.month else DAY_FORMAT
            )
        if row.updated is not None:
            sheet.cell(row=number, column=layout.index(7) + 1).number_format = DAY_FORMAT
        if row.status is not None:
            sheet.cell(row=number, column=layout.index(6) + 1).fill = PatternFill(
                "solid", fgColor=STATUS_FILLS[row.status]
            )

    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(layout))}{number}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    challenge_rows = list(_challenge_rows(plan))
    if challenge_rows:
        _challenge_sheet(workbook.create_sheet(CHALLENGE_SHEET_NAME), challenge_rows)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


CHALLENGE_SHEET_NAME = "Challenge log"
CHALLENGE_COLUMNS = (
    "Ref", "Asked by", "Asked on", "Question", "Answer", "Answered on", "State",
)  # fmt: skip
CHALLENGE_WIDTHS = (8, 24, 12, 55, 55, 13, 11)


def _challenge_rows(plan: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """One row per challenge on the plan's actions (the `challenges` key of each action), in
    plan order: ref, asked by, asked on, question, answer, answered on, state. The history is
    append-only, so the question cell holds the question and every follow-up, and the answer
    cell every answer, in order, each dated and signed when there is more than one."""
    for theme in plan.get("themes") or []:
        for action in theme.get("actions") or []:
            for c in action.get("challenges") or []:
                steps = c.get("steps") or []
                asked = [s for s in steps if s.get("kind") in ("asked", "reopened")]
                answers = [s for s in steps if s.get("kind") == "answered"]
                yield (
                    str(action.get("ref") or ""),
                    c.get("asked_by") or "",
                    _local_date(c.get("asked_at")),
                    _steps_cell(asked) if len(asked) > 1 else c.get("question") or "",
                    _steps_cell(answers) if len(answers) > 1 else c.get("answer") or "",
                    _local_date(c.get("answered_at")),
                    str(c.get("state") or "").capitalize(),
                )


def _steps_cell(steps: list[dict[str, Any]]) -> str:
    """Several questions or answers in one cell, oldest first: `14/05/2019 Jane Doe: …`."""
    lines = []
    for step in steps:
        day = _local_date(step.get("at"))
        when = _uk(day) if isinstance(day, dt.date) else ""
        who = " ".join(part for part in (when, step.get("by") or "") if part)
        lines.append(f"{who}: {step.get('text') or ''}" if who else str(step.get("text") or ""))
    return "\n\n".join(lines)


def _challenge_sheet(sheet: Worksheet, rows: list[tuple[Any, ...]]) -> None:
    """The chair's challenge log: a frozen header and a row per challenge."""
    named = zip(CHALLENGE_COLUMNS, CHALLENGE_WIDTHS, strict=True)
    for column, (name, width) in enumerate(named, start=1):
        head = sheet.cell(row=1, column=column, value=name)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        head.border = _BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    for number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(
                row=number, column=column, value=_clean(value) if isinstance(value, str) else value
            )
            cell.alignment = _WRAP
            cell.border = _BORDER
            if isinstance(value, str):
                cell.data_type = "s"
            elif isinstance(value, dt.date):
                cell.number_format = DAY_FORMAT
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(CHALLENGE_COLUMNS))}{len(rows) + 1}"


def export_csv(plan: dict[str, Any]) -> bytes:
    """The plan as CSV (UTF-8 with a BOM so Excel reads it): 31/05/2019, or May-19 for months."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    layout = _layout(plan)
    writer.writerow([_header_name(column) for column in layout])
    for row in _rows(plan):
        due = _csv_text(row.due_text)
        if row.due is not None:
            due = f"{MONTH_NAMES[row.due.month][:3]}-{row.due:%y}" if row.month else _uk(row.due)
        known = [
            _csv_text(row.ref),
            _csv_text(row.title),
            due,
            _csv_text(row.measures),
            _csv_text(row.owners),
            _csv_text(row.progress),
            row.status.label if row.status else "",
            _uk(row.updated) if row.updated else "",
        ]
        fields = dict(row.fields)
        writer.writerow(
            [known[c] if isinstance(c, int) else _csv_text(fields.get(c, "")) for c in layout]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_markdown(plan: dict[str, Any]) -> str:
    """The plan as a readable document: a heading and a table per theme."""
    lines = [f"# {_md(plan.get('title') or 'Improvement plan')}", ""]
    if plan.get("board"):
        lines += [f"Board: {_md(plan['board'])}", ""]
    headings: tuple[str, ...] = (
        "Ref",
        "Action",
        "Due",
        "Measures / evidence",
        "Owner",
        "Progress",
        "Status",
    )
    headings += ("Last updated",)
    themes = plan.get("themes") or []
    if not themes:
        lines += ["_No themes yet._", ""]
    for theme in themes:
        lines += [f"## {_md(str(theme.get('ref') or ''))} {_md(theme.get('title') or '')}", ""]
        actions = [row for row in _theme_rows(theme) if not row.is_theme]
        if not actions:
            lines += ["_No actions yet._", ""]
            continue
        lines += [_theme_summary(actions), ""]
        lines.append("| " + " | ".join(headings) + " |")
        lines.append("|" + "---|" * len(headings))
        for row in actions:
            due = row.due_text
            if row.due is not None:
                due = f"{MONTH_NAMES[row.due.month]} {row.due.year}" if row.month else _uk(row.due)
            status = row.status.label if row.status else ""
            updated = _uk(row.updated) if row.updated else ""
            cells = (row.ref, row.title, due, row.measures, row.owners, row.progress, status)
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + f" | {updated} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _theme_summary(actions: list[_Row]) -> str:
    """A line like "3 actions: 1 on track, 2 complete." (statuses in BRAG order)."""
    counts = {status: sum(1 for row in actions if row.status is status) for status in Status}
    parts = [f"{count} {status.label.lower()}" for status, count in counts.items() if count]
    noun = "action" if len(actions) == 1 else "actions"
    return f"{len(actions)} {noun}" + (": " + ", ".join(parts) if parts else "") + "."


# --- rows ----------------------------------------------------------------------------------


def _rows(plan: dict[str, Any]) -> Iterator[_Row]:
    for theme in plan.get("themes") or []:
        yield from _theme_rows(theme)


def _theme_rows(theme: dict[str, Any]) -> Iterator[_Row]:
    yield _Row(True, str(theme.get("ref") or ""), theme.get("title") or "")
    for action in theme.get("actions") or []:
        due = _date(action.get("due"))
        month = action.get("due_precision") == DatePrecision.MONTH.value
        if due is not None and month:
            due = last_day_of_month(due.year, due.month)
        update = action.get("latest_update") or {}
        status = action.get("status")
        yield _Row(
            False,
            str(action.get("ref") or ""),
            action.get("title") or "",
            due,
            month,
            action.get("measures") or "",
            _owner_lines(action.get("owners") or []),
            update.get("note") or "",
            Status(status) if status else None,
            _local_date(update.get("at")),
            action.get("due_text") or "",
            tuple((str(k), str(v)) for k, v in (action.get("fields") or {}).items()),
        )


def _owner_lines(owners: list[dict[str, Any]]) -> str:
    """One owner a line. A name with no title before a line that is not a name ends in ";",
    so that reading the sheet back keeps the person and the role apart rather than making
    the role that person's title."""
    lines = [_owner_line(owner) for owner in owners]
    for index, owner in enumerate(owners[:-1]):
        bare_name = not owner.get("title") and looks_like_name(lines[index])
        if bare_name and not looks_like_name(lines[index + 1].split(",", 1)[0]):
            lines[index] += ";"
    return "\n".join(lines)


def _owner_line(owner: dict[str, Any]) -> str:
    name, title = owner.get("name") or "", owner.get("title") or ""
    return f"{name}, {title}" if title else name


def _date(value: object) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _local_date(value: object) -> dt.date | None:
    """The day of an update in the UK: 23:30 UTC on 30 June is 1 July in London."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        return value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(LOCAL_TIMEZONE))
    return moment.date()


def _uk(day: dt.date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


# --- text ----------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text Excel will store: control characters other than new lines removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _csv_text(text: str) -> str:
    """Excel runs a CSV cell starting with = + - @ as a formula: a leading ' stops that, and
    the importer takes it off again."""
    return "'" + text if text[:1] in CSV_QUOTED_STARTS else text


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Plain text for Markdown: punctuation that would format or break a table escaped."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _md_cell(text: str) -> str:
    """A table cell: each line escaped, lines joined with <br> (a table row is one line)."""
    return "<br>".join(_md(line) for line in text.splitlines() if line.strip())
