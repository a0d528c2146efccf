"""`improvement-bot sandbox`: the real bot on this machine, and a console to use it (DESIGN §8).

The local Slack emulator, the real Bolt app behind waitress receiving signed requests, the
real scheduler jobs under a clock moved by hand, and a database (a throwaway SQLite file
unless DATABASE_URL names one). Interactively it prompts `jane> ` with line editing and
history; with a script it runs the file's lines and prints a transcript that reads like a
chat (`> line`, then what the bot said). A script stops at the first line that fails and the
sandbox exits 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TextIO

from bot.clock import ManualClock
from bot.core.dates import format_day
from bot.sandbox.console_commands import COMMANDS, Console
from bot.sandbox.console_parse import ConsoleError
from bot.sandbox.console_runtime import ErrorLog, ListenerTracker
from bot.sandbox.demo import (
    ADMIN,
    BOARD_NAME,
    CHAIR,
    DEMO_ROLES,
    DEMO_USERS,
    TOUR_OWNER,
    has_demo,
    load_demo,
)
from bot.sandbox.local import DEFAULT_USERS, LocalBot
from bot.sandbox.render_terminal import Style, colour_wanted

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_FAILED = 1


def run_sandbox(
    database_url: str | None,
    demo: bool,
    script: Path | None,
    stdin: TextIO,
    stdout: TextIO,
    start: dt.datetime,
    socket_mode: bool = False,
) -> int:
    """Run the sandbox until `quit`, end of input or Ctrl-C (or the end of `script`).
    With `socket_mode`, the emulator drives the bot over Socket Mode instead of signed HTTP.

    Returns 0, or 1 when the sandbox could not start or a script line failed.
    """
    style = Style(colour=colour_wanted(stdout))
    errors = ErrorLog()
    if start.tzinfo is None:
        start = start.replace(tzinfo=dt.UTC)
    try:
        lines = script.read_text(encoding="utf-8").splitlines() if script is not None else None
    except (OSError, UnicodeError) as error:
        stdout.write(style.error(f"error: can't read the script: {_one_line(error)}") + "\n")
        return EXIT_FAILED
    demo = demo or (lines is not None and wants_demo(lines))
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_quiet_logging(errors))
            if database_url is None:
                folder = stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="improvement-bot-sandbox-")
                )
                database_url = f"sqlite:///{Path(folder) / 'sandbox.db'}"
                where = "a throwaway SQLite database"
            else:
                where = _safe_url(database_url)
            tracker = ListenerTracker()
            local = _start_local(database_url, ManualClock(start), demo, tracker, socket_mode)
            if socket_mode:
                where += ", over Socket Mode"
            stack.callback(local.stop)
            console = Console(
                local=local,
                out=stdout,
                style=style,
                user_id=local.users[0].id,
                errors=errors,
                tracker=tracker,
                files_from=script.resolve().parent if script is not None else None,
            )
            if demo:
                _load_demo(console)
            console.mark_all_seen()
            _banner(console, where, demo)
            for problem in errors.take():  # while starting: worth knowing, not fatal
                console.say(style.error(f"error: {problem}"))
            if lines is not None:
                return run_script(console, lines)
            return run_interactive(console, stdin)
    except KeyboardInterrupt:
        stdout.write("\n")
        return EXIT_FAILED if script is not None else EXIT_OK
    except _StartFailed as failure:
        stdout.write(style.error(f"error: {failure}") + "\n")
        return EXIT_FAILED


def wants_demo(lines: Sequence[str]) -> bool:
    """Whether a script's first command is `demo` (it then runs as with --demo)."""
    for line in lines:
        text = line.strip()
        if text and not text.startswith("#"):
            return text.lower() == "demo"
    return False


class _StartFailed(Exception):
    pass


def _start_local(
    database_url: str,
    clock: ManualClock,
    demo: bool,
    tracker: ListenerTracker,
    socket_mode: bool = False,
) -> LocalBot:
    local = LocalBot(
        database_url,
        clock,
        users=DEMO_USERS if demo else DEFAULT_USERS,
        listener_executor=tracker,
        socket_mode=socket_mode,
    )
    try:
        return local.start()
    except Exception as error:
        log.debug("the sandbox did not start", exc_info=True)
        with contextlib.suppress(Exception):
            local.emulator.stop()
        raise _StartFailed(f"can't start the sandbox: {_one_line(error)}") from None


def _load_demo(console: Console) -> None:
    local = console.local
    if has_demo(local):
        console.say("The demo board is already in this database; carrying on with it.")
    else:
        try:
            demo = load_demo(local)
        except Exception as error:
            log.debug("the demo did not load", exc_info=True)
            raise _StartFailed(f"can't load the demo: {_one_line(error)}") from None
        console.demo = demo
    console.demo_board = BOARD_NAME
    console.started = True  # the demo's dates are counted from now: `start` can't move it
    console.roles = dict(DEMO_ROLES)
    console.user_id = local.user_id(ADMIN)


def _banner(console: Console, where: str, demo: bool) -> None:
    style = console.style
    user = console.emulator.user(console.user_id)
    console.say(
        style.bold("improvement-bot sandbox") + f" — the real bot on a local Slack, with {where}.",
        f"The sandbox clock says {console.now_line()}; `clock` moves it forward.",
        f"You are {user.real_name} (@{user.name}). `users` lists everyone; `help` lists the "
        "commands.",
    )
    if demo:
        _tour(console)


