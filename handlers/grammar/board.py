"""`/board` text → a command. A "board name" picks a board: first (`/board "<board>" digest`),
after the view (`/board digest "<board>"`), or either side of a ref (`/board theme 4 "<board>"`).

For `decline`, the board name goes straight after the request number and before the reason
(`/board decline 12 "Fostering Board" no evidence yet`); a lone "quoted phrase" is the reason.

Challenges: `challenge <ref> "<question>"` asks (a second "quoted phrase" names the board);
`challenge close|reopen <id> …` act on one by its id (`C12`), which names its board already;
`challenges [open|answered|closed|all]` lists them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import replace

from bot.core.challenges import FILTER_WORDS, ChallengeFilter, find_filter, parse_challenge_id
from bot.core.errors import UserError
from handlers.grammar import commands as cmd
from handlers.grammar.help import HELP_WORDS, USAGE, help_for
from handlers.grammar.tokens import (
    Cursor,
    Token,
    clean_ref,
    is_ref,
    one_line,
    readable,
    shown,
    tokenize,
    unescape,
    unknown_subcommand,
)

_REQUEST_ID = re.compile(r"#?([0-9]{1,9})")

_VIEWS: dict[str, tuple[str, Callable[[str | None], cmd.BoardCommand]]] = {
    "status": ("board status", cmd.ShowStatus),
    "digest": ("board digest", cmd.ShowDigest),
    "pack": ("board pack", cmd.ShowPack),
    "overdue": ("board overdue", cmd.ShowOverdue),
    "meetings": ("board meetings list", cmd.ShowMeetings),
    "deadlines": ("board deadlines", cmd.ShowDeadlines),
}
_SUBCOMMANDS = (
    *_VIEWS,
    "theme",
    "history",
    "action",
    "approve",
    "decline",
    "challenge",
    "challenges",
    "help",
)


def parse_board(text: str) -> cmd.BoardCommand:
    """Read the text after `/board`."""
    source = text or ""
    tokens = tokenize(source)
    if not tokens:
        return cmd.ShowStatus()
    first = tokens[0]
    if first.quoted:
        cursor = Cursor(source, tokens, 0, USAGE["board status"])
        board = cursor.take_board()
        if len(tokens) == 1:
            return cmd.ShowStatus(board)
        return _on_board(board, parse_board(source[tokens[1].start :]))
    word = first.word
    if word in HELP_WORDS:
        return help_for("board", " ".join(t.raw for t in tokens[1:2]))
    if word in _VIEWS:
        key, command = _VIEWS[word]
        cursor = Cursor(source, tokens, 1, USAGE[key])
        board = cursor.take_board_words()
        cursor.done(' (a board name goes in "double quotes")')
        return command(board)
    if word in ("theme", "history", "action"):
        kind = "theme" if word == "theme" else "action"
        usage = USAGE["board history" if word == "action" else f"board {word}"]
        cursor = Cursor(source, tokens, 1, usage)
        board = cursor.take_quoted()
        if board is not None and not one_line(board):
            raise cursor.fail("The board name is empty")
        ref = cursor.take_ref(kind)
        board = one_line(board) if board else cursor.take_board_words()
        cursor.done()
        return cmd.ShowTheme(ref, board) if word == "theme" else cmd.ShowHistory(ref, board)
    if word == "approve":
        cursor = Cursor(source, tokens, 1, USAGE["board approve"])
        request_id = _request_id(cursor)
        board = cursor.take_board_words()
        cursor.done(" (approve takes the request's number)")
        return cmd.ApproveDateChange(request_id, board)
    if word == "decline":
        cursor = Cursor(source, tokens, 1, USAGE["board decline"], open_quote_ok=True)
        request_id = _request_id(cursor)
        rest = cursor.remaining()
        if len(rest) == 1 and rest[0].quoted:  # a lone "quoted phrase" is the reason
            return cmd.DeclineDateChange(request_id, rest[0].text.strip() or None)
        board = cursor.take_quoted()
        if board is not None and not board:
            raise cursor.fail("The board name is empty")
        return cmd.DeclineDateChange(request_id, cursor.rest_text() or None, board)
    if word == "challenges":
        return _challenge_list(source, tokens, 1)
    if word == "challenge":
        return _challenge(source, tokens)
    if _an_unquoted_board_name(tokens):
        return cmd.ShowStatus(one_line(unescape(source[first.start : tokens[-1].end])))
    raise unknown_subcommand("/board", first, _SUBCOMMANDS)


def _an_unquoted_board_name(tokens: list[Token]) -> bool:
    """`/board Children's Improvement Board`: several plain words that aren't a mistyped view."""
    first = tokens[0]
    return (
        len(tokens) > 1
        and not any(t.quoted or t.is_entity for t in tokens)
        and not is_ref(clean_ref(first.raw))
        and not difflib.get_close_matches(first.word, _SUBCOMMANDS, n=1, cutoff=0.7)
    )


