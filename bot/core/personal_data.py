"""A guard against a child's or family's personal details in board text.

Progress notes, challenge answers and thread replies are for the board, not for case records.
`check` looks for what a case record holds and a board update does not need: dates of birth,
NHS numbers, full postcodes, social-care case numbers, a named child's age, a named child with a
case detail. Pure: text and patterns in, findings out.

False alarms cost as much as misses: a guard that cries wolf gets "record anyway" clicked
without reading. So each rule needs a cue that a board update has no other reason to write
(a "DOB" before a date, a system name before a number, a check digit that adds up, a first name
next to an age or a plan), and meeting dates, due dates, quarters, refs, counts, percentages,
anonymised children ("child A") and staff with job titles pass.

Findings never repeat the text they flag; explanations say what kind of thing was found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.core.errors import UserError

DATE_OF_BIRTH = "date-of-birth"
NHS_NUMBER = "nhs-number"
POSTCODE = "postcode"
CASE_NUMBER = "case-number"
AGE_WITH_NAME = "age-with-name"
NAMED_CASE_DETAIL = "named-case-detail"

KINDS: tuple[str, ...] = (
    DATE_OF_BIRTH,
    NHS_NUMBER,
    POSTCODE,
    CASE_NUMBER,
    AGE_WITH_NAME,
    NAMED_CASE_DETAIL,
)

EXPLANATIONS: dict[str, str] = {
    DATE_OF_BIRTH: "This looks like a date of birth. Give an age group instead, or leave it out.",
    NHS_NUMBER: "This looks like an NHS number (its check digit adds up). Leave it out.",
    POSTCODE: (
        "This looks like a full postcode, which can point to a family's home. "
        "Name the area or ward instead."
    ),
    CASE_NUMBER: (
        "This looks like a case or record number from a social-care system. "
        "Leave it out; the board doesn't need it."
    ),
    AGE_WITH_NAME: (
        "This puts an age next to a first name, which can identify a child. "
        'Say "a 7-year-old" or "child A" instead of the name.'
    ),
    NAMED_CASE_DETAIL: (
        "This names someone together with a case detail. "
        'Say "child A" or "a young person" instead of the name.'
    ),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int  # offsets into the checked text: text[start:end] is what was flagged
    end: int
    explanation: str


@dataclass(frozen=True)
class Patterns:
    """What a workspace checks for: the built-in kinds switched on, extra regular expressions
    admins added (each under a kind, whose explanation it shares), and words never flagged."""

    enabled: frozenset[str] = frozenset(KINDS)
    extra: tuple[tuple[str, str], ...] = ()  # (kind, regex)
    allow: frozenset[str] = frozenset()  # casefolded words or phrases
    off: bool = False  # the whole check switched off by an admin (the rest kept for `on`)


DEFAULT_PATTERNS = Patterns()


# --- Building blocks ------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})"
    r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r",?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})"
)
_DOB = re.compile(
    r"(?<![\w.])(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|born(?:\s+on)?|birthday)"
    r"(?:\s*(?:is|was|:|-|–|,))?\s*(?:on\s+)?" + _DATE + r"(?!\d)",
    re.IGNORECASE,
)

_NHS = re.compile(r"(?<![\d£])(?<!\d[.,/\-])(\d{3})([ \-]?)(\d{3})\2(\d{4})(?![\d%]|[.,/\-]\d)")

# The standard shape of a full UK postcode (outward code, space optional, inward code).
_POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|"
    r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|"
    r"[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})\b"
)

# What decides a postcode-shaped string in board text (a trial found rooms and codes flagged):
# a family's address is personal data, the council's own rooms and buildings are not. Looking
# back over the words just before it: an address cue flags it; otherwise a word for a room or
# a council building ("room B12 3AB", "Venue: Civic Hall, LS1 1UR") passes it; otherwise the
# usual spaced shape flags it and a shape typed without its space ("LS62QT", more often a form,
# ticket or course code than an address) passes.
_LOOK_BACK = 40
_ADDRESS_CUE = re.compile(
    r"\b(?:post\s?code|address|home|homes|lives?|living|moved|moving|relocated|resid\w*|"
    r"famil(?:y|y's|ies)|mum|dad|mother|father|carers?'?|placement|placed|found|visit)\b",
    re.IGNORECASE,
)
_PLACE_CUE = re.compile(
    r"\b(?:room|rm|venue|office|offices|suite|hall|centre|center|building|hub|floor|hq|"
    r"headquarters|library|reception|campus|depot)\b",
    re.IGNORECASE,
)


def _is_address(text: str, start: int, spaced: bool) -> bool:
    """Whether the postcode-shaped text at `start` reads as an address (see above)."""
    before = text[max(0, start - _LOOK_BACK) : start]
    before = re.split(r"[.;!?\n]\s", before)[-1]  # this sentence only
    if _ADDRESS_CUE.search(before):
        return True
    if _PLACE_CUE.search(before):
        return False
    return spaced


_SYSTEMS = r"(?:mosaic|lcs|liquid\s?logic|eclipse|carefirst|care\s?first|frameworki|paris|azeus)"
_RECORD_WORDS = r"(?:case|record|client|person|child|cp|cin|lac|care|file)"
_ID_WORDS = r"(?:id|no\.?|nos\.?|number|num|ref(?:erence)?\.?|#)"
_CASE_NUMBER = re.compile(
    r"\b(?:"
    + _SYSTEMS
    + r"(?:\s+"
    + _RECORD_WORDS
    + r")?(?:\s+"
    + _ID_WORDS
    + r")?\s*[:#]?\s*(?:[A-Z]{1,4}[-/]?)?\d{4,10}"
    + r"|"
    + _RECORD_WORDS
    + r"\s+"
    + _ID_WORDS
    + r"\s*[:#]?\s*(?:[A-Z]{1,4}[-/]?)?\d{4,10}"
    + r"|case\s*[:#]?\s*(?:[A-Z]{1,4}[-/]?)?\d{5,10}"
    + r")(?![\d.,/%]\d|\d)",
    re.IGNORECASE,
)
_YEARISH = re.compile(r"(?:19|20)\d\d(?:/\d\d)?$")

# Capitalised words that are not children's first names but start sentences or name things in
# board updates. Only words that can sit right next to an age or a case detail need to be here.
_NOT_NAME_WORDS = """
    a an the this that these those there their our we he she they it his her its one all some
    any each every both no not and but or so if as at by for from in into of on to with within
    children child young people person family families parents parent carers carer adults
    boys girls baby babies infants teenagers pupils students siblings sibling cohort group
    board council team service services staff manager managers head director chair panel
    ofsted dfe cqc mash iro iros lado edge care leavers leaver fostering adoption placements
    placement plan plans court courts case cases records record social worker workers
    workforce practice quality audit audits review reviews report reports data performance
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday q1 q2 q3 q4 year years month
    week today yesterday tomorrow currently recently overall action actions progress update
    updates impact evidence status red amber green blue complete completed ongoing partly
    barnardo barnardos nspcc nhs police school schools health education virtual trust trusts
    local authority authorities area areas north south east west central city county borough
    number numbers target targets rate rates total new further also however although since
    following after before during while where when which who whose what how why
    unaccompanied asylum seeking disabled older younger eldest youngest
    mother mum father dad foster birth step grandparent grandmother grandfather aunt uncle
    assistant deputy principal senior executive interim acting strategic corporate lead
    nobody everyone everybody someone somebody anyone none most many few half several only
    learners mothers fathers
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())
_NAME = r"(?P<name>\b[A-Z][a-z]{1,14}(?:-[A-Z][a-z]{1,14})?)"
# Children's services work with people up to 25 (care leavers); older ages are staff.
_YEARS = r"(?:2[0-5]|1[0-9]|[0-9])"
_AGE = (
    r"(?:aged?\s+"
    + _YEARS
    + r"(?!\s*(?:-|–|to)\s*\d)(?!\d)|"
    + _YEARS
    + r"[\s-]*(?:years?|yrs?)[\s-]*old|"
    + _YEARS
    + r"\s*(?:yo|y/o)\b)"
)
_AGE_BEFORE_NAME = re.compile(
    r"\b(?:[Aa]ged?\s+" + _YEARS + r"|" + _YEARS + r"-year-old|" + _YEARS + r"\s+year\s+old)"
    r"(?!\s*(?:-|–|to)\s*\d)(?!\d)"
    r"\s*,?\s+" + _NAME + r"\b(?!\s*(?:cohort|group))"
)
_NAME_THEN_AGE = re.compile(
    _NAME + r"(?:\s+[A-Z][a-z]+)?(?:\s*[,(])?\s*(?:(?:who\s+is|is|was|now)\s+){0,2}" + _AGE,
)
_DETAIL = (
    r"(?:(?:cp|child\s+protection|cin|child\s+in\s+need|care|supervision|placement|"
    r"safety|pathway)\s+(?:plan|order)|"
    r"section\s*(?:47|20|31)|s\.?\s?(?:47|20|31)\b|icpc|rcpc|lac|cla|looked[\s-]after|"
    r"in\s+care|sgo|special\s+guardianship|adoption\s+order|epo|placed|placement|"
    r"foster\s+carers?|residential\s+home|missing|cse|cce|exploitation|exploited|"
    r"excluded|exclusion|disclos(?:ed|ure)|allegation|self[\s-]harm(?:ed|ing)?|"
    r"ehcp|pre-proceedings|proceedings|remand(?:ed)?|yot|birth\s+(?:mother|father|family)|"
    r"mum|dad|mother|father|stepfather|stepmother|siblings?|contact\s+with)"
)
# What only a child (not a member of staff) has: "Tom's placement", "Tom's mum".
_POSSESSED = (
    r"(?:(?:cp|child\s+protection|cin|child\s+in\s+need|care|pathway|safety)\s+plan|"
    r"placement(?:\s+move)?|foster\s+carers?|carers|mum|dad|mother|father|stepfather|"
    r"stepmother|siblings?|brother|sister|birth\s+(?:mother|father|parents|family)|"
    r"social\s+worker|iro|exclusion|missing\s+episodes?|disclosure|allegation|ehcp|"
    r"care\s+proceedings|sgo|special\s+guardian(?:ship)?|adoption\s+order)"
)
# A name followed by a job in brackets is staff: "Priya Shah (Head of LAC)".
_NOT_A_JOB = (
    r"(?![^()]*\b(?:head|manager|director|lead|chair|officer|co-?ordinator|principal|team|"
    r"service|iro|practitioner|advis[eo]r|consultant|supervisor|worker|dcs|ad)\b)"
)
# "placement" / "care plan" words that describe services, not a child's case.
_SERVICE_WORDS = (
    r"(?!\s+(?:sufficiency|strategy|service|services|team|panel|policy|budget|stability|"
    r"review|reviews|process|processes|audit|audits|data|project|workstream|board|forum|"
    r"tracker|tracking|pathway|offer|market|commissioning|framework|lead|leads|chair|"
    r"children|unit|manager|managers|workers))"
)
_NAMED_DETAIL = [
    # Tom (CP plan), Tom (14, LAC)
    re.compile(
        _NAME + r"\s*\(" + _NOT_A_JOB + r"(?:[^()]{0,30}?\b)?" + _DETAIL + r"\b[^()]{0,30}\)",
        re.IGNORECASE,
    ),
    # Tom's placement, Tom's foster carers, Tom's mum
    re.compile(
        _NAME + r"['’]s\s+(?:[a-z]+\s+){0,2}?" + _POSSESSED + r"\b" + _SERVICE_WORDS,
        re.IGNORECASE,
    ),
    # Tom is on a CP plan, Tom was placed, Tom went missing
    re.compile(
        _NAME + r"\s+(?:(?:is|was|has\s+been|had\s+been|remains|became)\s+(?:now\s+|still\s+)?"
        r"(?:subject\s+to\s+(?:an?\s+)?|on\s+(?:an?\s+)?)?|went\s+|ran\s+|has\s+gone\s+)"
        r"(?:(?:cp|child\s+protection|cin|child\s+in\s+need)\s+plan|in\s+care|"
        r"placed(?!\s+on\s+(?:the|a|an)\s+(?!cp\b|child|cin\b))|"
        r"looked[\s-]after|missing|excluded|adopted|removed|accommodated|exploited|"
        r"arrested|remanded|(?:a\s+)?care\s+order|section\s*(?:47|20|31))\b",
        re.IGNORECASE,
    ),
    # Tom disclosed …
    re.compile(_NAME + r"\s+(?:disclosed|absconded|self[\s-]harmed)\b", re.IGNORECASE),
]


