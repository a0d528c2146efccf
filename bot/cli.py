"""`improvement-bot` command line (DESIGN §7).

Exit 0 on success; bad input prints one line on stderr, exits 2 and writes nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError, SQLAlchemyError

from bot.clock import ManualClock
from bot.config import Settings, StartupError, load_settings
from bot.core.dates import DatePrecision, format_day, format_moment, parse_uk_date
from bot.core.errors import UserError
from bot.core.filenames import pack_filename
from bot.core.importer import read_plan
from bot.core.statuses import Status
from bot.render.digest import digest_text
from bot.render.paper import paper_markdown
from bot.services import Services, Units
from bot.services.digest import digest_json
from bot.services.operator import FIRST_COMMAND, OperatorService, parse_at
from bot.services.paper import BoardPaper, paper_json
from bot.services.plan_import import BoardDefaults
from db.migrate import upgrade
from db.session import make_engine, make_session_factory

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

log = logging.getLogger("improvement_bot")


class BadInput(UserError):
    pass


PACK_FORMATS = ("docx", "xlsx", "md", "json")
AT_HELP = "ISO date-time, e.g. 2019-05-16T09:00; without an offset it is board-local time"


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="improvement-bot",
        description="A Slack bot that runs a council's improvement plan between board meetings.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    db_commands.required = True
    db_commands.add_parser("upgrade", help="bring the database schema up to date")

    plan = commands.add_parser("plan", help="import, show and export improvement plans")
    plan_commands = plan.add_subparsers(dest="plan_command", metavar="SUBCOMMAND")
    plan_commands.required = True
    imp = plan_commands.add_parser("import", help="import a plan from an .xlsx or .csv sheet")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--board", metavar="NAME", help="board to import into (made if new)")
    imp.add_argument("--plan", metavar="TITLE", help="plan to import into (made if new)")
    imp.add_argument("--as-of", metavar="DATE", help="date of the sheet's progress (default today)")
    imp.add_argument("--json", action="store_true", help="print the summary as JSON")
    imp.add_argument(
        "--check", action="store_true", help="say what the import would do; write nothing"
    )
    show = plan_commands.add_parser("show", help="show plans and their status by theme")
    show.add_argument("--plan", metavar="TITLE", help="only this plan (default: every plan)")
    show.add_argument("--json", action="store_true", help="print JSON (DESIGN §7 shape)")
    exp = plan_commands.add_parser("export", help="export a plan as .xlsx, .csv or Markdown")
    exp.add_argument("--plan", metavar="TITLE")
    exp.add_argument("--format", choices=("xlsx", "csv", "md"), default="xlsx")
    exp.add_argument("-o", "--output", metavar="FILE", help="file to write ('-' for stdout)")

    reminders = commands.add_parser("reminders", help="what the bot would send, and when")
    reminder_commands = reminders.add_subparsers(dest="reminders_command", metavar="SUBCOMMAND")
    reminder_commands.required = True
    preview = reminder_commands.add_parser("preview", help="what would go out at a moment")
    preview.add_argument("--at", metavar="DATETIME", required=True, help=AT_HELP)
    preview.add_argument("--json", action="store_true", help="print JSON (DESIGN §7 shape)")

    digest = commands.add_parser("digest", help="a board's weekly digest, as it stands")
    digest.add_argument("--board", metavar="NAME", help="the board (optional with one board)")
    digest.add_argument("--at", metavar="DATETIME", help=AT_HELP + " (default: now)")
    digest.add_argument("--format", choices=("text", "json"), default="text")

    pack = commands.add_parser(
        "pack", help="a board's pre-meeting pack: a Word committee paper, the plan, or data"
    )
    pack.add_argument("--board", metavar="NAME", required=True, help="the board")
    pack.add_argument(
        "--meeting", metavar="DATE", help="the meeting's date (default: the board's next meeting)"
    )
    pack.add_argument("--format", choices=PACK_FORMATS, required=True)
    pack.add_argument(
        "-o", "--output", metavar="FILE", help="file to write (md and json: default stdout)"
    )
    pack.add_argument(
        "--template", metavar="FILE", help="Word template for docx (default: the bot's own)"
    )

    commands.add_parser("run", help="connect to Slack (Socket Mode or HTTP) and run the scheduler")

    sandbox = commands.add_parser(
        "sandbox", help="the whole bot on this machine with a local Slack emulator and a console"
    )
    sandbox.add_argument("--demo", action="store_true", help="load a fictional demo board")
    sandbox.add_argument("--script", metavar="FILE", help="run console lines from FILE, no prompt")
    sandbox.add_argument(
        "--socket-mode",
        action="store_true",
        help="reach the bot over Socket Mode (a WebSocket) instead of signed HTTP requests",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_cli(argv, stdout=sys.stdout, stderr=sys.stderr)


def run_cli(
    argv: Sequence[str] | None,
    *,
    stdout: TextIO,
    stderr: TextIO,
    environ: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Run one command; returns the exit code. `now` and `environ` are for tests."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        with contextlib.redirect_stdout(stdout):  # --help goes where output was asked to go
            args = build_parser().parse_args(argv)
        settings = load_settings(environ)
        handler = _HANDLERS[_command_name(args)]
        return handler(args, settings, now or dt.datetime.now(dt.UTC), stdout)
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    except UserError as error:
        print(f"improvement-bot: {error}", file=stderr)
        return EXIT_BAD_INPUT
    except StartupError as error:
        print(f"improvement-bot: {error}", file=stderr)
        return EXIT_FAILED
    except OperationalError as error:
        print(f"improvement-bot: can't use the database: {error.orig}", file=stderr)
        return EXIT_FAILED
    except SQLAlchemyError as error:
        log.debug("database error", exc_info=True)
        print(f"improvement-bot: database error: {type(error).__name__}", file=stderr)
        return EXIT_FAILED


def _command_name(args: argparse.Namespace) -> str:
    sub = getattr(args, f"{args.command}_command", None)
    return f"{args.command} {sub}" if sub else args.command


@contextlib.contextmanager
def _operator(settings: Settings, now: dt.datetime) -> Iterator[OperatorService]:
    """The operator's use cases on an up-to-date database; the clock stands still at `now`.
    The database's connections close on leaving, so nothing of it outlives the command."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        units = Units(session_factory=make_session_factory(engine))
        yield Services(settings=settings, clock=ManualClock(now), units=units).operator
    finally:
        engine.dispose()


