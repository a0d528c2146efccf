"""Reading untidy improvement-plan spreadsheets (tests/sheets.py) into plain data."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.styles.colors import Color

from bot.core.importer import (
    ImportFormatError,
    ParsedAction,
    ParsedOwner,
    ParsedPlan,
    ParsedTheme,
    looks_like_name,
    parse_owners,
    read_plan,
    status_for_colour,
    theme_of,
    tidy_text,
)
from bot.core.sheet_reader import display_number, is_month_only_format
from bot.core.statuses import Status
from tests import sheets
from tests.sheets import HEADER, Cell, Row, csv_bytes, workbook

D = dt.date
FORMATS = "Use 31/05/2019, 2019-05-31, 31 May 2019 or May 2019 (the end of May)."


def action(
    row: int,
    ref: str,
    title: str,
    due: dt.date | None = None,
    precision: str = "day",
    measures: str | None = None,
    owners: list[ParsedOwner] | None = None,
    progress: str | None = None,
    status: Status | None = None,
) -> ParsedAction:
    return ParsedAction(ref, title, due, precision, measures, owners or [], progress, status, row)


def owner(name: str, title: str | None = None) -> ParsedOwner:
    return ParsedOwner(name, title)


def role(name: str) -> ParsedOwner:
    """An owner that is a role with no person's name."""
    return ParsedOwner(name, None, role=True)


def plain_csv(*lines: str) -> bytes:
    return csv_bytes([",".join(HEADER), *lines])


# --- the untidy workbooks ------------------------------------------------------------------


def test_council_workbook() -> None:
    jane = owner("Jane Doe", "Head of Fostering")
    assert read_plan(sheets.council_workbook(), "Improvement plan.xlsx") == ParsedPlan(
        sheet="Improvement Plan",
        title="ILACS improvement plan (inspection published 19 November 2018)",
        themes=[
            ParsedTheme(
                "4",
                "Placement stability: children live in stable homes",
                [
                    action(
                        7,
                        "4.1",
                        "Ensure foster carers' views are actively sought\nand acted upon",
                        D(2019, 5, 31),
                        "month",
                        "• Feedback from foster carer events\n- Annual survey results",
                        [jane, owner("John Smith", "Service Manager")],
                        "Big conversation held in March.\n\nSurvey out in April.",
                        Status.AMBER,
                    ),
                    action(
                        9,
                        "4.2",
                        "Review matching processes",
                        D(2019, 2, 28),
                        "month",
                        "Fewer placement moves",
                        [owner("Amy Lee", "Team Manager"), owner("Raj Patel", "Head of Service")],
                        None,
                        Status.GREEN,
                    ),
                    action(
                        10,
                        "4.10",
                        "Recruit 20 new foster carers",
                        D(2019, 1, 31),
                        "day",
                        None,
                        [jane],
                        "22 approved",
                        Status.BLUE,
                    ),
                ],
                6,
            ),
            ParsedTheme(
                "5",
                "Care leavers",
                [
                    action(
                        13,
                        "5.1",
                        "Every care leaver has a pathway plan",
                        D(2019, 9, 30),
                        "day",
                        "Audit of pathway plans",
                        [role("Head of Leaving Care")],
                    ),
                    action(
                        14,
                        "5.2",
                        "Staying close offer",
                        D(2019, 6, 30),
                        "month",
                        None,
                        [owner("Sam O'Neil"), owner("Priya Shah")],
                        "Bid submitted",
                        Status.GREEN,
                    ),
                ],
                12,
            ),
        ],
        notes=[
            "Skipped repeated header rows: 11.",
            'Skipped note row 17: "Note: RAG ratings agreed at the board o…".',
        ],
    )


