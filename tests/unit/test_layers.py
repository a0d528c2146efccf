"""The dependency rule of docs/design.md §2, checked on the source.

    bot/core      imports nothing of ours but bot.core; no SQLAlchemy, no Slack, no clock reads
    bot/services  imports bot.core, bot.services, db, bot.clock and bot.config; no Slack
    bot/render    imports bot.core, bot.render and the services' read models; no SQLAlchemy, no db
    handlers, scheduler   never import db
    db            imports none of bot, handlers, scheduler
    slack_bolt    only in handlers/ and the wiring: bot/app.py, bot/runner.py, bot/sandbox,
                  bot/web.py

Each broken rule is shown as `file:line imports X (rule)`. Imports under `if TYPE_CHECKING:`
count too: a type-only import is still a dependency of the layer.

Also here, as the same kind of source check: every date a person reads is formatted by
bot.core.dates, so messages, documents and the CLI show dates one way.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "scheduler", "db")

# Where code still breaks a rule while it is being moved into place: a file and the rule it
# breaks, with why. None is left; the set may only shrink (a listed file that keeps to its
# rule fails the test below until its entry is removed).
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {}

SLACK = ("slack_bolt", "slack_sdk")
OURS = PACKAGES
WIRING = ("bot/app.py", "bot/runner.py", "bot/sandbox/", "bot/web.py")
CLOCK_CALLS = frozenset({"now", "today", "utcnow"})
TIME_READS = frozenset({"time", "time_ns", "localtime", "gmtime"})


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    imported: str
    rule: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} imports {self.imported} ({self.rule})"


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _imports(path: Path, tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for every import, relative ones resolved; `from m import n` gives
    both `m` and `m.n`, so a rule can name a module or a name in it."""
    package = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{module}.{alias.name}"


def _clock_reads(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            func = node.func
            owner = ast.unparse(func.value)
            if func.attr in CLOCK_CALLS or (owner == "time" and func.attr in TIME_READS):
                yield node.lineno, f"{owner}.{func.attr}()"


Rule = tuple[str, Callable[[str], bool]]


def _render_import_breaks(name: str) -> bool:
    """render may use bot.core, bot.render and names from a services module (its read models);
    not the Services object, not the unit of work, nothing else of ours."""
    if _under(name, "bot.services.uow"):
        return True
    if _under(name, "bot.services"):
        return name.count(".") < 3
    return _under(name, *OURS) and not _under(name, "bot.core", "bot.render")


def _rules_for(file: str) -> list[Rule]:
    """(rule name, test of an imported name that breaks it) for a file."""
    rules: list[Rule] = []
    if file.startswith("bot/core/"):
        rules += [
            ("core-imports-only-core", lambda m: _under(m, *OURS) and not _under(m, "bot.core")),
            ("core-no-sqlalchemy", lambda m: _under(m, "sqlalchemy")),
            ("core-no-slack", lambda m: _under(m, *SLACK)),
            ("core-no-clock", lambda m: _under(m, "time.time", "time.time_ns")),
        ]
    if file.startswith("bot/services/"):
        allowed = ("bot.core", "bot.services", "db", "bot.clock", "bot.config")
        rules += [
            ("services-imports", lambda m: _under(m, *OURS) and not _under(m, *allowed)),
            ("services-no-slack", lambda m: _under(m, *SLACK)),
        ]
    if file.startswith("bot/render/"):
        rules += [
            ("render-imports-core-render-read-models", _render_import_breaks),
            ("render-no-sqlalchemy", lambda m: _under(m, "sqlalchemy")),
        ]
    if file.startswith("handlers/"):
        rules.append(("handlers-no-db", lambda m: _under(m, "db")))
    if file.startswith("scheduler/"):
        rules.append(("scheduler-no-db", lambda m: _under(m, "db")))
    if file.startswith("db/"):
        rules.append(("db-imports-no-app", lambda m: _under(m, "bot", "handlers", "scheduler")))
    if not file.startswith(("handlers/", *WIRING)):
        rules.append(("slack_bolt-only-in-handlers-and-wiring", lambda m: _under(m, "slack_bolt")))
    return rules


def _violations() -> list[Violation]:
    found: list[Violation] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            file = path.relative_to(ROOT).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=file)
            rules = _rules_for(file)
            seen: set[tuple[int, str]] = set()
            for line, name in _imports(path, tree):
                for rule, breaks in rules:
                    if breaks(name) and (line, rule) not in seen:
                        seen.add((line, rule))
                        found.append(Violation(file, line, name, rule))
            if file.startswith("bot/core/"):
                for line, call in _clock_reads(tree):
                    found.append(Violation(file, line, f"the clock: {call}", "core-no-clock"))
    return found


