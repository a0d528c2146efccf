"""Text people give: control characters go, tab and newline stay."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.text import clean_payload, clean_text


def test_control_characters_go_and_tab_and_newline_stay() -> None:
    assert clean_text("a\x00b\x07c\x1b[31md\x7fe\x85f") == "abc[31mdef"
    assert clean_text("line one\r\nline two\tindented") == "line one\nline two\tindented"
    assert clean_text("lone \ud800surrogate") == "lone surrogate"
    assert clean_text("Zoë’s “plan” — 4.1 ✅") == "Zoë’s “plan” — 4.1 ✅"


@given(st.text())
def test_clean_text_is_idempotent_and_leaves_nothing_a_database_refuses(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    assert "\x00" not in cleaned
    cleaned.encode("utf-8")  # no lone surrogates


def test_every_string_in_a_payload_is_cleaned_in_place() -> None:
    payload = {"text": "4.1 note a\x00b", "view": {"blocks": [{"value": "x\x01y"}, 3, None]}}
    assert clean_payload(payload) is payload
    assert payload == {"text": "4.1 note ab", "view": {"blocks": [{"value": "xy"}, 3, None]}}
