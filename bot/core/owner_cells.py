"""A plan's owner cell read as the officer wrote it (issue 9): people, roles and doubts.

- People are separated by a new line, `;`, ` / `, and by ` and ` or ` & ` only where a second
  person follows ("…Social Care and DCI Jane Smith, Met Police"); inside a job title `&`,
  `and` and commas never split ("Head of Targeted Youth Support & Vulnerable Young People").
- Each person is "Name, Job title", "Job title, Name", "Name (Job title)" or
  "Name – Job title"; honorifics and ranks (Dr, Cllr, DCI, DS, Prof …) stay with the name.
- Text with no person's name in it ("Principal Social Worker", "LADO",
  "Head of Service, Early Help") is a role owner, kept whole so that two roles starting the
  same way stay two.
- Cells that could be read two ways are read one way and reported as a doubt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_NAME_CHARS = 200
MAX_TITLE_CHARS = 300

_HONORIFIC_WORDS = """
    dr prof professor cllr councillor mr mrs ms miss mx sir dame lord lady rev revd
    dci di ds dc dcs dsupt supt det insp inspector sgt pc ch chief cmdr commander
    acc dcc cc
"""
HONORIFICS = frozenset(_HONORIFIC_WORDS.split())
_JOB_WORDS = """
    head heads director directors manager managers service services officer officers lead
    leads team teams of for the and children childrens children's social care assistant
    deputy principal senior chief executive board chair partnership safeguarding fostering
    adoption quality assurance education health commissioning workforce development
    strategic operations operational practice early help corporate council group panel all
    school schools virtual hr finance performance business support unit leaving
    worker workers coordinator co-ordinator advisor adviser practitioner practitioners
    consultant specialist administrator commissioner designated named nurse doctor
    lado iro reviewing independent conference youth justice family families young people
    person care leavers leaver looked after targeted vulnerable member members cabinet
    portfolio holder mayor ofsted nhs ccg icb police met bcu area central north south east
    west borough county city district local authority dcs das detective superintendent
    sergeant constable superintendency intelligence policy planning project programme
    improvement transformation learning training legal housing residential placements
    placement sufficiency disabilities disability sen send inclusion manager's partners
    partner agencies agency all staff governance data insight systems social work
    worker's assessment assessments court proceedings edge care contact centre hub mash
    front door duty intervention protection child in need cin cp lac cla permanence
    admissions attendance exclusions tutor virtual vsh principal's ps psw amhp
    with at on in to by from pa secretary clerk analyst analysts audit auditor
