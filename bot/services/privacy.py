"""The guard against a child's or family's personal details in board text (issue 12, DESIGN §13).

`guard` is the one check every use case that records people's text calls first (progress
notes, thread replies, challenge answers): it runs `bot.core.personal_data.check` with the
workspace's patterns. Flagged text is not recorded; the update is held (`hold`) until its author
confirms it with one click or rephrases. A confirmation is audited with who and when and the
kinds flagged, never the text. Admins tune the patterns per workspace (`PrivacyService`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import delete, select

from bot.core.errors import NotFound, UserError
from bot.core.permissions import Permission, check
from bot.core.personal_data import (
    DEFAULT_PATTERNS,
    EXPLANATIONS,
    KINDS,
    Finding,
    Patterns,
    format_patterns,
    parse_patterns,
)
from bot.core.personal_data import check as check_text
from bot.services import UseCases
from bot.services.plans import Actor, audit, standing
from bot.services.uow import UnitOfWork
from db.models import HeldNote, PrivacySettings

# A held update nobody confirmed is dropped after this long (it may hold what it flagged).
HELD_FOR = dt.timedelta(days=2)
CONFIRMED = "privacy.record_anyway"


def patterns_for(uow: UnitOfWork, workspace_id: int) -> Patterns:
    """The workspace's patterns: the built-in checks as its admins tuned them."""
    row = uow.session.get(PrivacySettings, workspace_id)
    return patterns_from(row.patterns if row is not None else None)


@functools.lru_cache(maxsize=256)
def patterns_from(stored: str | None) -> Patterns:
    """The patterns a workspace's stored settings text describes (the built-in ones when it
    has none). Parsed once per text: every update from Slack is checked against them."""
    if stored is None or not stored.strip():
        return DEFAULT_PATTERNS
    return parse_patterns(stored)


def guard(
    uow: UnitOfWork, workspace_id: int, text: str | None, confirmed: bool = False
) -> list[Finding]:
    """What in `text` looks like a child's or family's personal details (nothing once its
    author has confirmed it, or when there is no text)."""
    if confirmed or not (text or "").strip():
        return []
    return check_text(text or "", patterns_for(uow, workspace_id))


def refuse_if_flagged(uow: UnitOfWork, workspace_id: int, text: str | None, what: str) -> None:
    """Refuse text for the board that looks like a child's personal details, saying what kind
    was found (never the text itself); nothing is recorded and the person rephrases."""
    findings = guard(uow, workspace_id, text)
    if findings:
        found = "; ".join(EXPLANATIONS.get(kind, kind) for kind in kinds_of(findings))
        raise UserError(
            f"I haven't recorded that {what}: it looks like it holds a child's or family's "
            f"personal details ({found}). The board's log is not a case record: say it "
            "without them and send it again."
        )


def kinds_of(findings: list[Finding]) -> tuple[str, ...]:
    """The kinds flagged, each once, in the order the checks list them."""
    found = {finding.kind for finding in findings}
    return tuple(kind for kind in KINDS if kind in found) + tuple(sorted(found.difference(KINDS)))


@dataclass(frozen=True)
class Held:
    """An update not recorded yet because its text was flagged: what kinds, and the id its
    "Record anyway" button carries. Never the text."""

    held_id: int
    ref: str
    kinds: tuple[str, ...]

    @property
    def explanations(self) -> tuple[str, ...]:
        return tuple(EXPLANATIONS.get(kind, kind) for kind in self.kinds)


