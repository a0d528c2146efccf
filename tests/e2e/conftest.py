"""End-to-end fixtures: the real Bolt app driven by the Slack emulator over both of Slack's
transports (signed HTTP requests, and Socket Mode envelopes over a WebSocket), the real
scheduler jobs under a hand-moved clock, and a fresh SQLite database per test.

Every e2e test fails if the bot sent anything Slack would refuse (an invalid or oversized
payload, a late ack); a test that sends one on purpose says so with
`@pytest.mark.slack_refusal_expected`.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.sandbox.emulator import refusal_log
from bot.sandbox.local import LocalBot
from db.migrate import upgrade
from db.session import make_engine

# Thursday 16 May 2019, 08:00 BST: an ordinary working morning before the 09:00 reminders.
START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(params=["http", "socket_mode"])
def transport(request: pytest.FixtureRequest) -> str:
    """How Slack reaches the bot; a test overrides it with `@pytest.mark.parametrize`."""
    return str(request.param)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty database at the newest migration, made once: each test starts from a copy
    (the bot still runs its migrations on start, and finds nothing left to do)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # the last connection closing folds the write-ahead log into the file
    return path


@pytest.fixture
def local(
    tmp_path: Path, clock: ManualClock, transport: str, migrated_database: Path
) -> Iterator[LocalBot]:
    database = tmp_path / "e2e.db"
    shutil.copyfile(migrated_database, database)
    database_url = f"sqlite:///{database}"
    with LocalBot(database_url, clock, socket_mode=transport == "socket_mode") as running:
        yield running


@pytest.fixture(autouse=True)
def slack_accepts_everything(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test when the bot sent a payload Slack would refuse, naming it and why."""
    seen = len(refusal_log)
    yield
    refused = refusal_log[seen:]
    if refused and request.node.get_closest_marker("slack_refusal_expected") is None:
        lines = "\n".join(f"  - {refusal}" for refusal in refused)
        pytest.fail(f"Slack would refuse what the bot sent:\n{lines}", pytrace=False)
