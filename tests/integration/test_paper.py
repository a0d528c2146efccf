"""The pack as a committee paper: what it says (golden file of the .docx's text and
structure, not its bytes), its chart, its template, and what it costs in queries."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from bot.core.challenges import EventKind
from bot.core.impact import Impact
from bot.core.statuses import Status
from bot.render.charts import png_size
from bot.render.paper import paper_markdown
from bot.render.paper_docx import BadTemplate, paper_docx
from bot.services.challenges import answer, ask, chair_step
from bot.services.digest import build_pack
from bot.services.paper import build_paper, paper_json
from bot.services.plans import Actor, find_action
from bot.services.progress import decide_date_change, record_progress, request_date_change
from bot.services.uow import UnitOfWork
from db.models import Absence, Plan, StatutoryDeadline
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


def board_for_the_paper(uow_factory: UowFactory) -> dict[str, int]:
    """The digest's board, with something in every section of the paper: impact judged and
    evidenced, activity without evidence, challenges open, answered and closed, a statutory
    deadline, and an owner away with a deputy covering."""
    ids = board_with_a_declined_change(uow_factory)
    ws, chair, jane, omar = ids["ws"], ids["chair"], ids["jane"], ids["omar"]
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None

        def update(person: int, ref: str, when: dt.datetime, **given: object) -> None:
            record_progress(
                uow, Actor(ws, person), find_action(uow, plan, ref), when,
                source="command", **given,  # type: ignore[arg-type]
            )  # fmt: skip

        update(jane, "1.1", at(5, 15, 11), impact=Impact.EMERGING, evidence="first minutes")
        for day in (8, 9, 10):
            update(omar, "2.2", at(5, day, 10), status=Status.RED, note="still recruiting")
        asked = ask(uow, Actor(ws, chair), "2.1", "Why has the survey slipped?", at(5, 14, 15))
        answer(uow, Actor(ws, jane), asked.challenge.id, "Carers' forum moved", at(5, 15, 9, 30))
        ask(uow, Actor(ws, chair), "2.3", "Who chairs the panel?", at(5, 15, 12))
        closed = ask(uow, Actor(ws, chair), "1.1", "Is the log public?", at(5, 14, 16))
        chair_step(
            uow, Actor(ws, chair), closed.challenge.id, at(5, 15, 14), EventKind.CLOSED, "Yes"
        )
        uow.session.add(
            StatutoryDeadline(
                plan_id=plan.id, name="Written statement of action",
                due=dt.date(2019, 6, 24), start=dt.date(2019, 3, 12), working_days=70,
            )
        )  # fmt: skip
        uow.session.add(
            Absence(
                person_id=omar, start=dt.date(2019, 5, 13), end=dt.date(2019, 5, 24),
                deputy_id=jane, set_at=at(5, 10), set_by_id=omar,
            )
        )  # fmt: skip
        uow.commit()
    return ids


def docx_outline(content: bytes) -> list[str]:
    """The document's text and structure, in order: one line per paragraph (with its style)
    and per table row; pictures as their alt text."""
    document = Document(io.BytesIO(content))
    lines: list[str] = []
    for element in document.element.body:  # challenge numbers (C12) follow the database's ids
        if element.tag.endswith("}tbl"):
            for cell_text in element.iter("{*}t"):
                cell_text.text = re.sub(r"^C\d+$", "C#", cell_text.text or "")
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
    ids = board_for_the_paper(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    return ids, paper_docx(paper)


def test_the_paper_says_what_the_golden_file_says(uow_factory: UowFactory) -> None:
    _, content = the_paper(uow_factory)
    outline = "\n".join(docx_outline(content)) + "\n"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(outline, encoding="utf-8")
    assert outline == GOLDEN.read_text(encoding="utf-8")


def test_both_charts_in_the_paper_are_pngs_with_alt_text(uow_factory: UowFactory) -> None:
    _, content = the_paper(uow_factory)
    document = Document(io.BytesIO(content))
    brag, trend = document.inline_shapes
    for shape, title in ((brag, "BRAG status by theme"), (trend, "Trend of BRAG and impact")):
        blob = document.part.related_parts[
            shape._inline.graphic.graphicData.pic.blipFill.blip.embed
        ].blob
        width, height = png_size(blob)
        assert 900 <= width <= 1400 and 200 <= height <= 1000, (title, width, height)
        assert len(blob) > 10_000
        assert shape._inline.docPr.get("title") == title
    assert "2 Placement stability: 3 actions, 0% complete" in brag._inline.docPr.get("descr")
    assert trend._inline.docPr.get("descr").endswith(
        "Now (16 May 2019): 5 actions — 1 complete, 1 on track, 1 at risk, 1 off track, "
        "1 not started; impact 0 evidenced, 1 emerging, 4 not yet evidenced."
    )


SECTIONS = [
    "# Improvement Board",
    "## Summary",
    "### Delivery by theme (BRAG)",
    "### Impact and movement since 14 May 2019",
    "## Trend over the last meetings",
    "## Progress by theme",
    "### 1 Leadership and governance",
    "### 2 Placement stability",
    "## Exceptions",
    "## Date changes",
    "### Asked for, awaiting the board's decision",
    "### Decided since the meeting on 14 May 2019",
    "## Challenge log",
    "## Statutory deadlines",
    "## Cover for absent owners",
    "## Owners who have not updated since the meeting on 14 May 2019",
]


def test_every_section_is_in_the_markdown_and_the_json_too(uow_factory: UowFactory) -> None:
    ids = board_for_the_paper(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    text = paper_markdown(paper)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == SECTIONS
    assert "| 2.2 | Sufficiency strategy | 31 July 2019 | 30 September 2019 |" in text
    assert "Declined by Chris Chair, 15 May 2019: keep July" in text
    assert (
        "| 1 Leadership and governance | 1 | 0 | 1 | 1 | 1 better since 14 May 2019; 1 slip |"
    ) in text
    assert (
        "| 1.2 | Quarterly practice audit | Omar Owner | 30 April 2019 | Blue: complete | "
        "Delivered, impact not yet evidenced |"
    ) in text
    assert "Red status; Activity without evidence of impact (last three updates)" in text
    assert "| 1.1 | Is the log public? | Chris Chair | Closed | closed yesterday |" in text
    assert "| Written statement of action | 24 June 2019 | 26 | On course |" in text
    assert "Omar Owner is away until 24 May 2019; Jane Doe covers." in text
    assert "_Trend of the board's actions by status (BRAG) and impact at each of the last 3" in text
    data = paper_json(paper)
    assert data["report_of"] == {"name": "Chris Chair", "role": "Chair"}
    assert data["escalate_after_working_days"] == 10
    [first, _] = data["digest"]["themes"][0]["action_list"]
    assert (first["ref"], first["slips"], first["latest_update"]["note"]) == (
        "1.1",
        1,
        "log in place",
    )
    assert first["impact"] == {
        "judgement": "emerging",
        "evidence": "first minutes",
        "headline": "On track, impact emerging",
    }
    assert data["digest"]["themes"][0]["impact"] == {
        "delivered": 1, "impact_evidenced": 0, "impact_emerging": 1, "owing_evidence": 1
    }  # fmt: skip
    assert [c["decision"] for c in data["decided_date_changes"]] == ["approved", "declined"]
    assert [(c["ref"], c["state"]) for c in data["challenge_log"]] == [
        ("2.1", "answered"), ("1.1", "closed"), ("2.3", "open")
    ]  # fmt: skip
    assert [(p["date"], p["now"], p["statuses"]["red"]) for p in data["trend"]] == [
        ("2019-03-12", False, 0), ("2019-04-09", False, 0), ("2019-05-14", False, 1),
        ("2019-05-16", True, 1),
    ]  # fmt: skip
    assert data["digest"]["movement"]["themes"][0]["line"] == "1 better since 14 May 2019"


def test_the_trend_reads_each_meeting_from_the_history(uow_factory: UowFactory) -> None:
    """At 12 March every action was not started; by 14 May 2.2 was red (10 April), 2.1 amber
    (20 April) and 1.2 blue (2 May): statuses as they stood at each meeting's start."""
    ids = board_for_the_paper(uow_factory)
    with uow_factory() as uow:
        paper = build_paper(uow, ids["board"], MEETING, NOW)
    march, april, may, now = paper.trend
    assert (march.counts.not_started, april.counts.not_started) == (5, 5)
    assert (may.counts.red, may.counts.amber, may.counts.blue, may.counts.green) == (1, 1, 1, 0)
    assert (now.is_now, now.counts.green, now.impact.impact_emerging) == (True, 1, 1)


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
    # four of its own, and the trend: two a meeting (six at most) and one for their impact
    assert counts["paper"][0] - counts["pack"][0] <= 4 + 2 * 6 + 1


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
        "Challenge log",
        "Statutory deadlines",
        "Cover for absent owners",
        "Trend over the last meetings",
        "Owners who have not updated",
        "Page 1 of",
    ):
        assert expected in text


def test_a_reading_unit_holds_no_writer_up_on_sqlite(tmp_path: Path) -> None:
    """The paper for `/board pack` is read in a unit that begins deferred: a writer waiting
    at most 0.5 s (a Slack request's) still commits while it is open."""
    from sqlalchemy import text

    from db.migrate import upgrade
    from db.session import make_engine, make_session_factory, reading, with_lock_wait

    engine = make_engine(f"sqlite:///{tmp_path / 'read.db'}")
    upgrade(engine)
    readers = make_session_factory(reading(engine))
    writers = make_session_factory(with_lock_wait(engine, 0.5))
    with UnitOfWork(readers) as reader:
        assert reader.session.execute(text("SELECT count(*) FROM board")).scalar() == 0
        with UnitOfWork(writers) as writer:
            writer.session.execute(text("CREATE TABLE scratch (id INTEGER)"))
            writer.commit()
        # The reader's snapshot is its own; a new unit sees the write.
        assert reader.session.execute(text("SELECT count(*) FROM board")).scalar() == 0