def test_word_copy_workbook() -> None:
    parsed = read_plan(sheets.word_copy_workbook(), "plan.xlsx")
    assert parsed == ParsedPlan(
        sheet="Action plan",
        title="Anytown Council Improvement Plan",
        themes=[
            ParsedTheme(
                "1",
                "Leadership and management",
                [
                    action(
                        5,
                        "1.1",
                        "Strengthen management oversight of casework",
                        D(2019, 3, 31),
                        "month",
                        "1. Monthly audits\n2) Supervision records",
                        [owner("Sarah Jones"), owner("Tom Brown")],
                        "Audit tool agreed",
                        Status.GREEN,
                    ),
                    action(
                        6,
                        "1.2",
                        "Embed the practice model",
                        D(2019, 5, 31),
                        "month",
                        owners=[role("Head of Fostering & Adoption")],
                        status=Status.AMBER,
                    ),
                    action(
                        7,
                        "1.3",
                        "Improve the quality of supervision",
                        measures="Supervision audit\n• Audit programme in place",
                        owners=[
                            role("Director of Children's Services"),
                            owner("Ann Other", "Principal Social Worker"),
                        ],
                        status=Status.RED,
                    ),
                ],
                4,
            ),
            ParsedTheme(
                "2",
                "Children in care",
                [
                    action(
                        11,
                        "2.1",
                        "Reduce drift for children in care",
                        D(2019, 7, 31),
                        owners=[owner("Amy Lee", "Virtual School Head")],
                        progress="On target",
                        status=Status.BLUE,
                    ),
                    replace(
                        action(
                            12,
                            "2.2",
                            "Sufficiency strategy",
                            owners=[owner("Jane Doe", "Head of Fostering")],
                        ),
                        due_text="TBC",
                    ),
                ],
                10,
            ),
        ],
        notes=['Row 12: kept "TBC" as text: not a date.'],
    )


def test_numbered_workbook() -> None:
    assert read_plan(sheets.numbered_workbook(), "plan.xlsx") == ParsedPlan(
        sheet="Plan",
        themes=[
            ParsedTheme(
                "1",
                "Theme 1",
                [
                    action(
                        2,
                        "1.1",
                        "Publish the plan",
                        D(2019, 1, 31),
                        owners=[role("Chief Executive")],
                        status=Status.BLUE,
                    ),
                    action(3, "1.2", "Brief all staff", D(2019, 2, 28), "month"),
                ],
                2,
            ),
            ParsedTheme(
                "2",
                "Early help",
                [
                    action(5, "2.1a", "Single front door", D(2019, 4, 30), status=Status.RED),
                    action(6, "2.1", "Early help audit", status=Status.NOT_STARTED),
                ],
                4,
            ),
            ParsedTheme(
                "3",
                "Workforce",
                [
                    action(
                        8,
                        "3.1.2",
                        "Caseloads under 18",
                        D(2019, 12, 31),
                        "month",
                        owners=[role("HR Business Partner")],
                        status=Status.BLUE,
                    )
                ],
                7,
            ),
            ParsedTheme(
                "A",
                "Quality assurance",
                [
                    action(
                        10,
                        "A1",
                        "Audit framework",
                        D(2019, 6, 30),
                        "month",
                        owners=[owner("Jo Bloggs")],
                    )
                ],
                9,
            ),
        ],
        notes=['Action 1.1 (row 2) comes before any theme row: put it in theme 1 "Theme 1".'],
    )


def test_comma_csv_with_bom_and_title_line() -> None:
    assert read_plan(sheets.comma_csv(), "plan.csv") == ParsedPlan(
        sheet="plan",
        title="Children's Services Improvement Plan",
        themes=[
            ParsedTheme(
                "4",
                "Placement stability",
                [
                    action(
                        5,
                        "4.1",
                        "Ensure foster carers' views are sought, and acted on",
                        D(2019, 5, 31),
                        "month",
                        "Feedback; survey",
                        [
                            owner("Jane Doe", "Head of Fostering"),
                            owner("John Smith", "Service Manager"),
                        ],
                        "Held, 3 events",
                        Status.AMBER,
                    ),
                    action(
                        6,
                        "4.2",
                        "Review matching",
                        D(2019, 1, 31),
                        owners=[owner("Zoë Brontë", "Head of Service")],
                        status=Status.BLUE,
                    ),
                ],
                4,
            ),
            ParsedTheme(
                "5",
                "Care leavers",
                [
                    action(
                        9,
                        "5.1",
                        "Pathway plans",
                        D(2019, 9, 30),
                        measures="• Audit\n• Survey",
                        owners=[role("Head of Leaving Care")],
                    )
                ],
                8,
            ),
        ],
    )