def _nhs_check_digit(nine: str) -> int | None:
    """The modulus 11 check digit of nine digits, or None when none is valid (remainder 10)."""
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(digits: str) -> bool:
    digits = re.sub(r"[ \-]", "", digits)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    return _nhs_check_digit(digits[:9]) == int(digits[9])


def _is_name(word: str) -> bool:
    return word.lower() not in _NOT_NAMES and not word.isupper()


def _builtin(kind: str, text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if kind == DATE_OF_BIRTH:
        spans = [m.span() for m in _DOB.finditer(text)]
    elif kind == NHS_NUMBER:
        spans = [m.span() for m in _NHS.finditer(text) if is_valid_nhs_number(m[0])]
    elif kind == POSTCODE:
        spans = [
            m.span()
            for m in _POSTCODE.finditer(text)
            if _is_address(text, m.start(), " " in m[0] or m[0].startswith("GIR"))
        ]
    elif kind == CASE_NUMBER:
        spans = [m.span() for m in _CASE_NUMBER.finditer(text) if not _year_only(m[0])]
    elif kind == AGE_WITH_NAME:
        for pattern in (_NAME_THEN_AGE, _AGE_BEFORE_NAME):
            spans += [m.span() for m in pattern.finditer(text) if _is_name(m["name"])]
    elif kind == NAMED_CASE_DETAIL:
        for pattern in _NAMED_DETAIL:
            for m in pattern.finditer(text):
                if _is_name(m["name"]) and m["name"][0].isupper():
                    spans.append(m.span())
    return spans


def _year_only(found: str) -> bool:
    """`Mosaic 2019` is a year, not a record number."""
    digits = re.search(r"\d+(?:/\d+)?$", found)
    return digits is not None and bool(_YEARISH.match(digits[0]))


@cache
def _compiled(regex: str) -> re.Pattern[str]:
    return re.compile(regex)


def check(text: str, patterns: Patterns = DEFAULT_PATTERNS) -> list[Finding]:
    """What in text looks like a child's or family's personal details, in text order."""
    if not text or patterns.off:
        return []
    found: list[Finding] = []
    for kind in KINDS:
        if kind in patterns.enabled:
            for start, end in _builtin(kind, text):
                found.append(Finding(kind, start, end, EXPLANATIONS[kind]))
    for kind, regex in patterns.extra:
        for m in _compiled(regex).finditer(text):
            if m.end() > m.start():
                found.append(Finding(kind, m.start(), m.end(), EXPLANATIONS[kind]))
    found = [f for f in found if not _allowed(text[f.start : f.end], patterns.allow)]
    return _without_nested(found)


def _allowed(span: str, allow: frozenset[str]) -> bool:
    lowered = span.casefold()
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered) for word in allow)


