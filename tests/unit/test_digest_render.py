"""Rendering the digest and the pack: plain text, Block Kit within Slack's limits, escaping."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from bot.render.digest import (
    MESSAGE_TEXT_BUDGET,
    digest_blocks,
    digest_fallback_text,
    digest_text,
    pack_blocks,
    pack_fallback_text,
    pack_text,
)
from bot.render.mrkdwn import BLOCK_LIMIT, HEADER_LIMIT, SECTION_LIMIT
from bot.services.digest import (
    DateChange,
    Digest,
    DueSoonAction,
    NotUpdated,
    OverdueAction,
    Pack,
    PendingDateChange,
    StaleAction,
    StatusChange,
    StatusCounts,
    ThemeDigest,
    Totals,
    Who,
    digest_json,
    pack_json,
)

UTC = dt.UTC
NOW = dt.datetime(2019, 5, 16, 8, 0, tzinfo=UTC)
TODAY = dt.date(2019, 5, 16)
JANE = Who("Jane Doe", "UJANE00000")
OMAR = Who("Omar Owner", None)


def small_digest(
    board: str = "Improvement Board", title: str = "Seek foster carers' views"
) -> Digest:
    placement = ThemeDigest(
        plan="ILACS plan",
        ref="2",
        title="Placement stability",
        counts=StatusCounts(not_started=1, amber=1, red=1),
        overdue=(
            OverdueAction("2.1", title, dt.date(2019, 5, 2), "day", "amber", (JANE, OMAR), 9),
        ),
        due_soon=(
            DueSoonAction(
                "2.3", "Placement panel", dt.date(2019, 5, 31), "month", "red", (OMAR,), 15
            ),
        ),
        changes=(
            StatusChange(
                "2.1", title, "green", "amber", "Jane Doe", dt.datetime(2019, 5, 14, 10, tzinfo=UTC)
            ),
        ),
        stale=(
            StaleAction("2.2", "Sufficiency strategy", "not_started", (OMAR,), None, None),
        ),
        date_changes=(
            DateChange(
                "2.3", "Placement panel", dt.date(2019, 4, 30), dt.date(2019, 5, 31), "month",
                "panel chair changed", "Chris Chair", dt.datetime(2019, 5, 14, 12, tzinfo=UTC),
            ),
        ),
    )  # fmt: skip
    leadership = ThemeDigest(
        plan="ILACS plan",
        ref="1",
        title="Leadership",
        counts=StatusCounts(blue=1),
    )
    return Digest(
        board_id=1,
        board=board,
        timezone="Europe/London",
        generated_at=NOW,
        today=TODAY,
        since=dt.datetime(2019, 5, 13, 8, 0, tzinfo=UTC),
        totals=Totals(
            counts=StatusCounts(not_started=1, amber=1, red=1, blue=1),
            overdue=1,
            due_soon=1,
            stale=1,
            pending_date_changes=1,
        ),
        themes=(leadership, placement),
    )


def small_pack(digest: Digest | None = None, reason: str = "survey slipped") -> Pack:
    return Pack(
        digest=digest or small_digest(),
        meeting=dt.date(2019, 6, 11),
        previous_meeting=dt.date(2019, 5, 14),
        updates_since=dt.datetime(2019, 5, 14, 9, tzinfo=UTC),
        not_updated=(NotUpdated(JANE, ("2.2", "2.3")), NotUpdated(OMAR, ("2.2",))),
        pending_date_changes=(
            PendingDateChange(
                17, "2.1", "Seek foster carers' views", dt.date(2019, 5, 2), dt.date(2019, 6, 28),
                "day", reason, JANE, dt.datetime(2019, 5, 15, 9, tzinfo=UTC),
            ),
        ),
    )  # fmt: skip


def mrkdwn_texts(messages: list[list[dict[str, Any]]]) -> Iterator[str]:
    for message in messages:
        for block in message:
            if block["type"] == "section":
                yield block["text"]["text"]
            elif block["type"] == "context":
                yield from (e["text"] for e in block["elements"])


def text_size(value: Any) -> int:
    """Characters of text anywhere in a block, as Slack counts them for msg_blocks_too_long."""
    if isinstance(value, dict):
        return sum(
            len(v) if k == "text" and isinstance(v, str) else text_size(v) for k, v in value.items()
        )
    if isinstance(value, list):
        return sum(text_size(v) for v in value)
    return 0


def assert_valid_messages(messages: list[list[dict[str, Any]]]) -> None:
    assert messages
    for message in messages:
        assert 0 < len(message) <= BLOCK_LIMIT
        assert text_size(message) <= MESSAGE_TEXT_BUDGET
        assert message[0]["type"] != "divider"
        block_ids = [b["block_id"] for b in message if "block_id" in b]
        assert len(block_ids) == len(set(block_ids))
        for block in message:
            if block["type"] == "section":
                assert 0 < len(block["text"]["text"]) <= SECTION_LIMIT
            elif block["type"] == "header":
                assert 0 < len(block["text"]["text"]) <= HEADER_LIMIT
            elif block["type"] == "context":
                assert all(0 < len(e["text"]) <= SECTION_LIMIT for e in block["elements"])
    json.dumps(messages)


# ---------------------------------------------------------------- plain text


def test_digest_text() -> None:
    assert digest_text(small_digest()) == (
        "Improvement Board — weekly digest, 16 May 2019\n"
        "Changes since 13 May 2019 09:00\n"
        "\n"
        "4 actions · 25% complete · 1 overdue · 1 due in the next 14 days · 1 stale · "
        "1 date change to approve\n"
        "Not started 1 · At risk 1 · Off track 1 · Complete 1\n"
        "\n"
        "1 Leadership\n"
        "  1 action, 100% complete — Complete 1\n"
        "\n"
        "2 Placement stability\n"
        "  3 actions, 0% complete — Not started 1 · At risk 1 · Off track 1\n"
        "  Overdue:\n"
        "    - 2.1 Seek foster carers' views — Jane Doe, Omar Owner — 9 working days overdue "
        "(due 2 May 2019)\n"
        "  Due in the next 14 days:\n"
        "    - 2.3 Placement panel — due May 2019 (in 15 days) — Omar Owner — Off track\n"
        "  Status changes:\n"
        "    - 2.1 On track → At risk by Jane Doe, 14 May 2019\n"
        "  Stale (no update for 30 days):\n"
        "    - 2.2 Sufficiency strategy — Not started — Omar Owner — never updated\n"
        "  Approved date changes:\n"
        "    - 2.3 30 April 2019 → May 2019: panel chair changed (approved by Chris Chair)\n"
    )


def test_pack_text() -> None:
    text = pack_text(small_pack())
    assert text.startswith(
        "Improvement Board — pack for the meeting on 11 June 2019\n"
        "Prepared 16 May 2019; changes since the meeting on 14 May 2019\n"
        "\n"
        "Not updated since the meeting on 14 May 2019:\n"
        "  - Jane Doe: 2.2, 2.3\n"
        "  - Omar Owner (not linked to Slack): 2.2\n"
        "\n"
        "Date changes to approve:\n"
        "  - [17] 2.1 Seek foster carers' views: 2 May 2019 → 28 June 2019 — survey slipped "
        "(asked by Jane Doe on 15 May 2019)\n"
    )
    assert "2 Placement stability" in text


def test_text_shows_user_text_as_typed() -> None:
    text = digest_text(small_digest(title="<!channel> & co"))
    assert "2.1 <!channel> & co — Jane Doe" in text


# ---------------------------------------------------------------- Block Kit


def test_digest_blocks() -> None:
    [message] = digest_blocks(small_digest())
    assert_valid_messages([message])
    assert message[0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Improvement Board — digest 16 May 2019"},
    }
    assert message[1]["elements"][0]["text"] == ("Weekly digest · changes since 13 May 2019 09:00")
    assert message[2]["text"]["text"].startswith("*4* actions · *25%* complete · *1* overdue")
    texts = list(mrkdwn_texts([message]))
    assert "*1 Leadership*\n1 action, 100% complete · :large_blue_circle: Complete 1" in texts
    [details] = [t for t in texts if t.startswith("*Overdue*")]
    assert details.splitlines() == [
        "*Overdue* (1)",
        "• *2.1* Seek foster carers' views — Jane Doe, Omar Owner — *9 working days* overdue "
        "(due 2 May 2019)",
        "*Due in the next 14 days* (1)",
        "• *2.3* Placement panel — due May 2019 (in 15 days) — Omar Owner — :red_circle: Off track",
        "*Status changes* (1)",
        "• *2.1* :large_green_circle: On track → :large_orange_circle: At risk by Jane Doe, "
        "14 May 2019",
        "*Stale* — no update for 30 days (1)",
        "• *2.2* Sufficiency strategy — :white_circle: Not started — Omar Owner — never updated",
        "*Approved date changes* (1)",
        "• *2.3* 30 April 2019 → May 2019: panel chair changed (approved by Chris Chair)",
    ]
    # The digest never pings: owners are named, not mentioned.
    assert not any("<@" in t for t in texts)


def test_pack_blocks_mention_linked_owners_and_offer_decisions() -> None:
    messages = pack_blocks(small_pack())
    assert_valid_messages(messages)
    blocks = [b for m in messages for b in m]
    assert blocks[0]["text"]["text"] == "Improvement Board — pack for 11 June 2019"
    texts = list(mrkdwn_texts(messages))
    assert (
        "*Not updated since the meeting on 14 May 2019* (2)\n"
        "• <@UJANE00000> — 2.2, 2.3\n"
        "• Omar Owner _(not linked to Slack)_ — 2.2"
    ) in texts
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert buttons["block_id"] == "date_change_17"
    assert [(e["action_id"], e["value"], e["text"]["text"]) for e in buttons["elements"]] == [
        ("date_change_approve", "17", "Approve"),
        ("date_change_decline", "17", "Decline"),
    ]
    request = blocks[blocks.index(buttons) - 1]["text"]["text"]
    assert request == (
        "*2.1* Seek foster carers' views\n"
        "2 May 2019 → *28 June 2019* · asked by Jane Doe on 15 May 2019\n"
        ">survey slipped"
    )


def test_empty_board_and_empty_pack_render() -> None:
    empty = Digest(
        board_id=1, board="New board", timezone="Europe/London", generated_at=NOW, today=TODAY,
        since=NOW - dt.timedelta(days=7),
        totals=Totals(StatusCounts(), overdue=0, due_soon=0, stale=0, pending_date_changes=0),
        themes=(),
    )  # fmt: skip
    assert "No active plan on this board." in digest_text(empty)
    assert_valid_messages(digest_blocks(empty))
    pack = Pack(empty, dt.date(2019, 6, 11), None, NOW - dt.timedelta(days=30), (), ())
    assert_valid_messages(pack_blocks(pack))
    assert "Everyone with open actions has updated." in pack_text(pack)
    texts = list(mrkdwn_texts(pack_blocks(pack)))
    assert "*Date changes to approve* (0)\nNone." in texts


# ---------------------------------------------------------------- escaping


HOSTILE = "<!channel> <@U000000999> <http://evil.example|click> & more"


def test_hostile_user_text_is_escaped_everywhere() -> None:
    digest = small_digest(board=HOSTILE, title=HOSTILE)
    hostile_who = Who(HOSTILE, None)
    theme = digest.themes[1]
    digest = Digest(
        **{
            **digest.__dict__,
            "themes": (
                ThemeDigest(
                    plan=HOSTILE,
                    ref="<!here>",
                    title=HOSTILE,
                    counts=theme.counts,
                    overdue=theme.overdue,
                    due_soon=tuple(
                        DueSoonAction(**{**s.__dict__, "owners": (hostile_who,)})
                        for s in theme.due_soon
                    ),
                    changes=tuple(
                        StatusChange(**{**c.__dict__, "by": HOSTILE}) for c in theme.changes
                    ),
                    stale=theme.stale,
                    date_changes=tuple(
                        DateChange(**{**c.__dict__, "reason": HOSTILE, "decided_by": HOSTILE})
                        for c in theme.date_changes
                    ),
                ),
                digest.themes[0],
            ),
        }
    )
    pack = Pack(
        **{
            **small_pack(digest, reason=HOSTILE).__dict__,
            "not_updated": (NotUpdated(hostile_who, ("<!here>",)), NotUpdated(JANE, ("2.2",))),
        }
    )
    for messages in (digest_blocks(digest), pack_blocks(pack)):
        assert_valid_messages(messages)
        texts = list(mrkdwn_texts(messages))
        joined = "\n".join(texts)
        assert "&lt;!channel&gt;" in joined
        assert "&lt;!here&gt;" in joined
        # The only control sequences left are the mentions the bot itself makes.
        assert set(re.findall(r"<[^>]*>", joined)) <= {"<@UJANE00000>"}
    fallback = digest_fallback_text(digest)
    assert fallback.startswith("&lt;!channel&gt; &lt;@U000000999&gt;")
    assert "<" not in fallback and len(fallback) <= 150


def test_fallback_text_is_one_short_line() -> None:
    assert digest_fallback_text(small_digest()) == (
        "Improvement Board digest 16 May 2019: 4 actions, 25% complete, 1 overdue, 1 due soon"
    )
    assert pack_fallback_text(small_pack()) == (
        "Improvement Board pack for 11 June 2019: 2 not updated, 1 date change to approve"
    )
    for name in ("&" * 400, "Board " * 100, "x"):
        for text in (
            digest_fallback_text(small_digest(board=name)),
            pack_fallback_text(small_pack(small_digest(board=name))),
        ):
            assert len(text) <= 150 and "\n" not in text
            assert not re.search(r"&(?!amp;|lt;|gt;)", text)  # no entity cut in half


# ---------------------------------------------------------------- size


def huge_digest(n_actions: int = 2000, themes: int = 20) -> Digest:
    long_title = "Ensure foster carers' views are actively sought & acted upon <at once> " * 8
    owners = (Who("Jane Doe", "UJANE00000"), Who("A very long owner name " * 4, None))
    per_theme = n_actions // themes
    built = []
    for t in range(themes):
        refs = [f"{t + 1}.{i + 1}" for i in range(per_theme)]
        built.append(
            ThemeDigest(
                plan="ILACS plan",
                ref=str(t + 1),
                title=long_title,
                counts=StatusCounts(amber=per_theme),
                overdue=tuple(
                    OverdueAction(r, long_title, dt.date(2019, 1, 31), "day", "amber", owners, 75)
                    for r in refs
                ),
                due_soon=tuple(
                    DueSoonAction(r, long_title, dt.date(2019, 5, 20), "day", "red", owners, 4)
                    for r in refs[: per_theme // 2]
                ),
                changes=tuple(
                    StatusChange(r, long_title, "green", "amber", "Jane Doe", NOW) for r in refs
                ),
                stale=tuple(StaleAction(r, long_title, "amber", owners, NOW, 40) for r in refs),
                date_changes=tuple(
                    DateChange(
                        r,
                        long_title,
                        dt.date(2019, 1, 31),
                        dt.date(2019, 9, 30),
                        "day",
                        long_title,
                        "Chris Chair",
                        NOW,
                    )
                    for r in refs[:10]
                ),  # fmt: skip
            )
        )
    return Digest(
        board_id=1, board="Improvement Board " * 20, timezone="Europe/London", generated_at=NOW,
        today=TODAY, since=NOW - dt.timedelta(days=7),
        totals=Totals(StatusCounts(amber=n_actions), n_actions, n_actions // 2, n_actions, 300),
        themes=tuple(built),
    )  # fmt: skip


def test_huge_digest_splits_into_valid_messages() -> None:
    digest = huge_digest()
    messages = digest_blocks(digest)
    assert len(messages) > 1
    assert_valid_messages(messages)
    for number, message in enumerate(messages[1:], start=2):
        assert message[0]["type"] == "context"
        assert message[0]["elements"][0]["text"].endswith(f"(part {number} of {len(messages)})")
    # Nothing is lost: every overdue action appears once.
    joined = "\n".join(mrkdwn_texts(messages))
    assert joined.count("working days* overdue") == 2000
    assert len(digest_text(digest).splitlines()) > 2000


def test_lists_can_be_capped_for_a_shorter_post() -> None:
    digest = huge_digest()
    capped = digest_blocks(digest, max_items=5)
    assert_valid_messages(capped)
    assert len(capped) < len(digest_blocks(digest)) / 5
    joined = "\n".join(mrkdwn_texts(capped))
    assert joined.count("working days* overdue") == 20 * 5
    assert "_…and 95 more: `/board theme 7` lists them all_" in joined
    assert "*Overdue* (100)" in joined


def test_huge_pack_keeps_each_request_with_its_buttons() -> None:
    digest = huge_digest()
    requests = tuple(
        PendingDateChange(
            i, f"1.{i}", "Title " * 100, None, dt.date(2019, 9, 30), "day", "reason " * 200,
            None, NOW,
        )
        for i in range(300)
    )  # fmt: skip
    not_updated = tuple(
        NotUpdated(
            Who(f"Owner {i}", f"U{i}" if i % 2 else None), tuple(f"{i}.{j}" for j in range(9))
        )
        for i in range(400)
    )
    pack = Pack(digest, dt.date(2019, 6, 11), dt.date(2019, 5, 14), NOW, not_updated, requests)
    messages = pack_blocks(pack)
    assert_valid_messages(messages)
    for message in messages:
        for index, block in enumerate(message):
            if block["type"] == "actions":
                assert index > 0 and message[index - 1]["type"] == "section"
    values = [
        e["value"] for m in messages for b in m if b["type"] == "actions" for e in b["elements"]
    ]
    assert values == [str(i) for i in range(300) for _ in range(2)]


def test_json_is_plain_data() -> None:
    data = pack_json(small_pack())
    assert json.loads(json.dumps(data)) == data
    assert data["pending_date_changes"][0]["requested_by"] == {
        "name": "Jane Doe",
        "slack_user": "UJANE00000",
    }
    theme = digest_json(small_digest())["themes"][1]
    assert theme["due_soon"][0]["due"] == "2019-05-31"
    assert theme["stale"][0] == {
        "ref": "2.2",
        "title": "Sufficiency strategy",
        "status": "not_started",
        "owners": [{"name": "Omar Owner", "slack_user": None}],
        "last_update": None,
        "days_since_update": None,
    }
