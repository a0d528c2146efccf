"""`/plan deadline add|remove|list` and `/plan deadlines`.

    deadline add "<title>" <n> working days from <date> [owner @user] [board "<board>"]
    deadline add "<title>" due <date> [owner @user] [board "<board>"]   (or the date alone)
    deadline change "<title>" …                              (as add, for one already there)
    deadline add statement of action from <date>            (70 working days, fixed)
    deadline add monitoring visit <n> months after <date>
    deadline add scrutiny report <n> working days before <date>
    deadline add <clock> due <date>                          (a clock's title, on a set date)
    deadline remove "<title>" [board "<board>"]
    deadlines ["<board>"]                                    (also `deadline list`)

A quoted title's timing is read by `bot.core.deadlines.parse_deadline`; a named clock's by the
forms above, then checked against the clock's own rule (`ClockRequest.deadline`) so that a
number out of range is refused now rather than when it is stored.
"""

from __future__ import annotations

import re

from bot.core.calendar import calendar_for
from bot.core.deadline_requests import ClockRequest, clock_names, find_clock
from bot.core.deadlines import (
    DEADLINE_USAGE,
    MONITORING_VISIT,
    SCRUTINY_REPORT,
    STATEMENT_OF_ACTION_WORKING_DAYS,
    DeadlineRequest,
    NamedClock,
    parse_deadline,
)
from bot.core.errors import UserError
from handlers.grammar import commands as cmd
from handlers.grammar.help import USAGE
from handlers.grammar.tokens import (
    Cursor,
    Token,
    date_problem,
    name_of,
    readable,
    shown,
    unknown_subcommand,
)

_CLAUSES = ("owner", "board")
_VERBS = ("add", "change", "remove", "list")
_NUMBER = re.compile(r"[0-9]{1,4}")