"""
_ROLE_WORDS = frozenset(_JOB_WORDS.split())
_PARTICLES = frozenset({"de", "la", "le", "van", "von", "der", "den", "da", "di", "du", "bin"})
_NAME_WORD = re.compile(r"[^\W\d_][^\W\d_'’.\-]*(?:['’.\-][^\W\d_]*)*\.?")
_BULLET = re.compile(r"^(?:[•·▪●◦‣⁃∙]\s*|[-*–]\s+|\d{1,2}[.)]\s+)")
_NO_OWNER = frozenset({"tbc", "tba", "tbd", "n/a", "na", "none", "-", "–", "—", "?"})
_PEOPLE = re.compile(r"\n|;|\s/\s")
_JOIN = re.compile(r"\s+(?:and|&)\s+", re.I)
_IN_BRACKETS = re.compile(r"(.+?)\s*\((.+)\)")
_WITH_DASH = re.compile(r"(.+?)\s+[-–—]\s+(.+)")
# Words a second role starts with ("Head of YOT & Head of Children in Care") ...
_ROLE_OPENER = re.compile(
    r"(?:the\s+)?(?:head|heads|director|assistant director|deputy director|deputy head|"
    r"interim director|ad|dcs|chair|chief|principal|designated|lead member|cabinet member|"
    r"service manager|team manager)\b",
    re.I,
)
# ... and the words a role ends with, so "AD Education and CCG Chief Nurse" may be two.
_ROLE_ENDING = re.compile(
    r"(?i)\b(?:manager|managers|officer|officers|nurse|doctor|director|lead|leads|head|chair|"
    r"worker|workers|coordinator|co-ordinator|adviser|advisor|commissioner|consultant|"
    r"psychologist|member|members|dcs|psw|lado|iro|sgt|superintendent)$"
)


@dataclass(frozen=True)
class ParsedOwner:
    name: str
    title: str | None = None
    role: bool = False  # a role with no person's name, linked later to whoever holds it


@dataclass
class OwnerReading:
    owners: list[ParsedOwner] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)


def looks_like_name(text: str) -> bool:
    """A person's name: an optional honorific or rank, then two to four capitalised words
    that are not job-title words ("Jane Doe", "DCI Jane Smith", "Zoë O'Brien"); or an
    honorific and a surname ("Cllr Smith")."""
    words = text.split()
    honorifics = 0
    while honorifics < len(words) - 1 and words[honorifics].lower().strip(".") in HONORIFICS:
        honorifics += 1
    rest = words[honorifics:]
    least = 1 if honorifics else 2
    if not least <= len(rest) <= 5:
        return False
    inner = rest[1:-1]  # "Mary de la Cruz", "Ludwig van Dijk"
    particles = sum(1 for word in inner if word in _PARTICLES)
    if len(rest) - particles > 4:
        return False
    return all(
        _name_word(word) or (0 < i < len(rest) - 1 and word in _PARTICLES)
        for i, word in enumerate(rest)
    )


def _name_word(word: str) -> bool:
    if not word[0].isupper() or _NAME_WORD.fullmatch(word) is None:
        return False
    if len(word) > 1 and word.isupper() and len(word.strip(".")) > 1:  # BCU, LADO, PSW
        return False
    return word.lower().strip(".") not in _ROLE_WORDS


def read_owners(text: str) -> OwnerReading:
    """Owners from a cell, with what was doubtful about it."""
    reading = OwnerReading()
    lines = _pair_name_lines(text.split("\n"))
    for part in (piece for line in lines for piece in _PEOPLE.split(line)):
        part = _BULLET.sub("", part.strip()).strip(" ,")
        if not part or part.lower() in _NO_OWNER:
            continue
        for piece in _split_people(part):
            for owner in _person_or_role(piece.strip(" ,"), reading):
                if owner.name and owner not in reading.owners:
                    reading.owners.append(owner)
    return reading


def _pair_name_lines(parts: list[str]) -> list[str]:
    """A name on one line and a job title on the next are one person ("Kim O'Neill" then
    "CP Conference Chair Manager"), as officers often write them."""
    paired: list[str] = []
    index = 0
    while index < len(parts):
        part = _BULLET.sub("", parts[index].strip()).strip(" ,")
        following = parts[index + 1].strip() if index + 1 < len(parts) else ""
        if (
            following
            and looks_like_name(part)
            and not _BULLET.match(following)
            and not looks_like_name(following)
            and not re.search(r"[,():]|\s(?:and|&)\s", following)
            and following.lower() not in _NO_OWNER
        ):
            paired.append(f"{part}, {following}")
            index += 2
            continue
        paired.append(parts[index])
        index += 1
    return paired


def parse_owners(text: str) -> list[ParsedOwner]:
    return read_owners(text).owners


def _split_people(part: str) -> list[str]:
    """Split at ` and ` / ` & ` only where a person follows: "Name, Title" after it, or two bare
    names either side ("Jane Doe and John Smith")."""
    pieces: list[str] = []
    start = 0
    for match in _JOIN.finditer(part):
        before, after = part[start : match.start()], part[match.end() :]
        next_name = _name_part(after)
        if _ROLE_OPENER.match(after) and _whole(before):
            pieces.append(before)
            start = match.end()
            continue
        if not looks_like_name(next_name):
            continue
        follows_pair = after.strip() != next_name and "," in after
        both_bare = looks_like_name(before.strip()) and _bare_until_next_join(after)
        if follows_pair or both_bare:
            pieces.append(before)
            start = match.end()
    pieces.append(part[start:])
    return [piece for piece in (p.strip() for p in pieces) if piece]


def _whole(before: str) -> bool:
    """The text before a join is a whole owner: a person, "Name (Title)", or a role that
    itself starts like one ("Head of YOT")."""
    before = before.strip()
    bracket = _IN_BRACKETS.fullmatch(before)
    return bool(
        looks_like_name(before)
        or (bracket is not None and looks_like_name(bracket[1]))
        or _ROLE_OPENER.match(before)
        or _ROLE_ENDING.search(before)
    )


def _bare_until_next_join(text: str) -> bool:
    first = _JOIN.split(text, maxsplit=1)[0].strip()
    return looks_like_name(first)


def _name_part(text: str) -> str:
    return re.split(r",|\(|\s[-–—]\s", text, maxsplit=1)[0].strip()


def _person_or_role(text: str, reading: OwnerReading) -> list[ParsedOwner]:
    if "," in text:
        first, rest = (piece.strip() for piece in text.split(",", 1))
        if looks_like_name(first):
            if looks_like_name(rest):
                reading.doubts.append(
                    f'"{text}": read as two owners, {first} and {rest} (if {rest} is a job '
                    "title, write it after a name on its own line)"
                )
                return [ParsedOwner(first), ParsedOwner(rest)]
            return [ParsedOwner(first, rest or None)]
        last_comma = text.rsplit(",", 1)
        if len(last_comma) == 2 and looks_like_name(last_comma[1].strip()):
            return [ParsedOwner(last_comma[1].strip(), last_comma[0].strip() or None)]
        after_comma = rest.rsplit(",", 1)[-1].strip()
        if _ROLE_OPENER.match(after_comma) or _ROLE_ENDING.search(after_comma):
            reading.doubts.append(
                f'"{text}": read as one role; if it is more than one, put each on its own line'
            )
        return [ParsedOwner(text, None, role=True)]
    if ":" in text:  # "Head of Service: Jane Doe"
        title, name = (piece.strip() for piece in text.rsplit(":", 1))
        if looks_like_name(name):
            return [ParsedOwner(name, title or None)]
    bracket = _IN_BRACKETS.fullmatch(text)
    if bracket is not None and looks_like_name(bracket[1]):
        return [ParsedOwner(bracket[1].strip(), bracket[2].strip() or None)]
    if bracket is not None and looks_like_name(bracket[2]):
        return [ParsedOwner(bracket[2].strip(), bracket[1].strip() or None)]
    dash = _WITH_DASH.fullmatch(text)
    if dash is not None and looks_like_name(dash[1]):
        return [ParsedOwner(dash[1].strip(), dash[2].strip() or None)]
    if dash is not None and looks_like_name(dash[2]):
        return [ParsedOwner(dash[2].strip(), dash[1].strip() or None)]
    if looks_like_name(text):
        return [ParsedOwner(text)]
    words = text.split()
    joined = _JOIN.split(text)
    if len(joined) > 1 and _ROLE_ENDING.search(joined[-1].strip()):
        reading.doubts.append(
            f'"{text}": read as one role; if it is {len(joined)} people, put each on its own line'
        )
    if len(words) == 1 and words[0][:1].isupper() and not words[0].isupper():
        reading.doubts.append(f'"{text}": a single word; kept as a role, not a person')
    return [ParsedOwner(text, None, role=True)]
