"""`/progress` text → a command. Notes keep their line breaks; only Slack's escaping is undone.

An update may carry clauses about impact, straight after the status (or the ref) or after a
"quoted note": `impact <judgement>` and `evidence "<text>"` (`evidence: <text>` takes the
rest). A note that merely starts with the word ("impact on children is…") stays a note;
only a near-miss of a judgement ("impact emergin") is refused, saying what to type.
"""

from __future__ import annotations

import difflib
import re

from bot.core.challenges import parse_challenge_id
from bot.core.errors import UserError
from bot.core.impact import Impact, split_leading_impact
from bot.core.statuses import Status, find_status, split_leading_status
from handlers.grammar.absence import parse_away, parse_back
from handlers.grammar.commands import (
    AnswerChallenge,
    ListMine,
    OpenUpdateModal,
    ProgressCommand,
    RecordUpdate,
    RequestDateChange,
)
from handlers.grammar.help import HELP_WORDS, USAGE, help_for
from handlers.grammar.tokens import (
    QUOTES,
    clean_ref,
    date_problem,
    is_ref,
    leading_date,
    readable,
    shown,
    tokenize,
)

_MINE = frozenset({"mine", "my", "list"})
_LEADING_PUNCTUATION = ":-–—,; \t\n"
_CLAUSE = re.compile(r"(impact|evidence)(?![\w'’/])[ \t]*([:\-–—]?)\s*", re.IGNORECASE)
_JUDGEMENT_WORDS = ("evidenced", "emerging", "not", "yet", "assessed", "none", "unassessed")


def parse_progress(text: str) -> ProgressCommand:
    """Read the text after `/progress`."""
    stripped = (text or "").strip()
    if not stripped:
        return OpenUpdateModal()
    first, rest = _split_first(stripped)
    word = first.lower()
    if word in HELP_WORDS:
        return help_for("progress", rest)
    if word in _MINE:
        if rest:
            raise UserError(f"`/progress mine` takes nothing after it: `{USAGE['progress mine']}`")
        return ListMine()
    if word.rstrip(":") == "answer":
        return _answer(rest)
    if word in ("away", "back"):
        return _absence(word, stripped)
    ref = clean_ref(first)
    if not is_ref(ref):
        raise UserError(_not_a_ref(stripped, first))
    if not rest:
        return OpenUpdateModal(ref)
    keyword, after = _split_first(rest)
    keyword = keyword.lower().rstrip(":")
    if keyword == "note":
        note = _note(after)
        if note is None:
            raise UserError(f"What's the note? `/progress {ref} note <text>`")
        return RecordUpdate(ref, None, note)
    if keyword == "date":
        return _date_change(ref, after)
    if keyword in ("impact", "evidence"):
        return _update(ref, None, rest)
    first_line, newline, other_lines = rest.partition("\n")
    status, note_start = split_leading_status(first_line, expected=True)
    if status is None:
        raise UserError(
            f"Start with a status or `note`: `/progress {ref} amber survey slipped to June` "
            f"or `/progress {ref} note <text>`"
        )
    return _update(ref, status, note_start + newline + other_lines)


def _update(ref: str, status: Status | None, text: str) -> RecordUpdate:
    """An update from what follows the status (or the ref, when status is None)."""
    impact, evidence, note = _clauses(ref, text)
    if impact is None and evidence is None:
        if status is None:
            raise UserError(
                f"Say what the impact is: `/progress {ref} impact emerging <note>` "
                f'or `/progress {ref} evidence "<text>"`'
            )
        return RecordUpdate(ref, status, _note(text))
    return RecordUpdate(ref, status, _note(note), impact, evidence)


def _clauses(ref: str, text: str) -> tuple[Impact | None, str | None, str]:
    """The impact and evidence clauses, and the note left: clauses lead, or follow a note
    given as one "quoted phrase" (its quotes then go)."""
    impact, evidence, rest = _take_clauses(ref, text, None, None)
    quoted = _leading_quoted(rest)
    if quoted is None:
        return impact, evidence, rest
    inner, tail = quoted
    if not tail.strip():
        return (impact, evidence, inner) if impact or evidence else (impact, evidence, rest)
    later_impact, later_evidence, after = _take_clauses(ref, tail, impact, evidence)
    if (later_impact, later_evidence) == (impact, evidence):
        return impact, evidence, rest
    if after.strip():
        raise UserError(
            f"I don't understand “{shown(after.strip())}” after the impact: put the note in "
            f"one place, e.g. `{_impact_usage(ref)}`"
        )
    return later_impact, later_evidence, inner