def test_semicolon_csv_in_windows_1252() -> None:
    assert read_plan(sheets.semicolon_csv(), "budget.csv") == ParsedPlan(
        sheet="budget",
        themes=[
            ParsedTheme(
                "1",
                "Finance – budget",
                [
                    action(
                        3,
                        "1.1",
                        "Fund 3 social worker posts at £45,000",
                        D(2019, 2, 28),
                        "month",
                        "Posts filled",
                        [owner("Ana Núñez", "Director"), owner("Bob Ray")],
                        "“On schedule”",
                        Status.GREEN,
                    ),
                    action(
                        4,
                        "1.2",
                        "=Fix the formula-looking title",
                        D(2019, 9, 30),
                        "month",
                        status=Status.RED,
                    ),
                ],
                2,
            )
        ],
    )


def test_tab_csv_with_refs_inside_the_action_text() -> None:
    parsed = read_plan(sheets.tab_csv(), "health.csv")
    assert parsed.themes == [
        ParsedTheme(
            "7",
            "Health",
            [
                action(
                    3,
                    "7.1",
                    "Health assessments on time",
                    D(2019, 6, 30),
                    owners=[owner("Dr Lee Chan")],
                )
            ],
            2,
        )
    ]


def test_utf16_csv_as_excel_saves_unicode_text() -> None:
    lines = ["\t".join(HEADER), "1\tZoë’s theme", "1.1\tAction\tMay 2019"]
    data = "\r\n".join(lines).encode("utf-16")
    parsed = read_plan(data, "plan.csv")
    assert parsed.themes[0].title == "Zoë’s theme"
    assert parsed.themes[0].actions[0].due == D(2019, 5, 31)


def test_two_thousand_actions_parse() -> None:
    parsed = read_plan(sheets.big_workbook(2000), "big.xlsx")
    assert len(parsed.themes) == 100
    assert sum(len(theme.actions) for theme in parsed.themes) == 2000
    last = parsed.themes[-1].actions[-1]
    assert (last.ref, last.due, last.status) == ("100.20", D(2019, 8, 31), Status.BLUE)
    assert last.owners == [
        owner("Jane Doe", "Head of Service"),
        owner("John Smith", "Team Manager"),
    ]


# --- smaller rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        (
            "Ref",
            "Theme / Action",
            "Completion date",
            "Measures",
            "Owner",
            "Progress to date",
            "RAG",
        ),
        ("No.", "Actions", "Due", "Evidence", "Lead", "Progress To Date", "BRAG"),
        (
            "#",
            "Recommendation",
            "Due date",
            "Measure of success",
            "Lead officer",
            "Update",
            "Status",
        ),
        (
            "Ref no",
            "Action",
            "By when",
            "Impact measures",
            "Accountable",
            "Commentary",
            "RAG rating",
        ),
        (
            " REF. ",
            "Area for improvement / action",
            "Target date",
            "How will progress / impact be measured or evidenced?",
            "Responsible officer",
            "Progress update",
            "rag",
        ),
        (
            "Ref",
            "Key actions",
            "Timescale",
            "Success criteria",
            "Owner(s)",
            "Comments",
            "RAG status",
        ),
    ],
)
def test_columns_are_matched_by_meaning_in_any_order(header: tuple[str, ...]) -> None:
    order = [6, 3, 0, 5, 1, 4, 2]  # columns shuffled on purpose
    theme = ("4", "Theme", "", "", "", "", "")
    values = ("4.1", "Do the thing", "May-19", "Audit", "Jane Doe, Head of Service", "Done", "Red")
    data = csv_bytes(
        [",".join(f'"{cells[i]}"' for i in order) for cells in (header, theme, values)]
    )
    parsed = read_plan(data, "plan.csv")
    assert parsed.themes[0].actions == [
        action(
            3,
            "4.1",
            "Do the thing",
            D(2019, 5, 31),
            "month",
            "Audit",
            [owner("Jane Doe", "Head of Service")],
            "Done",
            Status.RED,
        )
    ]


