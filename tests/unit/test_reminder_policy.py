from __future__ import annotations

import datetime as dt

import pytest

from bot.core.errors import UserError
from bot.core.reminder_policy import (
    DEFAULT_POLICY,
    apply_overrides,
    overrides_json,
    policy_from_overrides,
)


def test_defaults_are_the_design_defaults() -> None:
    assert DEFAULT_POLICY.due == (10, 3, 0)
    assert (DEFAULT_POLICY.overdue, DEFAULT_POLICY.escalate) == (5, 10)
    assert (DEFAULT_POLICY.window, DEFAULT_POLICY.updates_due, DEFAULT_POLICY.last_call) == (
        10,
        5,
        1,
    )
    assert DEFAULT_POLICY.pack == 2
    assert DEFAULT_POLICY.send_at == dt.time(9, 0)


def test_overrides_from_text_values() -> None:
    policy = policy_from_overrides({"due": "5, 0,10", "overdue": "3", "send_at": "08:30"})
    assert policy.due == (10, 5, 0)
    assert policy.overdue == 3
    assert policy.send_at == dt.time(8, 30)
    assert policy.escalate == 10


def test_stored_form_round_trips() -> None:
    stored = overrides_json({"due": "7,1", "escalate": "15"})
    assert stored == {"due": [7, 1], "escalate": 15}
    assert policy_from_overrides(stored).due == (7, 1)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bogus": "1"}, "don't know the reminder setting"),
        ({"due": "x"}, "due=10,3,0"),
        ({"due": "-1"}, "0 to 60"),
        ({"overdue": "0"}, "from 1 to 365"),
        ({"overdue": "soon"}, "overdue=5"),
        ({"send_at": "nine"}, "09:00"),
        ({"window": "3", "updates_due": "5"}, "updates_due ≤ window"),
    ],
)
def test_bad_overrides_say_what_to_type(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(UserError, match=message):
        apply_overrides(DEFAULT_POLICY, overrides)
