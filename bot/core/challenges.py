"""The chair's challenge log: a board's questions to an action's owners, and what became of them.

A challenge is an append-only history of events: *asked* (by the chair or a board member),
*answered* (by an owner, a delegate, or a deputy covering an owner), *closed* (by the chair or an
admin) and *reopened* with a follow-up question (chair or admin again). Its state is read from
that history:

    asked → open ─answered→ answered ─closed→ closed
             │  ↖───reopened (follow-up)──┘ │
             └──────────closed──────────────┘   closed ─reopened→ open

An open challenge may be closed unanswered (answered at the meeting, or overtaken); an answered
one may be answered again (owners add to their answer) or reopened when the answer falls short.
Who may do each is in `bot.core.permissions` (ASK_CHALLENGE, ANSWER_CHALLENGE, CLOSE_CHALLENGE).

People type challenges by a short id, `C12`; ages read as the pack shows them: "asked 12 days
ago" (calendar days) or "asked 8 working days ago" with a working calendar.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.calendar import WorkingCalendar, local_date
from bot.core.errors import Conflict, UserError

__all__ = [
    "Challenge",
    "ChallengeCounts",
    "ChallengeEvent",
    "ChallengeFilter",
    "ChallengeState",
    "EventKind",
    "age_text",
    "ago",
    "append",
    "challenge_counts",
    "challenge_label",
    "find_filter",
    "next_state",
    "parse_challenge_id",
    "state_of",
]

PersonId = Hashable
CHALLENGE_ID_EXAMPLE = "C12"
_ID = re.compile(r"#?[Cc]?[-#]?0*([1-9][0-9]{0,8})")


class ChallengeState(StrEnum):
    OPEN = "open"  # waiting for the owners' answer
    ANSWERED = "answered"  # waiting for the chair to close or reopen it
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EventKind(StrEnum):
    ASKED = "asked"
    ANSWERED = "answered"
    CLOSED = "closed"
    REOPENED = "reopened"


@dataclass(frozen=True)
class ChallengeEvent:
    """One step in a challenge's history; `text` is the question, answer, note or follow-up."""

    kind: EventKind
    at: dt.datetime
    by: PersonId
    text: str | None = None


# ---------------------------------------------------------------- ids


def challenge_label(challenge_id: int) -> str:
    """The id people type and read: `C12`."""
    return f"C{challenge_id}"


def parse_challenge_id(text: str) -> int:
    """`C12`, `c12`, `#C12`, `#12` or `12` → 12; anything else is a UserError."""
    cleaned = (text or "").strip().rstrip(".:,;")
    if m := _ID.fullmatch(cleaned):
        return int(m[1])
    shown = " ".join(cleaned.split())
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    raise UserError(
        f"“{shown}” isn't a challenge id like {CHALLENGE_ID_EXAMPLE} "
        "(`/board challenges` lists them)"
    )


# ---------------------------------------------------------------- states


_OPEN, _ANSWERED, _CLOSED = ChallengeState.OPEN, ChallengeState.ANSWERED, ChallengeState.CLOSED
_MOVES: dict[tuple[ChallengeState | None, EventKind], ChallengeState] = {
    (None, EventKind.ASKED): _OPEN,
    (_OPEN, EventKind.ANSWERED): _ANSWERED,
    (_ANSWERED, EventKind.ANSWERED): _ANSWERED,  # owners add to their answer
    (_OPEN, EventKind.CLOSED): _CLOSED,  # answered at the meeting, or overtaken
    (_ANSWERED, EventKind.CLOSED): _CLOSED,
    (_ANSWERED, EventKind.REOPENED): _OPEN,  # the answer falls short: a follow-up
    (_CLOSED, EventKind.REOPENED): _OPEN,
}
_REFUSED: dict[tuple[ChallengeState, EventKind], str] = {
    (_CLOSED, EventKind.ANSWERED): "{label} is closed, so it takes no more answers. The chair "
    'can reopen it with a follow-up: `/board challenge reopen {id} "<question>"`',
    (_CLOSED, EventKind.CLOSED): "{label} is closed already",
    (_OPEN, EventKind.REOPENED): "{label} is still open, waiting for the owners' answer: "
    "there is nothing to reopen yet",
}


def next_state(
    state: ChallengeState | None, kind: EventKind, *, label: str = "This challenge"
) -> ChallengeState:
    """The state after an event, or Conflict (a friendly line) for a move that is not allowed.

    `state` None is a challenge not yet asked; `label` names it in refusals (`C12`).
    """
    if (state, kind) in _MOVES:
        return _MOVES[state, kind]
    if state is None:
        raise ValueError(f"a challenge starts by being asked, not {kind.value}")
    if kind is EventKind.ASKED:
        raise Conflict(f"{label} has been asked already: answer it, or ask a new one")
    raise Conflict(_REFUSED[state, kind].format(label=label, id=_typed(label)))


def _typed(label: str) -> str:
    return label if re.fullmatch(r"C[0-9]+", label) else CHALLENGE_ID_EXAMPLE


_NEEDS_TEXT: dict[EventKind, str] = {
    EventKind.ASKED: "What's the question? "
    '`/board challenge 4.1 "Why has the survey slipped again?"`',
    EventKind.ANSWERED: 'What\'s your answer? `/progress answer {id} "<answer>"`',
    EventKind.REOPENED: "What's the follow-up question? "
    '`/board challenge reopen {id} "<question>"`',
}


def state_of(events: Iterable[ChallengeEvent]) -> ChallengeState | None:
    """The state a history leads to (None for an empty one); raises on an illegal history."""
    state: ChallengeState | None = None
    for event in events:
        state = next_state(state, event.kind)
    return state


