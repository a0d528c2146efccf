"""The committee paper and the charts in Slack: `/board pack` sends the chair the .docx and
its charts; the pre-meeting pack uploads them with the plan; the weekly digest carries a small
chart with its words as alt text, and goes out with the words alone where no chart can be
uploaded."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from docx import Document

from bot.render.charts import png_size
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor
from tests.e2e.seed import seed_board
from tests.e2e.test_delivery import bot_messages, ledger
from tests.e2e.test_sandbox import sandbox

CHRIS = "UCHAIR0000"
MONDAY = dt.datetime(2019, 5, 20, 8, 0, tzinfo=dt.UTC)  # the weekly digest, 09:00 BST
PACK_DAY = dt.datetime(2019, 6, 7, 8, 0, tzinfo=dt.UTC)  # 2 working days before 11 June


def headings(content: bytes) -> list[str]:
    document = Document(io.BytesIO(content))
    return [p.text for p in document.paragraphs if p.style.name == "Heading 1"]


def test_board_pack_sends_the_chair_the_paper_and_its_charts(local: LocalBot) -> None:
    seed_board(local)
    result = local.emulator.slash(CHRIS, "/board", "pack")
    assert result.ok, result.body
    result.wait_for_response(2, timeout=15.0)
    said = result.responses[-1].text
    assert said.startswith("I've sent you the committee paper (Improvement-Board-pack-")
    dm = local.emulator.dm_channel(CHRIS)
    files = local.emulator.files(channel=dm)
    [paper] = [f for f in files if f.name.endswith(".docx")]
    assert paper.name == "Improvement-Board-pack-2019-06-11.docx"
    assert "Challenge log" in headings(paper.content or b"")
    [chart] = [f for f in files if f.name.endswith(".png")]
    assert chart.alt_txt and chart.alt_txt.startswith("Bar chart of actions by status (BRAG)")
    width, _ = png_size(chart.content or b"")
    assert width >= 900
    # The files arrive in the chair's DM, where `inbox` shows them; nothing in the channel.
    shown = [f["name"] for m in local.emulator.inbox(CHRIS) for f in m.files]
    assert shown == [paper.name, chart.name]
    assert local.emulator.files(channel="CBOARD0000") == []


def test_board_pack_without_files_write_says_so_in_one_line(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.fail_next("files.getUploadURLExternal", 200, error="missing_scope")
    result = local.emulator.slash(CHRIS, "/board", "pack")
    result.wait_for_response(2, timeout=15.0)
    said = result.responses[-1].text
    assert "I couldn't send you the Word paper (Slack said `missing_scope`)" in said
    assert "improvement-bot pack" in said
    assert local.emulator.files() == []


def test_the_pre_meeting_pack_uploads_the_paper_its_chart_and_the_plan(local: LocalBot) -> None:
    seed_board(local)
    local.run_jobs(PACK_DAY)
    packs = [n for n in ledger(local) if n.kind == "pack"]
    assert {n.state for n in packs} == {"sent"} and len(packs) == 2
    files = local.emulator.files(channel="CBOARD0000")
    names = [f.name for f in files]
    assert names[0] == "Improvement-Board-pack-2019-06-11.docx"
    assert "Improvement-Board-pack-2019-06-11-chart-1.png" in names
    assert any(name.endswith(".xlsx") for name in names)
    assert "Exceptions" in headings(files[0].content or b"")
    [chart] = [f for f in files if f.name.endswith("chart-1.png")]
    assert chart.alt_txt and "Placement stability" in chart.alt_txt
    # In the thread of the pack's first message, as the plan's spreadsheet is.
    posts = bot_messages(local, "CBOARD0000")
    [post] = [m for m in posts if m.files and m.files[0]["id"] == files[0].id]
    assert post.thread_ts is not None


def test_the_digest_carries_a_small_chart_with_its_words(local: LocalBot) -> None:
    seed_board(local)
    local.run_jobs(MONDAY)
    [chart] = local.emulator.files(channel="CBOARD0000")
    assert chart.name == "Improvement-Board-status-2019-05-20.png"
    width, _ = png_size(chart.content or b"")
    assert 450 <= width <= 750
    assert chart.alt_txt and chart.alt_txt.startswith("Bar chart of actions by status (BRAG)")
    assert "4 Placement stability" in chart.alt_txt


def test_without_files_write_the_digest_goes_out_with_the_chart_in_words(
    local: LocalBot,
) -> None:
    seed_board(local)
    local.emulator.fail_next("files.getUploadURLExternal", 200, error="missing_scope", times=10)
    local.run_jobs(MONDAY)
    digests = [n for n in ledger(local) if n.kind == "digest"]
    assert len(digests) == 2 and {n.state for n in digests} == {"sent"}
    assert local.emulator.files() == []
    posts = bot_messages(local, "CBOARD0000")
    assert "Improvement Board" in posts[0].all_text()
    [words] = [m for m in posts if m.text.startswith("Bar chart of actions by status (BRAG)")]
    assert words.thread_ts == posts[0].ts  # in the digest's thread
    assert "4 Placement stability" in words.text


def test_an_upload_that_fails_leaves_the_digest_sent_with_the_words(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.fail_next("files.completeUploadExternal", 500, times=10)
    local.run_jobs(MONDAY)
    digests = [n for n in ledger(local) if n.kind == "digest"]
    assert {n.state for n in digests} == {"sent"}
    posts = bot_messages(local, "CBOARD0000")
    assert any(m.text.startswith("Bar chart of actions by status (BRAG)") for m in posts)


def test_the_sandbox_inbox_shows_the_paper_and_the_chart(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path,
        "as helen",
        "/board pack",
        'expect "I\'ve sent you the committee paper"',
        "inbox",
        'expect "-pack-"',
        'expect ".docx (Word Document)"',
        'expect "chart-1.png (PNG) — Bar chart of actions by status (BRAG)"',
        demo=True,
    )
    assert code == 0, transcript


def test_only_the_chair_is_sent_the_paper(local: LocalBot) -> None:
    seeded = seed_board(local)
    views = local.services.views
    for who, gets in (("chris", True), ("ada", False), ("mo", False), ("jane", False)):
        paper = views.paper(Actor(seeded.workspace_id, seeded.people[who]), None)
        assert (paper is not None) is gets, who