def _without_nested(found: list[Finding]) -> list[Finding]:
    """One finding per stretch of text: drop any that lies inside another."""
    ordered = sorted(found, key=lambda f: (f.start, -f.end, KINDS.index(f.kind)))
    kept: list[Finding] = []
    for finding in ordered:
        if kept and finding.start >= kept[-1].start and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return kept


# --- Per-workspace tuning -------------------------------------------------------------------

PATTERNS_USAGE = (
    "One change a line: `disable postcode`, `enable postcode`, `add case-number <regex>`, "
    "`allow <word>`, or `off` / `on` for the whole check. Kinds: " + ", ".join(KINDS) + "."
)
MAX_REGEX = 200


def parse_patterns(text: str, base: Patterns = DEFAULT_PATTERNS) -> Patterns:
    """Apply lines such as `disable postcode`, `add case-number MOS-\\d{6}`, `allow Ellis`.

    Blank lines and lines starting with # are skipped. A bad line raises UserError naming it.
    """
    enabled, extra, allow = set(base.enabled), list(base.extra), set(base.allow)
    off = base.off
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        verb, _, rest = line.partition(" ")
        verb, rest = verb.lower(), rest.strip()
        if verb in ("off", "on") and not rest:
            off = verb == "off"
        elif verb in ("disable", "enable"):
            kind = _kind(rest, number)
            (enabled.discard if verb == "disable" else enabled.add)(kind)
        elif verb == "add":
            name, _, regex = rest.partition(" ")
            kind, regex = _kind(name, number), regex.strip()
            _check_regex(regex, number)
            if (kind, regex) not in extra:
                extra.append((kind, regex))
        elif verb == "allow":
            if not rest:
                raise UserError(f"Line {number}: say which word to allow, e.g. `allow Ellis`.")
            allow.add(" ".join(rest.split()).casefold())
        else:
            raise UserError(f"Line {number}: I don't understand “{verb[:30]}”. {PATTERNS_USAGE}")
    return Patterns(frozenset(enabled), tuple(extra), frozenset(allow), off)


