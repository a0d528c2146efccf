"""Raw cells out of .xlsx and .csv files: values, number formats, bold, fill colours and merges.

This layer knows file formats and nothing about improvement plans; `bot.core.importer` reads
the meaning. A file that cannot be opened raises `UnreadableFile`, which the importer turns
into a message for the person importing.
"""

from __future__ import annotations

import colorsys
import csv
import datetime as dt
import functools
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any, Protocol
from xml.etree import ElementTree

import openpyxl
from openpyxl.styles.colors import COLOR_INDEX

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell, MergedCell
    from openpyxl.worksheet.worksheet import Worksheet

CellValue = str | int | float | bool | dt.date | dt.datetime | dt.time | None

CSV_DELIMITERS = (",", ";", "\t")
# A CSV cell written as '=… (or '+, '-, '@, '') holds the text after the quote.
CSV_QUOTED_STARTS = frozenset("=+-@'\t\r")

# Excel's theme slots (cell colour `theme=n`) in the order the cell refers to them; the theme
# file lists dark before light, cells list light before dark.
_THEME_SLOTS: tuple[str, ...] = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3")
_THEME_SLOTS += ("accent4", "accent5", "accent6", "hlink", "folHlink")
# The Office theme, for workbooks that carry none.
_DEFAULT_THEME: tuple[str, ...] = (
    "FFFFFF",
    "000000",
    "E7E6E6",
    "44546A",
    "4472C4",
    "ED7D31",
    "A5A5A5",
)
_DEFAULT_THEME += ("FFC000", "5B9BD5", "70AD47", "0563C1", "954F72")
_DRAWINGML = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


# Bounds on what an upload may hold, so a hostile file is refused quickly and in little memory.
# A council's plan is a few hundred rows of a dozen columns.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # an .xlsx's parts once unzipped, all together
MAX_TEXT_PART_BYTES = 20 * 1024 * 1024  # its shared text (sharedStrings.xml)
MAX_SHEET_PART_BYTES = 10 * 1024 * 1024  # one worksheet's XML; a 5,000-row plan is far less
MAX_ROWS = 5_000
MAX_CELLS = 100_000
MAX_CELL_CHARS = 32_767  # Excel's own limit for a cell


# The csv module refuses fields over 128 KiB as malformed; let it read any field of a file we
# accept, so a long cell is reported as too long, with its row and column.
csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))


class UnreadableFile(Exception):
    """The bytes are not a workbook or text file this reader can open."""


class TooLarge(Exception):
    """The file is bigger than an improvement plan can be; the message names the limit."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: int | None = None,
        cell: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.cell = cell  # one cell is too long, rather than the whole file too big


@dataclass(frozen=True, slots=True)
class RawCell:
    """One cell as stored: its value, how Excel displays it, and the styling we look at."""

    value: CellValue = None
    number_format: str = "General"
    bold: bool = False
    fill: str | None = None  # "RRGGBB" of a solid background fill

    @property
    def is_blank(self) -> bool:
        return self.value is None or (isinstance(self.value, str) and not self.value.strip())

    def text(self) -> str:
        """The cell as a person sees it, for cells read as text (not dates)."""
        value = self.value
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return display_number(value, self.number_format)
        if isinstance(value, dt.datetime):
            if value.time() == dt.time(0):
                return value.strftime("%d/%m/%Y")
            return value.strftime("%d/%m/%Y %H:%M")
        if isinstance(value, dt.date):
            return value.strftime("%d/%m/%Y")
        return str(value)


BLANK = RawCell()


@dataclass(frozen=True, slots=True)
class RawRow:
    """A sheet row: 1-based row number, cells by 0-based column, merged spans starting here."""

    number: int
    cells: tuple[RawCell, ...]
    merges: tuple[tuple[int, int], ...] = ()  # (first, last) 0-based columns

    def cell(self, column: int | None) -> RawCell:
        if column is None or column >= len(self.cells):
            return BLANK
        return self.cells[column]


class Sheet(Protocol):
    name: str
    hidden_columns: frozenset[int]

    def rows(self, max_row: int | None = None, max_col: int | None = None) -> Iterator[RawRow]:
        """Rows from the top, at most `max_row` of them and `max_col` columns wide."""
        ...


def display_number(value: float, number_format: str = "General") -> str:
    """A number as Excel shows it under `number_format`, so a ref cell 4.1 reads "4.1" and a
    ref typed as 4.10 in a `0.00` cell reads "4.10" rather than a float artefact."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    section = _format_section(number_format)
    placeholders = re.search(r"[0#?]", section)
    if not placeholders or section.lower() in {"general", "@"}:
        if isinstance(value, int) or float(value).is_integer():
            return str(int(value))
        text = f"{value:.10g}"
        if "e" in text:
            text = f"{value:.10f}".rstrip("0").rstrip(".")
        return text
    number = Decimal(repr(value))  # the decimal the cell holds, without binary noise
    percent = "%" in section
    if percent:
        number *= 100
    decimals = re.search(r"\.([0#?]+)", section)
    shown = len(decimals.group(1)) if decimals else 0
    required = decimals.group(1).count("0") if decimals else 0
    grouping = "," if re.search(r"[0#?],[0#?]", section) else ""
    number = number.quantize(Decimal(1).scaleb(-shown), rounding=ROUND_HALF_UP)  # as Excel
    text = f"{number:{grouping}.{shown}f}"
    if shown > required:
        whole, _, frac = text.partition(".")
        frac = frac.rstrip("0").ljust(required, "0")
        text = f"{whole}.{frac}" if frac else whole
    return text + ("%" if percent else "")


