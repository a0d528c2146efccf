"""Ten action plans in the shapes councils keep them, and what an officer reads from each.

Each entry is a file (built here, no binaries) and the plan as an officer would read it:
themes with their titles, and per action the ref, due (a date, or the cell's words), owners
as (name, job title, is a role) and status.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from tests.sheets import Cell, Row, workbook

D = dt.date


@dataclass(frozen=True)
class Expected:
    """ref → (due date or kept text, owners, status)."""

    title: str | None
    themes: list[tuple[str, str]]
    actions: dict[str, tuple[object, list[tuple[str, str | None, bool]], str | None]]


@dataclass(frozen=True)
class Plan:
    name: str
    filename: str
    data: bytes
    expected: Expected


def _csv(rows: list[list[str]], encoding: str, delimiter: str = ",") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = out.getvalue()
    return ("\ufeff" + text).encode("utf-8") if encoding == "utf-8-sig" else text.encode(encoding)


def blank_headed_refs() -> Plan:
    """Refs in column A under a blank header cell; financial-year dues; ranks and roles."""
    rows = [
        Row(["Hertsmere Children's Services Improvement Plan 2019-20"], bold=True, merge=5),
        [],
        [None, "Action", "Timescale", "Lead", "Progress"],
        Row(["4.0", "Placement stability"], bold=True),
        ["4.1", "Ensure foster carers views are sought", "Q2 2019/20",
         "Caroline Cook, Head of Targeted Youth Support & Vulnerable Young People", "—"],
        ["4.2", "Review placement panel", "Q4 19/20",
         "Karen Oellermann, Assistant Director Safeguarding and Social Care and "
         "DCI Jane Smith, Met Police", "Panel reviewed"],
        ["4.3", "Sufficiency strategy", "2019/20", "Principal Social Worker", ""],
        Row(["5.0", "Missing children"], bold=True),
        ["5.1", "Return home interviews", "Quarter 2 2019/20", "LADO", ""],
        ["5.2", "Police protocol", "2019-20", "Detective Superintendent, Central West BCU", ""],
    ]  # fmt: skip
    return Plan(
        "blank-headed refs",
        "hertsmere.xlsx",
        workbook({"Plan": rows}),
        Expected(
            "Hertsmere Children's Services Improvement Plan 2019-20",
            [("4", "Placement stability"), ("5", "Missing children")],
            {
                "4.1": (D(2019, 9, 30), [("Caroline Cook", "Head of Targeted Youth Support & "
                                          "Vulnerable Young People", False)], None),
                "4.2": (D(2020, 3, 31), [
                    ("Karen Oellermann", "Assistant Director Safeguarding and Social Care", False),
                    ("DCI Jane Smith", "Met Police", False)], None),
                "4.3": (D(2020, 3, 31), [("Principal Social Worker", None, True)], None),
                "5.1": (D(2019, 9, 30), [("LADO", None, True)], None),
                "5.2": (D(2020, 3, 31),
                        [("Detective Superintendent, Central West BCU", None, True)], None),
            },
        ),
    )  # fmt: skip


def theme_column() -> Plan:
    """Themes in their own "Ofsted judgement area" column; no-date words; an unknown column."""
    header = [
        "Ofsted judgement area",
        "Ref",
        "Action",
        "Area for development",
        "Due",
        "Owner",
        "RAG",
    ]
    rows = [
        header,
        ["Leadership", "1.1", "Refresh the QA framework", "Audit", "Ongoing",
         "Head of Service, Early Help", "Green"],
        [None, "1.2", "Board reporting", "Reporting", "Quarterly",
         "Head of Service, Safeguarding", "Amber"],
        ["Help and protection", "2.1", "Strategy meetings", "MASH", "Prior to inspection",
         "Jane Doe / John Smith", "Red"],
        [None, "2.2", "Thresholds", "", "TBC", "Dr Amy Lee, Designated Doctor", "Complete"],
    ]  # fmt: skip
    return Plan(
        "theme column",
        "theme-column.xlsx",
        workbook({"Action plan": rows}),
        Expected(
            None,
            [("1", "Leadership"), ("2", "Help and protection")],
            {
                "1.1": ("Ongoing", [("Head of Service, Early Help", None, True)], "green"),
                "1.2": ("Quarterly", [("Head of Service, Safeguarding", None, True)], "amber"),
                "2.1": ("Prior to inspection", [("Jane Doe", None, False),
                                                ("John Smith", None, False)], "red"),
                "2.2": ("TBC", [("Dr Amy Lee", "Designated Doctor", False)], "blue"),
            },
        ),
    )  # fmt: skip


def cover_sheet() -> Plan:
    """A cover page first; the plan on the second sheet with real mmm-yy and dd/mm/yyyy dates."""
    cover = [["Children's Services"], ["Improvement Plan"], ["Version 3, June 2019"]]
    plan = [
        Row(["Ofsted ILACS improvement plan"], bold=True),
        ["Ref", "Theme / Action", "Completion date", "Owner", "Progress to date"],
        Row(["1. Front door"], bold=True, merge=5),
        ["1.1", "MASH triage", Cell(dt.datetime(2019, 5, 1), "mmm-yy"), "Sam Patel, Head of MASH",
         "Triage in place"],
        ["1.2", "Step-down", Cell(dt.datetime(2019, 7, 12), "dd/mm/yyyy"), "Sam Patel", ""],
        ["", "", "", "", "continued from the page above"],
        Row(["2. Care leavers"], bold=True, merge=5),
        ["2.1", "Local offer", "End March 2020", "Cllr Rob Green, Lead Member", ""],
        ["2.2", "Pathway plans", "w/c 20/01/2020", "Prof Ann Hill", ""],
    ]  # fmt: skip
    return Plan(
        "cover sheet",
        "cover.xlsx",
        workbook({"Cover": cover, "Action Plan": plan}),
        Expected(
            "Ofsted ILACS improvement plan",
            [("1", "Front door"), ("2", "Care leavers")],
            {
                "1.1": (D(2019, 5, 31), [("Sam Patel", "Head of MASH", False)], None),
                "1.2": (D(2019, 7, 12), [("Sam Patel", None, False)], None),
                "2.1": (D(2020, 3, 31), [("Cllr Rob Green", "Lead Member", False)], None),
                "2.2": (D(2020, 1, 24), [("Prof Ann Hill", None, False)], None),
            },
        ),
    )  # fmt: skip


def lettered_refs_cp1252() -> Plan:
    """Lettered refs in a Windows-1252 CSV, with statuses in the due column and revisions."""
    rows = [
        ["Rec no", "Recommendation", "Target date", "Responsible officer", "Update"],
        ["A", "Quality of practice", "", "", ""],
        ["A1", "Supervision every 4–6 weeks", "31/03/2020 - revised to 30/06/2020",
         "Zoë O'Brien, Practice Lead", "Policy agreed"],
        ["A2", "Audit programme", "Complete", "Zoë O'Brien", "Done in May"],
        ["B", "Workforce", "", "", ""],
        ["B1", "Recruit social workers", "March 2020 (revised)", "HR Business Partner", ""],
        ["B2", "Caseloads", "Jan/Feb 2020", "Jane Doe, John Smith", ""],
    ]  # fmt: skip
    return Plan(
        "lettered refs, cp1252",
        "lettered.csv",
        _csv(rows, "cp1252"),
        Expected(
            None,
            [("A", "Quality of practice"), ("B", "Workforce")],
            {
                "A1": (D(2020, 6, 30), [("Zoë O'Brien", "Practice Lead", False)], None),
                "A2": (None, [("Zoë O'Brien", None, False)], "blue"),
                "B1": (D(2020, 3, 31), [("HR Business Partner", None, True)], None),
                "B2": (D(2020, 2, 29), [("Jane Doe", None, False), ("John Smith", None, False)],
                       None),
            },
        ),
    )  # fmt: skip


def utf8_bom_semicolons() -> Plan:
    """UTF-8 with a BOM, semicolon-separated, title line, seasons and monthly dues."""
    rows = [
        ["Improvement plan for children in care", "", "", "", ""],
        ["No", "Actions required", "By when", "Lead officer", "Status"],
        ["1", "Children in care", "", "", ""],
        ["1.1", "Health assessments", "Spring 2020", "Siobhán Ní Bhriain; Łukasz Nowak-Smith",
         "On track"],
        ["1.2", "Placement reviews", "Monthly", "IRO Service Manager", "At risk"],
        ["2", "Care leavers", "", "", ""],
        ["2.1", "Staying put", "May-20", "Head of Leaving Care", "Off track"],
    ]  # fmt: skip
    return Plan(
        "utf-8 BOM with semicolons",
        "care.csv",
        _csv(rows, "utf-8-sig", ";"),
        Expected(
            "Improvement plan for children in care",
            [("1", "Children in care"), ("2", "Care leavers")],
            {
                "1.1": ("Spring 2020", [("Siobhán Ní Bhriain", None, False),
                                        ("Łukasz Nowak-Smith", None, False)], "green"),
                "1.2": ("Monthly", [("IRO Service Manager", None, True)], "amber"),
                "2.1": (D(2020, 5, 31), [("Head of Leaving Care", None, True)], "red"),
            },
        ),
    )  # fmt: skip


def rag_fill_and_reordered_columns() -> Plan:
    """Columns in another order, a RAG column of coloured cells, numbered refs in the text."""
    rows = [
        ["Owner", "Deadline", "Action", "RAG rating", "Commentary"],
        Row(["", "", "3. Early help", "", ""], bold=True),
        ["Amy Lee, Head of Early Help", "30/09/2019", "3.1 Early help assessments",
         Cell(None, fill="00B050"), "Rolled out"],
        ["Amy Lee", "Each meeting", "3.2 Family hubs", Cell(None, fill="FF0000"), "-"],
    ]  # fmt: skip
    return Plan(
        "RAG fills, reordered columns",
        "rag.xlsx",
        workbook({"Sheet1": rows}),
        Expected(
            None,
            [("3", "Early help")],
            {
                "3.1": (D(2019, 9, 30), [("Amy Lee", "Head of Early Help", False)], "green"),
                "3.2": ("Each meeting", [("Amy Lee", None, False)], "red"),
            },
        ),
    )  # fmt: skip


def theme_rows_say_theme() -> Plan:
    """Theme rows written "Theme 1 – …", actions before any theme, on-going and N/A dues."""
    rows = [
        ["Ref", "Area for improvement", "Completion date", "Accountable officer", "Progress"],
        ["Theme 1", "Management oversight", "", "", ""],
        ["1.1", "Team manager oversight on every file", "On-going",
         "Mr David Jones, Service Manager", ""],
        ["1.2", "Supervision audit", "N/A", "Ms Priya Shah", ""],
        ["Theme 2", "Disabled children", "", "", ""],
        ["2.1", "Transitions protocol", "Summer 2020", "Head of Service, Disabled Children", ""],
    ]  # fmt: skip
    return Plan(
        "Theme rows",
        "themes.xlsx",
        workbook({"Plan": rows}),
        Expected(
            None,
            [("1", "Management oversight"), ("2", "Disabled children")],
            {
                "1.1": ("On-going", [("Mr David Jones", "Service Manager", False)], None),
                "1.2": ("N/A", [("Ms Priya Shah", None, False)], None),
                "2.1": ("Summer 2020", [("Head of Service, Disabled Children", None, True)],
                        None),
            },
        ),
    )  # fmt: skip


def page_breaks() -> Plan:
    """A header repeated on each printed page, continuation rows and a note row."""
    header = ["Ref", "Action", "Due date", "How will we measure impact?", "Owner", "Update"]
    rows = [
        ["Sandwell Children's Trust improvement plan"],
        header,
        Row(["1", "Voice of the child"], bold=True),
        ["1.1", "Capture children's views", "Dec-19", "Audit findings", "Kim Lowe, PSW", "Begun"],
        ["", "", "", "more audit findings", "", "and continued"],
        header,
        ["1.2", "Advocacy offer", "31/01/2020", "Take-up", "Kim Lowe; Head of Service, CIN",
         ""],
        ["Note: RAG agreed at the board", "", "", "", "", ""],
    ]  # fmt: skip
    return Plan(
        "page breaks",
        "pages.xlsx",
        workbook({"Plan": rows}),
        Expected(
            "Sandwell Children's Trust improvement plan",
            [("1", "Voice of the child")],
            {
                "1.1": (D(2019, 12, 31), [("Kim Lowe", "PSW", False)], None),
                "1.2": (D(2020, 1, 31), [("Kim Lowe", None, False),
                                         ("Head of Service, CIN", None, True)], None),
            },
        ),
    )  # fmt: skip


def merged_theme_rows_and_slashes() -> Plan:
    """Merged theme rows without refs, dotted refs 1.1a, owners split by " / " and newlines."""
    rows = [
        ["Ref", "Theme / Action", "Completion date", "Owner", "Progress to date"],
        Row(["Leadership and governance"], merge=5),
        ["1.1", "Scrutiny of performance", "Feb 19", "Jane Doe / John Smith", "Report to scrutiny"],
        ["1.1a", "Performance clinic", "31 May 2019", "Jane Doe\nDS Mark Bell, Police", ""],
        Row(["Partnership"], merge=5),
        ["2.1", "Joint protocol", "by end of June 2019", "Safeguarding Partnership Manager",
         ""],
    ]  # fmt: skip
    return Plan(
        "merged theme rows",
        "merged.xlsx",
        workbook({"Plan": rows}),
        Expected(
            None,
            [("1", "Leadership and governance"), ("2", "Partnership")],
            {
                "1.1": (D(2019, 2, 28), [("Jane Doe", None, False), ("John Smith", None, False)],
                        None),
                "1.1a": (D(2019, 5, 31), [("Jane Doe", None, False),
                                          ("DS Mark Bell", "Police", False)], None),
                "2.1": (D(2019, 6, 30), [("Safeguarding Partnership Manager", None, True)], None),
            },
        ),
    )  # fmt: skip


def tab_separated_with_extra_columns() -> Plan:
    """A tab-separated export with several columns the bot doesn't know, kept in place."""
    rows = [
        ["Ref", "Priority", "Action", "Resources", "Timescales", "Lead", "Risks", "Status"],
        ["1.1", "Stability", "Foster carer recruitment", "£20k", "Q3 2019/20",
         "Jo King, Fostering Manager", "Market", "Green"],
        ["1.2", "Stability", "Placement panel", "", "Done", "Jo King", "", ""],
        ["2.1", "Sufficiency", "Residential review", "Staff time", "2020/21 Q1",
         "Director of Children's Services", "Cost", "Amber"],
    ]  # fmt: skip
    return Plan(
        "tab-separated with extra columns",
        "extra.csv",
        _csv(rows, "utf-8", "\t"),
        Expected(
            None,
            [("1", "Stability"), ("2", "Sufficiency")],
            {
                "1.1": (D(2019, 12, 31), [("Jo King", "Fostering Manager", False)], "green"),
                "1.2": (None, [("Jo King", None, False)], "blue"),
                "2.1": (D(2020, 6, 30), [("Director of Children's Services", None, True)],
                        "amber"),
            },
        ),
    )  # fmt: skip


CORPUS = (
    blank_headed_refs,
    theme_column,
    cover_sheet,
    lettered_refs_cp1252,
    utf8_bom_semicolons,
    rag_fill_and_reordered_columns,
    theme_rows_say_theme,
    page_breaks,
    merged_theme_rows_and_slashes,
    tab_separated_with_extra_columns,
)