def format_patterns(patterns: Patterns) -> str:
    """The lines that turn DEFAULT_PATTERNS into patterns (parse_patterns reads them back)."""
    lines = ["off"] if patterns.off else []
    lines += [f"disable {k}" for k in KINDS if k not in patterns.enabled]
    lines += [f"add {kind} {regex}" for kind, regex in patterns.extra]
    lines += [f"allow {word}" for word in sorted(patterns.allow)]
    return "\n".join(lines)


def _kind(text: str, number: int) -> str:
    kind = text.strip().lower()
    if kind not in KINDS:
        shown = f"“{text[:30]}”" if text else "nothing"
        raise UserError(
            f"Line {number}: I don't know the kind {shown}. Use one of {', '.join(KINDS)}."
        )
    return kind


def _check_regex(regex: str, number: int) -> None:
    if not regex:
        raise UserError(f"Line {number}: give the pattern after the kind, e.g. `MOS-\\d{{6}}`.")
    if len(regex) > MAX_REGEX:
        raise UserError(f"Line {number}: keep a pattern under {MAX_REGEX} characters.")
    try:
        compiled = re.compile(regex)
    except re.error as exc:
        raise UserError(
            f"Line {number}: that pattern isn't a valid regular expression ({exc.msg})."
        ) from None
    if compiled.fullmatch(""):
        raise UserError(f"Line {number}: that pattern matches empty text, so it would flag all.")
