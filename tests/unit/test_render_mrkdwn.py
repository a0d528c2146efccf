from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.render.mrkdwn import (
    BLOCK_LIMIT,
    SECTION_LIMIT,
    escape,
    mention,
    sections_from_lines,
    split_blocks,
    status_badge,
    uk_date,
)


def test_escape_stops_pings_and_links() -> None:
    assert escape("<!channel> & <@U000000123> <http://x|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U000000123&gt; &lt;http://x|y&gt;"
    )
    assert escape(None) == ""


@given(st.text())
def test_escaped_text_has_no_control_brackets(text: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped


def test_mention_only_for_linked_people() -> None:
    assert mention("U000000001", "Jane") == "<@U000000001>"
    assert mention(None, "<!here> Jane") == "&lt;!here&gt; Jane"


def test_badges_and_dates() -> None:
    assert status_badge("amber") == ":large_orange_circle: At risk"
    assert uk_date(dt.date(2019, 5, 31), "month") == "May 2019"
    assert uk_date("2019-05-03") == "3 May 2019"
    assert uk_date(None) == "no date"


@given(st.lists(st.text(min_size=0, max_size=4000), max_size=40))
def test_sections_respect_the_limit_and_keep_order(lines: list[str]) -> None:
    blocks = sections_from_lines(lines)
    assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in blocks)
    if all(len(line) <= SECTION_LIMIT for line in lines) and lines:
        assert "\n".join(b["text"]["text"] for b in blocks) == "\n".join(lines)


def test_split_blocks_by_fifty_without_leading_dividers() -> None:
    blocks = []
    for i in range(120):
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": str(i)}})
        blocks.append({"type": "divider"})
    messages = split_blocks(blocks)
    assert all(len(m) <= BLOCK_LIMIT for m in messages)
    assert all(m[0]["type"] != "divider" for m in messages)
    texts = [b["text"]["text"] for m in messages for b in m if b["type"] == "section"]
    assert texts == [str(i) for i in range(120)]


def test_split_blocks_keeps_each_message_under_the_text_budget() -> None:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 2900}} for _ in range(20)
    ]
    messages = split_blocks(blocks)
    assert len(messages) > 1
    assert all(sum(len(b["text"]["text"]) for b in m) <= 10_000 for m in messages)
    assert sum(len(m) for m in messages) == 20
