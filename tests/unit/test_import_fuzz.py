"""Property: no cell in a plan sheet makes the import fail with anything but a friendly error
that says where and what to do; whatever it reads, it reads whole. A few dozen sheets by
default; `FUZZ_EXAMPLES=N` sets how many (the slow suite, `make fuzz`)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.importer import ImportFormatError, read_plan
from tests.sheets import HEADER, Cell, workbook

pytestmark = pytest.mark.fuzz
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or 40

WORDS = [
    "4", "4.1", "4.2a", "Theme", "Placement stability", "May-19", "Feb 19", "31/01/2019",
    "2019-13-45", "Ongoing", "Quarterly", "Jane Doe, Head of Fostering", "Jane Doe; Omar Shah",
    "Amber", "On track", "Complete", "<!channel>", "<@U0123ABCD|jane>", "=SUM(A1:A2)", "•",
    "\n", "", "  ", "Ref", "Owner", "N/A", "TBC", "31 Feb 2019", "12/25/2019", "0", "-1",
]  # fmt: skip
cell_values = st.one_of(
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join),
    # A worksheet cell cannot hold control characters (openpyxl refuses them; so does Excel).
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
    st.integers(-10, 50000),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31)),
    st.none(),
)
cells = st.one_of(
    cell_values,
    st.builds(Cell, cell_values, fmt=st.sampled_from([None, "mmm-yy", "dd/mm/yyyy", "@"])),
    st.builds(Cell, cell_values, fill=st.sampled_from(["00B050", "FFC000", "FF0000", "0070C0"])),
    st.builds(Cell, cell_values, bold=st.just(True)),
)
rows = st.lists(st.lists(cells, min_size=0, max_size=7), min_size=0, max_size=8)


def check(data: bytes, filename: str) -> None:
    try:
        plan = read_plan(data, filename)
    except ImportFormatError as refused:
        message = str(refused)
        assert message.strip() and "Traceback" not in message
        return
    for theme in plan.themes:
        assert theme.ref
        for action in theme.actions:
            assert action.ref and isinstance(action.title, str)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=rows, with_header=st.booleans())
def test_no_workbook_cells_make_the_import_fail(
    body: list[list[object]], with_header: bool
) -> None:
    sheet = [list(HEADER), *body] if with_header else body
    check(workbook({"Plan": sheet}), "plan.xlsx")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.lists(st.lists(st.text(max_size=30), max_size=7), max_size=8))
def test_no_csv_cells_make_the_import_fail(body: list[list[str]]) -> None:
    def line(cells: list[str]) -> str:
        return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)

    data = "\r\n".join([line(list(HEADER)), *map(line, body)]).encode("utf-8-sig")
    check(data, "plan.csv")


def test_a_sub_header_that_leaves_a_known_column_unlabelled_is_read() -> None:
    """Found by the fuzzing above: a second header line labelling the cells after a known
    column, but not the column itself, stopped the import with a KeyError."""
    sheet = [[Cell(2958466.0, fmt="mmm-yy"), None, "=SUM(A1:A2)", "0:THEME"], [None, "4", "4"]]
    check(workbook({"Plan": sheet}), "plan.xlsx")
