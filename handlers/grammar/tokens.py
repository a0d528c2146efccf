"""Words, quotes, mentions, dates and times in slash-command text, as Slack sends it.

Slack escapes `&`, `<` and `>` in what people type, so a raw `<…>` is always one of its
entities: `<@U…|jane>`, `<#C…|board>`, `<!here>` or a link. Quotes may be straight or curly;
apostrophes (carers’ views, O'Brien) are never quotes.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from bot.core.dates import (
    ACCEPTED_DATE_FORMATS,
    MONTH_NAMES,
    WEEKDAY_NAMES,
    ParsedDate,
    parse_uk_date,
)
from bot.core.errors import UserError

QUOTES = frozenset('"“”„‟')
SEPARATORS = frozenset({",", "and", "&amp;", "&"})
MAX_DATE_WORDS = 4  # "Tue 14 May 2019", "5th of June 2019"
MAX_SHOWN = 40

_ESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">"}
_ESCAPED = re.compile(r"&(?:amp|lt|gt);")
_ENTITY = re.compile(r"<([^<>\s][^<>]*)>")
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_SPECIAL = re.compile(r"<!([^|>^]*)[^|>]*(?:\|([^>]*))?>")
_REF = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*")
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?(?:([ap])\.?m\.?)?", re.ASCII)
_DATE_WORDS = frozenset(
    {name.lower() for name in MONTH_NAMES[1:] + WEEKDAY_NAMES}
    | {name[:3].lower() for name in MONTH_NAMES[1:] + WEEKDAY_NAMES}
    | {"sept", "tues", "weds", "thur", "thurs"}
)


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in typed text; entities stay as they are."""
    return _ESCAPED.sub(lambda m: _ESCAPES[m.group()], text)


def readable(text: str) -> str:
    """Typed text as a person reads it: `@chris` for `<@U1|chris>`, `#board` for a channel,
    `@here` for `<!here>`, `the plan (https://…)` for a link, then Slack's escaping undone.
    Kept as plain words, none of them can ping anyone when shown again. A mention that
    carries no name (`<@U1>`) stays as it is (it is escaped wherever it is shown)."""
    return unescape(_ENTITY.sub(_entity_words, text))


def _entity_words(match: re.Match[str]) -> str:
    target, _, label = match[1].partition("|")
    if target.startswith(("@", "#")):
        return f"{target[0]}{label.lstrip('@#')}" if label else match[0]
    if target.startswith("!"):
        return special_label(match[0]) or match[0]
    return f"{label} ({target})" if label and label != target else target


def one_line(text: str) -> str:
    """Text with runs of whitespace (line breaks too) made single spaces, for names and titles."""
    return " ".join(text.split())


def shown(text: str) -> str:
    """Typed text fit to quote back in a one-line message."""
    flat = " ".join(unescape(text).split())
    return flat if len(flat) <= MAX_SHOWN else flat[: MAX_SHOWN - 1] + "…"


def is_ref(text: str, *, needs_digit: bool = True) -> bool:
    """`4.1`, `4.1a`, `A1`, `4.1.2` (and `4` or `A` for a theme when needs_digit is False)."""
    if len(text) > 20 or not _REF.fullmatch(text):
        return False
    return not needs_digit or re.search(r"[0-9]", text) is not None


def clean_ref(text: str) -> str:
    """A ref as typed, without trailing punctuation (`4.1:` → `4.1`)."""
    return text.rstrip(".:,;")


def parse_time(text: str) -> dt.time | None:
    """`10:00`, `14.30`, `10am`, `2:30pm`, `noon`; None when it is not a time."""
    lowered = "".join(text.lower().split())
    if lowered in ("noon", "midday"):
        return dt.time(12, 0)
    m = _TIME.fullmatch(lowered)
    if not m or (m[2] is None and m[3] is None):
        return None
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if m[3] == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def looks_like_date(word: str) -> bool:
    """Whether a word could be part of a date (for quoting back the right words)."""
    bare = word.lower().strip(".,")
    return bool(re.search(r"[0-9]", bare)) or bare in _DATE_WORDS


