"""The sandbox console's commands: act as a sandbox user through the local Slack emulator, move
the sandbox clock through the real scheduler jobs, and show what the bot says.

The console holds no business rules: everything goes to the bot as Slack-shaped, signed
requests (slash commands, clicks, form submissions, messages, Home tab opens) or through the
scheduler's jobs, and what it prints is what the emulated Slack holds afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO, TypeVar

from bot.core.calendar import WorkingCalendar, at_local, calendar_for
from bot.sandbox.blocks import ActionRef, EmulatorError
from bot.sandbox.console_forms import find_field, form_value
from bot.sandbox.console_parse import (
    ConsoleError,
    clock_target,
    describe_moment,
    nine_oclocks,
    parse_day,
    parse_time,
    split_args,
    unquote,
)
from bot.sandbox.console_runtime import ErrorLog, ListenerTracker
from bot.sandbox.emulator import SLACKBOT_USER_ID, AppResponse, SlackEmulator
from bot.sandbox.local import LocalBot
from bot.sandbox.model import Message, View
from bot.sandbox.render_terminal import (
    Names,
    Style,
    fingerprint,
    framed,
    message_body,
    strip_ansi,
    view_lines,
)
from bot.sandbox.slack_requests import slack_text

Key = tuple[str, str, str | None]

SETTLE_TIMEOUT = 20.0  # seconds the bot may take to finish what a request started
RECENT = 15  # messages `inbox` and `channel` show unless asked for all

_T = TypeVar("_T")


# ---------------------------------------------------------------- the console


@dataclass(frozen=True)
class Command:
    syntax: str
    summary: str


COMMANDS = (
    Command("as <user>", "act as another sandbox user (handle, real name or id)"),
    Command("/<command> [text]", "a slash command, typed in your DM with the bot"),
    Command('click <n> "<button>"', "press a button in message n (or last), by its text ..."),
    Command("click <n> <k>", "... or by its number k; `click home …` / `click modal …` too"),
    Command("submit field=value …", 'fill in and send your open form (values in "quotes")'),
    Command("close", "close your open form without sending it"),
    Command('reply <n> "<text>"', "reply in the thread of message n (or last)"),
    Command('dm "<text>"', "write to the bot in your DM"),
    Command("inbox [all]", "your DMs from the bot and answers only you see, newest last"),
    Command("channel #<name> [all]", "what the bot posted in a channel"),
    Command("channel create #<name>", "make a channel (the bot invited), e.g. for a board"),
    Command("channels", "the channels in the sandbox"),
    Command(
        "import <file> [field=value …]",
        "as an admin: `/plan import`, then send its form with the .xlsx/.csv uploaded",
    ),
    Command("home", "open the bot's Home tab"),
    Command(
        "clock <date> [HH:MM]",
        "move the clock forward; the scheduler runs at each working-day 09:00 on the way",
    ),
    Command("clock +3d|+2h|+30m|+1w|+2wd", "… by days, hours, minutes, weeks or working days"),
    Command("clock next 09:00|monday", "… to the next working-day 09:00, or the next Monday"),
    Command("start <date> [HH:MM]", "set the clock before anything has happened (scripts)"),
    Command("demo", "as a script's first line: run it on the demo board (like --demo)"),
    Command('expect "<text>"', "fail unless the last output shows the text (stops a script)"),
    Command('expect not "<text>"', "fail if the last output shows the text"),
    Command("users", "the people in the sandbox"),
    Command("help", "this list"),
    Command("quit", "leave the sandbox (also exit, Ctrl-D)"),
)


@dataclass
class Console:
    """One person at the keyboard, acting as any sandbox user."""

    local: LocalBot
    out: TextIO
    style: Style
    user_id: str
    errors: ErrorLog
    tracker: ListenerTracker | None = None
    roles: dict[str, str] = field(default_factory=dict)  # handle → a note for `users`
    demo: Any = None  # the demo built at start (bot.sandbox.demo.Demo), for the tour
    demo_board: str | None = None  # the demo board's name when running on the demo
    started: bool = False  # whether anything has happened (`start` is refused after)
    numbers: dict[Key, int] = field(default_factory=dict)
    keys: dict[int, Key] = field(default_factory=dict)
    shown: dict[Key, str] = field(default_factory=dict)  # key → fingerprint printed
    noticed: set[Key] = field(default_factory=set)
    views_shown: dict[str, str] = field(default_factory=dict)  # user → view id + hash
    last_output: list[str] = field(default_factory=list)
    files_from: Path | None = None  # a script's folder: where `import <file>` looks second
    told_unlinked: bool = False  # the notice about owners not linked to Slack, shown once
    _output: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ basics

    @property
    def emulator(self) -> SlackEmulator:
        return self.local.emulator

    @property
    def tz(self) -> str:
        return self.local.services.settings.timezone

    @property
    def calendar(self) -> WorkingCalendar:
        return calendar_for(self.local.services.settings.region)

    @property
    def handle(self) -> str:
        return self.emulator.user(self.user_id).name

    def say(self, *lines: str) -> None:
        for line in lines:
            self.out.write(line + "\n")
            self._output.append(strip_ansi(line))
        self.out.flush()

    def names(self) -> Names:
        def user(user_id: str) -> str | None:
            try:
                return self.emulator.user(user_id).name
            except EmulatorError:
                return None

        def channel(channel_id: str) -> str | None:
            try:
                return self.emulator.channel(channel_id).name
            except EmulatorError:
                return None

        return Names(user=user, channel=channel)

    def now_line(self) -> str:
        return describe_moment(self.local.clock.now(), self.tz)

    # ------------------------------------------------------------ running a line

    def execute(self, line: str) -> bool:
        """Do one console line; False when the console should stop. Raises ConsoleError."""
        self._output = []
        try:
            keep = self._dispatch(line.strip())
        finally:
            if not line.strip().lower().startswith("expect"):
                self.last_output = self._output
            self._output = []
            problems = self.errors.take()
            for problem in problems:
                self.say(self.style.error(f"error: {problem}"))
        if problems:
            raise ConsoleError("the bot logged an error (above)")
        return keep

    def _dispatch(self, line: str) -> bool:
        if not line or line.startswith("#"):
            return True
        if line.startswith("/"):
            self.slash(line)
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        rest = rest.strip()
        if word in {"quit", "exit", "bye"}:
            return False
        handlers: dict[str, Callable[[str], None]] = {
            "as": self.act_as,
            "click": self.click,
            "submit": self.submit,
            "close": self.close,
            "reply": self.reply,
            "dm": self.dm,
            "inbox": self.inbox,
            "channel": self.channel,
            "channels": self.channels,
            "import": self.import_file,
            "home": self.home,
            "clock": self.move_clock,
            "start": self.start,
            "demo": self.demo_loaded,
            "expect": self.expect,
            "users": self.users,
            "help": self.help,
        }
        handler = handlers.get(word)
        if handler is None:
            raise ConsoleError(f'I don\'t know "{word}"; type help for the commands')
        handler(rest)
        return True

    def settle(self) -> None:
        """Wait until the bot has finished everything the last request started."""
        if self.tracker is not None and not self.tracker.wait_idle(SETTLE_TIMEOUT):
            raise ConsoleError(f"the bot was still busy after {SETTLE_TIMEOUT:.0f} seconds")
        # What the request put in the outbox goes out now, as the delivery job would send it
        # within seconds.
        for error in self.local.deliver().errors:
            self.errors.add(f"delivery: {error}")

    def _answered(self, response: AppResponse, what: str) -> None:
        if not response.delivered:
            return
        if response.status == 0:
            raise ConsoleError(f"the bot did not answer the {what}")
        if response.status != 200:
            raise ConsoleError(f"the bot answered the {what} with HTTP {response.status}")

    # ------------------------------------------------------------ acting

    def act_as(self, rest: str) -> None:
        wanted = unquote(rest).lstrip("@")
        if not wanted:
            raise ConsoleError("say who: as <handle>, e.g. as jane")
        try:
            user = self.emulator.user_by_name(wanted)
        except EmulatorError:
            handles = ", ".join(u.name for u in self.emulator.users())
            raise ConsoleError(f'there is no sandbox user "{wanted}" (users: {handles})') from None
        self.user_id = user.id
        title = f", {user.title}" if user.title else ""
        self.say(f"You are now {user.real_name} (@{user.name}){title}.")
        self.show_new()

    def slash(self, line: str) -> None:
        command, _, text = line.partition(" ")
        users, channels = self._directory()
        self.started = True
        result = self.emulator.slash(
            self.user_id, command, slack_text(text.strip(), users, channels, in_command=True)
        )
        self.settle()
        self.show_new()
        self._answered(result, command)
        if result.ack_message is not None and result.ack_message.user == SLACKBOT_USER_ID:
            raise ConsoleError(result.ack_message.text)

    def click(self, rest: str) -> None:
        args = split_args(rest)
        if len(args) < 2:
            raise ConsoleError('say which message and button: click 3 "Update", or click 3 1')
        source: Message | View = self._source(args[0])
        ref = self._button(source, args[1], args[0])
        value = self._choice(ref, args[2]) if len(args) > 2 else None
        result = self._step(lambda: self.emulator.click(self.user_id, source, ref, value))
        self.show_new()
        self._answered(result, "click")

    def submit(self, rest: str) -> None:
        view = self._open_form("; a button or a slash command opens one")
        values: dict[str, dict[str, Any]] = {}
        for arg in split_args(rest):
            key, sep, value = arg.partition("=")
            if not sep or not key:
                raise ConsoleError(f'"{arg}" is not field=value; e.g. note="survey slipped"')
            block, element = find_field(view, key)
            block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
            values.setdefault(block_id, {})[action_id] = form_value(
                self.emulator, self.user_id, element, value
            )
        result = self._step(lambda: self.emulator.submit_view(self.user_id, view.id, values))
        if result.errors:
            shown = self.emulator.open_view(self.user_id) or view
            self.say("The form was not accepted:")
            self.say(*view_lines(shown, self.style, self.names(), result.errors))
            self.views_shown[self.user_id] = self._view_mark(shown)
        elif result.closed and result.view is None:
            self.say("Sent; the form closed.")
        self.show_new()
        self._answered(result, "form")

    def close(self, rest: str) -> None:
        view = self._open_form()
        response = self._step(lambda: self.emulator.close_view(self.user_id, view.id))
        self.say(f"Closed “{view.title}”.")
        self.show_new()
        if response is not None:
            self._answered(response, "closed form")

    def reply(self, rest: str) -> None:
        number, _, text = rest.partition(" ")
        message = self._message(number)
        text = unquote(text)
        if not text:
            raise ConsoleError('say what to reply: reply 3 "amber: survey slipped"')
        if message.is_ephemeral:
            raise ConsoleError(f"message {number} is only visible to you; it has no thread")
        users, channels = self._directory()
        self.started = True
        result = self.emulator.reply_in_thread(
            self.user_id,
            message.channel,
            message.thread_ts or message.ts,
            slack_text(text, users, channels, in_command=False),
        )
        self.settle()
        self.show_new()
        self._answered(result, "reply")

    def dm(self, rest: str) -> None:
        text = unquote(rest)
        if not text:
            raise ConsoleError('say what to write: dm "hello"')
        users, channels = self._directory()
        self.started = True
        result = self.emulator.send_dm(
            self.user_id, slack_text(text, users, channels, in_command=False)
        )
        self.settle()
        self.show_new()
        self._answered(result, "message")

    def home(self, rest: str) -> None:
        self.started = True
        result = self.emulator.open_home(self.user_id)
        self.settle()
        self._answered(result, "Home tab")
        view = self.emulator.home_view(self.user_id)
        if view is None:
            raise ConsoleError("the bot has not drawn a Home tab for you")
        self._print_home(view)
        self.show_new()

    def _print_home(self, view: View) -> None:
        self.say(*view_lines(view, self.style, self.names(), heading="Home · improvement-bot"))
        self.views_shown[f"home:{self.user_id}"] = self._view_mark(view)

    # ------------------------------------------------------------ reading

    def inbox(self, rest: str) -> None:
        dm = self.emulator.dm_channel(self.user_id)
        found = [
            m
            for m in self._bot_messages()
            if m.ephemeral_to == self.user_id or (m.channel == dm and not m.is_ephemeral)
        ]
        self._listing(found, rest, "Nothing from the bot yet.")

    def channel(self, rest: str) -> None:
        args = split_args(rest)
        if not args:
            raise ConsoleError("say which channel: channel #improvement-board")
        if args[0].lower() == "create":
            self.create_channel(args[1:])
            return
        try:
            channel = self.emulator.channel(
                args[0] if args[0].startswith(("#", "C")) else "#" + args[0]
            )
        except EmulatorError:
            raise ConsoleError(f"there is no channel {args[0]}") from None
        found = [
            m
            for m in self._bot_messages()
            if m.channel == channel.id and (not m.is_ephemeral or m.ephemeral_to == self.user_id)
        ]
        self.say(self.style.bold(f"#{channel.name}"))
        self._listing(found, " ".join(args[1:]), "The bot has posted nothing here yet.")

    def create_channel(self, args: list[str]) -> None:
        name = args[0].lstrip("#").lower() if len(args) == 1 else ""
        if not re.fullmatch(r"[a-z0-9][a-z0-9_\-]{0,79}", name):
            raise ConsoleError(
                "say the new channel's name: channel create #improvement-board "
                "(lower case, digits, - and _)"
            )
        if name in self._directory()[1]:
            raise ConsoleError(f"there is already a channel #{name}")
        # As in Slack after creating it and `/invite @improvement-bot`: the bot is a member.
        channel_id = "C" + hashlib.sha1(name.encode()).hexdigest()[:10].upper()
        self.emulator.add_channel(channel_id, name, bot_is_member=True)
        self.say(f"Created #{name}; the bot is in it.")

    def channels(self, rest: str) -> None:
        state = self.emulator.state
        with state.lock:
            found = sorted(
                (c for c in state.channels.values() if not c.is_im and c.name),
                key=lambda c: c.name,
            )
        if not found:
            self.say("No channels yet: channel create #improvement-board makes one.")
            return
        for channel in found:
            notes = [] if channel.bot_is_member else ["the bot is not in it"]
            if channel.is_archived:
                notes.append("archived")
            suffix = f" ({', '.join(notes)})" if notes else ""
            self.say(f"#{channel.name}{suffix}")

    def import_file(self, rest: str) -> None:
        args = split_args(rest)
        if not args:
            raise ConsoleError("say which file: import plan.xlsx (an .xlsx or .csv)")
        path = self._file(args[0])
        self.slash("/plan import")
        view = self.emulator.open_view(self.user_id)
        if view is None:
            return  # the bot answered instead of opening the form (shown above)
        files = [b for b, e in view.inputs() if e.get("type") == "file_input"]
        if not files:
            raise ConsoleError("the import form has no file field")
        field_name = str(files[0].get("block_id"))
        fields = [f"{field_name}={path}", *args[1:]]
        self.submit(" ".join(shlex.quote(f) for f in fields))

    def _file(self, name: str) -> Path:
        path = Path(name).expanduser()
        if not path.is_absolute() and not path.is_file() and self.files_from is not None:
            path = self.files_from / path
        if not path.is_file():
            raise ConsoleError(f"there is no file at {name}")
        return path

    def _listing(self, found: list[Message], rest: str, empty: str) -> None:
        if not found:
            self.say(empty)
            return
        show_all = rest.strip().lower() == "all"
        if not show_all and len(found) > RECENT:
            self.say(self.style.dim(f"({len(found) - RECENT} earlier; add `all` to see them)"))
            found = found[-RECENT:]
        for message in found:
            self._print(message)

    def users(self, rest: str) -> None:
        people = self.emulator.users()
        width = max(len(u.name) for u in people)
        name_width = max(len(u.real_name) for u in people)
        for user in people:
            marker = "*" if user.id == self.user_id else " "
            note = self.roles.get(user.name) or user.title
            self.say(
                f"{marker} @{user.name:<{width}}  {user.real_name:<{name_width}}  "
                f"{user.id:<8}  {self.style.dim(note)}"
            )

    def help(self, rest: str) -> None:
        width = max(len(c.syntax) for c in COMMANDS)
        for command in COMMANDS:
            self.say(f"  {command.syntax:<{width}}  {self.style.dim(command.summary)}")
        self.say(
            self.style.dim(
                "  n is a message's number, shown in front of it; mentions like @jane and "
                "#improvement-board work in what you type."
            )
        )

    def expect(self, rest: str) -> None:
        negate = False
        if rest.lower().startswith("not "):
            negate, rest = True, rest[4:]
        wanted = unquote(rest)
        if not wanted:
            raise ConsoleError('say what to look for: expect "On track"')
        seen = " ".join(" ".join(self.last_output).split())
        found = " ".join(wanted.split()) in seen
        if found and negate:
            raise ConsoleError(f'expected not to see "{wanted}" in the last output')
        if not found and not negate:
            raise ConsoleError(f'expected to see "{wanted}" in the last output')

    # ------------------------------------------------------------ time

    def start(self, rest: str) -> None:
        if self.started:
            raise ConsoleError(
                "start only works before anything has happened; use clock to move time forward"
            )
        args = split_args(rest)
        if not args or len(args) > 2:
            raise ConsoleError("start <date> [HH:MM], e.g. start 2019-05-13 08:30")
        at = parse_time(args[1]) if len(args) == 2 else dt.time(9, 0)
        self.local.clock.set(at_local(parse_day(args[0]), at, self.tz))
        self.started = True
        self.say(f"The sandbox clock starts at {self.now_line()}.")

    def demo_loaded(self, rest: str) -> None:
        if self.demo_board is None:
            raise ConsoleError(
                "the demo loads at start: improvement-bot sandbox --demo, or `demo` as the "
                "first line of a script"
            )
        self.say(f"The demo is loaded: {self.demo_board}.")

    def move_clock(self, rest: str) -> None:
        now = self.local.clock.now()
        if not rest.strip():
            self.say(f"It is {self.now_line()}.")
            return
        target = clock_target(split_args(rest), now, self.tz, self.calendar)
        if target < now:
            raise ConsoleError(
                f"the sandbox clock only moves forward; it is {self.now_line()} "
                f"and {describe_moment(target, self.tz)} has passed"
            )
        if target == now:
            self.say(f"It is already {self.now_line()}.")
            return
        self.started = True
        self.say(f"The clock moves on to {describe_moment(target, self.tz)}.")
        moments = nine_oclocks(now, target, self.tz, self.calendar)
        if not moments or moments[-1] != target:
            moments.append(target)
        waiting = {m.key for m in self._unseen()}  # from before: shown on `as <them>`
        anything = False
        for moment in moments:
            self.local.clock.set(moment)
            report = self.local.run_jobs(moment)
            for error in report.errors:
                if error != "unlinked":
                    self.errors.add(f"delivery: {error}")
            if "unlinked" in report.errors and not self.told_unlinked:
                # An owner named in a plan but not in Slack yet is normal: admins are told.
                self.told_unlinked = True
                self.say(
                    self.style.dim(
                        "notice: some owners are not linked to Slack yet, so their messages "
                        "are not sent; admins are told. `/plan people` lists them."
                    )
                )
            self.settle()
            arrived = [m for m in self._unseen() if m.key not in waiting]
            if arrived:
                self.say(self.style.bold(f"◷ {describe_moment(moment, self.tz)}"))
                self.show_everyone(arrived)
                anything = True
        self.local.clock.set(target)
        if not anything:
            self.say(self.style.dim("Nothing new."))
        self._show_modal()

    # ------------------------------------------------------------ what the bot said

    def _bot_messages(self) -> list[Message]:
        found = [m for m in self.emulator.messages() if m.from_bot or m.user == SLACKBOT_USER_ID]
        for message in sorted(found, key=lambda m: float(m.ts)):
            if message.key not in self.numbers:
                number = len(self.numbers) + 1
                self.numbers[message.key] = number
                self.keys[number] = message.key
        return found

    def _audience(self, message: Message) -> str:
        """Who a message is for: a user id (their DM, or an ephemeral) or a channel id."""
        if message.ephemeral_to:
            return message.ephemeral_to
        channel = self.emulator.channel(message.channel)
        return channel.user if channel.is_im and channel.user else channel.id

    def _visible(self, message: Message, user_id: str) -> bool:
        if message.ephemeral_to:
            return message.ephemeral_to == user_id
        return bool(self.emulator.channel(message.channel).has_member(user_id))

    def mark_all_seen(self) -> None:
        """Take everything there is now as seen (the demo's history: `inbox` shows it)."""
        for message in self._bot_messages():
            self.shown[message.key] = fingerprint(message)
            self.noticed.add(message.key)
        for user in self.emulator.users():
            view = self.emulator.open_view(user.id)
            if view is not None:
                self.views_shown[user.id] = self._view_mark(view)

    def _unseen(self) -> list[Message]:
        return [m for m in self._bot_messages() if self.shown.get(m.key) != fingerprint(m)]

    def show_new(self) -> None:
        """Print what is new for the current user; a line about what is new for others."""
        others: dict[str, int] = {}
        for message in self._unseen():
            audience = self._audience(message)
            personal = audience.startswith(("U", "W")) or message.ephemeral_to
            if self._visible(message, self.user_id) and (not personal or audience == self.user_id):
                self._print(message)
            elif message.key not in self.noticed:
                self.noticed.add(message.key)
                others[audience] = others.get(audience, 0) + 1
        self._show_modal()
        if others:
            parts = []
            for audience, count in others.items():
                if audience.startswith(("U", "W")):
                    parts.append(f"{count} for @{self.emulator.user(audience).name}")
                else:
                    parts.append(f"{count} in #{self.emulator.channel(audience).name}")
            self.say(
                self.style.dim(
                    f"(new message{'s' if sum(others.values()) > 1 else ''}: "
                    + ", ".join(parts)
                    + ")"
                )
            )

    def show_everyone(self, messages: list[Message]) -> None:
        """Print messages to anyone, grouped by who they went to (when the clock moves)."""
        groups: dict[str, list[Message]] = {}
        for message in messages:
            groups.setdefault(self._audience(message), []).append(message)
        printed: dict[str, int | None] = {}  # what a message shows → its number
        for audience, batch in groups.items():
            if audience.startswith(("U", "W")):
                user = self.emulator.user(audience)
                title = f"to @{user.name} ({user.real_name})"
            else:
                title = f"in #{self.emulator.channel(audience).name}"
            self.say(self.style.bold(f"── {title} ──"))
            for message in batch:
                shows = "\n".join(message_body(message, Style(), self.names()))
                if shows in printed:  # the digest to the chair and the channel, say
                    self._print(message, for_user=audience, same_as=printed[shows])
                else:
                    printed[shows] = self.numbers.get(message.key)
                    self._print(message, for_user=audience)

    def _print(
        self, message: Message, for_user: str | None = None, same_as: int | None = None
    ) -> None:
        number = self.numbers.get(message.key)
        edited = message.key in self.shown and self.shown[message.key] != fingerprint(message)
        sender = "Slackbot" if message.user == SLACKBOT_USER_ID else "improvement-bot"
        where = self._where(message, for_user or self.user_id)
        heading = self.style.bold(sender) + self.style.dim(
            f" · {where}" + (" · edited" if edited else "")
        )
        if same_as is not None:
            body = [self.style.dim(f"(the same as message {same_as})")]
        else:
            body = message_body(message, self.style, self.names())
        self.say(*framed(number, heading, body, self.style))
        self.shown[message.key] = fingerprint(message)
        self.noticed.add(message.key)

    def _where(self, message: Message, viewer: str) -> str:
        if message.ephemeral_to:
            where = "only visible to you"
            if message.ephemeral_to != viewer:
                where = f"only visible to @{self.emulator.user(message.ephemeral_to).name}"
        else:
            channel = self.emulator.channel(message.channel)
            if channel.is_im:
                where = "DM" if channel.user == viewer else f"DM to @{self._name(channel.user)}"
            else:
                where = f"#{channel.name}"
        if message.thread_ts and message.thread_ts != message.ts:
            parent = self.numbers.get((message.channel, message.thread_ts, None))
            where += f" · in the thread of {parent}" if parent else " · in a thread"
        return where

    def _open_form(self, hint: str = "") -> View:
        view = self.emulator.open_view(self.user_id)
        if view is None:
            raise ConsoleError(f"you have no form open{hint}")
        return view

    def _step(self, step: Callable[[], _T]) -> _T:
        """One step in the workspace: the emulator's refusal becomes the console's error, and
        the bot finishes what the step set off."""
        self.started = True
        try:
            result = step()
        except EmulatorError as error:
            raise ConsoleError(str(error)) from None
        self.settle()
        return result

    def _name(self, user_id: str | None) -> str:
        try:
            return self.emulator.user(user_id or "").name
        except EmulatorError:
            return user_id or "?"

    # ------------------------------------------------------------ forms

    @staticmethod
    def _view_mark(view: View) -> str:
        return f"{view.id}:{view.hash}"

    def _show_modal(self) -> None:
        """Print the current user's form when it is new or changed (and their Home tab, when
        they have it open and the bot redrew it)."""
        home_mark = self.views_shown.get(f"home:{self.user_id}")
        home = self.emulator.home_view(self.user_id) if home_mark else None
        if home is not None and self._view_mark(home) != home_mark:
            self._print_home(home)
        view = self.emulator.open_view(self.user_id)
        before = self.views_shown.get(self.user_id)
        if view is None:
            if before:
                self.views_shown.pop(self.user_id, None)
            return
        if before == self._view_mark(view):
            return
        self.views_shown[self.user_id] = self._view_mark(view)
        self.say(*view_lines(view, self.style, self.names()))
        if view.inputs():
            fields = " ".join(f"{b.get('block_id')}=…" for b, _ in view.inputs())
            self.say(self.style.dim(f"  submit {fields}   ·   close to cancel"))

    # ------------------------------------------------------------ buttons

    def _message(self, number: str) -> Message:
        if number.strip().lower() == "last":
            return self._last_message()
        if not number.strip().isdigit():
            raise ConsoleError(
                f'"{number}" is not a message number; use the number in front, or last'
            )
        self._bot_messages()
        key = self.keys.get(int(number))
        found = None
        if key is not None:
            found = next((m for m in self.emulator.messages(channel=key[0]) if m.key == key), None)
        if found is None:
            raise ConsoleError(f"there is no message {number}")
        if not self._visible(found, self.user_id):
            raise ConsoleError(f"@{self.handle} can't see message {number}")
        return found

    def _last_message(self) -> Message:
        """The newest message the bot sent the current user (in their DM, or only to them)."""
        mine = [m for m in self._bot_messages() if self._audience(m) == self.user_id]
        if not mine:
            raise ConsoleError(f"the bot has sent @{self.handle} nothing yet")
        return max(mine, key=lambda m: float(m.ts))

    def _source(self, which: str) -> Message | View:
        lowered = which.lower()
        if lowered == "home":
            view = self.emulator.home_view(self.user_id)
            if view is None:
                raise ConsoleError("open the Home tab first: home")
            return view
        if lowered in {"modal", "form"}:
            view = self.emulator.open_view(self.user_id)
            if view is None:
                raise ConsoleError("you have no form open")
            return view
        return self._message(which)

    def _button(self, source: Message | View, which: str, where: str) -> ActionRef:
        refs = source.actions()
        if not refs:
            raise ConsoleError(f"{where} has no buttons")
        if which.isdigit():
            index = int(which)
            if not 1 <= index <= len(refs):
                raise ConsoleError(f"{where} has buttons 1 to {len(refs)}")
            return refs[index - 1]
        wanted = " ".join(which.split()).lower()
        for matcher in (
            lambda r: r.text.strip().lower() == wanted,
            lambda r: r.text.strip().lower().startswith(wanted),
            lambda r: r.action_id == which,
        ):
            found = [(i, r) for i, r in enumerate(refs, 1) if matcher(r)]
            if len(found) == 1:
                return found[0][1]
            if len(found) > 1:
                numbers = ", ".join(str(i) for i, _ in found)
                raise ConsoleError(
                    f'{where} has several "{which}" buttons ({numbers}); '
                    f"name one by number: click {where} {found[0][0]}"
                )
        labels = " ".join(f"[{i} {r.text}]" for i, r in enumerate(refs, 1))
        raise ConsoleError(f'{where} has no "{which}" button ({labels})')

    def _choice(self, ref: ActionRef, value: str) -> Any:
        """What a select in a message or the Home tab is set to: `click 3 2 amber`."""
        return form_value(self.emulator, self.user_id, dict(ref.element), value)

    def _directory(self) -> tuple[dict[str, str], dict[str, str]]:
        users = {u.name.lower(): u.id for u in self.emulator.users()}
        state = self.emulator.state
        with state.lock:
            channels = {
                c.name.lower(): c.id for c in state.channels.values() if not c.is_im and c.name
            }
        return users, channels
