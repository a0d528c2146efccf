"""Action plans written the way councils publish them, kept apart from the corpus the importer
was built against: each was written down with what an officer reads from it before it was
ever imported.

Each builder returns an ``Unseen``: the file name, its bytes, and the officer's reading —
themes (ref, title), then per action its theme title, due date, the due cell's words when it
is not a date, owners (``("person", name, title)`` or ``("role", title)``) and status.
A reading the officer could take two ways is in ``doubts``: the cell texts the import
summary must list.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

D = dt.date
Owner = tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    theme: str
    due: dt.date | None
    due_text: str | None
    owners: tuple[Owner, ...]
    status: str


@dataclass(frozen=True)
class Unseen:
    filename: str
    data: bytes
    title: str | None
    themes: tuple[tuple[str | None, str], ...]
    actions: dict[str, Reading]
    doubts: tuple[str, ...] = ()
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    original_due: dict[str, dt.date] = field(default_factory=dict)
    latest_progress: dict[str, str | None] = field(default_factory=dict)


def person(name: str, title: str | None = None) -> Owner:
    return ("person", name, title or "")


def role(title: str) -> Owner:
    return ("role", title)


def fill(hex_rgb: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=hex_rgb, end_color=hex_rgb)


RED, AMBER, GREEN, BLUE = "FFFF0000", "FFFFC000", "FF00B050", "FF0070C0"
BOLD = Font(bold=True)


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _put(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        if value is not None and value != "":
            ws.cell(row=row, column=col, value=value)


def _csv_bytes(rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


# 1. An ILACS plan: "No." refs 1a/1b, a recommendation merged down beside its actions, two
#    monthly progress columns, owners as roles with initials, a police officer after " and ".
def northbrook_ilacs() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "Improvement Plan"
    ws["A1"] = "Northbrook Metropolitan Borough Council"
    ws.merge_cells("A1:I1")
    ws["A1"].font = BOLD
    ws["A2"] = "Children's Services Improvement Plan 2019-2021"
    ws["A3"] = "Version 3.2"
    ws["A4"] = "Last updated:"
    ws["B4"] = dt.datetime(2019, 10, 14)
    ws["B4"].number_format = "dd/mm/yyyy"
    header = [
        "No.",
        "Recommendation",
        "Action(s)",
        "Lead officer",
        "Timescale",
        "RAG",
        "Progress update (September 2019)",
        "Progress update (October 2019)",
        "Evidence of impact",
    ]
    _put(ws, 6, header)
    for cell in ws[6]:
        cell.font = BOLD
    rec1 = "Improve the quality and consistency of management oversight and supervision"
    rec2 = "Strengthen the response to children at risk of exploitation"
    rec3 = "Ensure care leavers have suitable accommodation"
    rows = [
        [
            "1a",
            rec1,
            "Refresh the supervision policy and relaunch it with all team managers",
            "AD Safeguarding (JS)",
            dt.datetime(2019, 9, 1),
            "Complete",
            "Policy relaunched at managers' forum 12/09/19",
            "",
            "Audit shows 85% of supervision in timescale",
        ],
        [
            "1b",
            None,
            "Quarterly audit of management oversight on a sample of 40 cases",
            "Head of QA / PSW",
            "Ongoing – reviewed monthly",
            "Green",
            "First audit complete",
            "Second audit under way",
            "",
        ],
        [
            "1c",
            None,
            "Team managers to complete management oversight training",
            "Workforce Development Manager",
            dt.datetime(2019, 12, 31),
            "Amber",
            "60% trained",
            "72% trained\n• 3 sessions booked for November",
            "",
        ],
        [
            "2a",
            rec2,
            "Launch a multi-agency exploitation hub",
            "Tom Reid, Head of Service Adolescents and DI Sarah Khan, Northbrook Police",
            "Mar 20",
            "A",
            "",
            "Hub manager appointed",
            "",
        ],
        [
            "2b",
            None,
            "Return home interviews offered within 72 hours for every missing episode",
            "Service Manager – Adolescent Support",
            "30/9/19",
            "R",
            "Performance at 54%",
            "Performance at 61%",
            "Weekly tracker in place",
        ],
        [
            "3a",
            rec3,
            "Commission 10 additional supported lodgings placements",
            "J. Smith (Head of Service)",
            "Q3 2019/20",
            "G",
            "Provider identified",
            "",
            "",
        ],
    ]
    for offset, row in enumerate(rows):
        _put(ws, 7 + offset, row)
    ws["E7"].number_format = "mmm-yy"
    ws["E9"].number_format = "dd/mm/yyyy"
    ws.merge_cells("B7:B9")
    ws.merge_cells("B10:B11")
    return Unseen(
        filename="northbrook_ilacs.xlsx",
        data=_save(wb),
        title="Children's Services Improvement Plan 2019-2021",
        themes=(("1", rec1), ("2", rec2), ("3", rec3)),
        actions={
            "1a": Reading(rec1, D(2019, 9, 30), None, (role("AD Safeguarding (JS)"),), "blue"),
            "1b": Reading(
                rec1,
                None,
                "Ongoing – reviewed monthly",
                (role("Head of QA"), role("PSW")),
                "green",
            ),
            "1c": Reading(
                rec1, D(2019, 12, 31), None, (role("Workforce Development Manager"),), "amber"
            ),
            "2a": Reading(
                rec2,
                D(2020, 3, 31),
                None,
                (
                    person("Tom Reid", "Head of Service Adolescents"),
                    person("DI Sarah Khan", "Northbrook Police"),
                ),
                "amber",
            ),
            "2b": Reading(
                rec2,
                D(2019, 9, 30),
                None,
                (role("Service Manager – Adolescent Support"),),
                "red",
            ),
            "3a": Reading(
                rec3, D(2019, 12, 31), None, (person("J. Smith", "Head of Service"),), "green"
            ),
        },
        latest_progress={
            "3a": None,
            "1b": "Second audit under way",
            "1c": "72% trained\n• 3 sessions booked for November",
            "2b": "Performance at 61%",
        },
        fields={"3a": {"Progress update (September 2019)": "Provider identified"}},
    )


# 2. A SEND written statement of action: a "Key" legend sheet first, "Priority N:" theme rows
#    merged across, RAG as fill colour only, dates as real cells and as words.
def westmoor_send() -> Unseen:
    wb = Workbook()
    key = wb.active
    key.title = "Key"
    key["A1"] = "Key"
    key["A1"].font = BOLD
    _put(key, 3, ["RAG", "Definition"])
    legend = [
        ("Red", "Off track – action required", RED),
        ("Amber", "Some slippage – being addressed", AMBER),
        ("Green", "On track", GREEN),
        ("Blue", "Complete", BLUE),
    ]
    for offset, (word, meaning, colour) in enumerate(legend):
        key.cell(row=4 + offset, column=1, value=word).fill = fill(colour)
        key.cell(row=4 + offset, column=2, value=meaning)
    ws = wb.create_sheet("WSoA")
    ws["A1"] = "Westmoor County Council and NHS Westmoor CCG"
    ws["A2"] = "Written Statement of Action – Special Educational Needs and Disabilities"
    ws["A3"] = "Last updated"
    ws["B3"] = "January 2020"
    header = [
        "Ref",
        "Action",
        "Key milestones",
        "Lead",
        "Target date",
        "Success measures / KPIs",
        "RAG",
        "Progress update",
    ]
    _put(ws, 5, header)
    ws["A6"] = "Priority 1: Leadership and management"
    ws.merge_cells("A6:H6")
    ws["A6"].font = BOLD
    _put(
        ws,
        7,
        [
            "1.1",
            "Establish a SEND Partnership Board with a joint outcomes framework",
            "• Terms of reference agreed\n• First meeting held",
            "DCS",
            dt.datetime(2019, 9, 30),
            "Board meets monthly",
            None,
            "Board has met 4 times",
        ],
    )
    ws["E7"].number_format = "dd/mm/yyyy"
    ws["G7"].fill = fill(GREEN)
    _put(
        ws,
        8,
        [
            "1.2",
            "Publish a co-produced SEND strategy",
            "Draft to parent carer forum",
            "AD Education and CCG Chief Nurse",
            dt.datetime(2020, 1, 1),
            "Strategy published",
            None,
            "Draft shared with parent carer forum",
        ],
    )
    ws["E8"].number_format = "mmm-yy"
    ws["G8"].fill = fill(AMBER)
    ws["A9"] = "Priority 2: Timeliness and quality of EHC plans"
    ws.merge_cells("A9:H9")
    ws["A9"].font = BOLD
    _put(
        ws,
        10,
        [
            "2.1",
            "Clear the backlog of EHC needs assessments beyond 20 weeks",
            "",
            "Head of SEND",
            "By March 2020",
            "95% within 20 weeks",
            None,
            "Backlog down from 140 to 85",
        ],
    )
    ws["G10"].fill = fill(RED)
    _put(
        ws,
        11,
        [
            "2.2",
            "Quality assure all new EHC plans through a multi-agency panel",
            "",
            "Designated Clinical Officer (DCO)",
            "Autumn term 2019",
            "",
            None,
            "Panel in place since October",
        ],
    )
    ws["G11"].fill = fill(BLUE)
    _put(
        ws,
        12,
        [
            "2.3",
            "Train all SENCOs in person-centred EHC plan writing",
            "",
            "Principal Educational Psychologist",
            "Sept 2019",
        ],
    )
    t1 = "Leadership and management"
    t2 = "Timeliness and quality of EHC plans"
    return Unseen(
        filename="westmoor_send.xlsx",
        data=_save(wb),
        title="Written Statement of Action – Special Educational Needs and Disabilities",
        themes=(("1", t1), ("2", t2)),
        actions={
            "1.1": Reading(t1, D(2019, 9, 30), None, (role("DCS"),), "green"),
            "1.2": Reading(
                t1, D(2020, 1, 31), None, (role("AD Education and CCG Chief Nurse"),), "amber"
            ),
            "2.1": Reading(t2, D(2020, 3, 31), None, (role("Head of SEND"),), "red"),
            "2.2": Reading(
                t2,
                None,
                "Autumn term 2019",
                (role("Designated Clinical Officer (DCO)"),),
                "blue",
            ),
            "2.3": Reading(
                t2,
                D(2019, 9, 30),
                None,
                (role("Principal Educational Psychologist"),),
                "not_started",
            ),
        },
        doubts=("AD Education and CCG Chief Nurse",),
    )


# 3. A youth justice plan saved from Excel as CSV (Windows-1252): a title block, "£", smart
#    quotes and bullets, an "Area" theme column with blanks, status words, quarter-only dates.
def eastfield_yjs() -> Unseen:
    rows = [
        ["Eastfield Youth Justice Service – Post-inspection Improvement Plan", "", "", "", ""],
        ["HMIP inspection March 2019. Budget: £45,000 from YJB grant", "", "", "", ""],
        ["", "", "", "", ""],
        ["Ref", "Area", "Action", "Responsible", "By when", "Status", "Comments"],
        [
            "YJ1",
            "Governance and leadership",
            "Refresh the YJ Management Board’s terms of reference",
            "Head of YJS",
            "Sep-19",
            "Complete",
            "• Agreed at Board 12/09/19",
        ],
        [
            "YJ2",
            "Governance and leadership",
            "Board members to attend “learning walks” twice a year",
            "All Board members",
            "Ongoing – reviewed monthly",
            "On track",
            "",
        ],
        [
            "YJ3",
            "",
            "Appoint a Board champion for education",
            "Chair of YJ Board",
            "Immediately",
            "Done",
            "",
        ],
        [
            "YJ4",
            "Work with children",
            "Introduce the AssetPlus quality assurance framework",
            "Practice Manager (QA)",
            "30.09.19",
            "In progress",
            "£2,500 training budget agreed",
        ],
        [
            "YJ5",
            "Work with children",
            "Improve the timeliness of victim contact",
            "Victim Liaison Officer / Restorative Justice Worker",
            "Q3",
            "Not started",
            "",
        ],
        [
            "YJ6",
            "Out-of-court disposals",
            "Review the joint decision-making panel with police",
            "Sgt Paul Hughes, Police Liaison & Ann Lee, YJS Team Manager",
            "End of Q2",
            "Delayed",
            "Awaiting police sign-off",
        ],
    ]
    g, w, o = "Governance and leadership", "Work with children", "Out-of-court disposals"
    return Unseen(
        filename="eastfield_yjs.csv",
        data=_csv_bytes(rows, "cp1252"),
        title="Eastfield Youth Justice Service – Post-inspection Improvement Plan",
        themes=((None, g), (None, w), (None, o)),
        actions={
            "YJ1": Reading(g, D(2019, 9, 30), None, (role("Head of YJS"),), "blue"),
            "YJ2": Reading(
                g, None, "Ongoing – reviewed monthly", (role("All Board members"),), "green"
            ),
            "YJ3": Reading(g, None, "Immediately", (role("Chair of YJ Board"),), "blue"),
            "YJ4": Reading(w, D(2019, 9, 30), None, (role("Practice Manager (QA)"),), "green"),
            "YJ5": Reading(
                w,
                None,
                "Q3",
                (role("Victim Liaison Officer"), role("Restorative Justice Worker")),
                "not_started",
            ),
            "YJ6": Reading(
                o,
                None,
                "End of Q2",
                (
                    person("Sgt Paul Hughes", "Police Liaison"),
                    person("Ann Lee", "YJS Team Manager"),
                ),
                "amber",
            ),
        },
        latest_progress={"YJ4": "£2,500 training budget agreed"},
    )


# 4. An ILACS plan whose actions are numbered i, ii, iii afresh under each
#    "Recommendation N – …" row.
def southam_ilacs() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "Action Plan"
    ws["A1"] = "Southam City Council"
    ws["A2"] = "Ofsted ILACS Action Plan"
    ws["A3"] = "Inspection: 4–15 March 2019"
    _put(
        ws,
        5,
        [
            "Ref",
            "Action",
            "Responsible",
            "Target date",
            "Status",
            "Progress update (May 2019)",
            "Progress update (July 2019)",
        ],
    )
    t1 = "The quality of assessments and plans for children in need"
    t2 = "Permanence planning for children in care"
    ws["A6"] = f"Recommendation 1 – {t1}"
    ws.merge_cells("A6:G6")
    ws["A6"].font = BOLD
    _put(
        ws,
        7,
        [
            "i",
            "Introduce a single assessment template with a clear analysis section",
            "Head of Assessment",
            dt.datetime(2019, 6, 30),
            "Complete",
            "Template live",
            "",
        ],
    )
    ws["D7"].number_format = "d mmmm yyyy"
    _put(
        ws,
        8,
        [
            "ii",
            "Audit 50 plans against the SMART standard",
            "Jo Patel, Service Manager – Assessment",
            "Jun 2019 (achieved)",
            "Complete",
        ],
    )
    _put(
        ws,
        9,
        [
            "iii",
            "Plans reviewed at every core group and CIN meeting",
            "SLT",
            "Q2 2019/20",
            "Amber",
            "",
            "Dip sample shows 70% reviewed",
        ],
    )
    ws["A10"] = f"Recommendation 2 – {t2}"
    ws.merge_cells("A10:G10")
    ws["A10"].font = BOLD
    _put(
        ws,
        11,
        [
            "i",
            "Permanence planning meeting by the second review for every child",
            "Head of Children in Care",
            "Completed June 2019",
        ],
    )
    _put(
        ws,
        12,
        [
            "ii",
            "Independent reviewing officers to track permanence plans",
            "IRO Service Manager",
            "December 2019 (revised date March 2020)",
        ],
    )
    return Unseen(
        filename="southam_ilacs.xlsx",
        data=_save(wb),
        title="Ofsted ILACS Action Plan",
        themes=(("1", t1), ("2", t2)),
        actions={
            "1.i": Reading(t1, D(2019, 6, 30), None, (role("Head of Assessment"),), "blue"),
            "1.ii": Reading(
                t1,
                D(2019, 6, 30),
                None,
                (person("Jo Patel", "Service Manager – Assessment"),),
                "blue",
            ),
            "1.iii": Reading(t1, D(2019, 9, 30), None, (role("SLT"),), "amber"),
            "2.i": Reading(t2, D(2019, 6, 30), None, (role("Head of Children in Care"),), "blue"),
            "2.ii": Reading(
                t2, D(2020, 3, 31), None, (role("IRO Service Manager"),), "not_started"
            ),
        },
        original_due={"2.ii": D(2019, 12, 31)},
    )


# 5. A practice plan with a hidden superseded "Lead officer" column and a hidden helper
#    column, start and end dates, lettered refs A1.1 / P2.3 under lettered theme rows.
def kingsley_practice() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws["A1"] = "Kingsley Council – Children's Social Care Practice Improvement Plan"
    ws["A2"] = "Version 1.4 – updated 03/02/2020"
    header = [
        "Ref",
        "Lead officer",
        "Objective",
        "What we will do",
        "Responsible",
        "Start date",
        "End date",
        "Status",
        "Progress update (Jan 2020)",
        "Progress update (Feb 2020)",
        "Calc",
    ]
    _put(ws, 4, header)
    ws.column_dimensions["B"].hidden = True
    ws.column_dimensions["K"].hidden = True
    ws["A5"] = "A"
    ws["C5"] = "Assessment and planning"
    ws["C5"].font = BOLD
    start = dt.datetime(2019, 9, 1)
    _put(
        ws,
        6,
        [
            "A1.1",
            "Mary Jones",
            "Assessments are timely",
            "Reduce assessments over 45 days to under 10%",
            "Mark Evans, Head of Assessment",
            start,
            dt.datetime(2019, 12, 31),
            "G",
            "12% over 45 days",
            "9% over 45 days",
            1,
        ],
    )
    _put(
        ws,
        7,
        [
            "A1.2",
            "Mary Jones",
            "Assessments are timely",
            "Weekly performance clinics with team managers",
            "Service Manager – Front Door",
            start,
            "Ongoing",
            "G",
            "",
            "",
            1,
        ],
    )
    ws["A8"] = "P"
    ws["C8"] = "Permanence"
    ws["C8"].font = BOLD
    _put(
        ws,
        9,
        [
            "P2.3",
            "Peter Old",
            "Children achieve permanence without delay",
            "Fortnightly permanence tracking meeting",
            "Head of Children in Care; IRO Manager",
            dt.datetime(2019, 10, 1),
            dt.datetime(2020, 3, 31),
            "A",
            "",
            "Meeting established",
            0,
        ],
    )
    _put(
        ws,
        10,
        [
            "P2.4",
            None,
            "Children achieve permanence without delay",
            "Health assessments for every child within 20 working days of coming into care",
            "Dr Anita Rao, Designated Doctor for LAC",
            None,
            "30.06.20",
            "R",
            "",
            "",
            0,
        ],
    )
    for cell in ("F6", "F7", "F9"):
        ws[cell].number_format = "dd/mm/yyyy"
    ws["G6"].number_format = "dd/mm/yyyy"
    ws["G9"].number_format = "mmm-yy"
    a, p = "Assessment and planning", "Permanence"
    return Unseen(
        filename="kingsley_practice.xlsx",
        data=_save(wb),
        title="Kingsley Council – Children's Social Care Practice Improvement Plan",
        themes=(("A", a), ("P", p)),
        actions={
            "A1.1": Reading(
                a, D(2019, 12, 31), None, (person("Mark Evans", "Head of Assessment"),), "green"
            ),
            "A1.2": Reading(a, None, "Ongoing", (role("Service Manager – Front Door"),), "green"),
            "P2.3": Reading(
                p,
                D(2020, 3, 31),
                None,
                (role("Head of Children in Care"), role("IRO Manager")),
                "amber",
            ),
            "P2.4": Reading(
                p,
                D(2020, 6, 30),
                None,
                (person("Dr Anita Rao", "Designated Doctor for LAC"),),
                "red",
            ),
        },
        latest_progress={"A1.1": "9% over 45 days", "P2.3": "Meeting established"},
    )


# 6. An early help plan with three-level refs (1.1.1) under "Theme N – …" rows, an
#    "Outcome for children" column, resources in pounds, a name and job title on two lines.
def ashby_early_help() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "Improvement plan"
    ws["A1"] = "Ashby Borough Council"
    ws["A2"] = "Early Help and Children's Social Care Improvement Plan 2019-20"
    ws["A3"] = "Owner: Director of Children's Services"
    header = [
        "Ref",
        "Outcome for children",
        "Action",
        "Lead",
        "Timescale",
        "Resources",
        "RAG",
        "Evidence of impact",
        "Comments",
    ]
    _put(ws, 5, header)
    ws["A6"] = "1"
    ws["B6"] = "Theme 1 – Early help"
    ws.merge_cells("B6:I6")
    ws["B6"].font = BOLD
    _put(
        ws,
        7,
        [
            "1.1.1",
            "Families get the right help at the right time",
            "Launch the early help assessment on the case management system",
            "Head of Early Help",
            "Completed June 2019",
            "£15k (LCS licence)",
            "Blue",
        ],
    )
    _put(
        ws,
        8,
        [
            "1.1.2",
            "Families get the right help at the right time",
            "Locality early help panels in all 4 areas",
            "Early Help Locality Managers",
            "Sept 2019",
            "Existing staff",
            "Green",
        ],
    )
    _put(
        ws,
        9,
        [
            "1.2.1",
            "Step-down from social care is safe",
            "Step-down protocol agreed with social care",
            "Head of Early Help and Head of Assessment",
            "End of Q2",
            "",
            "Amber",
        ],
    )
    ws["A10"] = "2"
    ws["B10"] = "Theme 2 – Children in need and child protection"
    ws.merge_cells("B10:I10")
    ws["B10"].font = BOLD
    _put(
        ws,
        11,
        [
            "2.1.1",
            "Children are not left in drift",
            "Conference chairs escalate drift through the escalation protocol",
            "Kim O'Neill\nCP Conference Chair Manager",
            dt.datetime(2019, 11, 30),
            "",
            "Red",
            "",
            "Escalations being logged since October",
        ],
    )
    ws["E11"].number_format = "dd/mm/yyyy"
    _put(
        ws,
        12,
        [
            "2.1.2",
            "Children are not left in drift",
            "Core groups within 10 working days of conference",
            "All Heads of Service",
            "Q4",
        ],
    )
    _put(
        ws,
        13,
        [
            "2.1.3",
            "Children are not left in drift",
            "Review the child protection plan template",
            "Kim O'Neill\nSam Brown",
            "Dec-19",
            "",
            "Not started",
        ],
    )
    e, c = "Early help", "Children in need and child protection"
    return Unseen(
        filename="ashby_early_help.xlsx",
        data=_save(wb),
        title="Early Help and Children's Social Care Improvement Plan 2019-20",
        themes=(("1", e), ("2", c)),
        actions={
            "1.1.1": Reading(e, D(2019, 6, 30), None, (role("Head of Early Help"),), "blue"),
            "1.1.2": Reading(
                e, D(2019, 9, 30), None, (role("Early Help Locality Managers"),), "green"
            ),
            "1.2.1": Reading(
                e,
                None,
                "End of Q2",
                (role("Head of Early Help"), role("Head of Assessment")),
                "amber",
            ),
            "2.1.1": Reading(
                c,
                D(2019, 11, 30),
                None,
                (person("Kim O'Neill", "CP Conference Chair Manager"),),
                "red",
            ),
            "2.1.2": Reading(c, None, "Q4", (role("All Heads of Service"),), "not_started"),
            "2.1.3": Reading(
                c,
                D(2019, 12, 31),
                None,
                (person("Kim O'Neill"), person("Sam Brown")),
                "not_started",
            ),
        },
        fields={"1.1.1": {"Resources": "£15k (LCS licence)"}},
    )


# 7. A plan exported from an online spreadsheet as UTF-8 CSV: recommendation number and text
#    in their own columns beside action number and text, empty comma rows, update columns.
def riverside_export() -> Unseen:
    header = [
        "Recommendation No.",
        "Recommendation",
        "Action No.",
        "Action",
        "Owner",
        "Due",
        "RAG",
        "Update – Nov 2019",
        "Update – Dec 2019",
    ]
    r1 = "Improve the timeliness of initial health assessments"
    r2 = "Strengthen the voice of the child in plans"
    rows = [
        header,
        [
            "R1",
            r1,
            "R1.1",
            "Weekly tracker shared with health partners",
            "Head of Children in Care, Designated Nurse LAC",
            "Immediately",
            "G",
            "In place",
            "In place and reviewed",
        ],
        [
            "",
            "",
            "R1.2",
            "Escalate delays to the CCG",
            "Head of Children in Care",
            "Ongoing",
            "G",
            "",
            "",
        ],
        [""] * 9,
        [
            "R2",
            r2,
            "R2.1",
            "Roll out the Mind of My Own app",
            "Participation Officer",
            "Dec 2019",
            "A",
            "",
            "Launched in 2 teams",
        ],
        [
            "",
            "",
            "R2.2",
            "Children's views recorded at every CP conference",
            "IRO Service Manager",
            "31/01/2020",
            "R",
            "",
            "",
        ],
    ]
    return Unseen(
        filename="riverside_export.csv",
        data=_csv_bytes(rows, "utf-8"),
        title=None,
        themes=(("R1", r1), ("R2", r2)),
        actions={
            "R1.1": Reading(
                r1,
                None,
                "Immediately",
                (role("Head of Children in Care, Designated Nurse LAC"),),
                "green",
            ),
            "R1.2": Reading(r1, None, "Ongoing", (role("Head of Children in Care"),), "green"),
            "R2.1": Reading(r2, D(2019, 12, 31), None, (role("Participation Officer"),), "amber"),
            "R2.2": Reading(r2, D(2020, 1, 31), None, (role("IRO Service Manager"),), "red"),
        },
        doubts=("Head of Children in Care, Designated Nurse LAC",),
        latest_progress={"R1.1": "In place and reviewed", "R2.1": "Launched in 2 teams"},
    )


# 8. A SEND local area plan: a two-row header (Progress over "Nov 19" / "Jan 20"), plain
#    number refs 1, 2, 3 with bold theme rows that have no ref, and status words.
def hallam_send() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "SEND plan"
    ws["A1"] = "Hallam City Council"
    ws["A2"] = "SEND Local Area Improvement Plan"
    ws["A3"] = "Version 2.0 (final) – agreed by SEND Board 12 November 2019"
    _put(
        ws,
        5,
        [
            "No",
            "Area for improvement",
            "Actions",
            "Responsible",
            "Timescale",
            "Progress",
            None,
            "RAG",
        ],
    )
    ws.merge_cells("F5:G5")
    _put(ws, 6, [None, None, None, None, None, "Nov 19", "Jan 20", None])
    for row in (5, 6):
        for cell in ws[row]:
            cell.font = BOLD
    ws["B7"] = "Identification of needs"
    ws.merge_cells("B7:H7")
    ws["B7"].font = BOLD
    _put(
        ws,
        8,
        [
            1,
            "Needs are identified early",
            "Integrate the 2-year health check with the EYFS progress check",
            "Public Health Commissioner",
            "Spring term 2020",
            "Pilot in 3 settings",
            None,
            "On target",
        ],
    )
    _put(
        ws,
        9,
        [
            2,
            "Needs are identified early",
            "Train early years settings on SEN support",
            "Early Years SEND Lead",
            dt.datetime(2019, 12, 31),
            "",
            "120 practitioners trained",
            "Achieved",
        ],
    )
    ws["E9"].number_format = "dd/mm/yyyy"
    ws["B10"] = "Joint commissioning"
    ws.merge_cells("B10:H10")
    ws["B10"].font = BOLD
    _put(
        ws,
        11,
        [
            3,
            "Services are jointly commissioned",
            "Agree a joint commissioning strategy with the CCG",
            "Cllr Mary Doyle (Lead Member) and Head of Commissioning",
            "By March 2020",
            "",
            "Draft delayed by CCG merger",
            "Slipped",
        ],
    )
    _put(
        ws,
        12,
        [
            4,
            "Services are jointly commissioned",
            "Jointly commission speech and language therapy",
            "Head of Commissioning / CCG Commissioning Manager",
            "Q4 2019/20",
            "",
            "",
            "Not yet due",
        ],
    )
    i, j = "Identification of needs", "Joint commissioning"
    return Unseen(
        filename="hallam_send.xlsx",
        data=_save(wb),
        title="SEND Local Area Improvement Plan",
        themes=((None, i), (None, j)),
        actions={
            "1": Reading(
                i, None, "Spring term 2020", (role("Public Health Commissioner"),), "green"
            ),
            "2": Reading(i, D(2019, 12, 31), None, (role("Early Years SEND Lead"),), "blue"),
            "3": Reading(
                j,
                D(2020, 3, 31),
                None,
                (person("Cllr Mary Doyle", "Lead Member"), role("Head of Commissioning")),
                "amber",
            ),
            "4": Reading(
                j,
                D(2020, 3, 31),
                None,
                (role("Head of Commissioning"), role("CCG Commissioning Manager")),
                "not_started",
            ),
        },
        fields={"1": {"Progress Nov 19": "Pilot in 3 settings"}},
        latest_progress={
            "1": None,
            "2": "120 practitioners trained",
            "3": "Draft delayed by CCG merger",
        },
    )


# 9. A youth offending plan with the recommendation merged down its own column, refs leading
#    the action text, and "Original target date" beside "Revised target date".
def brackley_yot() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "HMIP plan"
    ws["A1"] = "Brackley Youth Offending Team – HMIP Improvement Plan"
    _put(
        ws,
        3,
        [
            "Recommendation",
            "Action",
            "Lead",
            "Original target date",
            "Revised target date",
            "RAG",
            "Update",
        ],
    )
    t1 = "Improve the Board’s oversight of performance"
    t2 = "Reduce reoffending by children in care"
    rows = [
        [
            f"1. {t1}",
            "1.1 Quarterly performance report to the Board, covering reoffending and ETE",
            "Head of YOT",
            dt.datetime(2019, 7, 31),
            None,
            "Complete",
            "First report July 2019",
        ],
        [
            None,
            "1.2 Induction for new Board members",
            "Business Manager",
            dt.datetime(2019, 9, 30),
            dt.datetime(2019, 12, 31),
            "Amber",
            "",
        ],
        [
            f"2. {t2}",
            "2.1 Joint protocol with children's social care",
            "Head of YOT & Head of Children in Care",
            dt.datetime(2019, 10, 31),
            None,
            "Green",
            "",
        ],
        [
            None,
            "2.2 Reoffending tracker for children in care",
            "YOT Information Officer",
            "TBC",
        ],
    ]
    for offset, row in enumerate(rows):
        _put(ws, 4 + offset, row)
    for cell in ("D4", "D5", "E5", "D6"):
        ws[cell].number_format = "dd.mm.yy"
    ws.merge_cells("A4:A5")
    ws.merge_cells("A6:A7")
    return Unseen(
        filename="brackley_yot.xlsx",
        data=_save(wb),
        title="Brackley Youth Offending Team – HMIP Improvement Plan",
        themes=(("1", t1), ("2", t2)),
        actions={
            "1.1": Reading(t1, D(2019, 7, 31), None, (role("Head of YOT"),), "blue"),
            "1.2": Reading(t1, D(2019, 12, 31), None, (role("Business Manager"),), "amber"),
            "2.1": Reading(
                t2,
                D(2019, 10, 31),
                None,
                (role("Head of YOT"), role("Head of Children in Care")),
                "green",
            ),
            "2.2": Reading(t2, None, "TBC", (role("YOT Information Officer"),), "not_started"),
        },
        original_due={"1.2": D(2019, 9, 30)},
    )


# 10. A workbook with a cover sheet and a key before the plan; headers with line breaks, an
#     "Area of practice" column naming the themes, a completed-date column and a progress RAG.
def greyford_workbook() -> Unseen:
    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover["B2"] = "Greyford Council"
    cover["B3"] = "Children's Services Improvement Action Plan"
    cover["B5"] = "Contents"
    cover["B6"] = "1. Key"
    cover["B7"] = "2. Action plan"
    key = wb.create_sheet("Key")
    _put(key, 1, ["RAG", "Meaning"])
    _put(key, 2, ["B", "Complete"])
    _put(key, 3, ["G", "On track"])
    ws = wb.create_sheet("Action plan")
    ws["A1"] = "Greyford Council – Children's Services Improvement Action Plan"
    ws["A2"] = "Version 5 | January 2020"
    _put(
        ws,
        4,
        [
            "Ref",
            "Area of practice",
            "Action",
            "Lead\nofficer(s)",
            "Target\ndate",
            "Date\ncompleted",
            "Progress RAG\n(Jan 2020)",
            "Progress narrative (Jan 2020)",
        ],
    )
    _put(
        ws,
        5,
        [
            "1.1",
            "Front door",
            "Review MASH thresholds with partners",
            "Head of MASH",
            "31st March 2020",
            None,
            "G",
            "Workshop held",
        ],
    )
    _put(
        ws,
        6,
        [
            "1.2",
            "Front door",
            "Daily strategy meetings with police",
            "DCI Helen Ward / Head of MASH",
            "Apr 2019 – Mar 2020",
            None,
            "A",
        ],
    )
    _put(
        ws,
        7,
        [
            "2.1",
            "Children in care",
            "Refresh the sufficiency strategy",
            "Head of Service (Fostering)",
            dt.datetime(2020, 1, 31),
            dt.datetime(2020, 1, 20),
            "B",
            "Signed off by Cabinet 20/01/20",
        ],
    )
    ws["E7"].number_format = "dd/mm/yyyy"
    ws["F7"].number_format = "dd/mm/yyyy"
    _put(
        ws,
        8,
        [
            "2.2",
            "Children in care",
            "Placement stability panel for every child with two moves",
            "Service Manager, Children in Care",
            "by 31.3.20",
            None,
            "R",
        ],
    )
    f, c = "Front door", "Children in care"
    return Unseen(
        filename="greyford_workbook.xlsx",
        data=_save(wb),
        title="Greyford Council – Children's Services Improvement Action Plan",
        themes=(("1", f), ("2", c)),
        actions={
            "1.1": Reading(f, D(2020, 3, 31), None, (role("Head of MASH"),), "green"),
            "1.2": Reading(
                f, D(2020, 3, 31), None, (person("DCI Helen Ward"), role("Head of MASH")), "amber"
            ),
            "2.1": Reading(c, D(2020, 1, 31), None, (role("Head of Service (Fostering)"),), "blue"),
            "2.2": Reading(
                c, D(2020, 3, 31), None, (role("Service Manager, Children in Care"),), "red"
            ),
        },
        fields={"2.1": {"Date completed": "20/01/2020"}},
        latest_progress={"1.1": "Workshop held", "2.1": "Signed off by Cabinet 20/01/20"},
    )


# 11. A SEND tracker saved as CSV from Excel (Windows-1252): a "Priority" column written
#     "Priority 1 - Co-production", P-refs, two roles joined by "&", unusual date forms.
def harwell_send() -> Unseen:
    rows = [
        ["Harwell Local Area SEND Written Statement of Action – Progress Tracker"],
        ["Ref", "Priority", "Action", "Lead", "Target date", "Status", "Comments"],
        [
            "P1.1",
            "Priority 1 - Co-production",
            "Co-produce the local offer website with parents",
            "SEND Strategic Lead",
            "Mar-2020",
            "On track",
            "",
        ],
        [
            "P1.2",
            "",
            "Parent carer forum at every SEND Board",
            "Parent Carer Forum Chair & Head of SEND",
            "September 2019 onwards",
            "Completed",
            "Standing item since September",
        ],
        [
            "P2.1",
            "Priority 2 - EHC plan quality",
            "Multi-agency EHC plan audit each term",
            "Amy Patel (SENDIASS Manager)",
            "Dec 19/Jan 20",
            "G/A",
            "",
        ],
        [
            "P2.2",
            "",
            "Annual reviews tracked on the SEND system",
            "Head of Inclusion – Schools",
            "31st Jan 2020",
            "",
            "",
        ],
    ]
    co, ehc = "Co-production", "EHC plan quality"
    return Unseen(
        filename="harwell_send.csv",
        data=_csv_bytes(rows, "cp1252"),
        title="Harwell Local Area SEND Written Statement of Action – Progress Tracker",
        themes=(("1", co), ("2", ehc)),
        actions={
            "P1.1": Reading(co, D(2020, 3, 31), None, (role("SEND Strategic Lead"),), "green"),
            "P1.2": Reading(
                co,
                None,
                "September 2019 onwards",
                (role("Parent Carer Forum Chair"), role("Head of SEND")),
                "blue",
            ),
            "P2.1": Reading(
                ehc,
                D(2020, 1, 31),
                None,
                (person("Amy Patel", "SENDIASS Manager"),),
                "not_started",
            ),
            "P2.2": Reading(
                ehc, D(2020, 1, 31), None, (role("Head of Inclusion – Schools"),), "not_started"
            ),
        },
        doubts=("G/A",),
    )


# 12. A youth justice national standards plan: the header on row 1, a "National standard"
#     column grouping the actions, RAG as letters, fills, and a word on a clashing fill.
def calder_yjs() -> Unseen:
    wb = Workbook()
    ws = wb.active
    ws.title = "NS action plan"
    _put(
        ws,
        1,
        ["Ref", "National standard", "Action", "Owner", "Deadline", "RAG\n(B/R/A/G)", "Update"],
    )
    _put(
        ws,
        2,
        [
            "NS1.1",
            "Out of court disposals",
            "Joint decision-making protocol with police",
            "YJS Manager; Police Sergeant",
            dt.datetime(2020, 2, 1),
            "B",
            "Protocol signed",
        ],
    )
    ws["E2"].number_format = "mmmm yyyy"
    _put(
        ws,
        3,
        [
            "NS1.2",
            "Out of court disposals",
            "Audit of 20 disposals",
            "Chair of Management Board (Cllr Ann Fox)",
            dt.datetime(2020, 3, 15),
        ],
    )
    ws["E3"].number_format = "dd-mmm-yy"
    ws["F3"].fill = fill(RED)
    _put(
        ws,
        4,
        [
            "NS2.1",
            "At court",
            "Court reports quality assured by a manager",
            "Court Team Manager",
            dt.datetime(2019, 11, 30),
            "Green",
        ],
    )
    ws["E4"].number_format = "d/m/yyyy"
    ws["F4"].fill = fill(AMBER)
    _put(
        ws,
        5,
        [
            "NS2.2",
            "At court",
            "Refresh the bail and remand protocol",
            "Head of Service – Youth Justice & Adolescents",
            "Q1 2020/21",
            "A",
        ],
    )
    o, a = "Out of court disposals", "At court"
    return Unseen(
        filename="calder_yjs.xlsx",
        data=_save(wb),
        title=None,
        themes=((None, o), (None, a)),
        actions={
            "NS1.1": Reading(
                o, D(2020, 2, 29), None, (role("YJS Manager"), role("Police Sergeant")), "blue"
            ),
            "NS1.2": Reading(
                o,
                D(2020, 3, 15),
                None,
                (person("Cllr Ann Fox", "Chair of Management Board"),),
                "red",
            ),
            "NS2.1": Reading(a, D(2019, 11, 30), None, (role("Court Team Manager"),), "green"),
            "NS2.2": Reading(
                a,
                D(2020, 6, 30),
                None,
                (role("Head of Service – Youth Justice & Adolescents"),),
                "amber",
            ),
        },
    )


UNSEEN = (
    northbrook_ilacs,
    westmoor_send,
    eastfield_yjs,
    southam_ilacs,
    kingsley_practice,
    ashby_early_help,
    riverside_export,
    hallam_send,
    brackley_yot,
    greyford_workbook,
    harwell_send,
    calder_yjs,
)