def leading_date(words: list[str]) -> tuple[ParsedDate, int]:
    """The date made by the longest run of leading words, and how many words it took.

    Raises the date parser's UserError (about the date-like leading words) when none fit.
    """
    run = words[:MAX_DATE_WORDS]
    for n in range(len(run), 0, -1):
        try:
            return parse_uk_date(" ".join(run[:n])), n
        except UserError:
            continue
    # Quote back the words up to the last date-like one: "31 Juky 2019", not "31 Juky 2019 x".
    last = max((i for i, word in enumerate(run) if looks_like_date(word)), default=0)
    text = " ".join(run[: last + 1])
    parse_uk_date(text)  # refuses it (every prefix was refused above), saying which forms work
    raise UserError(f"I can't read “{shown(text)}” as a date. Use {ACCEPTED_DATE_FORMATS}.")


def date_problem(error: UserError) -> str:
    """A date parser's message, ready to have the form to type appended."""
    return error.message.rstrip(". ")


@dataclass(frozen=True)
class Token:
    """One word or quoted phrase, still Slack-escaped, with its place in the text."""

    raw: str
    quoted: bool
    start: int
    end: int
    closed: bool = True

    @property
    def word(self) -> str:
        """Lower-case text of a bare word, for keywords ("" for quoted text)."""
        return "" if self.quoted else self.raw.lower()

    @property
    def text(self) -> str:
        return unescape(self.raw)

    @property
    def is_entity(self) -> bool:
        """A Slack entity: a mention, channel, `<!here>` or link."""
        return not self.quoted and self.raw.startswith("<") and self.raw.endswith(">")

    @property
    def is_person_like(self) -> bool:
        """Something typed where a person goes: `<@U…>`, `<!here>` or a plain `@name`."""
        return not self.quoted and self.raw.startswith(("<@", "<!", "@"))