def test_ref_can_lead_the_action_text_without_a_ref_column() -> None:
    data = csv_bytes(
        [
            "Action,Due",
            "Theme 4 - Placement stability,",
            "4.1 Ensure foster carers are heard,May 2019",
            '"4.2: Review matching",',
        ]
    )
    theme = read_plan(data, "plan.csv").themes[0]
    assert (theme.ref, theme.title) == ("4", "Placement stability")
    assert [(a.ref, a.title) for a in theme.actions] == [
        ("4.1", "Ensure foster carers are heard"),
        ("4.2", "Review matching"),
    ]


def test_a_leading_number_is_text_unless_punctuated() -> None:
    data = csv_bytes(["Action,Due", "4. Placements,", "4.1 Recruit carers,May 2019", "10 carers,"])
    parsed = read_plan(data, "plan.csv")
    assert [a.ref for t in parsed.themes for a in t.actions] == ["4.1"]
    assert parsed.doubts == [
        'Sheet "plan", row 4, column "Action": left out "10 carers": it has no ref. Give each '
        'action a ref like 4.1, or start a note row with "Note:".'
    ]


def test_actions_before_a_theme_row_join_the_theme_it_later_names() -> None:
    data = plain_csv("4.1,First,,,,", "4,Placement stability,,,,", "4.2,Second,,,,")
    parsed = read_plan(data, "plan.csv")
    assert [(t.ref, t.title, [a.ref for a in t.actions]) for t in parsed.themes] == [
        ("4", "Placement stability", ["4.1", "4.2"])
    ]


def test_actions_after_a_theme_row_stay_in_it_whatever_their_ref() -> None:
    parsed = read_plan(plain_csv("4,Placements,,,,", "4.1,First,,,,", "5.1,Odd one,,,,"), "p.csv")
    assert [a.ref for a in parsed.themes[0].actions] == ["4.1", "5.1"]


def test_bold_theme_row_without_a_ref_takes_its_first_actions_theme() -> None:
    data = workbook(
        {
            "Plan": [
                HEADER,
                Row([None, "Placement stability"], bold=True),
                ["4.1", "First", "May-19"],
                Row([None, "Care leavers"], merge=5, merge_from=2),
                [None, "5.1 Pathway plans", "Jun-19"],
                Row([None, "Unnumbered and empty"], bold=True),
            ]
        }
    )
    parsed = read_plan(data, "plan.xlsx")
    assert [(t.ref, t.title, t.row) for t in parsed.themes] == [
        ("4", "Placement stability", 2),
        ("5", "Care leavers", 4),
        ("1", "Unnumbered and empty", 6),
    ]
    assert parsed.notes == [
        'Theme "Placement stability" (row 2) has no ref: called it 4.',
        'Theme "Care leavers" (row 4) has no ref: called it 5.',
        'Theme "Unnumbered and empty" (row 6) has no ref: called it 1.',
    ]


def test_theme_ref_with_a_date_is_an_action_unless_the_row_is_bold() -> None:
    data = workbook(
        {
            "Plan": [
                HEADER,
                ["1", "Leadership"],
                ["1.1", "First", "May-19"],
                ["7", "Numbered action", "Jun-19", None, "Jane Doe"],
                Row(["2", "Bold theme with a date", "Jul-19"], bold=True),
            ]
        }
    )
    parsed = read_plan(data, "plan.xlsx")
    assert [(t.ref, [a.ref for a in t.actions]) for t in parsed.themes] == [
        ("1", ["1.1", "7"]),
        ("2", []),
    ]


def test_continuation_row_needs_an_action_above() -> None:
    data = plain_csv("4,Theme,,,,", ",,,More evidence,,")
    with pytest.raises(ImportFormatError, match='row 3, column "Ref"'):
        read_plan(data, "plan.csv")


def test_row_with_only_a_ref_is_skipped_with_a_note() -> None:
    parsed = read_plan(plain_csv("4,Theme,,,,", "4.1,Real,,,,", "4.2,,,,,", "5,,,,,"), "p.csv")
    assert [a.ref for a in parsed.themes[0].actions] == ["4.1"]
    assert parsed.notes == [
        "Skipped row 4: it has a ref (4.2) only.",
        "Skipped row 5: it has a ref (5) only.",
    ]


