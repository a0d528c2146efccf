"""Owners away and their deputies (issue 12, DESIGN §13): absences stored, and who receives,
and who may update, what is meant for an owner on a day.

`/progress away|back` and `/plan people away|back` run `CoverService`. Reminder planning reads
`absences_around` and routes each DM through `bot.core.absence.recipient_for`: to the owner,
to their deputy saying whom they cover, or to nobody (absence days are quiet). A deputy may
update the owner's actions while the owner is away (`covering_for`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.orm import aliased

from bot.core.absence import (
    Absence,
    CoverKind,
    absence_on,
    first_working_day_back,
    overridden_by,
    recipient_for,
    working_days_away,
)
from bot.core.calendar import DEFAULT_TIMEZONE, calendar_for, local_date
from bot.core.dates import format_day
from bot.core.errors import NotFound, UserError
from bot.core.permissions import Permission, check
from bot.services import UseCases
from bot.services.plans import Actor, audit, standing
from bot.services.uow import UnitOfWork
from db.models import Absence as AbsenceRow
from db.models import Action, ActionAssignment, Person, Plan

if TYPE_CHECKING:
    from bot.services.linking import SlackProfile

OWNER = "owner"

_AWAY = aliased(Person, name="away")
_DEPUTY = aliased(Person, name="deputy")


def absences_around(
    uow: UnitOfWork, first: dt.date, last: dt.date, person_ids: list[int] | None = None
) -> list[Absence]:
    """Absences touching first..last, in the order they were set (the latest wins)."""
    query = select(AbsenceRow).where(AbsenceRow.end >= first, AbsenceRow.start <= last)
    if person_ids is not None:
        query = query.where(AbsenceRow.person_id.in_(person_ids))
    return [
        Absence(row.person_id, row.start, row.end, row.deputy_id)
        for row in uow.session.scalars(query.order_by(AbsenceRow.id))
    ]


def _replace_from(uow: UnitOfWork, person_id: int, start: dt.date, end: dt.date) -> None:
    """Leave set again replaces what was set before from its first day on: an earlier absence
    it overlaps ends the day before it starts (or goes, when it starts that day or later).
    People restate their leave ("I'm back on the 22nd after all"); keeping the old days past
    the new last one would keep them away, and the digest's return date old."""
    for row in uow.session.scalars(
        select(AbsenceRow).where(
            AbsenceRow.person_id == person_id, AbsenceRow.end >= start, AbsenceRow.start <= end
        )
    ):
        if row.start < start:
            row.end = start - dt.timedelta(days=1)
        else:
            uow.session.delete(row)
    uow.session.flush()


def last_day_away(person: int, day: dt.date, absences: list[Absence]) -> dt.date:
    """The last of the run of days away that `day` is in (absences set back to back join)."""
    last = day
    while absence_on(person, last + dt.timedelta(days=1), absences) is not None:
        last += dt.timedelta(days=1)
    return last


def covering_for(uow: UnitOfWork, actor: Actor, action_id: int, day: dt.date) -> int | None:
    """The owner of the action the actor covers for on `day` (None: they cover for nobody)."""
    if actor.person_id is None:
        return None
    owners = list(
        uow.session.scalars(
            select(ActionAssignment.person_id).where(
                ActionAssignment.action_id == action_id, ActionAssignment.role == OWNER
            )
        )
    )
    absences = absences_around(uow, day, day, owners + [actor.person_id])
    for owner in owners:
        cover = recipient_for(owner, day, absences)
        if cover.kind is CoverKind.DEPUTY and cover.recipient == actor.person_id:
            return owner
    return None


@dataclass(frozen=True)
class AbsenceView:
    person: str
    start: dt.date
    end: dt.date
    deputy: str | None
    working_days: int
    back_on: dt.date
    mine: bool  # the person typing is the one away
    replaces: tuple[tuple[dt.date, dt.date], ...] = ()  # earlier absences it overrides


@dataclass(frozen=True)
class AbsenceEnded:
    person: str
    mine: bool
    ended: tuple[dt.date, dt.date] | None  # the absence that ended (None: none was under way)


@dataclass(frozen=True)
class AbsencesCancelled:
    person: str
    mine: bool
    cancelled: tuple[tuple[dt.date, dt.date], ...]


@dataclass(frozen=True)
class MyAbsence:
    """My absence under way today, or else my next one: the Home tab shows it."""

    absence_id: int
    start: dt.date
    end: dt.date
    deputy: str | None
    under_way: bool


