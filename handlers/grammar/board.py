"""`/board` text → a command. A "board name" picks a board: first (`/board "<board>" digest`),
after the view (`/board digest "<board>"`), or either side of a ref (`/board theme 4 "<board>"`).

For `decline`, the board name goes straight after the request number and before the reason
(`/board decline 12 "Fostering Board" no evidence yet`); a lone "quoted phrase" is the reason.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import replace

from bot.core.errors import UserError
from handlers.grammar import commands as cmd
from handlers.grammar.help import HELP_WORDS, USAGE, help_for
from handlers.grammar.tokens import (
    Cursor,
    Token,
    clean_ref,
    is_ref,
    one_line,
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
}
_SUBCOMMANDS = (*_VIEWS, "theme", "history", "action", "approve", "decline", "help")


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