def hold(
    uow: UnitOfWork,
    actor: Actor,
    action_id: int,
    ref: str,
    now: dt.datetime,
    findings: list[Finding],
    *,
    source: str,
    status: str | None,
    note: str | None,
    evidence: str | None,
    dedupe_key: str | None,
    challenge_id: int | None = None,
) -> Held:
    """Keep a flagged update until its author confirms it (the same request seen again keeps
    it once); held updates gone stale are dropped on the way."""
    uow.session.execute(delete(HeldNote).where(HeldNote.held_at < now - HELD_FOR))
    kinds = kinds_of(findings)
    if dedupe_key is not None:
        seen = uow.session.scalar(select(HeldNote).where(HeldNote.dedupe_key == dedupe_key))
        if seen is not None:
            return Held(seen.id, ref, tuple(seen.kinds.get("kinds", kinds)))
    row = HeldNote(
        workspace_id=actor.workspace_id,
        person_id=actor.person_id,
        action_id=action_id,
        challenge_id=challenge_id,
        source=source,
        status=status,
        note=note,
        evidence=evidence,
        kinds={"kinds": list(kinds)},
        dedupe_key=dedupe_key,
        held_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    return Held(row.id, ref, kinds)


def take_held(
    uow: UnitOfWork, actor: Actor, held_id: int, now: dt.datetime, *, answer: bool = False
) -> HeldNote:
    """The actor's own held update (`answer`: held answer to a challenge), removed now that it
    is confirmed; the confirmation is audited (who, when, what kinds; not the text)."""
    row = uow.session.get(HeldNote, held_id)
    if (
        row is None
        or row.workspace_id != actor.workspace_id
        or row.person_id != actor.person_id
        or (row.challenge_id is not None) != answer
    ):
        what, again = (
            ("answer", '`/progress answer C<n> "…"`') if answer else ("update", "`/progress`")
        )
        raise NotFound(
            f"That {what} is no longer waiting (it was recorded, or it's over two days old). "
            f"Send it again with {again}."
        )
    audit(
        uow,
        actor,
        now,
        CONFIRMED,
        "action",
        row.action_id,
        None,
        {"kinds": list(row.kinds.get("kinds", [])), "source": row.source}
        | ({"challenge": row.challenge_id} if row.challenge_id is not None else {}),
    )
    uow.session.delete(row)
    uow.session.flush()
    return row


# ---------------------------------------------------------------- admins tune the checks


@dataclass(frozen=True)
class PrivacyPatterns:
    """A workspace's checks as `/plan privacy` shows them."""

    enabled: tuple[str, ...]
    disabled: tuple[str, ...]
    extra: tuple[tuple[str, str], ...]
    allow: tuple[str, ...]
    changed: bool = False  # the last command changed something
    off: bool = False  # the whole check is switched off: nothing is checked or held


def _view(patterns: Patterns, changed: bool = False) -> PrivacyPatterns:
    return PrivacyPatterns(
        enabled=tuple(k for k in KINDS if k in patterns.enabled),
        disabled=tuple(k for k in KINDS if k not in patterns.enabled),
        extra=patterns.extra,
        allow=tuple(sorted(patterns.allow)),
        changed=changed,
        off=patterns.off,
    )


class PrivacyService(UseCases):
    """`/plan privacy`: admins see and tune their workspace's personal-data checks."""

    def show(self, actor: Actor) -> PrivacyPatterns:
        with self.units.request() as uow:
            return _view(patterns_for(uow, actor.workspace_id))

    def change(self, actor: Actor, lines: tuple[str, ...], now: dt.datetime) -> PrivacyPatterns:
        """Apply change lines (`disable postcode`, `add case-number …`, `allow Ellis`)."""
        return self.units.committed(
            lambda uow: self._store(uow, actor, now, lambda p: parse_patterns("\n".join(lines), p))
        )

    def reset(self, actor: Actor, now: dt.datetime) -> PrivacyPatterns:
        return self.units.committed(
            lambda uow: self._store(uow, actor, now, lambda _: DEFAULT_PATTERNS)
        )

    def switch(self, actor: Actor, on: bool, now: dt.datetime) -> PrivacyPatterns:
        """`/plan privacy off|on`: the whole check off (notes, answers, replies and imported
        progress recorded unchecked, nothing held) or on again with the patterns as they were.
        Admins only; audited as `privacy.off` / `privacy.on`."""
        return self.units.committed(
            lambda uow: self._store(
                uow,
                actor,
                now,
                lambda p: replace(p, off=not on),
                "privacy.on" if on else "privacy.off",
            )
        )

    def _store(
        self,
        uow: UnitOfWork,
        actor: Actor,
        now: dt.datetime,
        change: Callable[[Patterns], Patterns],
        audited_as: str = "privacy.patterns",
    ) -> PrivacyPatterns:
        check(Permission.CONFIGURE, standing(uow, actor))
        before = patterns_for(uow, actor.workspace_id)
        after: Patterns = change(before)
        text = format_patterns(after)
        row = uow.session.get(PrivacySettings, actor.workspace_id)
        if row is None:
            row = PrivacySettings(workspace_id=actor.workspace_id, patterns="", changed_at=now)
            uow.session.add(row)
        changed = format_patterns(before) != text
        row.patterns, row.changed_at, row.changed_by_id = text, now, actor.person_id
        audit(
            uow,
            actor,
            now,
            audited_as,
            "workspace",
            actor.workspace_id,
            {"patterns": format_patterns(before)},
            {"patterns": text},
        )
        uow.session.flush()
        return _view(after, changed)
