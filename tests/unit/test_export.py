"""Writing a plan out as .xlsx, .csv and Markdown, and reading the files back."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.exporter import COLUMNS, export_csv, export_markdown, export_xlsx
from bot.core.importer import ParsedPlan, read_plan
from bot.core.statuses import Status


def owner(name: str, title: str | None = None) -> dict[str, Any]:
    return {"name": name, "title": title, "slack_user": None}


def update(at: str, note: str | None, status: str = "green") -> dict[str, Any]:
    return {"at": at, "status": status, "note": note, "source": "slack"}


PLAN: dict[str, Any] = {
    "title": "Children's Services Improvement Plan | 2019",
    "board": "Improvement Board",
    "themes": [
        {
            "ref": "4",
            "title": "Placement stability",
            "actions": [
                {
                    "ref": "4.1",
                    "title": "Ensure foster carers' views are actively sought; and acted on",
                    "due": "2019-05-31",
                    "due_precision": "month",
                    "status": "amber",
                    "measures": "• Feedback from foster carer events\n• Survey | results",
                    "owners": [
                        owner("Jane Doe", "Head of Fostering & Adoption"),
                        owner("John Smith", "Director, Children's Services"),
                    ],
                    "latest_update": update(
                        "2019-06-30T23:30:00+00:00", "=2 events held\nsurvey slipped", "amber"
                    ),
                },
                {
                    "ref": "4.10",
                    "title": "Recruit 20 new foster carers",
                    "due": "2019-01-14",
                    "due_precision": "day",
                    "status": "blue",
                    "measures": None,
                    "owners": [owner("Head of Fostering")],
                    "latest_update": None,
                },
                {
                    "ref": "4.1a",
                    "title": "Undated — no owner yet",
                    "due": None,
                    "due_precision": "day",
                    "status": "not_started",
                    "measures": "",
                    "owners": [],
                    "latest_update": update("2019-03-01T10:00:00+00:00", None),
                },
            ],
        },
        {"ref": "5", "title": "Care leavers", "actions": []},
        {
            "ref": "A",
            "title": "Zoë’s theme: «quality» & <assurance>",
            "actions": [
                {
                    "ref": "A1",
                    "title": "Audit | framework",
                    "due": "2019-02-01",  # month precision is the end of the month
                    "due_precision": "month",
                    "status": "red",
                    "measures": "-5 children",
                    "owners": [owner("Łukasz Nowak-Smith", "Principal Social Worker")],
                    "latest_update": update("2019-02-01T09:00:00+00:00", "'quoted' start"),
                }
            ],
        },
    ],
}


def summary(plan: dict[str, Any]) -> list[tuple[Any, ...]]:
    """What a round trip keeps, from a plan dict."""
    themes = []
    for theme in plan["themes"]:
        actions = []
        for action in theme["actions"]:
            due = dt.date.fromisoformat(action["due"]) if action["due"] else None
            if due and action["due_precision"] == "month":
                due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
            note = (action["latest_update"] or {}).get("note")
            actions.append(
                (
                    action["ref"],
                    action["title"],
                    due,
                    action["due_precision"],
                    action["measures"] or None,
                    [(o["name"], o["title"] or None) for o in action["owners"]],
                    note or None,
                    Status(action["status"]),
                )
            )
        themes.append((theme["ref"], theme["title"], actions))
    return themes


def parsed_summary(parsed: ParsedPlan) -> list[tuple[Any, ...]]:
    """The same, from a parsed file."""
    return [
        (
            theme.ref,
            theme.title,
            [
                (
                    a.ref,
                    a.title,
                    a.due,
                    a.due_precision,
                    a.measures,
                    [(o.name, o.title) for o in a.owners],
                    a.progress,
                    a.status,
                )
                for a in theme.actions
            ],
        )
        for theme in parsed.themes
    ]


# --- round trips ----------------------------------------------------------------------------


def test_xlsx_round_trip() -> None:
    parsed = read_plan(export_xlsx(PLAN), "plan.xlsx")
    assert parsed_summary(parsed) == summary(PLAN)
    assert parsed.notes == []


def test_csv_round_trip() -> None:
    parsed = read_plan(export_csv(PLAN), "plan.csv")
    assert parsed_summary(parsed) == summary(PLAN)
    assert parsed.notes == []


def test_month_precision_is_written_as_the_end_of_the_month() -> None:
    assert summary(PLAN)[2][2][0][2] == dt.date(2019, 2, 28)


# Realistic text: words with unicode and the punctuation that breaks naive CSV, Markdown and
# owner parsing; lines optionally bulleted.
WORDS = st.one_of(
    st.sampled_from(
        [
            "foster",
            "carers",
            "Ofsted",
            "ILACS",
            "audit,",
            "survey;",
            "a|b",
            "|",
            "&",
            "£45,000",
            "50%",
            "(draft)",
            "“quoted”",
            "O'Brien",
            "naïve",
            "Zoë",
            "Łódź",
            "–",
            "=2",
            "+1",
            "@team",
            "#tag",
            "*star*",
            "_under_",
            "`code`",
            "[link]",
            "<b>",
            "\\",
            '"',
            "'",
            "4.1",
            "May-19",
            "31/05/2019",
            "green",
        ]
    ),
    st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=8),
)
LINE = st.builds(
    lambda bullet, words: ("• " if bullet else "") + " ".join(words),
    st.booleans(),
    st.lists(WORDS, min_size=1, max_size=8),
)
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)
FIRST = st.sampled_from(["Jane", "John", "Zoë", "Siobhán", "Łukasz", "Amy", "Raj", "Mary-Jane"])
LAST = st.sampled_from(["Doe", "Smith", "O'Brien", "Nowak-Smith", "Núñez", "Patel", "Lee"])
JOB = st.sampled_from(
    [
        "Head of Fostering",
        "Head of Fostering & Adoption",
        "Director, Children's Services",
        "Service Manager (Early Help)",
        "Principal Social Worker",
        "Team Manager – Leaving Care",
    ]
)
PERSON = st.builds(lambda first, last, job: owner(f"{first} {last}", job), FIRST, LAST, JOB)
NAME_ONLY = st.builds(owner, st.sampled_from(["Jane Doe", "Head of Leaving Care", "Dr Lee Chan"]))
OWNERS = st.lists(st.one_of(PERSON, NAME_ONLY), max_size=3, unique_by=lambda o: o["name"])
DAY = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


@st.composite
def due_dates(draw: st.DrawFn) -> tuple[str | None, str]:
    day = draw(st.none() | DAY)
    if day is None:
        return None, "day"
    if draw(st.booleans()):
        end = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        return end.isoformat(), "month"
    return day.isoformat(), "day"


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    theme_refs = draw(
        st.lists(
            st.one_of(st.integers(1, 99).map(str), st.sampled_from("ABCDEFGH")),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    themes = []
    for theme_ref in theme_refs:
        actions = []
        suffixes = draw(st.lists(st.sampled_from(["", "a", ".1", ".2"]), max_size=4))
        for number, suffix in enumerate(suffixes, start=1):
            due, precision = draw(due_dates())
            # a lone dash in the progress column is read as no update, so it can't round-trip
            note = draw(st.none() | TEXT.filter(lambda t: t.strip("-–—. \n") != ""))
            latest = draw(st.none() | st.just(update("2019-05-16T08:00:00+00:00", note, "amber")))
            actions.append(
                {
                    "ref": f"{theme_ref}.{number}{suffix}",
                    "title": draw(TEXT),
                    "due": due,
                    "due_precision": precision,
                    "status": draw(st.sampled_from(Status)).value,
                    "measures": draw(st.none() | TEXT),
                    "owners": draw(OWNERS),
                    "latest_update": latest,
                }
            )
        themes.append({"ref": theme_ref, "title": draw(TEXT), "actions": actions})
    return {"title": draw(TEXT), "board": draw(st.none() | TEXT), "themes": themes}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_round_trips_of_generated_plans(plan: dict[str, Any]) -> None:
    assert parsed_summary(read_plan(export_xlsx(plan), "plan.xlsx")) == summary(plan)
    assert parsed_summary(read_plan(export_csv(plan), "plan.csv")) == summary(plan)


# --- the files themselves ---------------------------------------------------------------------


def test_xlsx_layout() -> None:
    book = openpyxl.load_workbook(io.BytesIO(export_xlsx(PLAN)))
    sheet = book.active
    assert sheet.title == "Plan"
    assert sheet["A1"].value == PLAN["title"]
    assert sheet["A2"].value == "Board: Improvement Board"
    assert [c.value for c in sheet[4]] == list(COLUMNS)
    assert sheet.freeze_panes == "A5"
    assert sheet["A5"].value == "4" and sheet["A5"].font.b and sheet["B5"].font.b
    assert not sheet["B6"].font.b
    assert sheet["C6"].value == dt.datetime(2019, 5, 31) and sheet["C6"].number_format == "mmm-yy"
    assert sheet["C7"].value == dt.datetime(2019, 1, 14)
    assert sheet["C7"].number_format == "dd/mm/yyyy"
    assert sheet["E6"].value == (
        "Jane Doe, Head of Fostering & Adoption\nJohn Smith, Director, Children's Services"
    )
    assert sheet["F6"].value == "=2 events held\nsurvey slipped"
    assert sheet["F6"].data_type == "s"
    assert sheet["G6"].value == "At risk"
    assert sheet["H6"].value == dt.datetime(2019, 7, 1)  # 23:30 UTC on 30 June is 1 July here
    assert sheet["B6"].alignment.wrap_text
    assert sheet.column_dimensions["B"].width == 50
    assert sheet.print_title_rows == "$4:$4"


def test_csv_layout() -> None:
    data = export_csv(PLAN)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(COLUMNS)
    assert rows[1] == ["4", "Placement stability", "", "", "", "", "", ""]
    assert rows[2][2] == "May-19"
    assert rows[2][5] == "'=2 events held\nsurvey slipped"  # so Excel shows text, not a formula
    assert rows[2][6:] == ["At risk", "01/07/2019"]
    assert rows[3][2] == "14/01/2019"
    assert rows[4][2] == "" and rows[4][7] == "01/03/2019"
    assert rows[7][2] == "Feb-19" and rows[7][3] == "'-5 children"
    assert data.count(b"\r\n") >= 8


def test_markdown() -> None:
    text = export_markdown(PLAN)
    lines = text.splitlines()
    assert lines[0] == "# Children's Services Improvement Plan \\| 2019"
    assert "Board: Improvement Board" in lines
    assert "## 4 Placement stability" in lines
    assert "## 5 Care leavers" in lines
    assert "3 actions: 1 not started, 1 at risk, 1 complete." in lines
    assert "1 action: 1 off track." in lines
    assert "## A Zoë’s theme: «quality» & \\<assurance\\>" in lines
    row = next(line for line in lines if line.startswith("| 4.1 |"))
    assert row == (
        "| 4.1 | Ensure foster carers' views are actively sought; and acted on | May 2019 "
        "| • Feedback from foster carer events<br>• Survey \\| results "
        "| Jane Doe, Head of Fostering & Adoption<br>John Smith, Director, Children's Services "
        "| =2 events held<br>survey slipped | At risk | 01/07/2019 |"
    )
    assert "| A1 | Audit \\| framework | February 2019 |" in text
    assert "_No actions yet._" in text
    assert text.endswith("|\n")
    # every table row has the same number of unescaped pipes as the header
    table = [line for line in lines if line.startswith("|")]
    assert {line.replace("\\|", "").count("|") for line in table} == {9}


def test_empty_plan() -> None:
    plan = {"title": "Empty", "board": None, "themes": []}
    assert read_plan(export_xlsx(plan), "e.xlsx").themes == []
    assert read_plan(export_csv(plan), "e.csv").themes == []
    assert export_markdown(plan) == "# Empty\n\n_No themes yet._\n"


def test_control_characters_are_dropped_from_xlsx() -> None:
    plan = {
        "title": "Plan\x07",
        "board": "B",
        "themes": [{"ref": "1", "title": "Bell\x07 theme", "actions": []}],
    }
    assert read_plan(export_xlsx(plan), "p.xlsx").themes[0].title == "Bell theme"
