"""Absences, as `/progress away|back` (my own) and `/plan people away|back @user` (an admin's).

    away <first day> to <last day> [deputy @user]   also `from … until …`, or one date for a day
    away cancel [<first day>]                       an absence set for later
    back                                            the one under way ends today

The deputy clause may come before or after the dates. The period is read by
`bot.core.absence.parse_absence_period`; the deputy being the person away is for the use case
to refuse, since `/progress` doesn't know who is typing.
"""

from __future__ import annotations

import datetime as dt
import re

from bot.core.absence import ABSENCE_USAGE, parse_absence_period
from bot.core.dates import DatePrecision, parse_uk_date
from bot.core.errors import UserError
from handlers.grammar import commands as cmd
from handlers.grammar.help import USAGE
from handlers.grammar.tokens import Cursor, Token, readable, shown

_DEPUTY = "deputy"
_EXAMPLE = re.compile(r",? e\.g\. [^.]*\.?$")


def parse_away(
    source: str, tokens: list[Token], pos: int, person: str | None
) -> cmd.SetAbsence | cmd.CancelAbsence:
    """What follows `away` (and the person, for `/plan people away @user`)."""
    usages = _usages(person)
    if pos < len(tokens) and tokens[pos].word == "cancel":
        cursor = Cursor(source, tokens, pos + 1, usages["away cancel"])
        start = None if cursor.at_end() else cursor.take_day("the first day of the absence")
        cursor.done(" (cancel takes the absence's first day, or nothing for every one)")
        return cmd.CancelAbsence(start, person)
    cursor = Cursor(source, tokens, pos, usages["away"])
    deputy: str | None = None
    before: list[Token] = []
    after: list[Token] = []
    while (token := cursor.next()) is not None:
        if token.word.rstrip(":") == _DEPUTY:
            if deputy is not None:
                raise cursor.fail("Name one deputy")
            deputy = cursor.take_user("deputy")
        elif token.is_person_like and deputy is None:
            raise cursor.fail(f"Put “deputy” before {shown(readable(token.raw))}")
        elif token.is_person_like:
            raise cursor.fail("Name one deputy")
        elif token.is_entity:
            raise cursor.fail(f"I don't understand “{shown(readable(token.raw))}”")
        elif deputy is not None and before:
            raise cursor.fail(f"I don't understand “{shown(token.raw)}” after the deputy")
        else:
            (after if deputy is not None else before).append(token)
    period = before or after
    if not period:
        raise cursor.fail("I need the first and last day away")
    start, end = _period(" ".join(t.text for t in period), cursor)
    return cmd.SetAbsence(start, end, deputy, person)


def parse_back(source: str, tokens: list[Token], pos: int, person: str | None) -> cmd.EndAbsence:
    """Nothing may follow `back` (or `back @user`)."""
    Cursor(source, tokens, pos, _usages(person)["back"]).done()
    return cmd.EndAbsence(person)


def _usages(person: str | None) -> dict[str, str]:
    prefix = "progress" if person is None else "people"
    return {key: USAGE[f"{prefix} {key}"] for key in ("away", "away cancel", "back")}


def _period(text: str, cursor: Cursor) -> tuple[dt.date, dt.date]:
    """`22/07/2019 to 09/08/2019`, `from … until …`, or one day on its own."""
    try:
        day = parse_uk_date(text)
    except UserError:
        pass
    else:
        if day.precision == DatePrecision.DAY:
            return day.value, day.value
    try:
        return parse_absence_period(text)
    except UserError as error:
        # The form to type goes after; the pure parser's own example would say it twice.
        problem = _EXAMPLE.sub("", error.message.replace(ABSENCE_USAGE, "").strip())
        raise cursor.fail_date(UserError(problem)) from None