def test_every_layer_keeps_to_the_dependency_rule() -> None:
    broken = [v for v in _violations() if (v.file, v.rule) not in KNOWN_EXCEPTIONS]
    assert not broken, "the dependency rule (docs/design.md §2) is broken:\n" + "\n".join(
        map(str, broken)
    )


def test_known_exceptions_only_shrink() -> None:
    """A listed exception that the code no longer needs must leave the list."""
    still_broken = {(v.file, v.rule) for v in _violations()}
    stale = sorted(
        f"{file} ({rule})" for file, rule in KNOWN_EXCEPTIONS if (file, rule) not in still_broken
    )
    assert not stale, (
        "these files keep to the rule now; remove them from KNOWN_EXCEPTIONS:\n" + "\n".join(stale)
    )


def test_the_check_sees_what_it_should() -> None:
    """The rule reader itself: relative imports resolve, clock reads and layers are found."""
    source = (
        "from . import dates\n"
        "from ..services import plans\n"
        "import sqlalchemy\n"
        "from slack_bolt import App\n"
        "import datetime as dt\n"
        "x = dt.datetime.now()\n"
    )
    path = ROOT / "bot" / "core" / "example.py"
    tree = ast.parse(source)
    assert [name for _, name in _imports(path, tree)] == [
        "bot.core.dates",
        "bot.services.plans",
        "sqlalchemy",
        "slack_bolt.App",
        "datetime",
    ]
    assert list(_clock_reads(tree)) == [(6, "dt.datetime.now()")]
    rules = dict(_rules_for("bot/core/example.py"))
    assert rules["core-imports-only-core"]("bot.services.plans")
    assert not rules["core-imports-only-core"]("bot.core.dates")
    render = dict(_rules_for("bot/render/example.py"))
    read_model = "bot.services.digest.Digest"
    assert not render["render-imports-core-render-read-models"](read_model)
    assert render["render-imports-core-render-read-models"]("db.models.Plan")
    assert render["render-imports-core-render-read-models"]("bot.services.Services")


# ---------------------------------------------------------------- one date formatter

# Date directives; `%H:%M` (a time of day) is not one.
_DATE_DIRECTIVES = ("%a", "%A", "%b", "%B", "%d", "%e", "%m", "%y", "%Y")
# strftime-style dates that are not for people to read, each with why.
DATE_FORMAT_ALLOWED = {
    "bot/core/dates.py": "the one formatter",
    "bot/core/exporter.py": "the exported sheet's cells, in the shapes the importer reads",
    "bot/core/sheet_reader.py": "a date cell read as the text a person typed into the sheet",
    "bot/core/meetings.py": "an RRULE's UNTIL part (YYYYMMDD)",
    "bot/sandbox/demo.py": "commands the demo types, as a person would",
}


def _date_formats(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        pattern = None
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            pattern = ast.unparse(node.format_spec)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "strftime"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            pattern = str(node.args[0].value)
        if pattern and any(d in pattern for d in _DATE_DIRECTIVES):
            yield node.lineno, pattern


def test_people_read_dates_from_one_formatter() -> None:
    """Every date a person reads goes through bot.core.dates (format_day, format_moment)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            file = path.relative_to(ROOT).as_posix()
            if file in DATE_FORMAT_ALLOWED:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=file)
            found += [f"{file}:{line} formats a date with {p}" for line, p in _date_formats(tree)]
    assert not found, "use bot.core.dates.format_day / format_moment:\n" + "\n".join(found)