def my_absence(uow: UnitOfWork, person_id: int | None, today: dt.date) -> MyAbsence | None:
    """The absence under way today (the one set last), or else the next one to start."""
    if person_id is None:
        return None
    rows = uow.session.scalars(
        select(AbsenceRow)
        .where(AbsenceRow.person_id == person_id, AbsenceRow.end >= today)
        .order_by(AbsenceRow.id)
    ).all()
    if not rows:
        return None
    now_away = [r for r in rows if r.start <= today]
    row = now_away[-1] if now_away else min(rows, key=lambda r: (r.start, -r.id))
    deputy = uow.session.get(Person, row.deputy_id) if row.deputy_id is not None else None
    absences = [Absence(r.person_id, r.start, r.end, r.deputy_id) for r in rows]
    return MyAbsence(
        row.id,
        row.start,
        last_day_away(person_id, max(row.start, today), absences),
        deputy.name if deputy is not None else None,
        bool(now_away),
    )


def my_absence_now(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> MyAbsence | None:
    """`my_absence` on the actor's own today."""
    me = uow.session.get(Person, actor.person_id) if actor.person_id else None
    if me is None:
        return None
    return my_absence(uow, me.id, local_date(now, me.timezone or DEFAULT_TIMEZONE))


class CoverService(UseCases):
    """`/progress away|back|away cancel` for oneself, `/plan people away|back` by an admin."""

    def _who(
        self, uow: UnitOfWork, actor: Actor, person: SlackProfile | None
    ) -> tuple[Person, bool]:
        from bot.services.admin import person_for_profile

        if person is None:
            found = uow.session.get(Person, actor.person_id) if actor.person_id else None
            if found is None:
                raise UserError("I couldn't tell who you are. Please try again from Slack.")
            return found, True
        check(Permission.CONFIGURE, standing(uow, actor))
        found = person_for_profile(uow, actor, person)
        return found, found.id == actor.person_id

    def set_away(
        self,
        actor: Actor,
        start: dt.date,
        end: dt.date,
        deputy: SlackProfile | None,
        person: SlackProfile | None,
        now: dt.datetime,
    ) -> AbsenceView:
        from bot.services.admin import person_for_profile

        def work(uow: UnitOfWork) -> AbsenceView:
            away, mine = self._who(uow, actor, person)
            today = local_date(now, away.timezone or DEFAULT_TIMEZONE)
            if end < today:
                raise UserError("That absence is already over. Give days from today on.")
            cover = person_for_profile(uow, actor, deputy) if deputy is not None else None
            if cover is not None and cover.id == away.id:
                raise UserError("The deputy must be someone else: name who covers while away.")
            absence = Absence(away.id, start, end, cover.id if cover else None)
            earlier = overridden_by(absence, absences_around(uow, start, end, [away.id]))
            _replace_from(uow, away.id, start, end)
            row = AbsenceRow(
                person_id=away.id,
                start=start,
                end=end,
                deputy_id=absence.deputy,
                set_at=now,
                set_by_id=actor.person_id,
            )
            uow.session.add(row)
            uow.session.flush()
            audit(
                uow, actor, now, "absence.set", "person", away.id, None,
                {"start": start.isoformat(), "end": end.isoformat(), "deputy": absence.deputy},
            )  # fmt: skip
            calendar = calendar_for()
            return AbsenceView(
                person=away.name,
                start=start,
                end=end,
                deputy=cover.name if cover else None,
                working_days=working_days_away(absence, calendar),
                back_on=first_working_day_back(absence, calendar),
                mine=mine,
                replaces=tuple((a.start, a.end) for a in earlier),
            )

        return self.units.committed(work)

    def back(self, actor: Actor, person: SlackProfile | None, now: dt.datetime) -> AbsenceEnded:
        def work(uow: UnitOfWork) -> AbsenceEnded:
            away, mine = self._who(uow, actor, person)
            today = local_date(now, away.timezone or DEFAULT_TIMEZONE)
            under_way = uow.session.scalars(
                select(AbsenceRow).where(
                    AbsenceRow.person_id == away.id,
                    AbsenceRow.start <= today,
                    AbsenceRow.end >= today,
                )
            ).all()
            if not under_way:
                return AbsenceEnded(away.name, mine, None)
            ended = (min(a.start for a in under_way), max(a.end for a in under_way))
            for row in under_way:
                if row.start == today:
                    uow.session.delete(row)
                else:
                    row.end = today - dt.timedelta(days=1)
            audit(
                uow, actor, now, "absence.back", "person", away.id,
                {"end": ended[1].isoformat()}, {"end": (today - dt.timedelta(days=1)).isoformat()},
            )  # fmt: skip
            return AbsenceEnded(away.name, mine, ended)

        return self.units.committed(work)

    def mine(self, actor: Actor, now: dt.datetime) -> MyAbsence | None:
        """My absence under way, or my next one (the Home tab's)."""
        with self.units.request() as uow:
            return my_absence_now(uow, actor, now)

    def end_mine(
        self, actor: Actor, absence_id: int, now: dt.datetime
    ) -> AbsenceEnded | AbsencesCancelled:
        """The Home tab's Cancel absence: one under way ends (I'm back today, as `back`), one
        still to come is cancelled (as `away cancel <first day>`)."""
        with self.units.request() as uow:
            row = uow.session.get(AbsenceRow, absence_id)
            me = uow.session.get(Person, actor.person_id) if actor.person_id else None
            if row is None or me is None or row.person_id != me.id:
                raise NotFound("That absence is no longer set. `/progress away` sets one.")
            start = row.start
            under_way = start <= local_date(now, me.timezone or DEFAULT_TIMEZONE)
        if under_way:
            return self.back(actor, None, now)
        return self.cancel(actor, start, None, now)

    def cancel(
        self, actor: Actor, start: dt.date | None, person: SlackProfile | None, now: dt.datetime
    ) -> AbsencesCancelled:
        def work(uow: UnitOfWork) -> AbsencesCancelled:
            away, mine = self._who(uow, actor, person)
            today = local_date(now, away.timezone or DEFAULT_TIMEZONE)
            query = select(AbsenceRow).where(
                AbsenceRow.person_id == away.id, AbsenceRow.start > today
            )
            if start is not None:
                query = query.where(AbsenceRow.start == start)
            rows = uow.session.scalars(query.order_by(AbsenceRow.start)).all()
            if not rows:
                raise NotFound(
                    "There's no absence set for later"
                    + (" starting that day." if start else ".")
                    + " One under way ends with `back`."
                )
            cancelled = tuple((r.start, r.end) for r in rows)
            for row in rows:
                uow.session.delete(row)
            audit(
                uow, actor, now, "absence.cancel", "person", away.id,
                {"absences": [[a.isoformat(), b.isoformat()] for a, b in cancelled]}, None,
            )  # fmt: skip
            return AbsencesCancelled(away.name, mine, cancelled)

        return self.units.committed(work)


def who_is_covering(uow: UnitOfWork, board_id: int, today: dt.date) -> tuple[str, ...]:
    """Owners on the board away today, and who covers for each (the digest's lines)."""
    return cover_today(uow, board_id, today)[0]


def cover_today(
    uow: UnitOfWork, board_id: int, today: dt.date
) -> tuple[tuple[str, ...], list[Absence]]:
    """The digest's lines of who is away today and who covers, and the absences of the board's
    owners from today on (for `without_cover`), in one query."""
    owner, deputy = _AWAY, _DEPUTY
    # Asked of each absence (a few), not of every owner on the board (thousands).
    is_owner = (
        select(ActionAssignment.action_id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .join(Plan, Plan.id == Action.plan_id)
        .where(
            ActionAssignment.person_id == AbsenceRow.person_id,
            Plan.board_id == board_id,
            Plan.active.is_(True),
            Action.removed_at.is_(None),
            ActionAssignment.role == OWNER,
        )
        .exists()
    )
    rows = uow.session.execute(
        select(AbsenceRow, owner.name, deputy.name, is_owner)
        .join(owner, owner.id == AbsenceRow.person_id)
        .outerjoin(deputy, deputy.id == AbsenceRow.deputy_id)
        # owners' absences from today on; anyone's today (a deputy away covers nobody)
        .where(AbsenceRow.end >= today, or_(is_owner, AbsenceRow.start <= today))
        .order_by(AbsenceRow.id)
    ).all()
    absences = [Absence(r.person_id, r.start, r.end, r.deputy_id) for r, _, _, _ in rows]
    latest = {  # the absence that counts today, for each owner away today (last set wins)
        row.person_id: (row, name, cover)
        for row, name, cover, owns in rows
        if owns and row.start <= today <= row.end
    }
    lines = []
    for person_id, (_row, name, cover) in sorted(latest.items(), key=lambda kv: kv[1][1]):
        until = format_day(last_day_away(person_id, today, absences))
        kind = recipient_for(person_id, today, absences).kind
        if kind is CoverKind.DEPUTY and cover:
            lines.append(f"{name} is away until {until}; {cover} covers")
        else:
            lines.append(f"{name} is away until {until}; no cover")
    return tuple(lines), absences