def _take_clauses(
    ref: str, text: str, impact: Impact | None, evidence: str | None
) -> tuple[Impact | None, str | None, str]:
    """Leading `impact …` and `evidence "…"` clauses, in any order, and the text after them."""
    rest = text
    while m := _CLAUSE.match(rest := rest.lstrip(_LEADING_PUNCTUATION)):
        after = rest[m.end() :]
        if m[1].lower() == "impact":
            found, left = split_leading_impact(after)
            if found is None:
                if _meant_a_judgement(after, colon=bool(m[2])):
                    raise _unknown_judgement(ref, after)
                break
            if impact is not None and found is not impact:
                raise UserError(
                    f"Give one impact: “{impact.words}” or “{found.words}”, not both: "
                    f"`{_impact_usage(ref)}`"
                )
            impact, rest = found, left
            continue
        quoted = _leading_quoted(after)
        if quoted is not None:
            given, rest = quoted
        elif m[2] and after.strip() and after.lstrip()[:1] not in QUOTES:
            given, rest = after, ""
        elif after.lstrip()[:1] in QUOTES:
            raise UserError(f"Close the quote after the evidence: `{_evidence_usage(ref)}`")
        elif m[2] or not after.strip():
            raise UserError(f'Put the evidence in "double quotes": `{_evidence_usage(ref)}`')
        else:
            break  # a note that starts with the word "evidence"
        given = readable(given).strip()
        if not given:
            raise UserError(f"The evidence is empty: `{_evidence_usage(ref)}`")
        if evidence is not None and given != evidence:
            raise UserError(f"Give the evidence once: `{_evidence_usage(ref)}`")
        evidence = given
    return impact, evidence, rest


def _leading_quoted(text: str) -> tuple[str, str] | None:
    """A closed "quoted phrase" at the start: its inside, and the text after it."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in QUOTES:
        return None
    close = next((i for i, ch in enumerate(stripped[1:], 1) if ch in QUOTES), None)
    if close is None:
        return None
    return stripped[1:close], stripped[close + 1 :]


def _meant_a_judgement(after: str, *, colon: bool) -> bool:
    """`impact: great`, `impact "…"`, `impact` alone or `impact emergin`: a judgement was meant
    (and is refused, saying what to type); `impact on children is clear` is just a note."""
    first = after.split(maxsplit=1)[0].lower().strip(".,;:!") if after.strip() else ""
    return (
        colon
        or not first
        or first[:1] in QUOTES
        or bool(difflib.get_close_matches(first, _JUDGEMENT_WORDS, n=1, cutoff=0.75))
    )


def _unknown_judgement(ref: str, after: str) -> UserError:
    words = after.split()
    if not words or words[0][:1] in QUOTES:
        return UserError(
            f"Say what the impact is — evidenced, emerging, not yet or not assessed: "
            f"`{_impact_usage(ref)}`"
        )
    return UserError(
        f"I don't know the impact “{shown(words[0])}”. Say evidenced, emerging, not yet or not "
        f"assessed: `{_impact_usage(ref)}`"
    )


def _impact_usage(ref: str) -> str:
    return USAGE["progress impact"].replace("4.1", ref, 1)


def _evidence_usage(ref: str) -> str:
    return USAGE["progress evidence"].replace("4.1", ref, 1)


def _answer(text: str) -> AnswerChallenge:
    """`/progress answer C12 "…"`: the answer keeps its line breaks; quotes around it go."""
    usage = USAGE["progress answer"]
    first, rest = _split_first(text)
    if not first:
        raise UserError(f"Which challenge, and what's your answer? `{usage}`")
    try:
        challenge = parse_challenge_id(first)
    except UserError:
        raise UserError(
            f"“{shown(first)}” isn't a challenge id like C12: `{usage}` "
            "(`/board challenges` lists them)"
        ) from None
    quoted = _leading_quoted(rest)
    answer = _note(quoted[0] if quoted is not None and not quoted[1].strip() else rest)
    if answer is None:
        raise UserError(f"What's your answer? `{usage.replace('C12', f'C{challenge}')}`")
    return AnswerChallenge(challenge, answer)


def _absence(word: str, text: str) -> ProgressCommand:
    """`/progress away …`, `/progress away cancel …`, `/progress back` (my own absence)."""
    tokens = tokenize(text)
    if word == "back":
        return parse_back(text, tokens, 1, None)
    if len(tokens) == 1:
        return help_for("progress", "away")
    return parse_away(text, tokens, 1, None)


def _split_first(text: str) -> tuple[str, str]:
    """The first word and the rest as typed (line breaks kept)."""
    parts = text.split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], (parts[1] if len(parts) > 1 else "").strip()


def _note(text: str) -> str | None:
    note = readable(text.lstrip(_LEADING_PUNCTUATION).strip())
    return note or None


def _not_a_ref(text: str, first: str) -> str:
    status, _ = split_leading_status(text)
    if status is not None or find_status(first) is not None:
        return (
            "Put the action's ref first: `/progress 4.1 amber survey slipped to June` "
            "(`/progress mine` lists yours)"
        )
    return (
        f"“{shown(first)}” isn't an action ref like 4.1: "
        "`/progress 4.1 amber survey slipped to June` (`/progress mine` lists yours)"
    )


def _date_change(ref: str, text: str) -> RequestDateChange:
    usage = f"/progress {ref} date 31/07/2019 <reason>"
    matches = list(re.finditer(r"\S+", text))
    if not matches:
        raise UserError(f"I need the new date and the reason: `{usage}`")
    try:
        parsed, used = leading_date([m.group() for m in matches])
    except UserError as error:
        raise UserError(f"{date_problem(error)} — e.g. `{usage}`") from None
    reason = _note(text[matches[used - 1].end() :])
    if reason is None:
        raise UserError(
            f"Say why the date needs to change: `/progress {ref} date {parsed} <reason>`"
        )
    return RequestDateChange(ref, parsed.value, parsed.precision, reason)