def is_month_only_format(number_format: str) -> bool:
    """Whether a date format shows only a month (and year), like `mmm-yy` or `mmmm yyyy`."""
    section = _format_section(number_format).lower()
    return "m" in section and not any(part in section for part in "dhs")


def _format_section(number_format: str) -> str:
    """The positive-number section of a format with literals and [locale] tags removed."""
    section = (number_format or "General").split(";")[0]
    return re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", section)


# --- .xlsx -------------------------------------------------------------------------------


class XlsxSheet:
    """A worksheet of a workbook opened in openpyxl's read-only (streaming) mode."""

    def __init__(
        self,
        worksheet: Worksheet,
        theme: tuple[str, ...],
        merges: dict[int, list[tuple[int, int]]],
        hidden_columns: frozenset[int] = frozenset(),
    ) -> None:
        self._ws = worksheet
        self.hidden_columns = hidden_columns  # 0-based columns hidden in Excel
        self._theme = theme
        self._merges = merges
        self.name = worksheet.title
        self.hidden = worksheet.sheet_state != "visible"

    def rows(self, max_row: int | None = None, max_col: int | None = None) -> Iterator[RawRow]:
        for number, row in enumerate(self._ws.iter_rows(max_row=max_row, max_col=max_col), 1):
            cells = tuple(self._raw(cell) for cell in row)
            while cells and cells[-1] is BLANK:
                cells = cells[:-1]
            yield RawRow(number, cells, tuple(self._merges.get(number, ())))

    def _raw(self, cell: Cell | MergedCell) -> RawCell:
        value = getattr(cell, "value", None)
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise TooLarge(
                _too_long(len(value)),
                row=getattr(cell, "row", None),
                column=cell.column,
                cell=True,
            )
        if not getattr(cell, "has_style", False):
            return BLANK if value is None else RawCell(value)
        return RawCell(
            value,
            cell.number_format or "General",
            bool(cell.font is not None and cell.font.b),
            _fill_rgb(cell.fill, self._theme),
        )


def _too_long(length: int) -> str:
    return (
        f"a cell holds {length:,} characters; a cell can hold at most {MAX_CELL_CHARS:,} "
        "(Excel's own limit)"
    )