def _tour(console: Console) -> None:
    demo = console.demo
    style = console.style
    lines = [""]
    if demo is not None:
        lines.append(
            f"{style.bold(demo.board)}: the next meeting is on {_day(demo.next_meeting)}; "
            f"updates are due by {_day(demo.updates_due)}."
        )
    steps = (
        ("1.", "/board", "the board's status by theme, as its admin"),
        ("2.", f"as {TOUR_OWNER}", "an action owner ..."),
        ("", "/progress mine", "... and his open actions, with buttons"),
        ("3.", 'click last "Update"', "the update form for his action; then"),
        ("", 'submit status=green note="Standards agreed"', ""),
        ("4.", "clock next 09:00", "time moves on: reminders arrive"),
        ("", 'reply last "done: standards published"', "(in the reminder's thread)"),
        ("5.", f"as {CHAIR}", "the chair: a date change waits for her"),
        ("", "/board approve", "the requests to decide ..."),
        ("", 'click last "Approve"', "... and her decision"),
        ("6.", "/board digest", "the weekly digest as it stands"),
    )
    lines.append(
        "Try these, in order (`last` is your newest message; any message's number works too):"
    )
    for number, command, what in steps:
        shown = style.paint(f"{command:<32}", "cyan")
        lines.append(f"  {number:<3}{shown}  {style.dim(what)}".rstrip())
    lines.append("")
    console.say(*lines)


def _day(day: dt.date) -> str:
    """E.g. `Tuesday 28 May 2019`."""
    return format_day(day, weekday=True)


# ---------------------------------------------------------------- the two ways to run


def run_script(console: Console, lines: Sequence[str]) -> int:
    """Run console lines as a transcript; stop at the first that fails (exit 1)."""
    style = console.style
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            console.say("")
            continue
        if line.lstrip().startswith("#"):
            console.say(style.dim(line))
            continue
        console.say(style.bold(f"> {line}"))
        try:
            if not console.execute(line):
                return EXIT_OK
        except ConsoleError as failure:
            console.say(style.error(f"error: line {number}: {failure}"))
            return EXIT_FAILED
        except Exception as error:  # a bug in the sandbox: still one line, never a traceback
            log.debug("console line failed", exc_info=True)
            console.say(style.error(f"error: line {number}: {_one_line(error)}"))
            return EXIT_FAILED
    return EXIT_OK


def run_interactive(console: Console, stdin: TextIO) -> int:
    """Prompt `handle> ` and run lines until quit, end of input or Ctrl-C."""
    read = _reader(console, stdin)
    while True:
        try:
            line = read(f"{console.handle}> ")
        except (EOFError, KeyboardInterrupt):
            console.say("")
            break
        try:
            if not console.execute(line):
                break
        except ConsoleError as failure:
            console.say(console.style.error(f"error: {failure}"))
        except KeyboardInterrupt:
            console.say("")
            break
        except Exception as error:
            log.debug("console line failed", exc_info=True)
            console.say(console.style.error(f"error: {_one_line(error)}"))
    console.say("Bye.")
    return EXIT_OK


def _reader(console: Console, stdin: TextIO) -> Callable[[str], str]:
    """A function that reads one line after a prompt: readline on a terminal, else plain."""
    if stdin is sys.stdin and console.out is sys.stdout and _isatty(stdin) and _isatty(console.out):
        _setup_readline(console)
        return input

    def read(prompt: str) -> str:
        console.out.write(prompt)
        console.out.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        console.out.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\n")

    return read


def _setup_readline(console: Console) -> None:
    try:
        import readline
    except ImportError:  # no line editing on this platform; input() still works
        return
    words = sorted(
        {c.syntax.split()[0] for c in COMMANDS if not c.syntax.startswith("/")}
        | {"/progress", "/plan", "/board"}
    )

    def complete(text: str, state: int) -> str | None:
        handles = [u.name for u in console.emulator.users()]
        buffer = readline.get_line_buffer()
        pool = handles if buffer.startswith("as ") else words + [f"@{h}" for h in handles]
        matches = [w for w in pool if w.startswith(text)]
        return matches[state] if state < len(matches) else None

    readline.set_completer(complete)
    readline.set_completer_delims(" \t\"'=")
    readline.parse_and_bind("tab: complete")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# ---------------------------------------------------------------- quiet, tidy output


@contextlib.contextmanager
def _quiet_logging(errors: ErrorLog) -> Iterator[None]:
    """While the sandbox runs, errors logged anywhere (or raised in a thread) go to `errors`
    as one line each, and nothing else is logged to the person's terminal."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_hook = threading.excepthook
    root.handlers = [errors]
    root.setLevel(logging.WARNING)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        errors.add(f"{args.exc_type.__name__}: {args.exc_value}")

    threading.excepthook = thread_hook
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        threading.excepthook = saved_hook
        root.handlers = saved_handlers
        root.setLevel(saved_level)


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:300]


def _safe_url(url: str) -> str:
    """The database URL without a password."""
    from sqlalchemy.engine import make_url

    try:
        return "database " + make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the database in DATABASE_URL"
