"""The pack as a committee paper: what it says (golden file of the .docx's text and
structure, not its bytes), its chart, its template, and what it costs in queries."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.render.charts import png_size
from bot.render.paper import paper_markdown
from bot.render.paper_docx import BadTemplate, paper_docx
from bot.services.digest import build_pack
from bot.services.paper import build_paper, paper_json
from bot.services.plans import Actor, find_action
from bot.services.progress import decide_date_change, request_date_change
from bot.services.uow import UnitOfWork
from db.models import Plan
from tests.conftest import NOW
from tests.integration.test_digest import at, build_board, build_sized_board, counting_statements

UowFactory = Callable[[], UnitOfWork]
GOLDEN = Path(__file__).parent.parent / "golden" / "pack_paper.txt"
MEETING = dt.date(2019, 6, 11)


def board_with_a_declined_change(uow_factory: UowFactory) -> dict[str, int]:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None
        asked = request_date_change(
            uow, Actor(ids["ws"], ids["omar"]), find_action(uow, plan, "2.2"),
            dt.date(2019, 9, 30), "recruitment paused", at(5, 14, 11),
        )  # fmt: skip
        decide_date_change(
            uow, Actor(ids["ws"], ids["chair"]), asked.id, False, at(5, 15, 10),
            note="keep July; report at the next board",
        )  # fmt: skip
        uow.commit()
    return ids


def docx_outline(content: bytes) -> list[str]:
    """The document's text and structure, in order: one line per paragraph (with its style)
    and per table row; pictures as their alt text."""
    document = Document(io.BytesIO(content))
    lines: list[str] = []
    for element in document.element.body:
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = DocxParagraph(element, document)
            for picture in element.iter("{*}docPr"):
                lines.append(f"[picture] {picture.get('descr')}")
            if paragraph.text.strip():
                lines.append(f"[{paragraph.style.name}] {paragraph.text}")
        elif tag == "tbl":
            table = DocxTable(element, document)
            lines.append("[table]")
            for row in table.rows:
                lines.append("  | " + " | ".join(cell.text for cell in row.cells))
    return lines


def the_paper(uow_factory: UowFactory) -> tuple[dict[str, int], bytes]:
    ids = board_with_a_declined_change(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    return ids, paper_docx(paper)


def test_the_paper_says_what_the_golden_file_says(uow_factory: UowFactory) -> None:
    _, content = the_paper(uow_factory)
    outline = "\n".join(docx_outline(content)) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(outline, encoding="utf-8")
    assert outline == GOLDEN.read_text(encoding="utf-8")


def test_the_chart_in_the_paper_is_a_png_with_alt_text(uow_factory: UowFactory) -> None:
    _, content = the_paper(uow_factory)
    document = Document(io.BytesIO(content))
    [shape] = document.inline_shapes
    blob = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    width, height = png_size(blob.blob)
    assert 900 <= width <= 1400 and 200 <= height <= 1000
    assert len(blob.blob) > 10_000
    alt = shape._inline.docPr.get("descr")
    assert "2 Placement stability: 3 actions, 0% complete" in alt


def test_every_section_is_in_the_markdown_too(uow_factory: UowFactory) -> None:
    ids = board_with_a_declined_change(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    text = paper_markdown(paper)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [
        "# Improvement Board",
        "## Summary",
        "## Progress by theme",
        "### 1 Leadership and governance",
        "### 2 Placement stability",
        "## Exceptions",
        "## Date changes",
        "### Asked for, awaiting the board's decision",
        "### Decided since the meeting on 14 May 2019",
        "## Owners who have not updated since the meeting on 14 May 2019",
    ]
    assert "| 2.2 | Sufficiency strategy | 31 July 2019 | 30 September 2019 |" in text
    assert "Declined by Chris Chair, 15 May 2019: keep July" in text
    data = paper_json(paper)
    assert data["report_of"] == {"name": "Chris Chair", "role": "Chair"}
    assert data["escalate_after_working_days"] == 10
    [first, _] = data["digest"]["themes"][0]["action_list"]
    assert (first["ref"], first["slips"], first["latest_update"]["note"]) == (
        "1.1",
        1,
        "log in place",
    )
    assert [c["decision"] for c in data["decided_date_changes"]] == ["approved", "declined"]


def test_escalated_actions_follow_the_board_policy(uow_factory: UowFactory) -> None:
    ids = board_with_a_declined_change(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW + dt.timedelta(days=14))
    text = paper_markdown(paper)
    # 2.1 was due on 2 May; on 30 May it is 18 working days overdue (two bank holidays).
    assert "| Amber: at risk | Escalated: 18 working days overdue |" in text


def test_a_council_template_gives_its_page_set_up_and_drops_its_sample_text(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    house = Document()
    house.sections[0].header.paragraphs[0].text = "Borough Council — OFFICIAL"
    house.add_paragraph("Sample text the template came with")
    template = tmp_path / "house.docx"
    house.save(str(template))
    ids = board_with_a_declined_change(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    document = Document(io.BytesIO(paper_docx(paper, template)))
    assert document.sections[0].header.paragraphs[0].text == "Borough Council — OFFICIAL"
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Sample text" not in text
    assert "Exceptions" in text

    not_a_docx = tmp_path / "notes.docx"
    not_a_docx.write_text("not a Word file")
    with pytest.raises(BadTemplate, match="Give a .docx file"):
        paper_docx(paper, not_a_docx)


def test_the_paper_adds_a_fixed_number_of_queries_to_the_pack(uow_factory: UowFactory) -> None:
    counts: dict[str, list[int]] = {"pack": [], "paper": []}
    for team, size in (("PS", 5), ("PL", 120)):
        board_id = build_sized_board(uow_factory, team, size)
        with uow_factory() as uow:
            with counting_statements(uow) as statements:
                build_pack(uow, board_id, MEETING, NOW)
            counts["pack"].append(len(statements))
        with uow_factory() as uow:
            with counting_statements(uow) as statements:
                paper = build_paper(uow, board_id, MEETING, NOW)
            counts["paper"].append(len(statements))
            assert sum(len(t.actions) for t in paper.themes) == size
    assert counts["paper"][0] == counts["paper"][1]
    assert counts["paper"][0] - counts["pack"][0] <= 5


@pytest.mark.skipif(
    not (shutil.which("soffice") and shutil.which("pdftotext")),
    reason="LibreOffice (soffice) and poppler's pdftotext are not installed; "
    "the golden outline above checks the same text",
)
def test_libreoffice_opens_the_paper_and_prints_every_section(
    uow_factory: UowFactory, tmp_path: Path
) -> None:
    _, content = the_paper(uow_factory)
    source = tmp_path / "pack.docx"
    source.write_bytes(content)
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    for expected in (
        "Improvement Board",
        "Report of",
        "Chris Chair, Chair",
        "Summary",
        "Progress by theme",
        "Exceptions",
        "Date changes",
        "Owners who have not updated",
        "Page 1 of",
    ):
        assert expected in text