def append(
    events: Sequence[ChallengeEvent], event: ChallengeEvent, *, label: str = "This challenge"
) -> tuple[ChallengeEvent, ...]:
    """The history with one more event, checked: a legal move, with the text it needs, no
    earlier than the last event. The history itself is never changed."""
    next_state(state_of(events), event.kind, label=label)
    if event.kind in _NEEDS_TEXT and not (event.text and event.text.strip()):
        raise UserError(_NEEDS_TEXT[event.kind].format(id=_typed(label)))
    if events and event.at < events[-1].at:
        raise ValueError("a challenge's events are appended in time order")
    return (*events, event)


# ---------------------------------------------------------------- a challenge


@dataclass(frozen=True)
class Challenge:
    """A challenge with its whole history; every field people see is read from the events."""

    id: int
    ref: str  # the action's ref
    events: tuple[ChallengeEvent, ...]

    def __post_init__(self) -> None:
        if not self.events or self.events[0].kind is not EventKind.ASKED:
            raise ValueError("a challenge's history starts with its question")
        state_of(self.events)

    @property
    def label(self) -> str:
        return challenge_label(self.id)

    @property
    def state(self) -> ChallengeState:
        state = state_of(self.events)
        assert state is not None
        return state

    def _last(self, *kinds: EventKind) -> ChallengeEvent | None:
        return next((e for e in reversed(self.events) if e.kind in kinds), None)

    @property
    def asked(self) -> ChallengeEvent:
        return self.events[0]

    @property
    def question(self) -> str:
        """The question now standing: the latest follow-up, else the first question."""
        latest = self._last(EventKind.ASKED, EventKind.REOPENED)
        assert latest is not None
        return latest.text or ""

    @property
    def answer(self) -> ChallengeEvent | None:
        """The latest answer (to the question now standing, or an earlier one)."""
        return self._last(EventKind.ANSWERED)

    @property
    def closed(self) -> ChallengeEvent | None:
        """The close that holds now; None unless the challenge is closed."""
        return self._last(EventKind.CLOSED) if self.state is ChallengeState.CLOSED else None

    @property
    def reopened(self) -> bool:
        return any(e.kind is EventKind.REOPENED for e in self.events)

    @property
    def since(self) -> dt.datetime:
        """When it entered its present state (asked, answered, closed or reopened)."""
        return self.events[-1].at

    def waiting_since(self) -> ChallengeEvent:
        """The event that started the present wait: the question or follow-up for an open
        challenge, the answer for an answered one, the close for a closed one."""
        wanted = {
            ChallengeState.OPEN: (EventKind.ASKED, EventKind.REOPENED),
            ChallengeState.ANSWERED: (EventKind.ANSWERED,),
            ChallengeState.CLOSED: (EventKind.CLOSED,),
        }[self.state]
        found = self._last(*wanted)
        assert found is not None
        return found

    def age_line(self, today: dt.date, tz: str, calendar: WorkingCalendar | None = None) -> str:
        """`asked 12 days ago`; `reopened 3 days ago`; `answered yesterday`; `closed today`.

        Days are the board's own (`tz`, and `today` there); with a calendar, working days.
        """
        event = self.waiting_since()
        return f"{event.kind.value} {ago(local_date(event.at, tz), today, calendar)}"


def ago(day: dt.date, today: dt.date, calendar: WorkingCalendar | None = None) -> str:
    """`today`, `yesterday`, `12 days ago`; with a calendar `8 working days ago`
    (`1 working day ago`, and `today` for a day with no working day since)."""
    if calendar is None:
        days = (today - day).days
        unit = "day"
    else:
        days = calendar.working_days_between(day, today)
        unit = "working day"
    if days <= 0:
        return "today"
    if days == 1 and calendar is None:
        return "yesterday"
    return f"{days} {unit}{'s' if days != 1 else ''} ago"


def age_text(asked: dt.date, today: dt.date, calendar: WorkingCalendar | None = None) -> str:
    """`asked 12 days ago`: how the pack shows a question's age."""
    return f"asked {ago(asked, today, calendar)}"


# ---------------------------------------------------------------- lists and counts


class ChallengeFilter(StrEnum):
    """Which challenges `/board challenges` lists; CURRENT (open and answered) by default."""

    CURRENT = "current"
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"
    ALL = "all"

    def admits(self, state: ChallengeState) -> bool:
        if self is ChallengeFilter.ALL:
            return True
        if self is ChallengeFilter.CURRENT:
            return state is not ChallengeState.CLOSED
        return state.value == self.value


_FILTER_WORDS: dict[str, ChallengeFilter] = {
    **{f.value: f for f in ChallengeFilter},
    "live": ChallengeFilter.CURRENT,
    "outstanding": ChallengeFilter.CURRENT,
    "unanswered": ChallengeFilter.OPEN,
    "reopened": ChallengeFilter.OPEN,
    "waiting": ChallengeFilter.OPEN,
    "done": ChallengeFilter.CLOSED,
    "everything": ChallengeFilter.ALL,
}
FILTER_WORDS = "open, answered, closed or all"


def find_filter(word: str) -> ChallengeFilter | None:
    """`open`, `answered`, `closed`, `all` (and a few plain variants), or None."""
    return _FILTER_WORDS.get(word.strip().lower().strip(".:,;"))


@dataclass(frozen=True)
class ChallengeCounts:
    open: int
    answered: int
    closed: int

    @property
    def current(self) -> int:
        """Open and answered: what the pack lists and the digest counts."""
        return self.open + self.answered


def challenge_counts(challenges: Iterable[Challenge]) -> ChallengeCounts:
    states = [c.state for c in challenges]
    return ChallengeCounts(
        open=states.count(ChallengeState.OPEN),
        answered=states.count(ChallengeState.ANSWERED),
        closed=states.count(ChallengeState.CLOSED),
    )
