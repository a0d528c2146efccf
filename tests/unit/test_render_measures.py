"""An action's measures, trimmed on reminders and the update form, in full behind "Show all"."""

from __future__ import annotations

import datetime as dt

from bot.core.statuses import Status
from bot.render import ids
from bot.render.mrkdwn import MESSAGE_TEXT_BUDGET, block_text_length, excerpt
from bot.render.progress import (
    measures_block,
    measures_message,
    measures_modal,
    update_modal,
)
from bot.render.reminders import EVIDENCE_ASKED, reminder_blocks
from bot.services.outbox import ReminderLine
from bot.services.owner import Measures, MyAction, UpdateForm

SHORT = "Carers' survey: 30 of 40 carers respond by 31 May 2019"
LONG = "Audit of 40 plans each quarter <!channel> &\n" + "reviews on time; " * 40


def test_an_excerpt_is_the_text_on_one_line_or_cut_with_an_ellipsis() -> None:
    assert excerpt("one\n  two", 150) == ("one two", False)
    assert excerpt(SHORT, len(SHORT)) == (SHORT, False)
    cut, was_cut = excerpt(SHORT, 20)
    assert (cut, was_cut) == ("Carers' survey: 30…", True)
    assert len(cut) <= 20
    assert excerpt(None, 10) == ("", False)


def test_measures_that_fit_have_no_show_all_button() -> None:
    block = measures_block(7, SHORT, 300)
    assert block["text"]["text"] == f"_Measured by:_ {SHORT}"
    assert "accessory" not in block


def test_trimmed_measures_are_escaped_and_offer_the_rest() -> None:
    block = measures_block(7, LONG, 300)
    text = block["text"]["text"]
    assert text.endswith("…") and "&lt;!channel&gt; &amp;" in text and "<!channel>" not in text
    assert len("_Measured by:_ ") + 300 >= len(text) - text.count("&") * 4
    assert block["accessory"]["action_id"] == ids.SHOW_MEASURES
    assert block["accessory"]["value"] == "7"


def my_action(action_id: int = 7) -> MyAction:
    return MyAction(
        action_id=action_id,
        ref="4.1",
        title="Seek foster carers' views",
        due=dt.date(2019, 5, 31),
        due_precision="day",
        status=Status.GREEN,
        plan="Improvement plan",
        board="Improvement Board",
        overdue=False,
    )


def test_the_update_form_shows_the_measures_and_asks_for_evidence_against_them() -> None:
    view = update_modal(UpdateForm([my_action()], my_action(), LONG))
    sections = [b for b in view["blocks"] if b["type"] == "section"]
    assert sections[1]["text"]["text"].startswith("_Measured by:_ Audit of 40 plans")
    assert sections[1]["accessory"]["action_id"] == ids.SHOW_MEASURES
    evidence = next(b for b in view["blocks"] if b.get("block_id") == "evidence")
    assert evidence["label"]["text"] == "Evidence against the measures"
    assert evidence["hint"]["text"] == "What evidence is there against 4.1's measures, above?"


def test_an_update_form_without_measures_asks_for_evidence_of_impact() -> None:
    view = update_modal(UpdateForm([my_action()], my_action(), None))
    assert "Measured by" not in str(view["blocks"])
    evidence = next(b for b in view["blocks"] if b.get("block_id") == "evidence")
    assert evidence["label"]["text"] == "Evidence of impact"


def test_the_measures_in_full_keep_their_lines_within_slacks_limits() -> None:
    measures = Measures(7, "4.1", "Seek foster carers' views", "First line\n<b>Second</b>")
    view = measures_modal(measures)
    assert view["title"]["text"] == "Measures of 4.1"
    assert "First line\n&lt;b&gt;Second&lt;/b&gt;" in view["blocks"][1]["text"]["text"]
    huge = Measures(7, "4.1", "Title", "\n".join(f"measure {n} " * 40 for n in range(2000)))
    message = measures_message(huge)
    assert len(message["blocks"]) <= 50
    assert block_text_length(message["blocks"]) <= MESSAGE_TEXT_BUDGET
    assert message["blocks"][-1]["type"] == "context"  # says it was cut
    assert len(measures_modal(huge)["blocks"]) <= 100


def reminder_line(action_id: int, measures: str | None) -> ReminderLine:
    return ReminderLine(
        action_id=action_id,
        ref=f"4.{action_id}",
        title="Seek foster carers' views",
        due="2019-05-31",
        due_precision="day",
        status="amber",
        reason="due_soon",
        working_days=10,
        last_update_note=None,
        last_update_at=None,
        measures=measures,
    )


def test_a_reminder_shows_each_actions_measures_and_asks_for_evidence_against_them() -> None:
    blocks = reminder_blocks([reminder_line(1, SHORT), reminder_line(2, LONG)])
    first, second = (b for b in blocks if b["type"] == "section" and "*4." in b["text"]["text"])
    assert first["text"]["text"].endswith(f"\n_Measured by:_ {SHORT}")
    assert "accessory" not in first
    assert second["text"]["text"].endswith("…")
    assert second["accessory"]["value"] == "2"
    assert blocks[-1]["elements"][0]["text"] == EVIDENCE_ASKED


def test_a_reminder_without_measures_asks_nothing_about_them() -> None:
    blocks = reminder_blocks([reminder_line(1, None)])
    assert "Measured by" not in str(blocks)
    assert EVIDENCE_ASKED not in str(blocks)
