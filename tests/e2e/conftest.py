"""End-to-end fixtures: the real Bolt app over HTTP with signed requests, the Slack emulator,
the real scheduler jobs under a hand-moved clock, and a fresh SQLite database per test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot

# Thursday 16 May 2019, 08:00 BST: an ordinary working morning before the 09:00 reminders.
START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def local(tmp_path: Path, clock: ManualClock) -> Iterator[LocalBot]:
    with LocalBot(f"sqlite:///{tmp_path / 'e2e.db'}", clock) as running:
        yield running