def _on_board(board: str | None, command: cmd.BoardCommand) -> cmd.BoardCommand:
    """`/board "<board>" digest`: the name in front picks the board for the rest."""
    if isinstance(command, cmd.Help) or board is None:
        return command
    if command.board is not None and command.board.lower() != board.lower():
        raise UserError(
            f"Name one board: “{shown(board)}” or “{shown(command.board)}”, not both: "
            f"`{USAGE['board status']}`"
        )
    return replace(command, board=board)


def _request_id(cursor: Cursor) -> int | None:
    token: Token | None = cursor.peek()
    if token is None or token.quoted:
        return None
    if m := _REQUEST_ID.fullmatch(token.raw):
        cursor.pos += 1
        return int(m[1])
    if token.raw.startswith("#"):
        raise cursor.fail(f"“{shown(token.raw)}” isn't a request number like 12")
    return None


def _challenge(source: str, tokens: list[Token]) -> cmd.BoardCommand:
    """`challenge <ref> "<question>"`, `challenge close|reopen <id> …`, `challenge list`."""
    verb = tokens[1].word if len(tokens) > 1 else ""
    if verb in ("close", "closed"):
        cursor = Cursor(source, tokens, 2, USAGE["board challenge close"])
        challenge = _challenge_id(cursor)
        return cmd.CloseChallenge(challenge, _challenge_text(cursor))
    if verb in ("reopen", "re-open"):
        cursor = Cursor(source, tokens, 2, USAGE["board challenge reopen"])
        challenge = _challenge_id(cursor)
        follow_up = _challenge_text(cursor)
        if follow_up is None:
            raise cursor.fail("I need the follow-up question")
        return cmd.ReopenChallenge(challenge, follow_up)
    if verb in ("list", "log"):
        return _challenge_list(source, tokens, 2)
    if verb in ("answer", "reply"):
        raise UserError(
            'Owners answer a challenge with `/progress answer C12 "<answer>"` '
            "(or by replying in its thread)"
        )
    cursor = Cursor(source, tokens, 1, USAGE["board challenge"])
    if cursor.at_end():
        raise cursor.fail("I need the action's ref and the question")
    ref = cursor.take_ref()
    rest = cursor.remaining()
    if len(rest) == 1 and rest[0].word in ("close", "closed", "reopen", "answer"):
        raise UserError(
            f"Put the id after the word: `/board challenge {rest[0].word} {ref} …` "
            "(`/board challenges` lists the ids)"
        )
    if len(rest) == 2 and rest[0].quoted and rest[1].quoted:  # "<question>" "<board>"
        question, board = readable(rest[0].raw).strip(), one_line(rest[1].text) or None
    else:
        question, board = _challenge_text(cursor) or "", None
    if not question:
        raise cursor.fail("I need the question")
    return cmd.AskChallenge(ref, question, board)


def _challenge_id(cursor: Cursor) -> int:
    token = cursor.next()
    if token is None:
        raise cursor.fail("I need the challenge's id, like C12")
    try:
        return parse_challenge_id("" if token.quoted else token.raw)
    except UserError:
        raise cursor.fail(f"“{shown(token.raw)}” isn't a challenge id like C12") from None


def _challenge_text(cursor: Cursor) -> str | None:
    """The rest as one question, answer or note: a "quoted phrase" (its quotes go), or the
    words as typed; line breaks stay, mentions become plain words."""
    rest = cursor.remaining()
    cursor.pos = len(cursor.tokens)
    if not rest:
        return None
    if len(rest) == 1 and rest[0].quoted:
        text = readable(rest[0].raw).strip()
    else:
        text = readable(cursor.source[rest[0].start : rest[-1].end]).strip()
    return text or None


def _challenge_list(source: str, tokens: list[Token], pos: int) -> cmd.ListChallenges:
    """`challenges [open|answered|closed|all] ["<board>"]` (the board may come first)."""
    cursor = Cursor(source, tokens, pos, USAGE["board challenges"])
    board = cursor.take_quoted()
    show = find_filter(cursor.peek_word()) if cursor.peek_word() else None
    if show is not None:
        cursor.pos += 1
    rest = cursor.remaining()
    if len(rest) == 1 and not rest[0].quoted and not rest[0].is_entity and board is None:
        raise cursor.fail(f"I don't know “{shown(rest[0].raw)}”: say {FILTER_WORDS}")
    if board is None:
        board = cursor.take_board_words()
    elif board == "":
        raise cursor.fail("The board name is empty")
    cursor.done(f' (say {FILTER_WORDS}; a board name goes in "double quotes")')
    return cmd.ListChallenges(show or ChallengeFilter.CURRENT, board)
