"""Due and owner cells read as the officer meant them (issue 9), with properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.dates import DatePrecision, last_day_of_month
from bot.core.due_cells import quarter_end, read_due_text
from bot.core.owner_cells import ParsedOwner, read_owners

D = dt.date


@pytest.mark.parametrize(
    ("text", "due", "precision"),
    [
        ("Q2 2019/20", D(2019, 9, 30), "month"),
        ("Q4 19/20", D(2020, 3, 31), "month"),
        ("Quarter 2 2019/20", D(2019, 9, 30), "month"),
        ("Q1 2019-20", D(2019, 6, 30), "month"),
        ("Q3 2019/2020", D(2019, 12, 31), "month"),
        ("2019/20", D(2020, 3, 31), "month"),
        ("2019-20", D(2020, 3, 31), "month"),
        ("End March 2020", D(2020, 3, 31), "month"),
        ("end of March 2020", D(2020, 3, 31), "month"),
        ("March 2020 (revised)", D(2020, 3, 31), "month"),
        ("w/c 20/01/2020", D(2020, 1, 24), "day"),
        ("Jan/Feb 2020", D(2020, 2, 29), "month"),
        ("31/01/2019", D(2019, 1, 31), "day"),
        ("May-19", D(2019, 5, 31), "month"),
        ("2019-12", D(2019, 12, 31), "month"),
    ],
)
def test_dates_and_periods(text: str, due: dt.date, precision: str) -> None:
    reading = read_due_text(text)
    assert (reading.due, reading.precision.value, reading.text) == (due, precision, None)


@pytest.mark.parametrize(
    "text",
    [
        "31/03/2020 - revised to 30/06/2020",
        "30/06/2020 (was 31/03/2020)",
        "Revised: 30/06/2020 (originally 31/03/2020)",
        "March 2020, revised to 30/06/2020",
    ],
)
def test_revisions_in_the_forms_officers_write(text: str) -> None:
    reading = read_due_text(text)
    assert reading.due == D(2020, 6, 30)
    assert reading.original in (D(2020, 3, 31),)


def test_a_revision_is_due_the_later_date_and_keeps_the_first() -> None:
    reading = read_due_text("31/03/2020 - revised to 30/06/2020")
    assert (reading.due, reading.original) == (D(2020, 6, 30), D(2020, 3, 31))
    assert reading.how and "revised from 31 March 2020" in reading.how


@pytest.mark.parametrize("text", ["Complete", "Completed", "Done", "done."])
def test_complete_words_set_the_status_and_no_date(text: str) -> None:
    reading = read_due_text(text)
    assert (reading.complete, reading.due, reading.text) == (True, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Ongoing", "On-going", "TBC", "TBA", "N/A", "-", "Quarterly", "Monthly", "Each meeting",
        "Prior to inspection", "Spring 2020", "Autumn term", "Winter 2019/20",
    ],
)  # fmt: skip
def test_no_date_words_are_kept_as_text_without_doubt(text: str) -> None:
    reading = read_due_text(text)
    assert (reading.due, reading.text, reading.doubt) == (None, text, False)
    assert reading.how == f'kept "{text}" as text: not a date'


@pytest.mark.parametrize("text", ["31/02/2020", "06/13/2019", "Marhc 2020", "Q5 2019/20"])
def test_date_like_text_that_is_no_date_is_kept_as_a_doubt(text: str) -> None:
    reading = read_due_text(text)
    assert (reading.due, reading.text, reading.doubt) == (None, text, True)


@given(st.text(max_size=60))
def test_reading_never_fails_and_says_how_unless_plain(text: str) -> None:
    reading = read_due_text(text)
    kept = reading.text is not None
    assert sum([reading.due is not None, kept, reading.complete]) <= 1
    if kept or reading.complete:
        assert reading.how


@given(st.dates(D(1950, 1, 1), D(2150, 12, 31)))
def test_a_day_first_date_reads_back(day: dt.date) -> None:
    reading = read_due_text(day.strftime("%d/%m/%Y"))
    assert (reading.due, reading.precision, reading.how) == (day, DatePrecision.DAY, None)


@given(st.integers(1950, 2150), st.integers(1, 4), st.booleans())
def test_a_quarter_ends_its_financial_year_quarter(year: int, quarter: int, short: bool) -> None:
    if short:  # two-digit years are this century's, as dates read elsewhere
        year = 2000 + year % 99
    years = f"{year % 100:02d}/{(year + 1) % 100:02d}" if short else f"{year}/{year + 1}"
    reading = read_due_text(f"Q{quarter} {years}")
    assert reading.due == quarter_end(year, quarter)
    assert D(year, 4, 1) <= reading.due <= D(year + 1, 3, 31)
    assert reading.due == last_day_of_month(reading.due.year, reading.due.month)
    assert (reading.due.month - 4) % 12 // 3 == quarter - 1


@given(st.dates(D(1950, 1, 1), D(2150, 12, 31)), st.dates(D(1950, 1, 1), D(2150, 12, 31)))
def test_a_revision_is_due_the_later_of_its_dates(first: dt.date, second: dt.date) -> None:
    reading = read_due_text(f"{first:%d/%m/%Y} - revised to {second:%d/%m/%Y}")
    assert reading.due == max(first, second)
    assert reading.original == min(first, second)


@given(st.dates(D(1950, 1, 1), D(2150, 12, 31)))
def test_week_commencing_is_that_weeks_friday(day: dt.date) -> None:
    reading = read_due_text(f"w/c {day:%d/%m/%Y}")
    assert reading.due is not None and reading.due.weekday() == 4
    assert abs((reading.due - day).days) <= 6


def person(name: str, title: str | None = None) -> ParsedOwner:
    return ParsedOwner(name, title)


def role(name: str) -> ParsedOwner:
    return ParsedOwner(name, None, role=True)


@pytest.mark.parametrize(
    ("text", "owners"),
    [
        (
            "Caroline Cook, Head of Targeted Youth Support & Vulnerable Young People",
            [person("Caroline Cook", "Head of Targeted Youth Support & Vulnerable Young People")],
        ),
        (
            "Amy Lee, Head of Youth Justice & YC Herts",
            [person("Amy Lee", "Head of Youth Justice & YC Herts")],
        ),
        (
            "Amy Lee, Director, Children & Families",
            [person("Amy Lee", "Director, Children & Families")],
        ),
        (
            "Karen Oellermann, Assistant Director Safeguarding and Social Care and DCI Jane "
            "Smith, Met Police",
            [
                person("Karen Oellermann", "Assistant Director Safeguarding and Social Care"),
                person("DCI Jane Smith", "Met Police"),
            ],
        ),
        ("Jane Doe / John Smith", [person("Jane Doe"), person("John Smith")]),
        ("Jane Doe; John Smith", [person("Jane Doe"), person("John Smith")]),
        ("Jane Doe\nJohn Smith", [person("Jane Doe"), person("John Smith")]),
        ("Head of Service, Early Help", [role("Head of Service, Early Help")]),
        ("Head of Service, Safeguarding", [role("Head of Service, Safeguarding")]),
        ("Principal Social Worker", [role("Principal Social Worker")]),
        ("LADO", [role("LADO")]),
        (
            "Head of Service, Safeguarding & Assessment",
            [role("Head of Service, Safeguarding & Assessment")],
        ),
        (
            "Detective Superintendent, Central West BCU",
            [role("Detective Superintendent, Central West BCU")],
        ),
        ("Dr Amy Lee, Designated Doctor", [person("Dr Amy Lee", "Designated Doctor")]),
        ("Cllr Smith", [person("Cllr Smith")]),
        ("Mary de la Cruz, Head of Service", [person("Mary de la Cruz", "Head of Service")]),
        ("Head of Service: Jane Doe", [person("Jane Doe", "Head of Service")]),
        ("Jane Doe (DCS)", [person("Jane Doe", "DCS")]),
        (
            "Prof Ann Hill & DS Mark Bell, Police",
            [person("Prof Ann Hill"), person("DS Mark Bell", "Police")],
        ),
    ],
)
def test_owner_cells(text: str, owners: list[ParsedOwner]) -> None:
    assert read_owners(text).owners == owners


def test_two_names_after_a_comma_are_two_owners_and_a_doubt() -> None:
    reading = read_owners("Jane Doe, John Smith")
    assert reading.owners == [person("Jane Doe"), person("John Smith")]
    assert reading.doubts == [
        '"Jane Doe, John Smith": read as two owners, Jane Doe and John Smith (if John Smith '
        "is a job title, write it after a name on its own line)"
    ]


def test_roles_starting_the_same_way_stay_apart() -> None:
    early = read_owners("Head of Service, Early Help").owners
    safeguarding = read_owners("Head of Service, Safeguarding").owners
    assert early[0].name != safeguarding[0].name


NAMES = st.sampled_from(["Jane Doe", "John Smith", "Zoë O'Brien", "DCI Jane Smith", "Amy Lee"])
TITLES = st.sampled_from(
    ["Head of Fostering & Adoption", "Director, Children & Families", "Principal Social Worker"]
)


@given(st.lists(st.tuples(NAMES, TITLES), min_size=1, max_size=4, unique_by=lambda p: p[0]))
def test_people_one_a_line_are_each_read_with_their_title(pairs: list[tuple[str, str]]) -> None:
    text = "\n".join(f"{name}, {title}" for name, title in pairs)
    assert read_owners(text).owners == [person(name, title) for name, title in pairs]


# --- forms met in published council plans ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("Completed June 2019", D(2019, 6, 30)),
        ("Jun 2019 (achieved)", D(2019, 6, 30)),
        ("30/06/2019 - complete", D(2019, 6, 30)),
        ("Achieved: 12/06/2019", D(2019, 6, 12)),
    ],
)
def test_a_completion_with_its_date_is_complete_and_due_then(text: str, due: dt.date) -> None:
    reading = read_due_text(text)
    assert (reading.complete, reading.due, reading.text, reading.doubt) == (True, due, None, False)


def test_a_revised_date_written_in_brackets_keeps_the_first() -> None:
    reading = read_due_text("December 2019 (revised date March 2020)")
    assert (reading.due, reading.original) == (D(2020, 3, 31), D(2019, 12, 31))


@pytest.mark.parametrize(
    ("text", "owners"),
    [
        (
            "Head of YOT & Head of Children in Care",
            [role("Head of YOT"), role("Head of Children in Care")],
        ),
        (
            "Head of Early Help and Head of Assessment",
            [role("Head of Early Help"), role("Head of Assessment")],
        ),
        (
            "Cllr Mary Doyle (Lead Member) and Head of Commissioning",
            [person("Cllr Mary Doyle", "Lead Member"), role("Head of Commissioning")],
        ),
        (
            "Kim O'Neill\nCP Conference Chair Manager",
            [person("Kim O'Neill", "CP Conference Chair Manager")],
        ),
        (
            "Jane Doe\nHead of Fostering\nJohn Smith\nHead of Adoption",
            [person("Jane Doe", "Head of Fostering"), person("John Smith", "Head of Adoption")],
        ),
        ("Kim O'Neill\nSam Brown", [person("Kim O'Neill"), person("Sam Brown")]),
        ("Head of QA / PSW", [role("Head of QA"), role("PSW")]),
    ],
)
def test_owner_cells_from_published_plans(text: str, owners: list[ParsedOwner]) -> None:
    reading = read_owners(text)
    assert (reading.owners, reading.doubts) == (owners, [])


@pytest.mark.parametrize(
    "text", ["AD Education and CCG Chief Nurse", "Head of Children in Care, Designated Nurse LAC"]
)
def test_two_roles_that_could_be_one_are_kept_whole_and_listed(text: str) -> None:
    reading = read_owners(text)
    assert reading.owners == [role(text)]
    assert len(reading.doubts) == 1 and text in reading.doubts[0]


@pytest.mark.parametrize(
    "text",
    [
        "Head of Targeted Youth Support & Vulnerable Young People",
        "Head of Service, Safeguarding & Assessment",
        "Assistant Director Safeguarding and Social Care",
    ],
)
def test_a_role_with_and_inside_it_is_one_role_without_doubt(text: str) -> None:
    assert (read_owners(text).owners, read_owners(text).doubts) == ([role(text)], [])
