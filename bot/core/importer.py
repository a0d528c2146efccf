"""Read an improvement-plan spreadsheet (.xlsx or .csv, DESIGN §1) into plain data.

Real council sheets are untidy, so the reader is tolerant where the meaning is clear and
refuses, naming the sheet, row and column, where it would have to guess:

- The header row is the row among the first 20 that names the most known columns (it must
  name the action column). Columns are matched by meaning, not position. Later rows that
  repeat the header or the title block (printed pages) are skipped.
- A theme row has a theme-shaped ref (`4`, `4.0`, `A`, `Theme 4`) and no due date or owner,
  or is bold or merged across the row. A bold or merged row with no ref takes its ref from
  its first action (4.1 → 4). Theme refs are normalised (`4.0` → `4`).
- Actions before any theme row go into a theme inferred from the ref (4.1 → theme "4",
  titled "Theme 4"); a theme row for that ref later in the sheet names it. After a theme
  row, actions belong to it whatever their ref says: the sheet's layout wins.
- A row with no ref and no action text but text under measures, owner or progress continues
  the action above (a long cell split over printed pages): its text is appended.
- A row whose first text starts "Note", "NB", "Key", "Source" or "*" is skipped and listed
  in the notes, as are rows holding only a ref.
- A status cell's words are read with `find_status`; an empty cell with a red, amber, green
  or blue fill takes that status (matched by hue, so pale and dark shades count; greys and
  whites do not). An unknown word is an error.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from bot.core.dates import DatePrecision, format_day, last_day_of_month
from bot.core.due_cells import read_due_text
from bot.core.errors import UserError
from bot.core.owner_cells import (
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    ParsedOwner,
    looks_like_name,
    parse_owners,
    read_owners,
)
from bot.core.sheet_reader import (
    MAX_CELLS,
    MAX_ROWS,
    RawCell,
    RawRow,
    Sheet,
    TooLarge,
    UnreadableFile,
    is_month_only_format,
    read_csv,
    read_xlsx,
)
from bot.core.statuses import Status, find_status, split_leading_status
from bot.core.text import clean_text

HEADER_SEARCH_ROWS = 20
MAX_HEADER_COLUMNS = 60
EXPECTED_SHAPE = (
    "an .xlsx or .csv file whose first sheet has a header row like "
    "Ref | Theme / Action | Completion date | "
    "How will progress / impact be measured or evidenced? | Owner | Progress to date"
)
STATUS_WORDS_HINT = (
    "Complete, On track, At risk, Off track or Not started (or Blue/Green/Amber/Red)"
)

REF = "ref"
ACTION = "action"
DUE = "due"
MEASURES = "measures"
OWNER = "owner"
PROGRESS = "progress"
STATUS = "status"
LAST_UPDATED = "last_updated"
THEME = "theme"
REVISED = "revised_due"  # "Revised target date" beside the original one
THEME_REF = "theme_ref"  # "Recommendation No." beside "Action No."
MAX_PROBLEMS = 50

__all__ = ["ParsedOwner", "looks_like_name", "parse_owners"]


class ImportFormatError(UserError):
    """The file cannot be read as an improvement plan; the message says where and why."""

    def __init__(
        self,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        super().__init__(message)
        self.sheet = sheet
        self.row = row
        self.column = column


@dataclass
class ParsedAction:
    ref: str
    title: str
    due: dt.date | None
    due_precision: str  # "day" | "month"
    measures: str | None
    owners: list[ParsedOwner]
    progress: str | None
    status: Status | None
    row: int  # 1-based sheet row, for messages
    due_text: str | None = None  # the cell's words when they are not a date
    original_due: dt.date | None = None  # a revised date's first value
    original_precision: str = "day"
    fields: dict[str, str] = field(default_factory=dict)  # columns the importer doesn't know


@dataclass
class ParsedTheme:
    ref: str
    title: str
    actions: list[ParsedAction]
    row: int


@dataclass
class ParsedPlan:
    sheet: str
    themes: list[ParsedTheme]
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)  # cells read one way that could be another
    title: str | None = None  # from the sheet's title block
    extra_columns: list[tuple[str, str | None]] = field(default_factory=list)  # (name, after)


def read_plan(data: bytes, filename: str) -> ParsedPlan:
    """Parse an uploaded plan; anything unreadable raises ImportFormatError."""
    name = PurePath(filename).name or "the file"
    suffix = PurePath(name).suffix.lower()
    if suffix == ".xls":
        raise ImportFormatError(
            f'"{name}" is an old-style .xls workbook. Open it in Excel, save it as .xlsx '
            "(Excel Workbook) or .csv and import that."
        )
    if suffix not in {".xlsx", ".xlsm", ".csv"}:
        raise ImportFormatError(f'I can\'t import "{name}". I need {EXPECTED_SHAPE}.')
    if not data.strip():
        raise ImportFormatError(f'"{name}" is empty. I need {EXPECTED_SHAPE}.')

    sheets: Iterable[Sheet]
    try:
        sheets = read_csv(data, PurePath(name).stem) if suffix == ".csv" else read_xlsx(data)
    except TooLarge as error:
        raise _too_large(name, None, error) from None
    except UnreadableFile:
        kind = "CSV text" if suffix == ".csv" else "an Excel workbook"
        raise ImportFormatError(
            f'I couldn\'t open "{name}" as {kind}: it may be damaged or another kind of file. '
            f"I need {EXPECTED_SHAPE}."
        ) from None

    tried: list[str] = []
    for sheet in sheets:
        try:
            header = _find_header(
                sheet.rows(HEADER_SEARCH_ROWS, MAX_HEADER_COLUMNS),
                getattr(sheet, "hidden_columns", frozenset()),
            )
            if header is not None:
                return _SheetReader(sheet.name, header).read(sheet)
        except TooLarge as error:
            raise _too_large(name, sheet.name, error) from None
        if sheet.name not in tried:
            tried.append(sheet.name)
    if len(tried) == 1:
        where = f'sheet "{tried[0]}"'
    else:
        where = "any sheet (" + ", ".join(f'"{sheet}"' for sheet in tried) + ")"
    raise ImportFormatError(
        f"I couldn't find a header row in the first {HEADER_SEARCH_ROWS} rows of {where} "
        f'in "{name}". I need {EXPECTED_SHAPE}.',
        sheet=tried[0] if len(tried) == 1 else None,
    )


def _too_large(filename: str, sheet: str | None, error: TooLarge) -> ImportFormatError:
    """A refusal naming the limit, and the cell when one cell is too long."""
    where = [f'sheet "{sheet}"'] if sheet else []
    where += [f"row {error.row}"] if error.row else []
    where += [f"column {_column_letter(error.column)}"] if error.column else []
    place = f" ({', '.join(where)})" if where else ""
    if error.cell:
        message = (
            f'A cell in "{filename}"{place} is too long: {error.message}. Shorten it and '
            "import again."
        )
    else:
        message = (
            f'"{filename}"{place} is too large to be an improvement plan: {error.message}. '
            "Import the plan's own sheet, without the extra data."
        )
    return ImportFormatError(message, sheet=sheet, row=error.row)


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column) if column >= 1 else str(column)


# --- columns -------------------------------------------------------------------------------

_EXACT_HEADERS: dict[str, str] = {}
for _field, _names in {
    REF: "ref|no|ref no|#|no #|reference|ref number|ref #|number|item|item no|id|action no|"
    "action ref|action number|rec no|recommendation no",
    ACTION: "theme action|action|actions|recommendation|recommendations|"
    "area for improvement action|area for improvement|areas for improvement|"
    "action required|actions required|what will we do|what we will do|what are we going to do|"
    "what we are going to do|what needs to be done|key actions|actions to be taken|"
    "planned actions|task|tasks|activity|description",
    DUE: "completion date|due|due date|target date|timescale|timescales|by when|deadline|"
    "date due|target completion date|when",
    MEASURES: "how will progress impact be measured or evidenced|measures|evidence|"
    "measure of success|measures of success|impact measures|success measures|outcome|outcomes|"
    "evidence of impact|impact",
    OWNER: "owner|owners|lead|leads|responsible officer|lead officer|lead officers|accountable|"
    "accountable officer|responsible|who",
    PROGRESS: "progress to date|update|updates|commentary|progress update|progress|comments|"
    "latest update|progress updates",
    STATUS: "rag|brag|status|rag rating|rag status|brag rating|brag status|overall status|"
    "current status",
    LAST_UPDATED: "last updated|date last updated|date updated|last updated date|updated on",
    THEME: "theme|themes|theme title|priority|priorities|priority area|key priority|area|areas|"
    "ofsted judgement area|judgement area|workstream|workstreams|strand|improvement theme|"
    "improvement priority|ofsted theme|ofsted area|key theme|area of practice|practice area|"
    "service area|focus area|area of focus|key area|national standard|national standards|"
    "standard|standards|domain|key line of enquiry|kloe|inspection area",
}.items():
    for _name in _names.split("|"):
        _EXACT_HEADERS[_name] = _field

# Tried in order when no exact name matches: "How will progress be measured" is measures
# although it says progress, and "Progress to date" is progress although it says date.
_HEADER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        (LAST_UPDATED, r"\blast updated\b|\bdate updated\b|\bupdated on\b"),
        (STATUS, r"\b(rag|brag)\b"),  # "Progress RAG (Jan 2020)" is a status
        (THEME, r"\bjudgement areas?\b|^(?:ofsted )?(?:themes?|priorit\w*|workstreams?)$"),
        (PROGRESS, r"^(progress|updates?|latest update|commentary|comments?)\b"),
        (MEASURES, r"measur|evidenc|success|outcome|impact|\bkpis?\b"),
        (PROGRESS, r"\b(progress|updates?|commentary|comments?)\b"),
        (OWNER, r"\b(owners?|leads?|responsib\w*|accountab\w*|officers?)\b"),
        (DUE, r"\b(dates?|due|timescales?|deadlines?|when|target)\b"),
        (STATUS, r"\b(rag|brag|status|rating)\b"),
        (ACTION, r"\b(actions?|recommendations?|improvements?|themes?|tasks?|activit\w*)\b"),
        (REF, r"^(ref|reference|no|number|#|id)\b|\bref\b"),
    )
)


def _dated(key: str) -> bool:
    found = _EXACT_HEADERS.get(re.sub(r"\b(?:revised|new|forecast|amended)\b", "", key).strip())
    return found == DUE or re.search(r"\b(?:dates?|due|timescales?|deadlines?)\b", key) is not None


_MONTH_OR_YEAR = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b(?:19|20)\d\d\b|"
    r"\bq[1-4]\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b"
)


def _later_update(name: str, earlier: str) -> bool:
    """Monthly progress columns ("Progress update (September 2019)", "(October 2019)"): the
    one further right is the latest, so it is the progress and the earlier ones are kept."""
    return bool(_MONTH_OR_YEAR.search(_header_key(name))) and bool(
        _MONTH_OR_YEAR.search(_header_key(earlier))
    )


def _header_key(text: str) -> str:
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w#]+", " ", text).split())


def _field_for(text: str) -> tuple[str, int] | None:
    """The column a header cell names and how sure we are (2 exact, 1 by keyword)."""
    key = _header_key(text)
    if not key:
        return None
    if re.search(r"\bstart(?:ed)?\b|\bstart date\b", key) and "restart" not in key:
        return None  # "Start date" beside "End date": the due date is when it ends
    if re.search(r"\b(?:revised|new|forecast|amended)\b", key) and _dated(key):
        return REVISED, 2
    if key in _EXACT_HEADERS:
        return _EXACT_HEADERS[key], 2
    if len(key) > 80:  # long text is data, not a header
        return None
    for name, pattern in _HEADER_RULES:
        if pattern.search(key):
            return name, 1
    return None


@dataclass
class _Header:
    row: int
    columns: dict[str, int]  # field → 0-based column
    names: dict[str, str]  # field → the header as written, for messages
    ignored: list[str]  # headers naming a column already read
    title_rows: list[tuple[str, ...]]  # texts of the rows above the header
    extras: dict[int, str] = field(default_factory=dict)  # 0-based column → unknown header
    hidden: list[str] = field(default_factory=list)  # hidden columns, left out


def _find_header(
    rows: Iterable[RawRow], hidden_columns: frozenset[int] = frozenset()
) -> _Header | None:
    best: _Header | None = None
    above: list[tuple[str, ...]] = []
    for row in rows:
        columns: dict[str, int] = {}
        strength: dict[str, int] = {}
        names: dict[str, str] = {}
        ignored: list[str] = []
        extras: dict[int, str] = {}
        hidden: list[str] = []
        for index, cell in enumerate(row.cells):
            if not isinstance(cell.value, str) or not cell.value.strip():
                continue
            shown = " ".join(cell.value.split())
            if index in hidden_columns:  # hidden in Excel: not what the officer reads
                hidden.append(f'{_column_letter(index + 1)} "{_clip(shown)}"')
                continue
            found = _field_for(cell.value)
            if found is None:
                if len(shown) <= 80:
                    extras[index] = shown
                continue
            name, sure = found
            if name == PROGRESS and name in columns and _later_update(shown, names[name]):
                sure = strength[name] + 1
            if name in columns and strength[name] >= sure:
                ignored.append(shown)
                extras[index] = shown
                continue
            if name in columns:
                ignored.append(names[name])
                extras[columns[name]] = names[name]
            columns[name], strength[name], names[name] = index, sure, shown
        _split_theme_from_actions(columns, names, extras, ignored)
        _split_theme_ref_from_refs(columns, names, extras, ignored)
        if ACTION not in columns and THEME in columns and len(columns) >= 3:
            columns[ACTION], strength[ACTION] = columns.pop(THEME), 1  # "Theme" holds actions
            names[ACTION] = names.pop(THEME)
        wins = ACTION in columns and (len(columns) >= 2 or strength[ACTION] == 2)
        if wins and (best is None or len(columns) > len(best.columns)):
            best = _Header(row.number, columns, names, ignored, list(above), extras, hidden)
        texts = _row_texts(row)
        if texts:
            above.append(texts)
    return best


_GROUPING_HEADER = re.compile(
    r"\b(recommendations?|areas? for (?:improvement|development)|findings?|objectives?|"
    r"priorit\w*|themes?|issues?)\b"
)


def _split_theme_from_actions(
    columns: dict[str, int], names: dict[str, str], extras: dict[int, str], ignored: list[str]
) -> None:
    """ "Ofsted recommendation | Key actions": the recommendation groups the actions, so it is
    the theme column when the row has no other, and the actions column holds the actions."""
    if THEME in columns or ACTION not in columns:
        return
    action_key = _header_key(names[ACTION])
    for index, name in sorted(extras.items()):
        key = _header_key(name)
        found = _field_for(name)
        if found is None or found[0] != ACTION:
            continue
        if "action" in key and _GROUPING_HEADER.search(action_key):
            columns[THEME], names[THEME] = columns[ACTION], names[ACTION]
            columns[ACTION], names[ACTION] = index, name
        elif "action" in action_key and _GROUPING_HEADER.search(key):
            columns[THEME], names[THEME] = index, name
        else:
            continue
        del extras[index]
        if name in ignored:
            ignored.remove(name)
        return


def _split_theme_ref_from_refs(
    columns: dict[str, int], names: dict[str, str], extras: dict[int, str], ignored: list[str]
) -> None:
    """ "Recommendation No. | … | Action No.": the action's number is the ref, and the
    recommendation's number is its theme's ref."""
    if REF not in columns or not _GROUPING_HEADER.search(_header_key(names[REF])):
        return
    for index, name in sorted(extras.items()):
        found = _field_for(name)
        if found is None or found[0] != REF or "action" not in _header_key(name):
            continue
        columns[THEME_REF], names[THEME_REF] = columns[REF], names[REF]
        columns[REF], names[REF] = index, name
        del extras[index]
        if name in ignored:
            ignored.remove(name)
        return


def _row_texts(row: RawRow, width: int | None = None) -> tuple[str, ...]:
    cells = row.cells if width is None else row.cells[:width]
    texts = [" ".join(cell.text().split()) for cell in cells]
    while texts and not texts[-1]:
        texts.pop()
    return tuple(texts)


# --- refs ----------------------------------------------------------------------------------

_SEPARATOR = r"(?:\s*[:)\-–—]\s*|\s+|$)"
_DOTTED = r"\d{1,3}(?:\.\d{1,3})*[a-z]?"
_LETTERED = r"[A-Z]{1,4}[.\-]?\d{1,3}(?:[.\-]\d{1,3})*[a-z]?"
_THEME_WORD_REF = re.compile(
    rf"(?i:theme)\s+(\d{{1,3}}(?:\.0+)?|[A-Z])\.?{_SEPARATOR}(.*)"
    # "Priority 2: Leadership"; these words need punctuation, so "Section 17 checks" is text
    rf"|(?i:priority|objective|recommendation|strand|workstream|area)\s+(\d{{1,3}}|[A-Z])"
    r"(?:\s*[:.)\-–—]\s*|$)(.*)",
    re.S,
)
_NUMBER_REF = re.compile(rf"({_DOTTED}|{_LETTERED})(\.?){_SEPARATOR}(.*)", re.S)
_LETTER_REF = re.compile(r"([A-Z])(?:\s*[.:)]\s*|$)(.*)", re.S)
_LOOSE_REF = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*")  # as the rest of the bot allows
_THEME_REF = re.compile(r"\d{1,3}(?:\.0+)?|[A-Za-z]")


_LETTERED_PARENT = re.compile(r"[A-Za-z]{1,4}\d{1,3}")
_LOCAL_REF = re.compile(r"\(?((?:x{0,2})(?:ix|iv|v?i{0,3})|[a-z])[.)]?")


@dataclass
class _Ref:
    ref: str
    rest: str
    says_theme: bool = False  # written "Theme 4"


def _split_ref(text: str, *, own_column: bool, styled: bool) -> _Ref | None:
    """A leading ref and the text after it. In the action text a bare number only counts as a
    ref with punctuation ("4. Placement…") or on a bold/merged row, so "10 carers…" is text."""
    text = text.strip()
    if own_column:  # "Action 1.1", "Ref 4.2", "No. 3" in a ref column
        text = re.sub(r"^(?i:action|ref|rec|no\.?|item)\s*(?=\d)", "", text)
    if match := _THEME_WORD_REF.fullmatch(text):
        ref, rest = (match[1], match[2]) if match[1] else (match[3], match[4])
        return _Ref(ref, rest.strip(), says_theme=True)
    if match := _NUMBER_REF.fullmatch(text):
        ref, dot, rest = match[1], match[2], match[3].strip()
        bare_number = ref.isdigit() and not dot and text[len(ref) :][:1].isspace()
        if own_column or not bare_number or styled or not rest:
            return _Ref(ref, rest)
    if (match := _LETTER_REF.fullmatch(text)) and (own_column or match[2]):
        return _Ref(match[1], match[2].strip())
    if own_column and _LOOSE_REF.fullmatch(text) and any(c.isdigit() for c in text):
        return _Ref(text, "")
    return None


def _letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _without_theme_word(title: str, ref: str) -> str:
    """ "Theme 1 – Early help" on theme row 1 is titled "Early help"."""
    found = _THEME_WORD_REF.fullmatch(title.strip())
    if found is None:
        return title
    said, rest = (found[1], found[2]) if found[1] else (found[3], found[4])
    same = _theme_ref(said).lower() == _theme_ref(ref).lower()
    return rest.strip() if same and rest.strip() else title


def _is_theme_ref(ref: str) -> bool:
    return _THEME_REF.fullmatch(ref) is not None


def _theme_ref(ref: str) -> str:
    return re.sub(r"\.0+$", "", ref.rstrip("."))


def theme_of(ref: str) -> str | None:
    """The theme an action ref names: 4.1 → 4, 4.1a → 4, A1 → A; None for a bare 7."""
    if match := re.match(r"(\d+)(?:[.\-]|[a-z]$)", ref):
        return match[1]
    if match := re.match(r"([A-Za-z]+)[.\-]?\d", ref):
        return match[1]
    return None


# --- cell text ------------------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•·▪●◦‣⁃∙]\s*|[-*–]\s+)")
_GLUED_BULLET = re.compile(r"^([•·▪●◦‣⁃∙])(?=\S)")
_NOTE_ROW = re.compile(r"^(?:notes?|nb|n\.b\.?|key|sources?|please note|footnote)\b|^\*", re.I)


def tidy_text(text: str) -> str:
    """Cell text as tidy lines: spacing collapsed, one space after a bullet, no empty bullets
    and no runs of blank lines. Bullets keep the mark the person used."""
    text = clean_text(text.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n"))
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _GLUED_BULLET.sub(r"\1 ", " ".join(raw.split()))
        if len(line) == 1 and line in "•·▪●◦‣⁃∙":  # an empty bullet
            continue
        if line or (lines and lines[-1]):
            lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _cell_text(cell: RawCell) -> str:
    return tidy_text(cell.text()) if not cell.is_blank else ""


def _optional_text(cell: RawCell | None) -> str | None:
    return (_cell_text(cell) or None) if cell is not None else None


def status_for_colour(rgb: str) -> Status | None:
    """The status a fill colour stands for, by hue: red, amber (orange to yellow), green, blue.
    Greys, whites and very pale tints (often just banding) stand for none."""
    try:
        red, green, blue = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    except ValueError:
        return None
    if max(red, green, blue) - min(red, green, blue) < 0.15:
        return None
    hue = colorsys.rgb_to_hls(red, green, blue)[0] * 360
    if hue < 15 or hue >= 330:
        return Status.RED
    if hue < 70:
        return Status.AMBER
    if hue < 170:
        return Status.GREEN
    if hue < 260:
        return Status.BLUE
    return None


# --- rows ----------------------------------------------------------------------------------


@dataclass
class _Theme:
    ref: str | None
    title: str
    row: int
    actions: list[ParsedAction] = field(default_factory=list)
    from_row: bool = True  # False when inferred from an action's ref


class _SheetReader:
    """Reads the rows under a header into themes and actions, collecting every problem."""

    def __init__(self, sheet_name: str, header: _Header) -> None:
        self.sheet = sheet_name
        self.header = header
        self.columns = dict(header.columns)
        self.themes: list[_Theme] = []
        self.current: _Theme | None = None  # the theme the last theme row opened
        self.last_action: ParsedAction | None = None
        self.action_rows: dict[str, int] = {}
        self.notes: list[str] = []
        self.doubts: list[str] = []
        self.problems: list[str] = []
        self.refless: list[str] = []  # rows of text with no ref
        self.repeated_headers: list[int] = []
        self.extras = dict(header.extras)
        self.width = max([*self.columns.values(), *self.extras]) + 1
        self.title_rows = {texts[: self.width] for texts in header.title_rows}
        self.column_theme: str | None = None  # the theme column's last title
        self.local_refs_noted = False

    def read(self, sheet: Sheet) -> ParsedPlan:
        rows: list[RawRow] = []
        cells = 0
        for row in sheet.rows(max_col=MAX_HEADER_COLUMNS):
            if row.number <= self.header.row or not any(not c.is_blank for c in row.cells):
                continue
            if row.number > MAX_ROWS:
                raise TooLarge(
                    f"it has rows beyond row {MAX_ROWS:,}; I import plans of up to "
                    f"{MAX_ROWS:,} rows",
                    row=row.number,
                )
            cells += sum(1 for cell in row.cells if not cell.is_blank)
            if cells > MAX_CELLS:
                raise TooLarge(
                    f"it has more than {MAX_CELLS:,} filled cells; I import plans of up to "
                    f"{MAX_CELLS:,}",
                    row=row.number,
                )
            rows.append(row)
        self._read_sub_header(rows)
        self._find_blank_headed_refs(rows)
        self._prefer_theme_rows(rows)
        action = self.columns[ACTION]
        self.text_columns = sorted({action, self.columns.get(REF, action)})
        self.parent_refs = self._parent_refs(rows)
        for row in rows:
            self._row(row)
        themes = self._finish_themes()
        if not self.action_rows and self.refless:
            self.problems.append(
                f'Sheet "{self.sheet}": I found no action with a ref (like 4.1) under the '
                f"header on row {self.header.row}. Give each action a ref."
            )
            self.problems.extend(self.refless)
        if self.problems:
            shown = self.problems[:MAX_PROBLEMS]
            more = len(self.problems) - len(shown)
            if len(shown) == 1:
                raise ImportFormatError(f"{shown[0]} Fix it and import again.", sheet=self.sheet)
            text = "\n".join(shown) + (f"\n…and {more} more." if more else "")
            raise ImportFormatError(
                f"I can't import this sheet: {len(self.problems)} problems. Fix them and "
                f"import again:\n{text}",
                sheet=self.sheet,
            )
        notes = []
        if self.header.hidden:
            notes.append(f"Left out hidden columns: {', '.join(self.header.hidden)}.")
        if self.repeated_headers:
            rows_text = ", ".join(str(n) for n in self.repeated_headers)
            notes.append(f"Skipped repeated header rows: {rows_text}.")
        return ParsedPlan(
            self.sheet,
            themes,
            notes + self.notes,
            doubts=self.doubts,
            title=self._title(),
            extra_columns=self._extra_layout(),
        )

    def _where(self, row: int, name: str) -> str:
        column = self.header.names.get(name) or self.header.names.get(ACTION, "")
        return f'Sheet "{self.sheet}", row {row}, column "{column}"'

    def _problem(self, row: int, name: str, message: str) -> None:
        """Something that makes the plan unreadable; every one is listed at the end."""
        self.problems.append(f"{self._where(row, name)}: {message}")

    def _doubt(self, row: int, name: str, message: str) -> None:
        self.doubts.append(f"{self._where(row, name)}: {message}")

    def _title(self) -> str | None:
        """The plan's title from the title block above the header: the line that names the
        plan ("Children's Services Improvement Plan 2019-2021") when one does, else the first
        line of text (often the council's name)."""
        lines = [next((t for t in texts if t), "") for texts in self.header.title_rows]
        for text in lines:
            if len(text) <= 150 and _NAMES_A_PLAN.search(text) and not _NOT_A_TITLE.match(text):
                return text.rstrip(" :")
        for texts in self.header.title_rows:
            text = next((t for t in texts if t), "")
            if not text or len(text) > 150 or _NOT_A_TITLE.match(text):
                continue
            return text.rstrip(" :")
        return None

    def _extra_layout(self) -> list[tuple[str, str | None]]:
        """Unknown columns with the known column each follows, for exporting them in place."""
        by_index = {index: name for name, index in self.columns.items()}
        layout: list[tuple[str, str | None]] = []
        for index, name in sorted(self.extras.items()):
            before = [i for i in by_index if i < index]
            layout.append((name, by_index[max(before)] if before else None))
        return layout

    def _read_sub_header(self, rows: list[RawRow]) -> None:
        """A second header row under a merged one ("Progress" over "Nov 19" | "Jan 20"): each
        label names a column of its group, and the latest dated progress is the progress."""
        if not rows or rows[0].number != self.header.row + 1:
            return
        labels = {
            index: text
            for index, cell in enumerate(rows[0].cells)
            if (text := " ".join(_cell_text(cell).split()))
        }
        if not labels or any(len(text) > 40 for text in labels.values()):
            return
        known = {index: name for name, index in self.columns.items()}
        named = set(known) | set(self.extras)
        groups: dict[int, list[int]] = {}
        for index in labels:
            group = max((n for n in named if n <= index), default=None)
            if group is None:
                return
            groups.setdefault(group, []).append(index)
        if any(len(members) < 2 for members in groups.values()):
            return
        for group, members in groups.items():
            heading = self.header.names[known[group]] if group in known else self.extras[group]
            for index in sorted(members):
                self.extras[index] = f"{heading} {labels[index]}"
            if known.get(group) == PROGRESS and all(
                _MONTH_OR_YEAR.search(_header_key(labels[i])) for i in members
            ):
                latest = max(members)
                self.columns[PROGRESS] = latest
                self.header.names[PROGRESS] = self.extras.pop(latest)
            elif group in known and group in members:  # its own sub-label names it
                self.header.names[known[group]] = self.extras.pop(group)
        self.width = max([*self.columns.values(), *self.extras]) + 1
        self.notes.append(f"Read row {rows[0].number} as the second line of the header.")
        rows.pop(0)

    def _prefer_theme_rows(self, rows: list[RawRow]) -> None:
        """Bold or merged rows of one text are the themes; a column that also looks like a
        theme column ("Area for improvement") is then kept as a field of each action."""
        if THEME not in self.columns:
            return
        for row in rows:
            if self._is_theme_row(row):
                index = self.columns.pop(THEME)
                self.extras[index] = self.header.names.pop(THEME)
                return

    def _is_theme_row(self, row: RawRow) -> bool:
        """A lone bold or merged text, or a theme-shaped ref (4, A) with words in the action
        column and nothing in the theme, due or owner columns."""
        filled = [cell for cell in row.cells if not cell.is_blank]
        if len(filled) == 1 and isinstance(filled[0].value, str):
            if _NOTE_ROW.match(filled[0].value.strip()):
                return False
            return filled[0].bold or any(last - first >= 2 for first, last in row.merges)
        if REF not in self.columns:
            return False
        for name in (THEME, DUE, OWNER):
            if name in self.columns and not row.cell(self.columns[name]).is_blank:
                return False
        ref = _cell_text(row.cell(self.columns[REF])).rstrip(".")
        return bool(ref) and _is_theme_ref(ref) and bool(_cell_text(row.cell(self.columns[ACTION])))

    def _find_blank_headed_refs(self, rows: list[RawRow]) -> None:
        """A column with no header whose cells are refs (4.0, 4.1 …) is the ref column."""
        if REF in self.columns:
            return
        header_cells = {i for i in (*self.columns.values(), *self.extras)}
        for index in range(self.columns[ACTION]):
            if index in header_cells:
                continue
            values = [_cell_text(row.cell(index)) for row in rows]
            filled = [v for v in values if v]
            refs = [
                v
                for v in filled
                if (r := _split_ref(v, own_column=True, styled=False)) and not r.rest
            ]
            if len(refs) >= 2 and len(refs) * 10 >= len(filled) * 6:
                self.columns[REF] = index
                self.header.names.setdefault(REF, f"column {_column_letter(index + 1)}")
                self.notes.append(
                    f"Read column {_column_letter(index + 1)} (no header) as the refs."
                )
                return

    # One row

    def _row(self, row: RawRow) -> None:
        cells = {name: row.cell(index) for name, index in self.columns.items()}
        known_blank = all(c.is_blank for name, c in cells.items() if name != LAST_UPDATED)
        if known_blank and all(row.cell(index).is_blank for index in self.extras):
            return
        if self._is_repeated_header(cells):
            self.repeated_headers.append(row.number)
            return
        ref_text = _cell_text(cells[REF]) if REF in cells else ""
        action_text = _cell_text(cells[ACTION])
        styled = self._is_styled(row, cells, action_text)
        owners_text = _cell_text(cells[OWNER]) if OWNER in cells else ""
        has_due = DUE in cells and not cells[DUE].is_blank
        found = None
        if ref_text and (local := _LOCAL_REF.fullmatch(ref_text)) and local[1] and action_text:
            # "i", "ii", "(iii)" or "a)" numbered afresh under each theme: 1.i, 2.i …
            theme_ref = self.current.ref if self.current is not None else None
            found = _Ref(f"{theme_ref}.{local[1]}" if theme_ref else local[1], "")
            if theme_ref and not self.local_refs_noted:
                self.local_refs_noted = True
                self.notes.append(
                    f'Refs numbered afresh under each theme ("{ref_text}" on row {row.number}) '
                    f"start with their theme's ref: {found.ref}."
                )
        elif ref_text:
            found = _split_ref(ref_text, own_column=True, styled=styled)
            inner = _split_ref(action_text, own_column=False, styled=False) if found else None
            if found and inner and inner.rest and inner.ref.startswith(found.ref + "."):
                found, action_text = inner, inner.rest  # "1" | "1.1 Introduce…": 1.1 is the ref
        elif action_text:
            found = _split_ref(action_text, own_column=False, styled=styled)
            if found is not None:
                action_text = found.rest
        title = action_text or (found.rest if found else ref_text)
        if not title and (found is not None or styled) and not has_due and not owners_text:
            title = self._other_text(row)  # a theme row's words in another column

        if found is not None:
            is_theme = found.says_theme or (
                (_is_theme_ref(found.ref) or found.ref in self.parent_refs)
                and (styled or not (has_due or owners_text))
            )
            if THEME in cells and not found.says_theme and not styled and action_text:
                is_theme = False  # themes come from their own column
            if not title and not self._has_detail(cells):
                self.notes.append(f"Skipped row {row.number}: it has a ref ({found.ref}) only.")
            elif is_theme:
                self._theme(
                    _theme_ref(found.ref), _without_theme_word(title, found.ref), row.number
                )
            else:
                self._action(found.ref.rstrip("."), title, cells, owners_text, row)
            return
        if _row_texts(row, self.width) in self.title_rows:
            self.notes.append(f"Skipped row {row.number}: it repeats the title above the header.")
            return
        if styled and title and not has_due and not owners_text:
            self._theme(None, title, row.number)
            return
        first_text = (
            ref_text
            or action_text
            or next((_cell_text(cell) for cell in row.cells if not cell.is_blank), "")
        )
        if _NOTE_ROW.match(first_text):
            self.notes.append(f'Skipped note row {row.number}: "{_clip(first_text)}".')
            return
        if not ref_text and not action_text and self._continues(row, cells, owners_text, has_due):
            return
        if not first_text:
            return
        shown = _clip(ref_text or action_text or first_text)
        column = REF if ref_text or REF in self.columns else ACTION
        message = (
            f'left out "{shown}": it has no ref. Give each action a ref like 4.1, or start a '
            'note row with "Note:".'
        )
        self._doubt(row.number, column, message)
        self.refless.append(f"{self._where(row.number, column)}: {message}")

    def _parent_refs(self, rows: list[RawRow]) -> set[str]:
        """Lettered refs like R1 that head R1.1, R1.2 … below them: theme rows, as in an
        exported plan whose recommendations are numbered R1, R2."""
        if REF not in self.columns:
            return set()
        refs = {_cell_text(row.cell(self.columns[REF])).rstrip(".") for row in rows}
        return {
            ref
            for ref in refs
            if _LETTERED_PARENT.fullmatch(ref) and any(r.startswith(ref + ".") for r in refs)
        }

    def _other_text(self, row: RawRow) -> str:
        """The first text of a row outside the ref and action columns: "1 | Theme 1 – Early
        help" with the words merged across the columns after the ref."""
        skip = {self.columns.get(REF), self.columns[ACTION]}
        for index, cell in enumerate(row.cells):
            if index not in skip and isinstance(cell.value, str) and (text := _cell_text(cell)):
                return text
        return ""

    def _is_repeated_header(self, cells: dict[str, RawCell]) -> bool:
        action = cells[ACTION]
        if not isinstance(action.value, str):
            return False
        if _header_key(action.value) != _header_key(self.header.names[ACTION]):
            return False
        ref = cells.get(REF)
        ref_name = self.header.names.get(REF, "")
        return ref is None or _header_key(ref.text()) in {"", _header_key(ref_name)}

    def _is_styled(self, row: RawRow, cells: dict[str, RawCell], action_text: str) -> bool:
        """Bold, or merged across three or more columns from the ref or action column."""
        lead = cells[ACTION] if action_text or REF not in cells else cells[REF]
        if lead.bold:
            return True
        return any(
            last - first >= 2 and any(first <= c <= last for c in self.text_columns)
            for first, last in row.merges
        )

    def _has_detail(self, cells: dict[str, RawCell]) -> bool:
        skip = {REF, ACTION, LAST_UPDATED, THEME, THEME_REF}
        return any(not cell.is_blank for name, cell in cells.items() if name not in skip)

    def _continues(
        self, row: RawRow, cells: dict[str, RawCell], owners_text: str, has_due: bool
    ) -> bool:
        """Append a continuation row's text to the action above; False if it is not one."""
        action = self.last_action
        measures = _cell_text(cells[MEASURES]) if MEASURES in cells else ""
        progress = _cell_text(cells[PROGRESS]) if PROGRESS in cells else ""
        status_blank = STATUS not in cells or cells[STATUS].is_blank
        extras = {
            name: text
            for index, name in self.extras.items()
            if (text := _cell_text(row.cell(index)))
        }
        if action is None or has_due or not status_blank:
            return False
        if not (measures or progress or owners_text or extras):
            return False
        if measures:
            action.measures = f"{action.measures}\n{measures}" if action.measures else measures
        if progress:
            action.progress = f"{action.progress}\n{progress}" if action.progress else progress
        for name, text in extras.items():
            old = action.fields.get(name)
            action.fields[name] = f"{old}\n{text}" if old else text
        for owner in self._owners(owners_text, row.number):
            if owner not in action.owners:
                action.owners.append(owner)
        return True

    # Themes and actions

    def _theme(self, ref: str | None, title: str, row: int) -> None:
        self.last_action = None
        existing = next((t for t in self.themes if ref is not None and t.ref == ref), None)
        if existing is not None and existing.from_row:
            self._problem(
                row,
                REF,
                f"theme {ref} is already on row {existing.row}. Give each theme its own ref.",
            )
            return
        if existing is not None:  # inferred from earlier actions: this row names it
            existing.title = title or existing.title
            existing.row, existing.from_row = row, True
            self.current = existing
            return
        self.current = _Theme(ref, title or (f"Theme {ref}" if ref else ""), row)
        self.themes.append(self.current)

    def _action(
        self, ref: str, title: str, cells: dict[str, RawCell], owners_text: str, raw: RawRow
    ) -> None:
        row = raw.number
        if ref in self.action_rows:
            self._problem(
                row,
                REF,
                f"action {ref} is already on row {self.action_rows[ref]}. "
                "Give each action its own ref.",
            )
            return
        if not title:
            self._doubt(row, ACTION, f"left out action {ref}: it has no text.")
            return
        due = self._due(cells.get(DUE), row)
        revised = self._due(cells.get(REVISED), row)
        if revised.due is not None:
            due = _Due(
                revised.due,
                revised.precision,
                original=due.due if due.due != revised.due else due.original,
                original_precision=due.precision,
                complete=due.complete or revised.complete,
            )
        status = self._status(cells.get(STATUS), row)
        if due.complete and status is None:
            status = Status.BLUE
        fields = {
            name: text
            for index, name in self.extras.items()
            if (text := _cell_text(raw.cell(index)))
        }
        action = ParsedAction(
            ref=ref,
            title=title,
            due=due.due,
            due_precision=due.precision,
            measures=_optional_text(cells.get(MEASURES)),
            owners=self._owners(owners_text, row),
            progress=_progress_text(cells.get(PROGRESS)),
            status=status,
            row=row,
            due_text=due.text,
            original_due=due.original,
            original_precision=due.original_precision,
            fields=fields,
        )
        theme = self._theme_from_column(cells.get(THEME), ref, row, cells.get(THEME_REF))
        if theme is None:
            theme = self._theme_for(ref, row)
        self.action_rows[ref] = row
        theme.actions.append(action)
        self.last_action = action

    def _owners(self, text: str, row: int) -> list[ParsedOwner]:
        if not text:
            return []
        reading = read_owners(text)
        for doubt in reading.doubts:
            self._doubt(row, OWNER, doubt)
        owners = []
        for owner in reading.owners:
            if len(owner.name) > MAX_NAME_CHARS:
                self._doubt(
                    row,
                    OWNER,
                    f'left out the owner "{_clip(owner.name)}": it is {len(owner.name)} '
                    f"characters and a name or role can be at most {MAX_NAME_CHARS}. "
                    "Shorten it and import again.",
                )
                continue
            if owner.title and len(owner.title) > MAX_TITLE_CHARS:
                self._doubt(
                    row,
                    OWNER,
                    f"cut {owner.name}'s job title to {MAX_TITLE_CHARS} characters.",
                )
                owner = ParsedOwner(owner.name, owner.title[:MAX_TITLE_CHARS], owner.role)
            owners.append(owner)
        return owners

    def _theme_from_column(
        self, cell: RawCell | None, ref: str, row: int, ref_cell: RawCell | None = None
    ) -> _Theme | None:
        """The theme a theme column names; a blank cell keeps the one above (merged cells)."""
        if cell is None:
            return None
        given_ref = _cell_text(ref_cell) if ref_cell is not None else ""
        text = " ".join(_cell_text(cell).split())
        if text:
            self.column_theme = text
        elif self.column_theme is None:
            return None
        title = self.column_theme or ""
        found = _split_ref(title, own_column=False, styled=True)
        theme_ref = None
        if found is not None and found.rest and _is_theme_ref(found.ref):
            theme_ref, title = _theme_ref(found.ref), found.rest
        existing = next((t for t in self.themes if t.title == title), None)
        if existing is not None:
            self.current = existing
            return existing
        if given_ref and _LOOSE_REF.fullmatch(given_ref):
            theme_ref = given_ref.rstrip(".")
        if theme_ref is None or any(t.ref == theme_ref for t in self.themes):
            wanted = theme_of(ref)
            taken = {t.ref for t in self.themes}
            if wanted is not None and _is_theme_ref(wanted) and wanted not in taken:
                theme_ref = wanted
            else:
                theme_ref = next(
                    str(n) for n in range(1, len(self.themes) + 2) if str(n) not in taken
                )
        theme = _Theme(theme_ref, title, row)
        self.themes.append(theme)
        self.current = theme
        return theme

    def _theme_for(self, ref: str, row: int) -> _Theme:
        if self.current is not None:
            return self.current
        theme_ref = theme_of(ref) or "1"
        theme = next((t for t in self.themes if t.ref == theme_ref), None)
        if theme is None:
            theme = _Theme(theme_ref, f"Theme {theme_ref}", row, from_row=False)
            self.themes.append(theme)
            self.notes.append(
                f"Action {ref} (row {row}) comes before any theme row: put it in theme "
                f'{theme_ref} "Theme {theme_ref}".'
            )
        return theme

    def _finish_themes(self) -> list[ParsedTheme]:
        """Give ref-less theme rows their first action's theme ref; check refs are unique."""
        rows: dict[str, int] = {t.ref: t.row for t in self.themes if t.ref is not None}
        # Actions numbered 1, 2, 3 leave the numbers to them: such themes are lettered A, B …
        lettered = any(ref.isdigit() for ref in self.action_rows)
        for theme in self.themes:
            if theme.ref is not None:
                continue
            ref = theme_of(theme.actions[0].ref) if theme.actions else None
            if ref is None or ref in rows:
                ref = next(
                    name
                    for n in range(1, len(self.themes) + 2)
                    if (name := _letters(n) if lettered else str(n)) not in rows
                )
            self.notes.append(
                f'Theme "{_clip(theme.title)}" (row {theme.row}) has no ref: called it {ref}.'
            )
            theme.ref = ref
            rows[ref] = theme.row
        return [ParsedTheme(t.ref or "", t.title, t.actions, t.row) for t in self.themes]

    # Cells

    def _due(self, cell: RawCell | None, row: int) -> _Due:
        if cell is None or cell.is_blank:
            return _Due()
        value = cell.value
        if isinstance(value, dt.date):  # a real date cell (datetime is a date too)
            day = value.date() if isinstance(value, dt.datetime) else value
            if is_month_only_format(cell.number_format):
                return _Due(last_day_of_month(day.year, day.month), DatePrecision.MONTH.value)
            return _Due(day)
        text = " ".join(cell.text().split())
        reading = read_due_text(text)
        if reading.how:
            if reading.doubt:
                self._doubt(row, DUE, reading.how)
            else:
                self.notes.append(f"Row {row}: {reading.how}.")
        return _Due(
            reading.due,
            reading.precision.value,
            reading.text,
            reading.original,
            reading.original_precision.value,
            reading.complete,
        )

    def _status(self, cell: RawCell | None, row: int) -> Status | None:
        if cell is None:
            return None
        text = " ".join(cell.text().split()) if not cell.is_blank else ""
        if not text:
            return status_for_colour(cell.fill) if cell.fill else None
        status = find_status(text) or split_leading_status(text)[0]
        if status is None and text.strip("-–—. ") == "":
            return None
        if status is None:
            self._doubt(
                row,
                STATUS,
                f'left the status as it was: I don\'t know "{_clip(text)}". '
                f"Use {STATUS_WORDS_HINT}.",
            )
        return status


_NOT_A_TITLE = re.compile(
    r"(?i)(board|version|last updated|updated|date|author|owner|status|key)\b"
)
_NAMES_A_PLAN = re.compile(
    r"(?i)\b(?:plans?|statement of action|wsoa|strategy|tracker|programme)\b"
)


@dataclass(frozen=True)
class _Due:
    due: dt.date | None = None
    precision: str = DatePrecision.DAY.value
    text: str | None = None
    original: dt.date | None = None
    original_precision: str = DatePrecision.DAY.value
    complete: bool = False


def _progress_text(cell: RawCell | None) -> str | None:
    """Progress text; a lone dash or similar says nothing, so it is no update."""
    text = _optional_text(cell)
    if text is None or re.fullmatch(r"[-–—]", text.strip()):
        return None
    return text


def describe_due(due: dt.date | None, precision: str, text: str | None) -> str:
    if due is not None:
        return format_day(due, DatePrecision(precision))
    return f'"{text}"' if text else "no date"


def _clip(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
