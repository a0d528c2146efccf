"""The CLI in-process (DESIGN §7): exit codes, one-line errors, nothing half-written."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import run_cli
from db.models import Board
from db.session import make_engine
from tests.sheets import council_workbook

NOW = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)


class Cli:
    def __init__(self, database: Path) -> None:
        self.environ = {"DATABASE_URL": f"sqlite:///{database}"}

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = run_cli(list(argv), stdout=out, stderr=err, environ=self.environ, now=NOW)
        return code, out.getvalue(), err.getvalue()


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "cli.db")


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    path = tmp_path / "ilacs-plan.xlsx"
    path.write_bytes(council_workbook())
    return path


def show(cli: Cli) -> dict:
    code, out, err = cli("plan", "show", "--json")
    assert code == 0, err
    return json.loads(out)


def test_import_then_show_json(cli: Cli, sheet: Path) -> None:
    code, out, err = cli("plan", "import", str(sheet), "--board", "Improvement Board")
    assert code == 0, err
    # The title is the title block's line naming the plan, not the file name.
    assert (
        "Created “ILACS improvement plan (inspection published 19 November 2018)” on "
        "Improvement Board." in out
    )
    [plan] = show(cli)["plans"]
    assert (plan["title"], plan["board"]) == (
        "ILACS improvement plan (inspection published 19 November 2018)",
        "Improvement Board",
    )
    assert [t["ref"] for t in plan["themes"]] == ["4", "5"]
    first = plan["themes"][0]["actions"][0]
    assert set(first) == {
        "ref", "title", "due", "due_precision", "due_text", "status", "measures", "owners",
        "latest_update", "fields", "impact", "movement", "challenges",
    }  # fmt: skip
    assert (first["ref"], first["due"], first["due_precision"], first["status"]) == (
        "4.1",
        "2019-05-31",
        "month",
        "amber",
    )
    assert first["owners"] == [
        {"name": "Jane Doe", "title": "Head of Fostering", "slack_user": None},
        {"name": "John Smith", "title": "Service Manager", "slack_user": None},
    ]
    assert first["latest_update"]["source"] == "import"
    assert first["latest_update"]["at"] == NOW.isoformat()
    assert "Big conversation" in first["latest_update"]["note"]


def test_reimport_updates_by_ref_and_says_what_changed(cli: Cli, sheet: Path) -> None:
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0
    before = show(cli)
    code, out, err = cli("plan", "import", str(sheet), "--as-of", "20/05/2019")
    assert code == 0, err
    assert "0 added, 0 changed" in out
    assert show(cli) == before


def test_as_of_dates_the_imported_progress(cli: Cli, sheet: Path) -> None:
    assert cli("plan", "import", str(sheet), "--as-of", "2019-05-03")[0] == 0
    update = show(cli)["plans"][0]["themes"][0]["actions"][0]["latest_update"]
    assert update["at"].startswith("2019-05-03T")


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not a spreadsheet at all", "plan.xlsx", "xlsx"),
        (b"", "plan.csv", "empty"),
        (b"a,b,c\n1,2,3\n", "plan.csv", "header"),
        (b"%PDF-1.4", "plan.pdf", ".xlsx"),
    ],
)
def test_bad_files_exit_2_with_one_line_and_write_nothing(
    cli: Cli, tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out, err = cli("plan", "import", str(bad), "--board", "Board")
    assert code == 2
    assert err.count("\n") == 1 and message.lower() in err.lower(), err
    assert show(cli) == {"plans": []}


def test_a_bad_row_names_the_row_and_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "Ref,Action,Completion date,Owner\n1,Theme one,,\n1.1,Do it,,Jane Doe\n"
        "1.1,Again,soonish,Jane Doe\n",
        encoding="utf-8",
    )
    code, _, err = cli("plan", "import", str(bad), "--board", "Board")
    assert code == 2
    assert "row 4" in err and "already on row 3" in err and err.count("\n") == 1
    assert show(cli) == {"plans": []}


@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "import", "/no/such/file.xlsx"),
        ("plan", "import"),
        ("plan", "show", "--plan", "Nope"),
        ("plan", "export", "--format", "pdf"),
        ("reminders", "preview", "--at", "next tuesday"),
        ("digest", "--board", "Nope"),
        ("frobnicate",),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Cli, argv: tuple[str, ...]) -> None:
    code, out, err = cli(*argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("improvement-bot: ")
    assert "Traceback" not in err


def test_bad_as_of_writes_nothing(cli: Cli, sheet: Path) -> None:
    code, _, err = cli("plan", "import", str(sheet), "--as-of", "someday")
    assert code == 2 and "someday" in err
    assert show(cli) == {"plans": []}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_imports_back_to_the_same_plan(
    cli: Cli, sheet: Path, tmp_path: Path, fmt: str
) -> None:
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0
    exported = tmp_path / f"export.{fmt}"
    code, out, err = cli("plan", "export", "--format", fmt, "-o", str(exported))
    assert code == 0, err
    code, out, err = cli("plan", "import", str(exported), "--plan", "Copy")
    assert code == 0, err
    original, copy = show(cli)["plans"]
    assert copy["title"] == "Copy"
    for plan in (original, copy):
        for theme in plan["themes"]:
            for action in theme["actions"]:
                action["latest_update"] = (action["latest_update"] or {}).get("note")
    assert copy["themes"] == original["themes"]


def test_export_markdown_to_stdout(cli: Cli, sheet: Path) -> None:
    assert cli("plan", "import", str(sheet))[0] == 0
    code, out, err = cli("plan", "export", "--format", "md", "-o", "-")
    assert code == 0, err
    assert out.startswith("# ") and "| 4.1 |" in out


def test_reminders_preview_json(cli: Cli, sheet: Path) -> None:
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0
    code, out, err = cli("reminders", "preview", "--at", "2019-05-16T09:00", "--json")
    assert code == 0, err
    preview = json.loads(out)
    assert preview["at"] == "2019-05-16T09:00:00+01:00"
    assert isinstance(preview["messages"], list)
    code, out, err = cli("reminders", "preview", "--at", "2019-05-31T09:00", "--json")
    due_today = json.loads(out)["messages"]
    assert {"kind", "to", "items", "key"} <= set(due_today[0])
    jane = [m for m in due_today if m["to"] == "Jane Doe"]
    assert jane and {"action": "4.1", "reason": "due_soon", "working_days": 0} in jane[0]["items"]
    # Imported from a sheet, Jane is not linked to Slack yet: listed, but marked.
    assert jane[0]["deliverable"] is False and "not linked to Slack" in jane[0]["why"]


def test_digest_text_and_json(cli: Cli, sheet: Path) -> None:
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0
    code, out, err = cli("digest", "--at", "2019-05-20T09:00", "--format", "json")
    assert code == 0, err
    digest = json.loads(out)
    assert digest["board"]["name"] == "Improvement Board"
    assert digest["totals"]["actions"] == sum(t["actions"] for t in digest["themes"])
    code, out, err = cli("digest")
    assert code == 0 and "Improvement Board" in out


def test_db_upgrade_and_help(cli: Cli) -> None:
    assert cli("db", "upgrade") == (0, "Database upgraded.\n", "")
    assert cli("db", "upgrade") == (0, "Database already up to date.\n", "")
    code, out, _ = cli("--help")
    assert code == 0
    for command in ("run", "sandbox", "db", "plan", "digest", "reminders"):
        assert command in out


def test_a_board_made_by_an_import_takes_the_deployment_defaults(
    cli: Cli, sheet: Path, tmp_path: Path
) -> None:
    cli.environ |= {"BOT_REGION": "SCT", "BOT_TIMEZONE": "Europe/Dublin"}
    assert cli("plan", "import", str(sheet), "--board", "Scottish Board")[0] == 0
    engine = make_engine(cli.environ["DATABASE_URL"])
    with engine.connect() as connection:
        row = connection.execute(select(Board.region, Board.timezone)).one()
    engine.dispose()
    assert tuple(row) == ("SCT", "Europe/Dublin")


# ---------------------------------------------------------------- the CLI speaks CLI


@pytest.mark.parametrize(
    "argv",
    [
        ("plan", "export"),
        ("plan", "export", "--plan", "Nope"),
        ("digest",),
        ("digest", "--board", "Nope"),
    ],
)
def test_on_an_empty_database_each_command_says_which_to_run_first(
    cli: Cli, argv: tuple[str, ...]
) -> None:
    code, _, err = cli(*argv)
    assert code == 2, err
    assert "improvement-bot plan import FILE --board NAME" in err or "Nope" in err
    assert "/plan" not in err and "in quotes" not in err


def test_plan_show_and_preview_on_an_empty_database_name_the_first_command(cli: Cli) -> None:
    for argv in (("plan", "show"), ("reminders", "preview", "--at", "2019-05-16T09:00")):
        code, out, _ = cli(*argv)
        assert code == 0
        assert "improvement-bot plan import FILE --board NAME" in out


def test_with_two_boards_and_plans_the_cli_asks_for_its_own_options(
    cli: Cli, sheet: Path, tmp_path: Path
) -> None:
    other = tmp_path / "fostering.xlsx"
    other.write_bytes(council_workbook())
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0
    assert (
        cli("plan", "import", str(other), "--board", "Fostering Board", "--plan", "Fostering")[0]
        == 0
    )

    code, _, err = cli("digest")
    assert code == 2
    assert "say which with --board NAME" in err and "“Fostering Board”" in err
    code, _, err = cli("plan", "export", "--format", "csv")
    assert code == 2
    assert "say which with --plan TITLE" in err
    code, _, err = cli("digest", "--board", "Nope")
    assert code == 2 and "the boards are “Improvement Board”, “Fostering Board”" in err
    for message in (err,):
        assert "/plan" not in message and "in quotes" not in message
    assert cli("digest", "--board", "Fostering Board")[0] == 0


def test_a_check_says_what_an_import_would_do_not_what_it_did(cli: Cli, sheet: Path) -> None:
    """The performance manager runs `--check` first: nothing may read as already done."""
    code, out, err = cli("plan", "import", str(sheet), "--board", "Improvement Board", "--check")
    assert code == 0, err
    assert out.startswith("Would create")
    assert "Themes: 2 to add" in out and "Progress updates to record:" in out
    assert "recorded:" not in out and "imported as described" not in out
    assert "Nothing was written: this was a check." in out


def test_a_misspelt_board_is_refused_not_made_and_a_new_one_is_announced(
    cli: Cli, sheet: Path
) -> None:
    """`--board "Improvment Board"` must not quietly start a second board next to the real
    one; a board that is really new is named as new."""
    assert cli("plan", "import", str(sheet), "--board", "Improvement Board")[0] == 0

    code, out, err = cli("plan", "import", str(sheet), "--board", "improvment board")
    assert code == 2 and out == ""
    assert "There's no board called “improvment board”" in err
    assert "did you mean “Improvement Board”?" in err
    assert [p["board"] for p in show(cli)["plans"]] == ["Improvement Board"]

    code, out, err = cli(
        "plan", "import", str(sheet), "--board", "Fostering Board", "--plan", "Fostering"
    )
    assert code == 0, err
    assert "Created “Fostering” on a new board, “Fostering Board”." in out


def test_a_misspelt_plan_title_is_refused_not_made_into_a_second_plan(
    cli: Cli, sheet: Path
) -> None:
    """A second plan holding the same actions would remind every owner twice."""
    assert cli("plan", "import", str(sheet), "--plan", "Children's Services Plan")[0] == 0

    code, out, err = cli("plan", "import", str(sheet), "--plan", "Childrens Services Plan")

    assert code == 2 and out == ""
    assert "did you mean “Children's Services Plan”?" in err
    assert [p["title"] for p in show(cli)["plans"]] == ["Children's Services Plan"]


def test_next_years_plan_beside_this_years_is_a_new_plan_not_a_typo(cli: Cli, sheet: Path) -> None:
    """Titles that differ in their numbers (years, versions) name different plans."""
    assert cli("plan", "import", str(sheet), "--plan", "Improvement Plan 2020")[0] == 0

    code, _, err = cli("plan", "import", str(sheet), "--plan", "Improvement Plan 2021")

    assert code == 0, err
    titles = [p["title"] for p in show(cli)["plans"]]
    assert titles == ["Improvement Plan 2020", "Improvement Plan 2021"]