def check_size(data: bytes) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(
            f"the file is {len(data) / 1024 / 1024:.1f} MB; I import files up to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB"
        )


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse a workbook whose parts unpack to more than a plan needs, before parsing any."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml") and info.file_size > MAX_TEXT_PART_BYTES:
            raise TooLarge(
                f"its text unpacks to {info.file_size / 1024 / 1024:,.0f} MB; I read up to "
                f"{MAX_TEXT_PART_BYTES // 1024 // 1024} MB of text"
            )
        if name.startswith("xl/worksheets/") and info.file_size > MAX_SHEET_PART_BYTES:
            raise TooLarge(
                f"a sheet unpacks to {info.file_size / 1024 / 1024:,.0f} MB; I read sheets up "
                f"to {MAX_SHEET_PART_BYTES // 1024 // 1024} MB, far more than a plan needs"
            )
    if total > MAX_UNPACKED_BYTES:
        raise TooLarge(
            f"it unpacks to {total / 1024 / 1024:,.0f} MB; I read workbooks up to "
            f"{MAX_UNPACKED_BYTES // 1024 // 1024} MB unpacked"
        )


_MERGE_CELL = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+\d+(?::[A-Z]+\d+)?)\"")


_COL = re.compile(rb"<(?:\w+:)?col\b([^>]*)>")
_ATTRIBUTE = re.compile(rb'\b(min|max|hidden)="([^"]*)"')


def _hidden_columns(archive: zipfile.ZipFile, path: str) -> frozenset[int]:
    """0-based columns hidden in Excel, from the `<cols>` list that precedes the rows."""
    try:
        with archive.open(path.lstrip("/")) as source:
            head = source.read(256 * 1024)
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return frozenset()
    head = head.split(b"<sheetData", 1)[0]
    hidden: set[int] = set()
    for match in _COL.finditer(head):
        attributes = {k.decode(): v.decode() for k, v in _ATTRIBUTE.findall(match[1])}
        if attributes.get("hidden") not in {"1", "true"}:
            continue
        try:
            first, last = int(attributes["min"]), int(attributes["max"])
        except (KeyError, ValueError):
            continue
        hidden.update(range(first - 1, min(last, first + 16384)))
    return frozenset(hidden)


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> dict[int, list[tuple[int, int]]]:
    """Merged cells by first row, found by scanning the sheet's XML (read-only mode doesn't
    keep them); a byte scan, as the sheet may be large."""
    from openpyxl.utils.cell import range_boundaries

    merges: dict[int, list[tuple[int, int]]] = {}
    tail = b""
    try:
        with archive.open(path.lstrip("/")) as source:
            while chunk := source.read(1024 * 1024):
                text = tail + chunk
                for match in _MERGE_CELL.finditer(text):
                    ref = match[1].decode("ascii")
                    min_col, min_row, max_col, _ = range_boundaries(ref)
                    if min_row is not None and min_col is not None and max_col is not None:
                        merges.setdefault(min_row, []).append((min_col - 1, max_col - 1))
                cut = text.rfind(b"<")
                tail = text[cut:] if cut >= 0 and len(text) - cut < 200 else b""
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile):
        return {}
    return {row: sorted(set(spans)) for row, spans in merges.items()}


def read_xlsx(data: bytes) -> list[XlsxSheet]:
    """The worksheets of a workbook, visible ones first. The workbook streams its rows, so
    the bytes must stay alive while the sheets are read."""
    check_size(data)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        _check_archive(archive)
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except TooLarge:
        raise
    except Exception as exc:  # a damaged file can fail anywhere inside openpyxl or zipfile
        raise UnreadableFile(f"{type(exc).__name__}: {exc}") from exc
    theme = _theme_colours(getattr(workbook, "loaded_theme", None))
    sheets = [
        XlsxSheet(
            ws,
            theme,
            _merged_ranges(archive, getattr(ws, "_worksheet_path", "")),
            _hidden_columns(archive, getattr(ws, "_worksheet_path", "")),
        )
        for ws in workbook.worksheets
        if hasattr(ws, "iter_rows")
    ]
    return sorted(sheets, key=lambda sheet: sheet.hidden)