def test_row_repeating_the_title_block_is_skipped() -> None:
    data = workbook(
        {
            "Plan": [
                Row(["Anytown improvement plan"], bold=True),
                HEADER,
                ["4", "Theme"],
                ["4.1", "First"],
                Row(["Anytown improvement plan"], bold=True),
                HEADER,
                ["4.2", "Second"],
            ]
        }
    )
    parsed = read_plan(data, "plan.xlsx")
    assert [a.ref for a in parsed.themes[0].actions] == ["4.1", "4.2"]
    assert parsed.notes == [
        "Skipped repeated header rows: 6.",
        "Skipped row 5: it repeats the title above the header.",
    ]


def test_first_sheet_with_a_header_is_used() -> None:
    data = workbook({"Notes": [["Read me"]], "Q1": [HEADER, ["1", "T"]], "Q2": [HEADER]})
    assert read_plan(data, "plan.xlsx").sheet == "Q1"


def test_header_may_be_on_row_20_but_not_21() -> None:
    title_block = [[f"Title line {n}"] for n in range(19)]
    parsed = read_plan(workbook({"Plan": [*title_block, HEADER, ["1", "T"]]}), "plan.xlsx")
    assert parsed.themes[0].row == 21
    with pytest.raises(ImportFormatError, match="first 20 rows"):
        read_plan(workbook({"Plan": [*title_block, [], HEADER, ["1", "T"]]}), "plan.xlsx")


def test_status_fill_in_a_theme_colour_with_a_tint() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append([*HEADER, "RAG"])
    sheet.append(["1", "Theme"])
    sheet.append(["1.1", "Red by theme colour"])
    sheet.append(["1.2", "Green by indexed colour"])
    # openpyxl's built-in theme has accent2 = C0504D (a red); indexed 17 is 008000 (green)
    sheet["G3"].fill = PatternFill("solid", fgColor=Color(theme=5, tint=0.4))
    sheet["G4"].fill = PatternFill("solid", fgColor=Color(indexed=17))
    out = io.BytesIO()
    book.save(out)
    actions = read_plan(out.getvalue(), "plan.xlsx").themes[0].actions
    assert [a.status for a in actions] == [Status.RED, Status.GREEN]


@pytest.mark.parametrize(
    ("rgb", "status"),
    [
        ("FF0000", Status.RED),
        ("C00000", Status.RED),
        ("FFC7CE", Status.RED),
        ("FFC000", Status.AMBER),
        ("FFFF00", Status.AMBER),
        ("FFEB9C", Status.AMBER),
        ("ED7D31", Status.AMBER),
        ("00B050", Status.GREEN),
        ("92D050", Status.GREEN),
        ("C6EFCE", Status.GREEN),
        ("0070C0", Status.BLUE),
        ("00B0F0", Status.BLUE),
        ("BDD7EE", Status.BLUE),
        ("FFFFFF", None),
        ("D9D9D9", None),
        ("DDEBF7", None),
        ("7030A0", None),
        ("zzzzzz", None),
    ],
)
def test_status_for_colour(rgb: str, status: Status | None) -> None:
    assert status_for_colour(rgb) is status