def parse_deadline_command(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    """`/plan deadline …`."""
    verb = tokens[1].word if len(tokens) > 1 else ""
    if verb in ("add", "new"):
        return _add(source, tokens)
    if verb in ("change", "edit", "move"):
        return _add(source, tokens, change=True)
    if verb in ("remove", "delete"):
        return _remove(source, tokens)
    if verb == "list":
        return _list(source, tokens, 2)
    if not verb:
        raise UserError(
            f"Say which deadline command — add, change, remove or list: `{USAGE['deadline add']}`"
        )
    raise unknown_subcommand("/plan deadline", tokens[1], _VERBS, "/plan help deadline")


def parse_deadlines(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    """`/plan deadlines ["<board>"]`."""
    return _list(source, tokens, 1)


def _list(source: str, tokens: list[Token], pos: int) -> cmd.DeadlineList:
    cursor = Cursor(source, tokens, pos, USAGE["deadlines"])
    board = cursor.take_board_words()
    cursor.done(' (a board name goes in "double quotes")')
    return cmd.DeadlineList(board)


def _add(source: str, tokens: list[Token], *, change: bool = False) -> cmd.DeadlineAdd:
    cursor = Cursor(source, tokens, 2, USAGE["deadline change" if change else "deadline add"])
    first = cursor.peek()
    if first is None:
        raise cursor.fail(
            "I need the deadline's title in quotes and when it is due, or a clock — "
            + clock_names()
        )
    timing = cursor.remaining()
    clauses = next((i for i, t in enumerate(timing) if i and t.word in _CLAUSES), len(timing))
    timing = timing[:clauses]
    request: DeadlineRequest | ClockRequest
    if first.quoted:
        request = _titled(source, timing, "deadline change" if change else None)
    else:
        found = find_clock([t.word for t in timing])
        if found is None:
            raise cursor.fail(
                f'Put the deadline\'s title in "double quotes", or name a clock — {clock_names()}'
            )
        clock, used = found
        request = _clock(source, timing, used, clock)
    cursor.pos += len(timing)
    owner, board = _owner_and_board(cursor)
    return cmd.DeadlineAdd(request, owner, board, change=change)


def _titled(source: str, timing: list[Token], usage_key: str | None = None) -> DeadlineRequest:
    """`"<title>" 70 working days from 12/03/2019` or `"<title>" due 28/06/2019`."""
    text = readable(source[timing[0].start : timing[-1].end])
    try:
        return parse_deadline(text)
    except UserError as error:
        due = len(timing) > 1 and timing[1].word == "due"
        usage = USAGE[usage_key or ("deadline due" if due else "deadline add")]
        problem = date_problem(UserError(error.message.replace(DEADLINE_USAGE, "")))
        raise UserError(f"{problem} — e.g. `{usage}`") from None


def _clock(
    source: str, timing: list[Token], used: int, clock: NamedClock
) -> DeadlineRequest | ClockRequest:
    """What follows a clock's name: its own form, or `due <date>` for its title on a set date."""
    cursor = Cursor(source, timing, used, USAGE[f"deadline {clock.key}"])
    if cursor.skip("due"):
        due = cursor.take_date("the date it is due")
        cursor.done()
        return DeadlineRequest(clock.title, due=due.value)
    amount = None
    if clock == MONITORING_VISIT:
        cursor.skip("every")
        amount = _number(cursor, "the months you expect between visits (Ofsted sets the dates)")
        _words(cursor, ("months", "month"), "months")
        _words(cursor, ("after", "from", "since"), "after", optional=True)
        start = cursor.take_day("the date of the last monitoring visit")
    elif clock == SCRUTINY_REPORT:
        amount = _number(cursor, "the working days before the committee meets")
        _words(cursor, ("working",), "working days")
        _words(cursor, ("days", "day"), "working days")
        _words(cursor, ("before",), "before")
        start = cursor.take_day("the date the committee meets")
    else:
        if (token := cursor.peek()) is not None and _NUMBER.fullmatch(token.raw):
            if _number(cursor, "") != STATEMENT_OF_ACTION_WORKING_DAYS:
                raise cursor.fail(
                    f"The statement of action is always due {STATEMENT_OF_ACTION_WORKING_DAYS} "
                    "working days from the report; for another count, give it a title"
                )
            _words(cursor, ("working",), "working days")
            _words(cursor, ("days",), "working days")
        _words(cursor, ("from", "after", "published"), "from", optional=True)
        start = cursor.take_day("the date the inspection report was published")
    cursor.done()
    request = ClockRequest(clock.key, start, amount)
    try:
        request.deadline(calendar_for())
    except UserError as error:
        raise cursor.fail_date(error) from None
    return request


def _number(cursor: Cursor, what: str) -> int:
    token = cursor.peek()
    if token is None or token.quoted or not _NUMBER.fullmatch(token.raw):
        raise cursor.fail(f"I need {what}, as a number")
    cursor.pos += 1
    return int(token.raw)


def _words(
    cursor: Cursor, words: tuple[str, ...], shown_as: str, *, optional: bool = False
) -> None:
    if cursor.peek_word() in words:
        cursor.pos += 1
    elif not optional:
        raise cursor.fail(f"I need “{shown_as}” here")


def _owner_and_board(cursor: Cursor) -> tuple[str | None, str | None]:
    """The optional `owner @user` and `board "<board>"` clauses, each at most once."""
    owner = board = None
    while (token := cursor.next()) is not None:
        if token.word == "owner" and owner is None:
            owner = cursor.take_user("deadline's owner")
        elif token.word == "board" and board is None:
            board = _board_name(cursor)
        else:
            raise cursor.fail(
                f"I don't understand “{shown(token.raw)}” (after when it is due: owner, board "
                "— once each)"
            )
    return owner, board


def _board_name(cursor: Cursor) -> str:
    board = cursor.take_text("board name", _CLAUSES)
    if not board:
        raise cursor.fail("The board name is empty")
    return board


def _remove(source: str, tokens: list[Token]) -> cmd.DeadlineRemove:
    """`"<title>" [board "<board>"]`, or the title's plain words (a clock's name stands for its
    title)."""
    cursor = Cursor(source, tokens, 2, USAGE["deadline remove"])
    rest = cursor.remaining()
    words = next((i for i, t in enumerate(rest) if i and t.word == "board"), len(rest))
    if not rest:
        raise cursor.fail("I need the deadline's title")
    title_tokens = rest[:words]
    if any(t.is_entity for t in title_tokens):
        raise cursor.fail("I need the deadline's title")
    title = name_of(title_tokens, source, lambda: cursor.fail('Put the title in "double quotes"'))
    if not title:
        raise cursor.fail("The title is empty")
    if not rest[0].quoted:
        found = find_clock([t.word for t in title_tokens])
        if found is not None and found[1] == len(title_tokens):
            title = found[0].title
    cursor.pos += words
    board = None
    if cursor.next() is not None:
        board = _board_name(cursor)
    cursor.done()
    return cmd.DeadlineRemove(title, board)