def cmd_db_upgrade(
    args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO
) -> int:
    engine = make_engine(settings.database_url)
    applied = upgrade(engine)
    print("Database upgraded." if applied else "Database already up to date.", file=out)
    return EXIT_OK


def cmd_plan_import(
    args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO
) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise BadInput(f"There's no file at {path}. Give the path of an .xlsx or .csv plan.")
    as_of = _as_of(args.as_of, settings.timezone, now)
    parsed = read_plan(path.read_bytes(), path.name)
    with _operator(settings, now) as operator:
        summary = operator.import_sheet(
            parsed,
            now,
            filename=path.name,
            board=args.board,
            plan=args.plan,
            as_of=as_of,
            new_board=BoardDefaults(settings.timezone, settings.region),
            check=args.check,
        )
    if args.json:
        json.dump(summary.as_json(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print("\n".join(summary.lines()), file=out)
    return EXIT_OK


def cmd_plan_show(
    args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO
) -> int:
    with _operator(settings, now) as operator:
        plans = operator.plans(args.plan, now)
    if args.json:
        json.dump({"plans": plans}, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    if not plans:
        print(f"No plans yet. Start with: {FIRST_COMMAND}", file=out)
        return EXIT_OK
    print(render_plans_text(plans, now.date()), file=out)
    return EXIT_OK


def cmd_plan_export(
    args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO
) -> int:
    with _operator(settings, now) as operator:
        exported = operator.export_plan(args.plan, args.format, now)
    content = exported.content
    target = args.output
    if target is None and args.format == "xlsx":
        target = exported.filename
    if target in (None, "-"):
        if args.format == "md":
            out.write(content.decode("utf-8"))
            return EXIT_OK
        if args.format == "xlsx" and out is sys.stdout and sys.stdout.isatty():
            raise BadInput("An .xlsx file can't go to the terminal; add -o FILE.")
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(content)
        else:
            out.write(content.decode("utf-8-sig"))
        return EXIT_OK
    Path(target).write_bytes(content)
    print(f"Wrote {target}", file=out)
    return EXIT_OK


def cmd_reminders_preview(
    args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO
) -> int:
    at = parse_at(args.at, settings.timezone)
    with _operator(settings, now) as operator:
        found = operator.reminder_preview(at, now)
    messages, no_boards = found.messages, found.no_boards
    if args.json:
        json.dump({"at": at.isoformat(), "messages": messages}, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_OK
    if no_boards:
        print(
            f"Nothing would go out: there are no boards yet. Start with: {FIRST_COMMAND}", file=out
        )
        return EXIT_OK
    when = format_moment(at, settings.timezone, weekday=True, zone_name=True)
    if not messages:
        print(f"Nothing would go out at {when}.", file=out)
        return EXIT_OK
    print(f"At {when}, {len(messages)} message(s) would go out:", file=out)
    for message in messages:
        print(f"- {message['kind']} to {message['to']}", file=out)
        if message.get("deliverable") is False:
            print(f"    (not deliverable: {message['why']})", file=out)
        if message.get("note"):
            print(f"    (note: {message['note']})", file=out)
        for item in message["items"]:
            print(
                f"    {item['action']}: {item['reason'].replace('_', ' ')}"
                f" ({item['working_days']} working days)",
                file=out,
            )
    return EXIT_OK


def cmd_digest(args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO) -> int:
    with _operator(settings, now) as operator:
        digest = operator.digest(args.board, args.at, now)
    if args.format == "json":
        json.dump(digest_json(digest), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        print(digest_text(digest), file=out)
    return EXIT_OK


def cmd_pack(args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO) -> int:
    meeting = _meeting_date(args.meeting) if args.meeting else None
    template = Path(args.template) if args.template else None
    if template is not None and args.format != "docx":
        raise BadInput("--template is for --format docx only.")
    if template is not None and not template.is_file():
        raise BadInput(f"There's no template at {template}. Give a .docx file.")
    with _operator(settings, now) as operator:
        pack = operator.pack(args.board, meeting, args.format, now)
    content: bytes | str
    if isinstance(pack.contents, BoardPaper):
        content = _paper(pack.contents, args.format, template)
    else:
        content = pack.contents
    target = args.output
    if target is None and args.format in ("docx", "xlsx"):
        target = pack_filename(pack.board, pack.meeting, args.format)
    if target in (None, "-"):
        if isinstance(content, bytes):
            raise BadInput(f"A .{args.format} file can't go to the terminal; add -o FILE.")
        out.write(content)
        return EXIT_OK
    Path(target).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    print(f"Wrote {target}", file=out)
    return EXIT_OK


def _meeting_date(text: str) -> dt.date:
    parsed = parse_uk_date(text)
    if parsed.precision != DatePrecision.DAY:
        raise BadInput(f"“{text}” is a month; give the meeting's day, e.g. 11/06/2019.")
    return parsed.value


def _paper(paper: BoardPaper, fmt: str, template: Path | None) -> bytes | str:
    if fmt == "docx":
        from bot.render.paper_docx import paper_docx

        return paper_docx(paper, template)
    if fmt == "md":
        return paper_markdown(paper)
    return json.dumps(paper_json(paper), indent=2, ensure_ascii=False) + "\n"


def cmd_run(args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO) -> int:
    from bot.runner import run_forever

    return run_forever(settings)


def cmd_sandbox(args: argparse.Namespace, settings: Settings, now: dt.datetime, out: TextIO) -> int:
    from bot.sandbox.console import run_sandbox

    script = Path(args.script) if args.script else None
    if script is not None and not script.is_file():
        raise BadInput(f"There's no script at {script}. Give a file of console lines.")
    return run_sandbox(
        database_url=settings.database_url if settings.database_url_given else None,
        demo=args.demo,
        script=script,
        stdin=sys.stdin,
        stdout=out,
        start=now,
        socket_mode=args.socket_mode,
    )


def _as_of(text: str | None, timezone: str, now: dt.datetime) -> dt.datetime:
    if not text:
        return now
    day = parse_uk_date(text).value
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=ZoneInfo(timezone))


def render_plans_text(plans: list[dict[str, Any]], today: dt.date) -> str:
    """Plans and their status by theme, for a terminal."""
    lines: list[str] = []
    for plan in plans:
        actions = [a for t in plan["themes"] for a in t["actions"]]
        done = sum(a["status"] == Status.BLUE for a in actions)
        lines.append(f"{plan['title']} — {plan['board']}")
        lines.append(f"{len(actions)} actions, {done} complete")
        for theme in plan["themes"]:
            counts: dict[str, int] = {}
            for action in theme["actions"]:
                counts[action["status"]] = counts.get(action["status"], 0) + 1
            summary = ", ".join(
                f"{counts[s.value]} {s.label.lower()}" for s in Status if counts.get(s.value)
            )
            lines.append("")
            lines.append(f"{theme['ref']}  {theme['title']}  ({summary or 'no actions'})")
            for action in theme["actions"]:
                due = action["due"]
                overdue = (
                    due is not None
                    and action["status"] != Status.BLUE
                    and dt.date.fromisoformat(due) < today
                )
                owners = "; ".join(o["name"] for o in action["owners"]) or "no owner"
                status = Status(action["status"]).label + (" (overdue)" if overdue else "")
                lines.append(
                    f"  {action['ref']:<6} {status:<22} due {_due_text(action):<17} {owners}"
                )
                lines.append(f"         {_shorten(action['title'], 90)}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _due_text(action: dict[str, Any]) -> str:
    if not action["due"]:
        return _shorten(action.get("due_text") or "—", 12)
    return format_day(dt.date.fromisoformat(action["due"]), action["due_precision"])


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_HANDLERS: dict[str, Callable[[argparse.Namespace, Settings, dt.datetime, TextIO], int]] = {
    "db upgrade": cmd_db_upgrade,
    "plan import": cmd_plan_import,
    "plan show": cmd_plan_show,
    "plan export": cmd_plan_export,
    "reminders preview": cmd_reminders_preview,
    "digest": cmd_digest,
    "pack": cmd_pack,
    "run": cmd_run,
    "sandbox": cmd_sandbox,
}


if __name__ == "__main__":
    raise SystemExit(main())