@pytest.mark.parametrize(
    ("text", "owners"),
    [
        ("Jane Doe, Head of Fostering", [owner("Jane Doe", "Head of Fostering")]),
        (
            "Jane Doe, Head of Fostering\nJohn Smith, Director, Children's Services",
            [
                owner("Jane Doe", "Head of Fostering"),
                owner("John Smith", "Director, Children's Services"),
            ],
        ),
        ("Jane Doe; John Smith ;", [owner("Jane Doe"), owner("John Smith")]),
        ("Head of Fostering", [role("Head of Fostering")]),
        ("Head of Fostering & Adoption", [role("Head of Fostering & Adoption")]),
        (
            "Jane Doe, Head of Fostering & Adoption",
            [owner("Jane Doe", "Head of Fostering & Adoption")],
        ),
        ("Jane Doe and John Smith", [owner("Jane Doe"), owner("John Smith")]),
        (
            "Jane Doe, Head of Service & John Smith, Director",
            [owner("Jane Doe", "Head of Service"), owner("John Smith", "Director")],
        ),
        ("Jane and John", [role("Jane and John")]),
        ("Head of Service (Jane Doe)", [owner("Jane Doe", "Head of Service")]),
        ("Head of Fostering, Jane Doe", [owner("Jane Doe", "Head of Fostering")]),
        ("Jane Doe – Head of Fostering", [owner("Jane Doe", "Head of Fostering")]),
        (
            "• Jane Doe\n• John Smith\n1. Amy Lee",
            [owner("Jane Doe"), owner("John Smith"), owner("Amy Lee")],
        ),
        ("Jane Doe\nJane Doe", [owner("Jane Doe")]),
        ("TBC", []),
        (
            "Siobhán Ní Bhriain & Łukasz Nowak-Smith",
            [owner("Siobhán Ní Bhriain"), owner("Łukasz Nowak-Smith")],
        ),
    ],
)
def test_parse_owners(text: str, owners: list[ParsedOwner]) -> None:
    assert parse_owners(text) == owners


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Jane Doe", True),
        ("Zoë O'Brien", True),
        ("Mary-Jane St. Clair", True),
        ("Jane", False),
        ("Head of Fostering", False),
        ("Fostering Team", False),
        ("jane doe", False),
        ("Jane Doe 2", False),
    ],
)
def test_looks_like_name(text: str, name: bool) -> None:
    assert looks_like_name(text) is name


@pytest.mark.parametrize(
    ("text", "tidy"),
    [
        ("  two  spaces\tand tab  ", "two spaces and tab"),
        ("•one\n*  two\n-   three\n–  four\n·five", "• one\n* two\n- three\n– four\n· five"),
        ("-5 children\n*starred*", "-5 children\n*starred*"),
        ("1. one\n2) two", "1. one\n2) two"),
        ("a\r\n\r\n\r\n\r\nb\n\n", "a\n\nb"),
        ("line_x000D_\nnext", "line\nnext"),
        ("\u00a0non-breaking\u00a0space", "non-breaking space"),
        ("•\n· \n• real\n- ", "• real\n-"),
    ],
)
def test_tidy_text(text: str, tidy: str) -> None:
    assert tidy_text(text) == tidy
    assert tidy_text(tidy) == tidy


@pytest.mark.parametrize(
    ("ref", "theme"),
    [
        ("4.1", "4"),
        ("4.1a", "4"),
        ("4.1.2", "4"),
        ("4a", "4"),
        ("A1", "A"),
        ("A.1", "A"),
        ("7", None),
    ],
)
def test_theme_of(ref: str, theme: str | None) -> None:
    assert theme_of(ref) == theme


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (4.1, "General", "4.1"),
        (4.1000000001, "General", "4.1"),
        (4.199999999999999, "General", "4.2"),
        (4, "General", "4"),
        (4.0, "General", "4"),
        (4.1, "0.00", "4.10"),
        (4, "0.0", "4.0"),
        (4.1, "0.0#", "4.1"),
        (4.125, "0.0#", "4.13"),
        (0.5, "0%", "50%"),
        (12345.6, "#,##0.0", "12,345.6"),
        (1e-12, "General", "0"),
        (True, "General", "TRUE"),
    ],
)
def test_display_number(value: float, number_format: str, shown: str) -> None:
    assert display_number(value, number_format) == shown


@pytest.mark.parametrize(
    ("number_format", "month_only"),
    [
        ("mmm-yy", True),
        ("mmmm yyyy", True),
        ("[$-809]mmm-yy;@", True),
        ('mmm" "yy', True),
        ("dd/mm/yyyy", False),
        ("d-mmm-yy", False),
        ("[$-F800]dddd\\,\\ mmmm\\ dd\\,\\ yyyy", False),
        ("dd/mm/yyyy hh:mm", False),
        ("General", False),
    ],
)
def test_is_month_only_format(number_format: str, month_only: bool) -> None:
    assert is_month_only_format(number_format) is month_only


# --- errors --------------------------------------------------------------------------------


