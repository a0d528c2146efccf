"""`/plan` text → a command (the grammar in DESIGN §4)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace

from bot.core.errors import UserError
from handlers.grammar import commands as cmd
from handlers.grammar.absence import parse_away, parse_back
from handlers.grammar.deadlines import parse_deadline_command, parse_deadlines
from handlers.grammar.help import HELP_WORDS, USAGE, help_for
from handlers.grammar.privacy import parse_privacy
from handlers.grammar.tokens import (
    Cursor,
    Token,
    name_of,
    one_line,
    shown,
    tokenize,
    unescape,
    unknown_subcommand,
)

_Parser = Callable[[str, list[Token]], cmd.PlanCommand]

REMINDER_KEYS: dict[str, tuple[int, str]] = {
    # key: (smallest value, example)
    "due": (0, "due=10,3,0"),
    "overdue": (1, "overdue=5"),
    "escalate": (1, "escalate=10"),
    "window": (0, "window=10"),
    "updates_due": (0, "updates_due=5"),
    "last_call": (0, "last_call=1"),
    "pack": (0, "pack=2"),
}
REMINDER_KEY_LIST = "due, overdue, escalate, window, updates_due, last_call or pack"
MAX_WORKING_DAYS = 365
EXPORT_FORMATS: dict[str, cmd.ExportFormat] = {
    "xlsx": "xlsx",
    "excel": "xlsx",
    "csv": "csv",
    "md": "md",
    "markdown": "md",
}


def parse_plan(text: str) -> cmd.PlanCommand:
    """Read the text after `/plan`."""
    source = text or ""
    tokens = tokenize(source)
    if not tokens:
        return help_for("plan")
    head = tokens[0].word
    if head in HELP_WORDS:
        return help_for("plan", " ".join(t.raw for t in tokens[1:2]))
    parser = _PARSERS.get(head)
    if parser is None:
        raise unknown_subcommand("/plan", tokens[0], _PARSERS)
    plan = None
    if head in _IN_A_PLAN and len(tokens) > 3 and tokens[-2].word == "plan" and tokens[-1].quoted:
        plan = " ".join(tokens[-1].text.split()) or None
        tokens = tokens[:-2]
        source = source[: tokens[-1].end]
    command = parser(source, tokens)
    return replace(command, plan=plan) if plan else command


# Theme and action lines may end with `plan "<title>"` to say which of several active plans.
_IN_A_PLAN = ("theme", "action")


def _verb(
    tokens: list[Token], verbs: tuple[str, ...], key: str, what: str, aliases: Collection[str] = ()
) -> str:
    """The word after a subcommand (`add`, `cancel`, …), or a UserError naming the choices."""
    word = tokens[1].word if len(tokens) > 1 else ""
    if word in verbs or word in aliases:
        return word
    choices = ", ".join(verbs[:-1]) + f" or {verbs[-1]}" if len(verbs) > 1 else verbs[0]
    raise UserError(f"Say which {what} command — {choices}: `{USAGE[key]}`")


def _nothing_more(key: str, command: cmd.PlanCommand) -> _Parser:
    def parse(source: str, tokens: list[Token]) -> cmd.PlanCommand:
        Cursor(source, tokens, 1, USAGE[key]).done(f" after `/plan {tokens[0].word}`")
        return command

    return parse


# ---------------------------------------------------------------- boards


def _board(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verb = tokens[1].word if len(tokens) > 1 else ""
    parser = _BOARD_PARSERS.get(verb)
    if parser is None:
        raise UserError(
            "Say which board command — create, edit, meetings, meeting, reminders: "
            f"`{USAGE['board create']}` (`/plan help board` shows them all)"
        )
    return parser(source, tokens)


def _board_edit(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 2, USAGE["board edit"])
    board = cursor.take_quoted()
    if board is not None and not board:
        raise cursor.fail("The board name is empty")
    chair, channel = _chair_and_channel(cursor, "chair, channel")
    if chair is None and channel is None:
        raise cursor.fail("Say the new chair or channel (or both)")
    return cmd.BoardEdit(board, chair, channel)


def _chair_and_channel(cursor: Cursor, expected: str) -> tuple[str | None, str | None]:
    """The optional `chair @user` and `channel #channel` clauses, each at most once."""
    chair = channel = None
    while (token := cursor.next()) is not None:
        if token.word == "chair" and chair is None:
            chair = cursor.take_user("chair")
        elif token.word == "channel" and channel is None:
            channel = cursor.take_channel()
        else:
            raise cursor.fail(f"I don't understand “{shown(token.raw)}” ({expected})")
    return chair, channel


def _board_create(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 2, USAGE["board create"])
    keywords = ("chair", "channel")
    name = cursor.take_text("board name", keywords)
    if not name:
        raise cursor.fail("The board name is empty")
    chair, channel = _chair_and_channel(cursor, "after the name: chair, channel")
    return cmd.BoardCreate(name, chair, channel)


def _board_meetings(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    if len(tokens) > 2 and tokens[2].word in ("add", "cancel"):
        return _board_meeting(source, tokens)
    usage = USAGE["board meetings"]
    cursor = Cursor(source, tokens, 2, usage)
    rule_tokens = cursor.remaining()
    time = None
    # Only a trailing `at <time>` is the time; an `at` earlier on belongs to the rule.
    ats = [i for i, token in enumerate(rule_tokens) if token.word == "at"]
    if ats and len(rule_tokens) - ats[-1] <= 3:
        tail = Cursor(source, rule_tokens, ats[-1], usage)
        time = tail.take_at_time()
        tail.done()
        rule_tokens = rule_tokens[: ats[-1]]
    board = None
    if len(rule_tokens) > 1 and rule_tokens[0].quoted:
        board = one_line(rule_tokens[0].text)
        rule_tokens = rule_tokens[1:]
        if not board:
            raise cursor.fail("The board name is empty")
    rule = ""
    if len(rule_tokens) == 1:
        rule = one_line(rule_tokens[0].text)
    elif rule_tokens:
        rule = one_line(unescape(source[rule_tokens[0].start : rule_tokens[-1].end]))
    if not rule:
        raise cursor.fail("I need the meeting rule")
    return cmd.BoardMeetings(rule, time, board)


def _board_meeting(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verb = tokens[2].word if len(tokens) > 2 else ""
    if verb not in ("add", "cancel"):
        raise UserError(f"Say add or cancel: `{USAGE['board meeting add']}`")
    cursor = Cursor(source, tokens, 3, USAGE[f"board meeting {verb}"])
    board = cursor.take_quoted()
    day = cursor.take_day("the meeting's date")
    time = None
    while (token := cursor.peek()) is not None:
        if token.quoted and board is None:
            board = cursor.take_quoted()
        elif token.word == "at" and verb == "add" and time is None:
            time = cursor.take_at_time()
        else:
            break
    cursor.done()
    if verb == "add":
        return cmd.BoardMeetingAdd(day, time, board)
    return cmd.BoardMeetingCancel(day, board)


def _board_reminders(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 2, USAGE["board reminders"])
    board = cursor.take_quoted()
    word = cursor.peek_word()
    if word == "pause":
        cursor = Cursor(source, tokens, cursor.pos + 1, USAGE["board reminders pause"])
        cursor.skip("until")
        until = cursor.take_date("the date to pause until")
        cursor.done()
        return cmd.BoardRemindersPause(until.value, board)
    if word == "resume":
        cursor = Cursor(source, tokens, cursor.pos + 1, USAGE["board reminders resume"])
        cursor.done()
        return cmd.BoardRemindersResume(board)
    due, numbers = _reminder_settings(cursor.rest_text())
    return cmd.BoardReminders(
        board,
        due=due,
        overdue=numbers.get("overdue"),
        escalate=numbers.get("escalate"),
        window=numbers.get("window"),
        updates_due=numbers.get("updates_due"),
        last_call=numbers.get("last_call"),
        pack=numbers.get("pack"),
    )


def _reminder_settings(text: str) -> tuple[tuple[int, ...] | None, dict[str, int]]:
    """`due=10,3,0 overdue=5` → ((10, 3, 0), {"overdue": 5}); spaces around = and , are fine."""
    usage = USAGE["board reminders"]
    items = re.sub(r"\s*([=,])\s*", r"\1", text).split()
    if not items:
        raise UserError(f"Say which reminders to change ({REMINDER_KEY_LIST}): `{usage}`")
    due: tuple[int, ...] | None = None
    numbers: dict[str, int] = {}
    for item in items:
        key, equals, value = item.partition("=")
        key = key.lower().replace("-", "_")
        if not equals:
            raise UserError(f"I don't understand “{shown(item)}”: write key=value, like `{usage}`")
        if key not in REMINDER_KEYS:
            raise UserError(
                f"There's no reminder setting “{shown(key)}”; use {REMINDER_KEY_LIST}: `{usage}`"
            )
        if key in numbers or (key == "due" and due is not None):
            raise UserError(f"{key} is given twice: `{usage}`")
        low, example = REMINDER_KEYS[key]
        if key == "due":
            days = [_working_days(part) for part in value.split(",")]
            if any(day is None for day in days):
                raise UserError(
                    f"due needs working days before the due date, 0 to {MAX_WORKING_DAYS}, "
                    f"separated by commas: `/plan board reminders {example}`"
                )
            due = tuple(sorted({day for day in days if day is not None}, reverse=True))
            continue
        number = _working_days(value)
        if number is None or number < low:
            raise UserError(
                f"{key} needs a whole number of working days, {low} to {MAX_WORKING_DAYS}: "
                f"`/plan board reminders {example}`"
            )
        numbers[key] = number
    return due, numbers


def _working_days(text: str) -> int | None:
    if not re.fullmatch(r"[0-9]{1,3}", text):
        return None
    number = int(text)
    return number if number <= MAX_WORKING_DAYS else None


# ---------------------------------------------------------------- plans, themes, actions


def _new(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 1, USAGE["new"])
    title = cursor.take_text("plan title", ("board",))
    if not title:
        raise cursor.fail("The plan title is empty")
    board = None
    if cursor.skip("board"):
        board = cursor.take_text("board name")
        if not board:
            raise cursor.fail("The board name is empty")
    cursor.done(" (after the title: board)")
    return cmd.PlanNew(title, board)


def _theme(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verb = _verb(tokens, ("add", "edit", "remove"), "theme add", "theme")
    if verb == "edit":
        return _theme_edit(source, tokens)
    if verb == "remove":
        cursor = Cursor(source, tokens, 2, USAGE["theme remove"])
        ref = cursor.take_ref("theme")
        cursor.done()
        return cmd.ThemeRemove(ref)
    cursor = Cursor(source, tokens, 2, USAGE["theme add"])
    ref = cursor.take_ref("theme")
    title = cursor.take_text("theme title", ("lead",))
    if not title:
        raise cursor.fail("The theme title is empty")
    lead = _lead(cursor)
    return cmd.ThemeAdd(ref, title, lead)


def _lead(cursor: Cursor) -> str | None:
    """A theme's `lead @user` clause, the last thing on the line, if given."""
    lead = cursor.take_user("theme lead") if cursor.skip("lead") else None
    cursor.done(" (after the title: lead)")
    return lead