def tokenize(text: str) -> list[Token]:
    """Split into words, "quoted phrases" and Slack entities; a quote left open runs to the end."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in QUOTES:
            j = i + 1
            while j < n and text[j] not in QUOTES:
                j += 1
            closed = j < n
            tokens.append(Token(text[i + 1 : j], True, i, min(j + 1, n), closed))
            i = j + 1
        elif ch == "<" and (j := text.find(">", i)) != -1:
            tokens.append(Token(text[i : j + 1], False, i, j + 1))
            i = j + 1
        else:
            j = i + 1
            while j < n and not text[j].isspace() and text[j] != "<":
                j += 1
            tokens.append(Token(text[i:j], False, i, j))
            i = j
    return tokens


def special_label(raw: str) -> str | None:
    """`@here` for `<!here>`, `@team` for `<!subteam^S1|@team>`; None for anything else."""
    m = _SPECIAL.fullmatch(raw)
    if not m:
        return None
    return m[2] or f"@{m[1]}"


class Cursor:
    """Reads one command form's tokens; every failure names the form to type."""

    def __init__(
        self,
        source: str,
        tokens: list[Token],
        pos: int,
        usage: str,
        *,
        open_quote_ok: bool = False,
    ) -> None:
        self.source = source
        self.tokens = tokens
        self.pos = pos
        self.usage = usage
        last = tokens[-1] if tokens else None
        if last is not None and not last.closed and not open_quote_ok:
            raise self.fail(f"Close the quote after “{shown(last.raw)}”")

    def fail(self, problem: str) -> UserError:
        """A UserError naming the problem and the exact form to type."""
        return UserError(f"{problem}: `{self.usage}`")

    def fail_date(self, error: UserError) -> UserError:
        return UserError(f"{date_problem(error)} — e.g. `{self.usage}`")

    def peek(self, ahead: int = 0) -> Token | None:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else None

    def peek_word(self) -> str:
        token = self.peek()
        return token.word if token else ""

    def skip(self, word: str) -> bool:
        """Step past the next token when it is `word`; whether it was."""
        if self.peek_word() != word:
            return False
        self.pos += 1
        return True

    def next(self) -> Token | None:
        token = self.peek()
        if token is not None:
            self.pos += 1
        return token

    def remaining(self) -> list[Token]:
        return self.tokens[self.pos :]

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def rest_text(self) -> str:
        """The typed text from the next token on, unescaped (for reasons and rules)."""
        token = self.peek()
        return readable(self.source[token.start :].strip()) if token else ""

    def done(self, hint: str = "") -> None:
        """Fail if anything is left over."""
        token = self.peek()
        if token is not None:
            raise self.fail(f"I don't understand “{shown(token.raw)}”{hint}")

    def take_ref(self, kind: str = "action") -> str:
        token = self.next()
        example = "4.1" if kind == "action" else "4"
        if token is None:
            raise self.fail(f"I need the {kind}'s ref, like {example}")
        ref = clean_ref(token.raw)
        if token.quoted or not is_ref(ref, needs_digit=kind == "action"):
            raise self.fail(f"“{shown(token.raw)}” isn't {_a(kind)} ref like {example}")
        return ref

    def take_text(
        self, what: str, keywords: Collection[str] = (), *, multiline: bool = False
    ) -> str:
        """A "quoted phrase" or a single bare word; two bare words must be quoted.

        Names and titles come out on one line; `multiline` keeps line breaks (measures).
        """
        token = self.peek()
        if token is None or (not token.quoted and (token.word in keywords or token.is_entity)):
            raise self.fail(f'I need the {what} in "double quotes"')
        self.pos += 1
        if not token.quoted:
            following = self.peek()
            if (
                following is not None
                and not following.quoted
                and not following.is_entity
                and following.word not in keywords
            ):
                raise self.fail(f'Put the {what} in "double quotes"')
        return token.text.strip() if multiline else one_line(token.text)

    def take_words(self, what: str) -> str:
        """Everything left as one name: a "quoted phrase" or plain words."""
        tokens = self.remaining()
        if not tokens:
            raise self.fail(f"I need the {what}")
        self.pos = len(self.tokens)
        return name_of(tokens, self.source, lambda: self.fail(f'Put the {what} in "double quotes"'))

    def take_user(self, role: str) -> str:
        token = self.next()
        if token is None:
            raise self.fail(f"I need the {role}, picked from Slack's @-menu")
        return self.user_of(token, role)

    def take_users(self, role: str) -> tuple[str, ...]:
        """One or more mentions (commas and `and` between them are fine), without repeats."""
        users: list[str] = []
        while (token := self.peek()) is not None and (
            token.is_person_like or (token.word in SEPARATORS and not token.quoted)
        ):
            self.pos += 1
            if token.word in SEPARATORS:
                continue
            user = self.user_of(token, role)
            if user not in users:
                users.append(user)
        if not users:
            found = self.peek()
            if found is not None and not found.quoted and found.raw.startswith("<#"):
                raise self.user_of(found, role)
            raise self.fail(f"I need at least one {role}, picked from Slack's @-menu")
        return tuple(users)

    def user_of(self, token: Token, role: str) -> str:
        if not token.quoted:
            if m := _USER.fullmatch(token.raw):
                return m[1]
            if (label := special_label(token.raw)) is not None:
                raise self.fail(
                    f"“{shown(label)}” isn't one person: pick the {role} from Slack's @-menu"
                )
            if _CHANNEL.fullmatch(token.raw):
                raise self.fail(f"That's a channel: pick the {role} from Slack's @-menu")
            if token.raw.startswith("@"):
                raise self.fail(
                    f"I can't tell who “{shown(token.raw)}” is: pick the {role} from Slack's "
                    "@-menu so the name turns into a mention"
                )
        raise self.fail(
            f"I need the {role} as a mention picked from Slack's @-menu, not “{shown(token.raw)}”"
        )

    def take_channel(self) -> str:
        token = self.next()
        if token is None:
            raise self.fail("I need the channel, picked from Slack's #-menu")
        if not token.quoted:
            if m := _CHANNEL.fullmatch(token.raw):
                return m[1]
            if token.raw.startswith("#"):
                raise self.fail(
                    f"I can't tell which channel “{shown(token.raw)}” is: pick it from "
                    "Slack's #-menu so it turns into a link (invite me to a private one first)"
                )
        raise self.fail(f"I need a channel picked from Slack's #-menu, not “{shown(token.raw)}”")

    def take_date(self, what: str, keywords: Collection[str] = ()) -> ParsedDate:
        """A date of one to four words (`31/05/2019`, `31 May 2019`, `May-19`) or "quoted"."""
        token = self.peek()
        if token is None or (not token.quoted and (token.word in keywords or token.is_entity)):
            raise self.fail(f"I need {what}")
        if token.quoted:
            self.pos += 1
            try:
                return parse_uk_date(token.text)
            except UserError as error:
                raise self.fail_date(error) from None
        words: list[str] = []
        for candidate in self.remaining()[:MAX_DATE_WORDS]:
            if candidate.quoted or candidate.is_entity or candidate.word in keywords:
                break
            words.append(candidate.text)
        try:
            parsed, used = leading_date(words)
        except UserError as error:
            raise self.fail_date(error) from None
        self.pos += used
        return parsed

    def take_day(self, what: str) -> dt.date:
        """A date that names a day (not just a month)."""
        parsed = self.take_date(what)
        if parsed.precision != "day":
            raise self.fail(f"I need a day, not just “{parsed}”")
        return parsed.value

    def take_at_time(self) -> dt.time | None:
        """An optional `at 10:00` / `at 2:30pm` / `at 10 am`."""
        if self.peek_word() != "at":
            return None
        self.pos += 1
        token = self.next()
        if token is None:
            raise self.fail("I need a time after “at”")
        text = token.raw
        suffix = self.peek()
        if suffix is not None and suffix.word in ("am", "pm", "a.m.", "p.m."):
            self.pos += 1
            text += suffix.raw
        time = None if token.quoted else parse_time(text)
        if time is None:
            raise self.fail(f"I can't read “{shown(text)}” as a time; use 10:00, 10am or 2:30pm")
        return time

    def take_board(self) -> str | None:
        """An optional board name: "quoted", or one last bare word."""
        token = self.peek()
        if token is None:
            return None
        if token.quoted or (len(self.remaining()) == 1 and not token.is_entity):
            self.pos += 1
            name = one_line(token.text)
            if not name:
                raise self.fail("The board name is empty")
            return name
        return None

    def take_board_words(self) -> str | None:
        """An optional board name at the end: "quoted", or the plain words left, as typed."""
        rest = self.remaining()
        if (
            len(rest) < 2
            or not rest[0].raw[:1].isalpha()
            or any(t.quoted or t.is_entity for t in rest)
        ):
            return self.take_board()
        self.pos = len(self.tokens)
        return one_line(unescape(self.source[rest[0].start : rest[-1].end]))

    def take_quoted(self) -> str | None:
        """An optional "quoted phrase"."""
        token = self.peek()
        if token is None or not token.quoted:
            return None
        self.pos += 1
        return one_line(token.text)


def name_of(tokens: list[Token], source: str, too_loose: Callable[[], UserError]) -> str:
    """One "quoted" token's text, or plain words as typed between the first and last."""
    if len(tokens) == 1:
        return one_line(tokens[0].text)
    if any(t.quoted or t.is_entity for t in tokens):
        raise too_loose()
    return one_line(unescape(source[tokens[0].start : tokens[-1].end]))


def unknown_subcommand(
    prefix: str, token: Token, known: Iterable[str], help_command: str = ""
) -> UserError:
    """An unknown subcommand, with a guess at the one meant; `help_command` is what shows
    every form (`{prefix} help` unless given, e.g. `/plan help deadline`)."""
    words = [w for w in known if len(w) > 2]
    guess = difflib.get_close_matches(token.word, words, n=1, cutoff=0.7)
    help_command = help_command or f"{prefix} help"
    if guess:
        return UserError(
            f"I don't know “{shown(token.raw)}” — did you mean `{prefix} {guess[0]}`? "
            f"Type `{help_command}` to see every form"
        )
    return UserError(f"I don't know “{shown(token.raw)}”: type `{help_command}` to see every form")


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"