def test_unreadable_date_is_kept_as_text_and_named_as_a_doubt() -> None:
    data = workbook({"Plan": [HEADER, ["4", "Theme"], ["4.1", "Do it", "31/02/2020"]]})
    parsed = read_plan(data, "plan.xlsx")
    action_ = parsed.themes[0].actions[0]
    assert (action_.due, action_.due_text) == (None, "31/02/2020")
    assert parsed.doubts == [
        'Sheet "Plan", row 3, column "Completion date": kept "31/02/2020" as text: '
        "February 2020 has 29 days"
    ]


def test_date_filler_words_are_allowed() -> None:
    parsed = read_plan(plain_csv("4,T,,,,", "4.1,A,By end of March 2019,,,"), "plan.csv")
    action_ = parsed.themes[0].actions[0]
    assert (action_.due, action_.due_precision) == (D(2019, 3, 31), "month")


def test_number_in_the_date_column_is_kept_as_text() -> None:
    data = workbook({"Plan": [HEADER, ["4", "T"], ["4.1", "A", 43616]]})
    parsed = read_plan(data, "plan.xlsx")
    assert parsed.themes[0].actions[0].due_text == "43616"
    assert 'row 3, column "Completion date": kept "43616"' in parsed.doubts[0]


def test_unknown_status_word_is_a_doubt() -> None:
    data = csv_bytes(["Ref,Action,RAG", "1,Theme,", "1.1,Do it,Purple"])
    parsed = read_plan(data, "plan.csv")
    assert parsed.themes[0].actions[0].status is None
    assert parsed.doubts == [
        'Sheet "plan", row 3, column "RAG": left the status as it was: I don\'t know "Purple". '
        "Use Complete, On track, At risk, Off track or Not started (or Blue/Green/Amber/Red)."
    ]


def test_status_with_a_trailing_comment_is_read() -> None:
    data = csv_bytes(["Ref,Action,RAG", "1,Theme,", "1.1,Do it,Complete - March 2019"])
    assert read_plan(data, "plan.csv").themes[0].actions[0].status is Status.BLUE


def test_duplicate_action_ref_names_both_rows() -> None:
    data = plain_csv("4,Theme,,,,", "4.1,First,,,,", ",,,,,", "4.1,Again,,,,")
    with pytest.raises(ImportFormatError) as caught:
        read_plan(data, "plan.csv")
    assert str(caught.value) == (
        'Sheet "plan", row 5, column "Ref": action 4.1 is already on row 3. '
        "Give each action its own ref. Fix it and import again."
    )


def test_every_problem_is_listed_at_once() -> None:
    rows = ["4,Theme,,,,", "4.1,First,,,,", "4.1,Again,,,,", "4.2,Two,,,,", "4.2,Twice,,,,"]
    with pytest.raises(ImportFormatError) as caught:
        read_plan(plain_csv(*rows), "plan.csv")
    assert "row 4" in str(caught.value) and "row 6" in str(caught.value)


def test_duplicate_numeric_refs_as_excel_shows_them() -> None:
    data = workbook({"Plan": [HEADER, [4, "T"], [4.1, "First"], [4.10, "Tenth, typed as 4.10"]]})
    with pytest.raises(ImportFormatError, match="row 4.*action 4.1 is already on row 3"):
        read_plan(data, "plan.xlsx")


def test_duplicate_theme_ref() -> None:
    with pytest.raises(ImportFormatError, match="row 4.*theme 4 is already on row 2"):
        read_plan(plain_csv("4,Theme,,,,", "4.1,A,,,,", "4.0,Again,,,,"), "plan.csv")


def test_action_without_a_theme_or_a_theme_shaped_ref_goes_in_theme_1() -> None:
    parsed = read_plan(plain_csv("7,Numbered action,May 2019,,Jane Doe,"), "plan.csv")
    assert [(t.ref, [a.ref for a in t.actions]) for t in parsed.themes] == [("1", ["7"])]


def test_action_with_no_text_is_left_out_as_a_doubt() -> None:
    parsed = read_plan(plain_csv("4,Theme,,,,", "4.1,,May 2019,,,", "4.2,B,,,,"), "plan.csv")
    assert [a.ref for a in parsed.themes[0].actions] == ["4.2"]
    assert 'row 3, column "Theme / Action": left out action 4.1' in parsed.doubts[0]


