"""Pure parsers for the text after `/progress`, `/plan` and `/board`.

Each entry point returns a frozen command object or raises UserError with one friendly line
that names what was wrong and shows the form to type. No Slack SDK, database or clock here:
Slack ids come out bare (`U012ABC`), free text comes out unescaped, and a meeting rule stays
raw text for the use case to read with today's date.
"""

from handlers.grammar import commands
from handlers.grammar.board import parse_board
from handlers.grammar.commands import *  # noqa: F403 (the command types, listed once in commands.__all__)
from handlers.grammar.help import HELP_BOARD, HELP_PLAN, HELP_PROGRESS, USAGE, help_text
from handlers.grammar.plan import REMINDER_KEYS, parse_plan
from handlers.grammar.progress import parse_progress

__all__ = [
    "HELP_BOARD",
    "HELP_PLAN",
    "HELP_PROGRESS",
    "REMINDER_KEYS",
    "USAGE",
    "help_text",
    "parse_board",
    "parse_plan",
    "parse_progress",
]
__all__ += commands.__all__
