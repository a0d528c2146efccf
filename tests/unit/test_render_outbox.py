"""Date-change messages as the outbox renders them when they go out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from bot.render.outbox import date_change
from bot.services.outbox import DATE_CHANGE_DECISION, DATE_CHANGE_REQUEST
from bot.services.outbox_messages import DateChangeMessage
from bot.services.owner import DateChangeNotice, Who

JANE = Who(3, "Jane Doe", "UJANE00000")
CHRIS = Who(2, "Chris Chair", "UCHAIR0000")
PENDING = DateChangeNotice(
    request_id=7,
    state="pending",
    workspace_id=1,
    board_id=1,
    board="Improvement board",
    timezone="Europe/London",
    action_ref="4.1",
    action_title="Seek foster carers' views",
    old_due=dt.date(2019, 5, 31),
    old_precision="day",
    new_due=dt.date(2019, 7, 31),
    new_precision="day",
    due=dt.date(2019, 5, 31),
    original_due=dt.date(2019, 5, 31),
    reason="survey moved",
    requested_by=JANE,
    requested_at=dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC),
    approvers=(CHRIS,),
)
APPROVED = replace(
    PENDING,
    state="approved",
    due=dt.date(2019, 7, 31),
    decided_by=CHRIS,
    decided_at=dt.datetime(2019, 5, 16, 9, 0, tzinfo=dt.UTC),
)


def buttons(blocks: list[dict]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_a_pending_request_offers_approve_and_decline() -> None:
    out = date_change(DateChangeMessage(DATE_CHANGE_REQUEST, PENDING))
    [blocks] = out.parts
    assert len(buttons(blocks)) == 2 and out.edits == []


def test_a_request_decided_before_its_dm_went_out_says_so_without_buttons() -> None:
    out = date_change(DateChangeMessage(DATE_CHANGE_REQUEST, APPROVED))
    [blocks] = out.parts
    assert buttons(blocks) == []
    assert "Approved by Chris Chair" in str(blocks)


def test_a_request_edits_the_messages_of_the_one_it_replaced() -> None:
    older = replace(PENDING, request_id=6, state="withdrawn")
    out = date_change(
        DateChangeMessage(DATE_CHANGE_REQUEST, PENDING, replaced=[(older, [("D1", "1.1")])])
    )
    [edit] = out.edits
    assert (edit.channel, edit.ts) == ("D1", "1.1")
    assert "Replaced by a newer request" in str(edit.message["blocks"])


def test_a_decision_tells_the_asker_and_closes_the_chairs_messages() -> None:
    out = date_change(
        DateChangeMessage(DATE_CHANGE_DECISION, APPROVED, request_messages=[("D2", "2.2")])
    )
    assert out.text.startswith(":white_check_mark: Chris Chair approved your new date")
    [edit] = out.edits
    assert edit.ts == "2.2" and buttons(edit.message["blocks"]) == []


def test_a_decision_nobody_can_be_told_of_only_edits() -> None:
    out = date_change(
        DateChangeMessage(
            DATE_CHANGE_DECISION, APPROVED, request_messages=[("D2", "2.2")], quiet=True
        )
    )
    assert out.parts == [] and len(out.edits) == 1