def test_text_row_without_a_ref_is_a_doubt() -> None:
    data = plain_csv("4,Theme,,,,", "4.1,First,,,,", ",Stray text,,,,")
    parsed = read_plan(data, "plan.csv")
    assert 'row 4, column "Ref": left out "Stray text"' in parsed.doubts[0]


def test_a_sheet_of_text_without_refs_is_refused_listing_every_row() -> None:
    data = plain_csv("Theme,,,,,", ",First,,,,", ",Second,,,,")
    with pytest.raises(ImportFormatError) as caught:
        read_plan(data, "plan.csv")
    assert "no action with a ref" in str(caught.value)
    assert '"First"' in str(caught.value) and '"Second"' in str(caught.value)


def test_no_header_row() -> None:
    data = workbook({"Sheet1": [["Just", "some"], ["numbers", 1, 2]], "Sheet2": [["Owner"]]})
    with pytest.raises(ImportFormatError) as caught:
        read_plan(data, "plan.xlsx")
    assert str(caught.value).startswith(
        'I couldn\'t find a header row in the first 20 rows of any sheet ("Sheet1", "Sheet2") '
        'in "plan.xlsx". I need an .xlsx or .csv file whose first sheet has a header row like '
        "Ref | Theme / Action | Completion date |"
    )


def test_no_header_row_in_a_csv_names_the_sheet() -> None:
    with pytest.raises(ImportFormatError, match='rows of sheet "notes" in "notes.csv"') as caught:
        read_plan(b"hello,world\r\n1,2\r\n", "notes.csv")
    assert caught.value.sheet == "notes"


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (
            b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
            "plan.xlsx",
            'couldn\'t open "plan.xlsx" as an Excel',
        ),
        (b"PK\x03\x04broken zip", "plan.xlsx", "as an Excel workbook"),
        (sheets.council_workbook(), "plan.csv", 'couldn\'t open "plan.csv" as CSV text'),
        (b"", "plan.xlsx", '"plan.xlsx" is empty'),
        (b"  \r\n ", "plan.csv", '"plan.csv" is empty'),
        (b"%PDF-1.4", "plan.pdf", 'I can\'t import "plan.pdf"'),
        (b"x", "plan", 'I can\'t import "plan"'),
        (b"\xd0\xcf\x11\xe0", "old plan.xls", "old-style .xls workbook"),
        (b"x", "/tmp/uploads/plan.docx", 'I can\'t import "plan.docx"'),
    ],
)
def test_files_that_are_not_plans(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(ImportFormatError, match="I need|save it as") as caught:
        read_plan(data, filename)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_cell_styles_without_text_do_not_make_rows() -> None:
    data = workbook(
        {"Plan": [HEADER, ["4", "T"], ["4.1", "A"], [Cell(fill="FF0000"), Cell(bold=True)]]}
    )
    assert [a.ref for a in read_plan(data, "plan.xlsx").themes[0].actions] == ["4.1"]


def test_a_second_column_of_the_same_meaning_is_kept_as_a_field() -> None:
    data = csv_bytes(["Ref,Action,Update,Commentary", "1,T,,", "1.1,A,first,second"])
    parsed = read_plan(data, "plan.csv")
    assert parsed.themes[0].actions[0].progress == "first"
    assert parsed.themes[0].actions[0].fields == {"Commentary": "second"}


def test_priority_rows_open_themes_but_section_numbers_are_text() -> None:
    data = csv_bytes(
        [
            "Ref,Action,Due",
            ",Priority 2: Leadership,",
            "2.1,Section 17 assessments are timely,May 2019",
        ]
    )
    parsed = read_plan(data, "plan.csv")
    assert [(t.ref, t.title) for t in parsed.themes] == [("2", "Leadership")]
    assert parsed.themes[0].actions[0].title == "Section 17 assessments are timely"


def test_a_ref_cell_may_name_itself() -> None:
    data = csv_bytes(["Ref,Action", "1,Theme", "Action 1.1,Do it", "Ref 1.2,And this"])
    parsed = read_plan(data, "plan.csv")
    assert [a.ref for a in parsed.themes[0].actions] == ["1.1", "1.2"]
