"""Hostile uploads are refused quickly and in little memory, each refusal naming its limit."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from bot.core.importer import read_plan
from bot.core.sheet_reader import MAX_CELL_CHARS, MAX_CELLS, MAX_ROWS
from tests.sheets import HEADER, csv_bytes, workbook

TIME_BUDGET_S = 5.0
MEMORY_BUDGET = 250 * 1024 * 1024


def _with_part(part: str, write: Callable[[io.BufferedWriter], None]) -> bytes:
    """A real workbook with one part replaced by what `write` streams into it."""
    base = zipfile.ZipFile(io.BytesIO(workbook({"Plan": [HEADER, ["1", "Theme"]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in base.infolist():
            if info.filename != part:
                target.writestr(info, base.read(info.filename))
        with target.open(part, "w", force_zip64=True) as stream:
            write(stream)
    return out.getvalue()


_MEASURE = """
import json, sys, time
from bot.core.importer import ImportFormatError, read_plan
data = open(sys.argv[1], "rb").read()
started = time.perf_counter()
try:
    read_plan(data, sys.argv[2])
    message = None
except ImportFormatError as error:
    message = str(error)
elapsed = time.perf_counter() - started
# VmHWM belongs to this process's own memory; ru_maxrss would carry the parent's peak over exec
peak = next(int(line.split()[1]) * 1024 for line in open("/proc/self/status")
            if line.startswith("VmHWM:"))
print(json.dumps({"message": message, "elapsed": elapsed, "peak": peak}))
"""


def _refused_within_budget(data: bytes, filename: str, tmp_path: Path) -> str:
    """Read the file in a fresh process, so its peak memory is the reader's own."""
    path = tmp_path / filename
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path), filename],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    result = json.loads(done.stdout)
    assert result["message"] is not None, "the file was not refused"
    assert result["elapsed"] < TIME_BUDGET_S, f"took {result['elapsed']:.1f} s"
    assert result["peak"] < MEMORY_BUDGET, f"peak {result['peak'] / 1024 / 1024:.0f} MB"
    return str(result["message"])


def test_a_small_workbook_holding_300_mib_of_text_is_refused(tmp_path: Path) -> None:
    chunk = b"A" * (1024 * 1024)

    def huge_string(stream: io.BufferedWriter) -> None:
        stream.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/')
        stream.write(b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>')
        for _ in range(300):
            stream.write(chunk)
        stream.write(b"</t></si></sst>")

    data = _with_part("xl/sharedStrings.xml", huge_string)
    assert len(data) < 1024 * 1024
    message = _refused_within_budget(data, "bomb.xlsx", tmp_path)
    assert "too large" in message and "20 MB of text" in message


def _sheet_of(rows: int, columns: int) -> Callable[[io.BufferedWriter], None]:
    def write(stream: io.BufferedWriter) -> None:
        stream.write(
            b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main"><sheetData>'
            b'<row r="1"><c r="A1" t="inlineStr"><is><t>Ref</t></is></c>'
            b'<c r="B1" t="inlineStr"><is><t>Action</t></is></c></row>'
        )
        cells = b"".join(b"<c><v>%d</v></c>" % n for n in range(columns))
        for number in range(2, rows + 2):
            stream.write(b'<row r="%d">' % number + cells + b"</row>")
        stream.write(b"</sheetData></worksheet>")

    return write


def test_a_workbook_of_two_million_cells_is_refused(tmp_path: Path) -> None:
    data = _with_part("xl/worksheets/sheet1.xml", _sheet_of(100_000, 20))
    message = _refused_within_budget(data, "cells.xlsx", tmp_path)
    assert "a sheet unpacks to" in message and "I read sheets up to 10 MB" in message


def test_a_sheet_of_more_cells_than_a_plan_holds_is_refused(tmp_path: Path) -> None:
    data = _with_part("xl/worksheets/sheet1.xml", _sheet_of(4_000, 40))
    message = _refused_within_budget(data, "cells.xlsx", tmp_path)
    assert f"more than {MAX_CELLS:,} filled cells" in message


def test_a_sheet_of_100_000_rows_is_refused(tmp_path: Path) -> None:
    data = _with_part("xl/worksheets/sheet1.xml", _sheet_of(100_000, 1))
    message = _refused_within_budget(data, "rows.xlsx", tmp_path)
    assert f"up to {MAX_ROWS:,} rows" in message


def test_a_one_megabyte_csv_cell_is_too_long_not_damaged(tmp_path: Path) -> None:
    data = csv_bytes(["Ref,Action", "1,Theme", "1.1," + "x" * (1024 * 1024)])
    message = _refused_within_budget(data, "plan.csv", tmp_path)
    assert message.startswith('A cell in "plan.csv" (row 3, column B) is too long')
    assert f"at most {MAX_CELL_CHARS:,}" in message and "damaged" not in message


def test_an_owner_longer_than_a_name_can_be_is_a_doubt_naming_the_cell() -> None:
    long_name = "Jane " + "Q" * 245
    data = workbook({"Plan": [HEADER, ["1", "Theme"], ["1.1", "Do it", None, None, long_name]]})
    parsed = read_plan(data, "plan.xlsx")
    assert parsed.themes[0].actions[0].owners == []
    assert parsed.doubts[0].startswith('Sheet "Plan", row 3, column "Owner": left out the owner')
    assert "at most 200" in parsed.doubts[0]