def _theme_edit(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 2, USAGE["theme edit"])
    ref = cursor.take_ref("theme")
    title = None
    token = cursor.peek()
    if token is not None and token.word != "lead":
        title = cursor.take_text("theme's new title", ("lead",))
        if not title:
            raise cursor.fail("The new title is empty")
    lead = _lead(cursor)
    if title is None and lead is None:
        raise cursor.fail("Say the new title, the new lead, or both")
    return cmd.ThemeEdit(ref, title, lead)


_ACTION_CLAUSES = ("due", "owner", "owners", "theme", "measures", "measure")
_EDIT_CLAUSES = ("title", "due", "measures", "measure")


def _action(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verbs = ("add", "edit", "move", "owner", "delegate", "remove")
    verb = _verb(tokens, verbs, "action add", "action", aliases=("owners",))
    verb = "owner" if verb == "owners" else verb
    cursor = Cursor(source, tokens, 2, USAGE[f"action {verb}"])
    return _ACTION_PARSERS[verb](cursor, cursor.take_ref())


def _action_add(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    title = cursor.take_text("action's title", _ACTION_CLAUSES)
    if not title:
        raise cursor.fail("The action's title is empty")
    due = owners = theme = measures = None
    while (token := cursor.next()) is not None:
        word = token.word
        if word == "due" and due is None:
            due = cursor.take_date("a due date after “due”", _ACTION_CLAUSES)
        elif word in ("owner", "owners") and owners is None:
            owners = cursor.take_users("owner")
        elif word == "theme" and theme is None:
            theme = cursor.take_ref("theme")
        elif word in ("measures", "measure") and measures is None:
            measures = cursor.take_text("measures", _ACTION_CLAUSES, multiline=True)
        else:
            raise cursor.fail(
                f"I don't understand “{shown(token.raw)}” "
                "(after the title: due, owner, theme, measures — once each)"
            )
    if due is None:
        raise cursor.fail("I need a due date")
    if owners is None:
        raise cursor.fail("I need at least one owner")
    return cmd.ActionAdd(ref, title, due, owners, theme, measures or None)


def _action_edit(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    title = due = measures = None
    while (token := cursor.next()) is not None:
        word = token.word
        if word == "title" and title is None:
            title = cursor.take_text("new title", _EDIT_CLAUSES)
            if not title:
                raise cursor.fail("The new title is empty")
        elif word == "due" and due is None:
            due = cursor.take_date("the new due date after “due”", _EDIT_CLAUSES)
        elif word in ("measures", "measure") and measures is None:
            measures = cursor.take_text("measures", _EDIT_CLAUSES, multiline=True)
        else:
            raise cursor.fail(
                f"I don't understand “{shown(token.raw)}” (title, due, measures — once each)"
            )
    if title is None and due is None and measures is None:
        raise cursor.fail("Say what to change")
    return cmd.ActionEdit(ref, title, due, measures)


def _action_move(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    cursor.skip("to")
    if not cursor.skip("theme"):
        raise cursor.fail("Say which theme to move it to")
    theme = cursor.take_ref("theme")
    cursor.done()
    return cmd.ActionMove(ref, theme)


def _action_owner(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    owners = cursor.take_users("owner")
    cursor.done()
    return cmd.ActionOwners(ref, owners)


def _action_delegate(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    user = cursor.take_user("delegate")
    cursor.done(" (one delegate at a time)")
    return cmd.ActionDelegate(ref, user)


def _action_remove(cursor: Cursor, ref: str) -> cmd.PlanCommand:
    cursor.done()
    return cmd.ActionRemove(ref)


# ---------------------------------------------------------------- people and roles


def _people(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    if len(tokens) == 1:
        return cmd.PeopleList()
    if tokens[1].word in ("away", "back"):
        return _people_away(source, tokens)
    if tokens[1].word != "link":
        raise UserError(
            f"`/plan people` lists unlinked owners; to link one: `{USAGE['people link']}`; "
            f"for someone's absence: `{USAGE['people away']}`"
        )
    cursor = Cursor(source, tokens, 2, USAGE["people link"])
    rest = cursor.remaining()
    people = [i for i, t in enumerate(rest) if t.is_person_like or t.raw.startswith("<#")]
    if not people:
        raise cursor.fail("I need the Slack person to link, picked from Slack's @-menu")
    if len(people) > 1:
        raise cursor.fail("Link one person at a time")
    at = people[0]
    user = cursor.user_of(rest[at], "person")
    before, after = rest[:at], rest[at + 1 :]
    if before and after:
        raise cursor.fail(f"I don't understand “{shown(after[0].raw)}”")
    name_tokens = before or after
    if not name_tokens:
        raise cursor.fail("I need the owner's name as it appears in the plan")
    name = name_of(name_tokens, source, lambda: cursor.fail('Put the name in "double quotes"'))
    if not name:
        raise cursor.fail("The name is empty")
    return cmd.PeopleLink(name, user)


def _people_away(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    """`people away @user …` and `people back @user` (see handlers.grammar.absence)."""
    verb = tokens[1].word
    if verb == "away" and len(tokens) == 2:
        return help_for("plan", "people away")
    cursor = Cursor(source, tokens, 2, USAGE[f"people {verb}"])
    person = cursor.take_user("person who is away")
    if verb == "back":
        return parse_back(source, tokens, cursor.pos, person)
    return parse_away(source, tokens, cursor.pos, person)


def _admins(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verb = _verb(tokens, ("add", "remove"), "admins", "admins")
    cursor = Cursor(source, tokens, 2, USAGE[f"admins {verb}"])
    user = cursor.take_user("person")
    cursor.done(" (one person at a time)")
    return cmd.AdminAdd(user) if verb == "add" else cmd.AdminRemove(user)


def _members(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    verb = _verb(tokens, ("add", "remove"), "members", "members")
    cursor = Cursor(source, tokens, 2, USAGE[f"members {verb}"])
    user = cursor.take_user("person")
    board = cursor.take_board_words()
    cursor.done(" (one person at a time)")
    return cmd.MemberAdd(user, board) if verb == "add" else cmd.MemberRemove(user, board)


# ---------------------------------------------------------------- export and archive


def _export(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 1, USAGE["export"])
    fmt: cmd.ExportFormat = "xlsx"
    plan = cursor.take_quoted()
    token = cursor.peek()
    if token is not None and not token.quoted:
        found = EXPORT_FORMATS.get(token.word.lstrip("."))
        if found is None:
            raise cursor.fail(f"I can't export as “{shown(token.raw)}”; use xlsx, csv or md")
        fmt = found
        cursor.pos += 1
    plan = plan or cursor.take_quoted()
    cursor.done()
    return cmd.PlanExport(fmt, plan or None)


def _archive(source: str, tokens: list[Token]) -> cmd.PlanCommand:
    cursor = Cursor(source, tokens, 1, USAGE["archive"])
    title = cursor.take_words("plan title")
    if not title:
        raise cursor.fail("The plan title is empty")
    return cmd.PlanArchive(title)


_BOARD_PARSERS: dict[str, _Parser] = {
    "create": _board_create,
    "edit": _board_edit,
    "meetings": _board_meetings,
    "meeting": _board_meeting,
    "reminders": _board_reminders,
    "reminder": _board_reminders,
}

# Each is given the cursor after `action <verb> <ref>`, and the ref.
_ACTION_PARSERS: dict[str, Callable[[Cursor, str], cmd.PlanCommand]] = {
    "add": _action_add,
    "edit": _action_edit,
    "move": _action_move,
    "owner": _action_owner,
    "delegate": _action_delegate,
    "remove": _action_remove,
}

_PARSERS: dict[str, _Parser] = {
    "setup": _nothing_more("setup", cmd.Setup()),
    "board": _board,
    "list": _nothing_more("list", cmd.PlanList()),
    "plans": _nothing_more("list", cmd.PlanList()),
    "new": _new,
    "import": _nothing_more("import", cmd.PlanImport()),
    "theme": _theme,
    "action": _action,
    "people": _people,
    "admins": _admins,
    "admin": _admins,
    "members": _members,
    "member": _members,
    "export": _export,
    "archive": _archive,
    "deadline": parse_deadline_command,
    "deadlines": parse_deadlines,
    "privacy": parse_privacy,
}
