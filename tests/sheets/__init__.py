"""Untidy improvement-plan spreadsheets built in memory, like the ones councils really send.

Each builder returns the file's bytes; the matching parsed results are asserted in
tests/unit/test_import_parse.py, and integration tests can import the same files.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER = (
    "Ref",
    "Theme / Action",
    "Completion date",
    "How will progress / impact be measured or evidenced?",
    "Owner",
    "Progress to date",
)


@dataclass(frozen=True)
class Cell:
    """A cell with a number format, bold text or a solid fill."""

    value: object = None
    fmt: str | None = None
    bold: bool = False
    fill: str | None = None  # "RRGGBB"


@dataclass(frozen=True)
class Row:
    """A row whose text is bold, or whose first cells are merged across `merge` columns."""

    cells: Sequence[object]
    bold: bool = False
    merge: int = 0
    merge_from: int = 1


RowSpec = Sequence[object] | Row


def workbook(sheets: dict[str, Sequence[RowSpec]], hidden: Sequence[str] = ()) -> bytes:
    """An .xlsx with the given sheets; a row is a list of values/Cells or a Row."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        if name in hidden:
            sheet.sheet_state = "hidden"
        for number, spec in enumerate(rows, start=1):
            row = spec if isinstance(spec, Row) else Row(spec)
            for column, item in enumerate(row.cells, start=1):
                cell_spec = item if isinstance(item, Cell) else Cell(item)
                cell = sheet.cell(row=number, column=column)
                if cell_spec.value is not None:
                    cell.value = cell_spec.value
                if cell_spec.fmt:
                    cell.number_format = cell_spec.fmt
                if cell_spec.bold or row.bold:
                    cell.font = Font(bold=True)
                if cell_spec.fill:
                    cell.fill = PatternFill("solid", fgColor="FF" + cell_spec.fill)
            if row.merge:
                first = get_column_letter(row.merge_from)
                last = get_column_letter(row.merge_from + row.merge - 1)
                sheet.merge_cells(f"{first}{number}:{last}{number}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(lines: Sequence[str], encoding: str = "utf-8-sig") -> bytes:
    """A CSV file from already-delimited lines (CRLF endings, as Excel writes them)."""
    return "\r\n".join(lines).encode(encoding)


def council_workbook() -> bytes:
    """A typical council sheet: a title block, merged bold theme rows, numeric refs,
    `mmm-yy` date cells and text dates, two owners in a cell, a RAG column of words, spacer
    rows, a header repeated on the next printed page and a note row at the end."""
    return workbook(
        {
            "Improvement Plan": [
                Row(["Anytown Council – Children's Services"], bold=True, merge=6),
                ["ILACS improvement plan (inspection published 19 November 2018)"],
                ["Last updated: 3 May 2019"],
                [],
                [*HEADER, "RAG"],
                Row(
                    [Cell(4, fmt="0.0"), "Placement stability: children live in stable homes"],
                    bold=True,
                    merge=6,
                    merge_from=2,
                ),
                [
                    4.1,
                    "Ensure foster carers' views are actively sought\nand acted upon",
                    Cell(dt.datetime(2019, 5, 1), fmt="mmm-yy"),
                    "•Feedback from foster carer events\n-   Annual survey results  ",
                    "Jane Doe, Head of Fostering\nJohn Smith, Service Manager",
                    "Big conversation held in March.\n\n\nSurvey out in April.",
                    "Amber",
                ],
                [None, "   ", None, None],
                [
                    4.199999999999999,
                    "Review matching  processes",
                    "Feb 19",
                    "Fewer placement moves",
                    "Amy Lee, Team Manager; Raj Patel, Head of Service",
                    None,
                    "On track",
                ],
                [
                    Cell(4.1, fmt="0.00"),
                    "Recruit 20 new foster carers",
                    "31/01/2019",
                    None,
                    "Jane Doe, Head of Fostering",
                    "22 approved",
                    "Complete",
                ],
                [*HEADER, "RAG"],
                [5, Cell("Care leavers", bold=True)],
                [
                    5.1,
                    "Every care leaver has a pathway plan",
                    Cell(dt.datetime(2019, 9, 30), fmt="dd/mm/yyyy"),
                    "Audit of pathway plans",
                    "Head of Leaving Care",
                    "  ",
                    None,
                ],
                [
                    "5.2",
                    "Staying close offer",
                    Cell(dt.date(2019, 6, 15), fmt="[$-809]mmm-yy;@"),
                    None,
                    "Sam O'Neil & Priya Shah",
                    "Bid submitted",
                    "G",
                ],
                [],
                [],
                ["Note: RAG ratings agreed at the board on 12/04/2019"],
            ]
        }
    )


def word_copy_workbook() -> bytes:
    """Pasted from a Word document: a cover sheet first, refs inside the action text,
    "Theme n:" rows, a status column of fill colours only, owners joined by "&", numbered
    lists in cells, a continuation row, "TBC" dates and whitespace-only spacer cells."""
    status = "Status"
    return workbook(
        {
            "Cover": [
                ["Anytown Council"],
                ["Improvement plan — see the next sheet"],
            ],
            "Action plan": [
                ["Anytown Council Improvement Plan"],
                [],
                [
                    "Area for improvement / action",
                    "Timescale",
                    "Responsible officer",
                    "Evidence",
                    "Update",
                    status,
                ],
                Row(["Theme 1: Leadership and management"], bold=True, merge=6),
                [
                    "1.1 Strengthen management oversight of casework",
                    "Mar 2019",
                    "Sarah Jones & Tom Brown",
                    "1. Monthly audits\n2) Supervision records",
                    "Audit tool agreed",
                    Cell(fill="00B050"),
                ],
                [
                    "1.2. Embed the practice model",
                    "May 2019",
                    "Head of Fostering & Adoption",
                    None,
                    None,
                    Cell(fill="FFC000"),
                ],
                [
                    "1.3 - Improve the quality of supervision",
                    None,
                    "Director of Children's Services",
                    "Supervision audit",
                    None,
                    Cell(fill="FF0000"),
                ],
                [None, None, "Ann Other, Principal Social Worker", "• Audit programme in place"],
                ["  ", "\t", "   "],
                Row(["Theme 2 – Children in care"], bold=True),
                [
                    "2.1 Reduce drift for children in care",
                    Cell(dt.datetime(2019, 7, 31, 14, 30), fmt="dd/mm/yyyy hh:mm"),
                    "Amy Lee (Virtual School Head)",
                    None,
                    "On target",
                    Cell(fill="0070C0"),
                ],
                [
                    "2.2 Sufficiency strategy",
                    "TBC",
                    "Jane Doe - Head of Fostering",
                    None,
                    None,
                    Cell(fill="DDEBF7"),
                ],
            ],
        }
    )


def numbered_workbook() -> bytes:
    """Header on the first row, actions before any theme row, plain (not bold) theme rows,
    a letter theme, refs like 2.1a and 3.1.2, ISO and `mmmm yyyy` dates, a hidden sheet."""
    header = (
        "Ref no",
        "Actions",
        "Target date",
        "Measure of success",
        "Accountable",
        "Progress update",
        "RAG rating",
        "Last updated",
    )
    return workbook(
        {
            "Plan": [
                header,
                [1.1, "Publish the plan", "2019-01-31", None, "Chief Executive", None, "Done"],
                [1.2, "Brief all staff", Cell(dt.date(2019, 2, 1), fmt="mmmm yyyy")],
                [2, "Early help"],
                ["2.1a", "Single front door", "30/4/19", None, None, None, "Off track"],
                [2.1, "Early help audit", None, None, None, None, "Not started"],
                Row(["3", "Workforce"], bold=True),
                [
                    "3.1.2",
                    "Caseloads under 18",
                    "Dec 2019",
                    None,
                    "HR Business Partner",
                    None,
                    "completed",
                    Cell(dt.date(2019, 5, 3), fmt="dd/mm/yyyy"),
                ],
                Row(["A. Quality assurance"], merge=7),
                ["A1", "Audit framework", "Jun-19", None, "Jo Bloggs"],
            ],
            "Lookups": [["Ref", "Action", "Owner"], ["9.9", "Hidden", "Nobody"]],
        },
        hidden=["Lookups"],
    )


def comma_csv() -> bytes:
    """UTF-8 with a BOM, a title line above the header, quoted multi-line cells."""
    return csv_bytes(
        [
            "Children's Services Improvement Plan,,,,,,",
            ",,,,,,",
            "Ref,Theme / Action,Due date,Measures,Owner,Progress To Date,RAG",
            "4,Placement stability,,,,,",
            '4.1,"Ensure foster carers\' views are sought, and acted on",May-19,"Feedback; '
            'survey",'
            '"Jane Doe, Head of Fostering\nJohn Smith, Service Manager","Held, 3 events",Amber',
            '4.2,Review matching,31/01/2019,,"Zoë Brontë, Head of Service",,Complete',
            ",,,,,,",
            "5,Care leavers,,,,,",
            '5.1,Pathway plans,2019-09-30,"• Audit\n• Survey",Head of Leaving Care,,',
        ]
    )


def semicolon_csv() -> bytes:
    """Windows-1252 (as older Excel saves CSV), semicolons, £ and curly quotes."""
    return csv_bytes(
        [
            "No.;Recommendation;By when;Lead;Impact measures;Commentary;BRAG",
            "1;Finance – budget;;;;;",
            "1.1;Fund 3 social worker posts at £45,000;Feb 19;"
            '"Ana Núñez, Director; Bob Ray";Posts filled;“On schedule”;G',
            "1.2;'=Fix the formula-looking title;Sept 2019;;;;Red",
        ],
        encoding="cp1252",
    )


def tab_csv() -> bytes:
    """Tab-separated, UTF-8 without a BOM, the ref inside the action text."""
    return csv_bytes(
        [
            "Action\tDue\tOwner",
            "7. Health\t\t",
            "7.1 Health assessments on time\t30/06/2019\tDr Lee Chan",
        ],
        encoding="utf-8",
    )


def big_workbook(actions: int = 2000, per_theme: int = 20) -> bytes:
    """A plan of `actions` actions in themes of `per_theme`, every cell filled in."""
    rows: list[RowSpec] = [["Big plan"], [], [*HEADER, "Status"]]
    for index in range(actions):
        theme, number = divmod(index, per_theme)
        if number == 0:
            rows.append(Row([str(theme + 1), f"Theme number {theme + 1}"], bold=True))
        rows.append(
            [
                f"{theme + 1}.{number + 1}",
                f"Action {index} with a reasonably long description of what will be done",
                Cell(dt.date(2019, 1 + index % 12, 1), fmt="mmm-yy"),
                "• Audit results\n• Survey of children and families",
                "Jane Doe, Head of Service\nJohn Smith, Team Manager",
                "Progress has been made; see the board report.",
                ("Green", "Amber", "Red", "Complete")[index % 4],
            ]
        )
    return workbook({"Plan": rows})
