"""`improvement-bot pack` (DESIGN §7): every format, and bad input as one line, exit 2 and
nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.integration.test_cli import Cli
from tests.sheets import council_workbook

BOARD = "Improvement Board"


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "cli.db")
    sheet = tmp_path / "ilacs-plan.xlsx"
    sheet.write_bytes(council_workbook())
    code, _, err = cli("plan", "import", str(sheet), "--board", BOARD)
    assert code == 0, err
    return cli


def test_docx_is_a_committee_paper(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "paper.docx"
    code, out, err = cli(
        "pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "docx", "-o", str(target)
    )
    assert (code, err) == (0, "")
    assert out == f"Wrote {target}\n"
    document = Document(io.BytesIO(target.read_bytes()))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading 1")]
    assert headings == [
        "Summary",
        "Trend over the last meetings",
        "Progress by theme",
        "Exceptions",
        "Date changes",
        "Challenge log",
        "Statutory deadlines",
        "Cover for absent owners",
        "Owners who have not updated since 12 May 2019",
    ]
    cover = document.tables[0]
    assert [c.text for c in cover.rows[0].cells] == ["Meeting date", "11 June 2019"]
    assert [c.text for c in cover.rows[2].cells][0] == "Report of"
    assert len(document.inline_shapes) >= 1  # the BRAG chart; the trend once meetings have passed


def test_docx_without_o_goes_to_a_named_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("pack", "--board", BOARD, "--meeting", "2019-06-11", "--format", "docx")
    assert code == 0, err
    assert out == "Wrote Improvement-Board-pack-2019-06-11.docx\n"
    assert (tmp_path / "Improvement-Board-pack-2019-06-11.docx").stat().st_size > 10_000


def test_md_and_json_print_to_stdout(cli: Cli) -> None:
    code, out, err = cli("pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "md")
    assert code == 0, err
    assert out.startswith("# Improvement Board\n")
    assert "## Exceptions" in out and "| 4.1 |" in out
    code, out, err = cli("pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["meeting"] == "2019-06-11"
    assert data["digest"]["board"]["name"] == BOARD
    assert {"report_of", "escalate_after_working_days", "decided_date_changes"} <= set(data)


def test_xlsx_is_the_plan(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "plan.xlsx"
    code, _, err = cli(
        "pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "xlsx", "-o", str(target)
    )
    assert code == 0, err
    sheet = load_workbook(target).active
    refs = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "4.1" in refs


def test_a_council_template_is_used(cli: Cli, tmp_path: Path) -> None:
    house = Document()
    house.sections[0].footer.paragraphs[0].text = "Borough Council"
    template = tmp_path / "house.docx"
    house.save(str(template))
    target = tmp_path / "paper.docx"
    code, _, err = cli(
        "pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "docx",
        "--template", str(template), "-o", str(target),
    )  # fmt: skip
    assert code == 0, err
    assert Document(str(target)).sections[0].footer.paragraphs[0].text == "Borough Council"


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--board", "Nope", "--format", "md"), "no board called “Nope”; the boards are “"),
        (("--board", BOARD, "--meeting", "someday", "--format", "md"), "someday"),
        (("--board", BOARD, "--meeting", "June 2019", "--format", "docx"), "is a month"),
        (("--board", BOARD, "--format", "docx"), "has no meeting coming up"),
        (("--board", BOARD, "--meeting", "11/06/2019", "--format", "pdf"), "invalid choice"),
        (("--meeting", "11/06/2019", "--format", "md"), "--board"),
        (("--board", BOARD, "--meeting", "11/06/2019", "--format", "docx", "-o", "-"), "-o FILE"),
        (
            ("--board", BOARD, "--meeting", "11/06/2019", "--format", "docx",
             "--template", "/no/such/template.docx"),
            "no template",
        ),
        (
            ("--board", BOARD, "--meeting", "11/06/2019", "--format", "md",
             "--template", "/no/such/template.docx"),
            "docx only",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...], says: str
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli("pack", *argv)
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("improvement-bot: ")
    assert says in err
    assert out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_template_that_is_not_a_word_file_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    template = tmp_path / "notes.docx"
    template.write_text("just text")
    target = tmp_path / "paper.docx"
    code, _, err = cli(
        "pack", "--board", BOARD, "--meeting", "11/06/2019", "--format", "docx",
        "--template", str(template), "-o", str(target),
    )  # fmt: skip
    assert code == 2 and "Word template" in err
    assert not target.exists()
