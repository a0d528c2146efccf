from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.errors import UserError
from bot.core.statuses import (
    Status,
    find_status,
    parse_status,
    percent,
    split_leading_status,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("g", Status.GREEN),
        ("Green", Status.GREEN),
        ("on track", Status.GREEN),
        ("On-Track", Status.GREEN),
        (":large_green_circle:", Status.GREEN),
        ("🟢", Status.GREEN),
        ("a", Status.AMBER),
        ("AMBER", Status.AMBER),
        ("at risk", Status.AMBER),
        (":large_orange_circle:", Status.AMBER),
        ("r", Status.RED),
        ("off track", Status.RED),
        (":red_circle:", Status.RED),
        ("done", Status.BLUE),
        ("Complete", Status.BLUE),
        ("completed.", Status.BLUE),
        (":large_blue_circle:", Status.BLUE),
        ("b", Status.BLUE),
        ("not started", Status.NOT_STARTED),
        ("not_started", Status.NOT_STARTED),
    ],
)
def test_words_people_type(text: str, expected: Status) -> None:
    assert find_status(text) is expected
    assert parse_status(text) is expected


@pytest.mark.parametrize("text", ["", "   ", "purple", "maybe", "4.1"])
def test_unknown_words(text: str) -> None:
    assert find_status(text) is None
    with pytest.raises(UserError, match="green / on track"):
        parse_status(text)


@pytest.mark.parametrize(
    ("text", "status", "rest"),
    [
        ("amber: survey slipped", Status.AMBER, "survey slipped"),
        ("Amber - survey slipped", Status.AMBER, "survey slipped"),
        ("on track, all good", Status.GREEN, "all good"),
        ("at risk: staffing", Status.AMBER, "staffing"),
        ("done", Status.BLUE, ""),
        ("a meeting was held", None, "a meeting was held"),
        ("g: fine", Status.GREEN, "fine"),
        ("the survey slipped", None, "the survey slipped"),
        (":red_circle: blocked by IT", Status.RED, "blocked by IT"),
        # The letters R, A, G, B, either case, as people type them in a reply or a command.
        ("G 90% now", Status.GREEN, "90% now"),
        ("g nearly there", Status.GREEN, "nearly there"),
        ("R IT still down", Status.RED, "IT still down"),
        ("b", Status.BLUE, ""),
        ("A 50% done", Status.AMBER, "50% done"),
        ("A survey went out", None, "A survey went out"),
    ],
)
def test_leading_status(text: str, status: Status | None, rest: str) -> None:
    assert split_leading_status(text) == (status, rest)


def test_labels_are_plain_words() -> None:
    assert [s.label for s in Status] == [
        "Not started",
        "On track",
        "At risk",
        "Off track",
        "Complete",
    ]


@given(st.text())
def test_status_parsing_never_raises_anything_but_user_error(text: str) -> None:
    with contextlib.suppress(UserError):
        parse_status(text)
    split_leading_status(text)


@given(st.sampled_from(list(Status)))
def test_every_status_value_round_trips(status: Status) -> None:
    assert parse_status(status.value) is status
    assert parse_status(status.label) is status


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (2, 3, 67),
        (1, 3, 33),
        (0, 3, 0),
        (3, 3, 100),
        (1, 8, 13),
        (199, 200, 99),
        (1, 300, 1),
        (0, 0, 0),
    ],
)
def test_percentages_are_rounded_but_never_overstate(part: int, whole: int, shown: int) -> None:
    assert percent(part, whole) == shown


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("On target", Status.GREEN),
        ("Not yet due", Status.NOT_STARTED),
        ("Slipped", Status.AMBER),
        ("Embedded", Status.BLUE),
    ],
)
def test_rag_words_from_published_plans(word: str, status: Status) -> None:
    assert find_status(word) is status