def _theme_colours(theme_xml: bytes | None) -> tuple[str, ...]:
    if not theme_xml:
        return _DEFAULT_THEME
    try:
        root = ElementTree.fromstring(theme_xml)
    except ElementTree.ParseError:
        return _DEFAULT_THEME
    scheme = root.find(f".//{_DRAWINGML}clrScheme")
    if scheme is None:
        return _DEFAULT_THEME
    colours = []
    for slot, default in zip(_THEME_SLOTS, _DEFAULT_THEME, strict=True):
        element = scheme.find(f"{_DRAWINGML}{slot}")
        rgb = None
        if element is not None:
            for child in element:
                rgb = child.get("val") if child.tag.endswith("srgbClr") else child.get("lastClr")
        colours.append((rgb or default).upper()[-6:])
    return tuple(colours)


def _fill_rgb(fill: object, theme: tuple[str, ...]) -> str | None:
    if getattr(fill, "fill_type", None) != "solid":
        return None
    colour: Any = getattr(fill, "fgColor", None)
    kind = getattr(colour, "type", None)
    if kind == "rgb":
        rgb = colour.rgb
        return rgb[-6:].upper() if isinstance(rgb, str) and len(rgb) >= 6 else None
    if kind == "indexed":
        index = colour.indexed
        return COLOR_INDEX[index][-6:] if 0 <= index < 64 else None
    if kind == "theme" and 0 <= colour.theme < len(theme):
        return _tinted(theme[colour.theme], colour.tint or 0.0)
    return None


@functools.lru_cache(maxsize=256)
def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten towards white (tint > 0) or darken towards black (tint < 0)."""
    if not tint:
        return rgb
    red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(red, green, blue)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    red, green, blue = colorsys.hls_to_rgb(hue, light, sat)
    return "".join(f"{round(channel * 255):02X}" for channel in (red, green, blue))


# --- .csv --------------------------------------------------------------------------------


class CsvSheet:
    """A CSV file read with one delimiter; every cell is text."""

    def __init__(self, name: str, records: list[list[str]], delimiter: str) -> None:
        self.name = name
        self.delimiter = delimiter
        self._records = records
        self.hidden_columns: frozenset[int] = frozenset()

    def rows(self, max_row: int | None = None, max_col: int | None = None) -> Iterator[RawRow]:
        records = self._records if max_row is None else self._records[:max_row]
        for number, record in enumerate(records, start=1):
            fields = record if max_col is None else record[:max_col]
            yield RawRow(number, tuple(_csv_cell(value) for value in fields))


def _csv_cell(value: str) -> RawCell:
    if not value:
        return BLANK
    if value.startswith("'") and value[1:2] in CSV_QUOTED_STARTS:
        value = value[1:]  # the exporter's guard against Excel reading text as a formula
    return RawCell(value)


def decode_text(data: bytes) -> str:
    """Text from a CSV's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableFile(str(exc)) from exc
    if b"\x00" in data:
        raise UnreadableFile("binary data")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def read_csv(data: bytes, name: str) -> list[CsvSheet]:
    """The file read with each plausible delimiter, the likeliest first."""
    check_size(data)
    text = decode_text(data)
    sheets = []
    for delimiter in CSV_DELIMITERS:
        records: list[list[str]] = []
        try:
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
                longest = max((len(value) for value in record), default=0)
                if longest > MAX_CELL_CHARS:
                    column = next(i for i, v in enumerate(record) if len(v) == longest)
                    raise TooLarge(
                        _too_long(longest), row=len(records) + 1, column=column + 1, cell=True
                    )
                records.append(record)
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise TooLarge(
                    f"a cell holds more than {csv.field_size_limit():,} characters; a cell can "
                    f"hold at most {MAX_CELL_CHARS:,}",
                    row=len(records) + 1,
                    cell=True,
                ) from None
            raise UnreadableFile(str(exc)) from exc
        sheets.append(CsvSheet(name, records, delimiter))
    return sorted(sheets, key=_delimiter_score, reverse=True)


def _delimiter_score(sheet: CsvSheet) -> tuple[int, int]:
    """Prefer the delimiter that gives the widest rows near the top, then the steadiest widths."""
    widths = [sum(1 for value in row if value.strip()) for row in sheet._records[:30]]
    if not widths:
        return (0, 0)
    return (max(widths), -len(set(widths)))
