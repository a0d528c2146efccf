"""`/plan privacy`: the workspace's checks for a child's or family's personal details.

    privacy                          show the patterns
    privacy disable|enable <kind>    switch a built-in check off or on
    privacy add <kind> <regex>       flag the workspace's own record numbers too
    privacy allow <word>             never flag a word or phrase
    privacy reset                    the built-in checks again
    privacy off|on                   the whole check off, or on again as it was

Changes are the lines `bot.core.personal_data.parse_patterns` reads; several may be typed on
separate lines of one command. Each is checked here, with a kind written as words (`nhs
number`, `postcodes`) made its name, and a regex freed of Slack's escaping and of the quotes or
backticks around it.
"""

from __future__ import annotations

import re

from bot.core.errors import UserError
from bot.core.personal_data import DATE_OF_BIRTH, KINDS, PATTERNS_USAGE, parse_patterns
from handlers.grammar import commands as cmd
from handlers.grammar.help import USAGE
from handlers.grammar.tokens import (
    QUOTES,
    Cursor,
    Token,
    date_problem,
    readable,
    shown,
    unescape,
    unknown_subcommand,
)

_CHANGES = ("disable", "enable", "add", "allow")
_KIND_WORDS = {"dob": DATE_OF_BIRTH, "birthday": DATE_OF_BIRTH, "birth-date": DATE_OF_BIRTH}
_LINE_NUMBER = re.compile(r"Line \d+: ")
_WRAPPERS = (*QUOTES, "`")


def parse_privacy(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    """The text after `/plan privacy`."""
    verb = tokens[1].word if len(tokens) > 1 else ""
    if verb in ("", "show", "list"):
        Cursor(source, tokens, 2 if verb else 1, USAGE["privacy"]).done()
        return cmd.PrivacyShow()
    if verb == "reset":
        Cursor(source, tokens, 2, USAGE["privacy reset"]).done()
        return cmd.PrivacyReset()
    if verb in ("off", "on"):
        Cursor(source, tokens, 2, USAGE[f"privacy {verb}"]).done()
        return cmd.PrivacySwitch(on=verb == "on")
    if verb not in _CHANGES:
        raise unknown_subcommand(
            "/plan privacy", tokens[1], (*_CHANGES, "reset", "off", "on"), "/plan help privacy"
        )
    lines = [line.strip() for line in source[tokens[1].start :].splitlines()]
    lines = [line for line in lines if line]
    return cmd.PrivacyChange(tuple(_line(line, n, len(lines)) for n, line in enumerate(lines, 1)))


def _line(line: str, number: int, count: int) -> str:
    """One change as parse_patterns reads it, or a UserError naming the line and the form."""
    where = f"Line {number}: " if count > 1 else ""
    verb, _, rest = line.partition(" ")
    verb, rest = verb.lower(), rest.strip()
    if verb not in _CHANGES:
        raise UserError(
            f"{where}I don't understand “{shown(verb)}”: start each line with disable, enable, "
            f"add or allow, e.g. `{USAGE['privacy disable']}`"
        )
    usage = USAGE[f"privacy {verb}"]
    if verb in ("disable", "enable"):
        if not rest:
            raise UserError(f"{where}Say which check — {', '.join(KINDS)}: `{usage}`")
        change = f"{verb} {_kind(rest)}"
    elif verb == "add":
        kind, _, regex = rest.partition(" ")
        pattern = _unwrapped(unescape(regex))
        if not pattern:
            raise UserError(f"{where}Give the kind, then the pattern: `{usage}`")
        change = f"add {_kind(kind)} {pattern}"
    else:
        word = _unwrapped(readable(rest))
        if not word:
            raise UserError(f"{where}Say which word or phrase never to flag: `{usage}`")
        change = f"allow {word}"
    try:
        parse_patterns(change)
    except UserError as error:
        problem = _LINE_NUMBER.sub("", error.message).replace(PATTERNS_USAGE, "").strip()
        problem = date_problem(UserError(problem[:1].upper() + problem[1:]))
        raise UserError(f"{where}{problem} — e.g. `{usage}`") from None
    return change


def _kind(text: str) -> str:
    """`nhs number` → nhs-number, `postcodes` → postcode, `DOB` → date-of-birth."""
    kind = "-".join(_unwrapped(text).lower().split())
    if kind in _KIND_WORDS:
        return _KIND_WORDS[kind]
    if kind not in KINDS and kind.endswith("s") and kind[:-1] in KINDS:
        return kind[:-1]
    return kind


def _unwrapped(text: str) -> str:
    """Text without the quotes or backticks around all of it."""
    text = text.strip()
    while len(text) > 1 and text[0] in _WRAPPERS and text[-1] in _WRAPPERS:
        text = text[1:-1].strip()
    return text
