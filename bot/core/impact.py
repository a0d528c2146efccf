"""Impact judged apart from delivery: what difference an action has made, not whether it is done.

An update may carry an impact judgement against the action's measures (evidenced, emerging, not
yet evidenced, not assessed) and the evidence itself. Delivery is the BRAG status; impact is the
latest judgement given. The rules here are pure functions of plain values:

- An action's headline joins the two. A complete (blue) action reads "Delivered, impact
  evidenced" only when the latest judgement is *evidenced* and evidence has been given; without
  evidence it reads "Delivered, impact not yet evidenced" (or "…impact emerging"), never plain
  "Complete": a board must not mistake a finished task for a difference made to children.
- *Activity without evidence of impact*: the last three updates all carry no impact judgement
  and no evidence. "Not assessed" says nothing about impact, so it counts as no judgement.
- The digest and the pack count delivery and impact apart, and list the delivered actions that
  still owe evidence.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from bot.core.errors import UserError
from bot.core.statuses import Status

__all__ = [
    "ACCEPTED_IMPACT_WORDS",
    "ActionImpact",
    "Impact",
    "ImpactCounts",
    "ImpactUpdate",
    "action_impact",
    "activity_without_impact",
    "find_impact",
    "headline",
    "impact_counts",
    "latest_evidence",
    "latest_impact",
    "owing_evidence",
    "parse_impact",
    "split_leading_impact",
    "wants_evidence",
]

QUIET_UPDATES = 3  # this many updates in a row saying nothing about impact is "activity without"


class Impact(StrEnum):
    EVIDENCED = "evidenced"
    EMERGING = "emerging"
    NOT_YET_EVIDENCED = "not_yet_evidenced"
    NOT_ASSESSED = "not_assessed"

    @property
    def words(self) -> str:
        """`not yet evidenced`: as it reads after "impact"."""
        return self.value.replace("_", " ")

    @property
    def label(self) -> str:
        """`Impact not yet evidenced`: as a label on its own."""
        return f"Impact {self.words}"

    @property
    def is_judgement(self) -> bool:
        """Whether it says something about impact ("not assessed" does not)."""
        return self is not Impact.NOT_ASSESSED


ACCEPTED_IMPACT_WORDS = "evidenced, emerging, not yet (evidenced) or not assessed"

_SYNONYMS: dict[str, Impact] = {}


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("’", "'")
    text = re.sub(r"(?<=\w)[/.](?=\w)", "", text)  # n/a → na, n.a. → na.
    text = text.strip(":.!,;-–—*_'\" ")
    text = re.sub(r"^impact\b[\s:\-–—]*", "", text)  # `impact: emerging` as `emerging`
    return re.sub(r"[\s_\-]+", " ", text)


def _add(impact: Impact, *words: str) -> None:
    for word in words:
        _SYNONYMS[_normalise(word)] = impact


_add(
    Impact.EVIDENCED,
    "evidenced",
    "evident",
    "shown",
    "demonstrated",
    "proven",
    "fully evidenced",
)
_add(
    Impact.EMERGING,
    "emerging",
    "emergent",
    "early signs",
    "some evidence",
    "partial",
    "partly",
    "partly evidenced",
    "partially evidenced",
)
_add(
    Impact.NOT_YET_EVIDENCED,
    "not yet evidenced",
    "not yet",
    "none yet",
    "not evidenced",
    "not yet shown",
    "no evidence",
    "no evidence yet",
    "no impact",
    "no impact yet",
    "none",
    "nye",
)
_add(
    Impact.NOT_ASSESSED,
    "not assessed",
    "not yet assessed",
    "unassessed",
    "n/a",
    "na",
    "not applicable",
    "unknown",
    "not known",
    "too early",
    "too early to say",
    "tbc",
)


def find_impact(text: str | None) -> Impact | None:
    """The judgement a word or phrase stands for (`not yet`, `n/a`, `emerging`), or None."""
    if text is None:
        return None
    key = _normalise(text)
    return _SYNONYMS.get(key) if key else None


def parse_impact(text: str) -> Impact:
    """Like find_impact, but an unknown word is a UserError saying what to type."""
    impact = find_impact(text)
    if impact is None:
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise UserError(f"I don't know the impact “{shown}”. Say one of: {ACCEPTED_IMPACT_WORDS}.")
    return impact


def split_leading_impact(text: str) -> tuple[Impact | None, str]:
    """Split `not yet – carers not surveyed` into (NOT_YET_EVIDENCED, `carers not surveyed`).

    The longest leading phrase of up to four words wins (`not yet evidenced` over `not yet`);
    the rest keeps its line breaks. (None, text) when no leading phrase is a judgement.
    """
    words = list(re.finditer(r"\S+", text))[:4]
    for n in range(len(words), 0, -1):
        impact = find_impact(text[words[0].start() : words[n - 1].end()])
        if impact is not None:
            rest = text[words[n - 1].end() :]
            return impact, rest.lstrip(":-–—,; \t").strip()
    return None, text.strip()


_IMPACT_LEAD = re.compile(r"impact\b[\s:]*", re.IGNORECASE)
_EVIDENCE_LEAD = re.compile(r"evidence\s*[:\-–—]\s*", re.IGNORECASE)


def read_impact_words(text: str | None) -> tuple[Impact | None, str | None, str | None]:
    """A free-text reply as the reminder asks for it: `impact emerging: carers say …` gives a
    judgement and a note; `evidence: audit shows 38 of 40 …` gives evidence. Returns
    (impact, note, evidence); text that starts with neither is all note ("Impact on children
    is …" stays a note: "on" is no judgement)."""
    rest = (text or "").strip()
    impact = None
    if lead := _IMPACT_LEAD.match(rest):
        found, after = split_leading_impact(rest[lead.end() :])
        if found is not None:
            impact, rest = found, after
    if lead := _EVIDENCE_LEAD.match(rest):
        return impact, None, rest[lead.end() :].strip() or None
    return impact, rest or None, None


# ---------------------------------------------------------------- an action's impact


def _given(evidence: str | None) -> bool:
    return bool(evidence and evidence.strip())


@dataclass(frozen=True)
class ImpactUpdate:
    """What one progress update said: its status (None keeps it), judgement and evidence."""

    at: dt.datetime
    status: Status | None = None
    impact: Impact | None = None
    evidence: str | None = None

    @property
    def has_evidence(self) -> bool:
        return _given(self.evidence)

    @property
    def speaks_to_impact(self) -> bool:
        """It gave a judgement (other than "not assessed") or evidence."""
        return self.has_evidence or (self.impact is not None and self.impact.is_judgement)


def _newest_first(updates: Iterable[ImpactUpdate]) -> list[ImpactUpdate]:
    return sorted(updates, key=lambda u: u.at, reverse=True)


def latest_impact(updates: Iterable[ImpactUpdate]) -> Impact | None:
    """The judgement of the newest update that gave one (an update without one keeps it)."""
    return next((u.impact for u in _newest_first(updates) if u.impact is not None), None)


def latest_evidence(updates: Iterable[ImpactUpdate]) -> str | None:
    """The newest evidence given, stripped; None when no update gave any."""
    found = next((u.evidence for u in _newest_first(updates) if u.has_evidence), None)
    return found.strip() if found else None


def activity_without_impact(updates: Iterable[ImpactUpdate], last: int = QUIET_UPDATES) -> bool:
    """Whether the `last` newest updates (there must be that many) all say nothing about
    impact: no judgement and no evidence. Fewer updates is too little to judge: an action
    barely updated shows elsewhere (not updated, overdue)."""
    newest = _newest_first(updates)[:last]
    return len(newest) == last and not any(u.speaks_to_impact for u in newest)


class ActionImpact(NamedTuple):
    """An action's delivery and impact as the digest and the pack weigh them (a NamedTuple:
    the digest makes one for every action of the plan)."""

    ref: str
    status: Status
    impact: Impact | None = None
    evidence: str | None = None

    @property
    def delivered(self) -> bool:
        return self.status.is_complete

    @property
    def impact_evidenced(self) -> bool:
        """Judged evidenced, with the evidence given: a claim alone is not evidence."""
        return self.impact is Impact.EVIDENCED and _given(self.evidence)

    @property
    def owes_evidence(self) -> bool:
        """Delivered, but its impact is not evidenced yet."""
        return self.delivered and not self.impact_evidenced

    @property
    def headline(self) -> str:
        return headline(self.status, self.impact, evidence=self.evidence)


def action_impact(ref: str, status: Status, updates: Iterable[ImpactUpdate]) -> ActionImpact:
    """An action's impact from its update history (any order)."""
    history = list(updates)
    return ActionImpact(ref, status, latest_impact(history), latest_evidence(history))


def headline(status: Status, impact: Impact | None, *, evidence: str | None = None) -> str:
    """Delivery and impact in one phrase.

    Complete: "Delivered, impact evidenced" (judged so, with evidence), "Delivered, impact
    emerging", otherwise "Delivered, impact not yet evidenced". Not complete: the status label,
    and the impact once judged ("On track, impact emerging"); "not assessed" adds nothing.
    """
    has_evidence = _given(evidence)
    if status.is_complete:
        if impact is Impact.EVIDENCED and has_evidence:
            return "Delivered, impact evidenced"
        if impact is Impact.EMERGING:
            return "Delivered, impact emerging"
        return "Delivered, impact not yet evidenced"
    if impact is None or not impact.is_judgement:
        return status.label
    if impact is Impact.EVIDENCED and not has_evidence:
        return f"{status.label}, impact not yet evidenced"
    return f"{status.label}, impact {impact.words}"


def wants_evidence(
    status: Status | None, evidence: str | None, on_record: str | None = None
) -> bool:
    """Whether to ask for the evidence of impact: an update marking the action complete
    without any, when no earlier update gave any either (`on_record`: the latest evidence of
    impact the action has)."""
    return (
        status is not None and status.is_complete and not _given(evidence) and not _given(on_record)
    )


@dataclass(frozen=True)
class ImpactCounts:
    """Delivery and impact counted apart, for the digest and the pack."""

    actions: int
    delivered: int
    impact_evidenced: int  # of all actions, delivered or not
    impact_emerging: int
    owing_evidence: int  # delivered, impact not evidenced


def impact_counts(actions: Iterable[ActionImpact]) -> ImpactCounts:
    """The actions counted, in one pass (the digest counts a whole plan): delivered is
    complete, owing evidence is delivered and not impact-evidenced."""
    total = delivered = evidenced = emerging = owing = 0
    for a in actions:
        total += 1
        is_evidenced = a.impact_evidenced
        evidenced += is_evidenced
        emerging += a.impact is Impact.EMERGING
        if a.delivered:
            delivered += 1
            owing += not is_evidenced
    return ImpactCounts(
        actions=total,
        delivered=delivered,
        impact_evidenced=evidenced,
        impact_emerging=emerging,
        owing_evidence=owing,
    )


def owing_evidence(actions: Sequence[ActionImpact]) -> list[ActionImpact]:
    """The delivered actions still owing evidence of impact, in the order given."""
    return [a for a in actions if a.owes_evidence]
