"""`/progress` answered wholly in its ack runs in the request's thread (no wait for Bolt's
next 10 ms look for the ack); one that opens a form after its ack still runs on the pool, so
the answer never waits on that Slack call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot
from tests.e2e.conftest import START
from tests.e2e.seed import seed_board

T = TypeVar("T")


class CountingPool(ThreadPoolExecutor):
    """The listener pool, counting what reaches it."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self.submitted = 0
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._lock:
            self.submitted += 1
        return super().submit(fn, *args, **kwargs)


@pytest.fixture(params=["http", "socket_mode"])
def counted(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[LocalBot, CountingPool]]:
    pool = CountingPool()
    with LocalBot(
        f"sqlite:///{tmp_path / 'e2e.db'}",
        ManualClock(START),
        listener_executor=pool,
        socket_mode=request.param == "socket_mode",
    ) as local:
        seed_board(local)
        yield local, pool


def test_an_update_is_answered_from_the_requests_own_thread(
    counted: tuple[LocalBot, CountingPool],
) -> None:
    local, pool = counted
    before = pool.submitted
    result = local.emulator.slash("UJANE00000", "/progress", "4.1 amber survey slipped")
    assert result.ok and "4.1" in result.text
    assert pool.submitted == before  # nothing went to the pool


def test_the_bare_form_still_opens_from_the_pool(counted: tuple[LocalBot, CountingPool]) -> None:
    local, pool = counted
    before = pool.submitted
    result = local.emulator.slash("UJANE00000", "/progress", "")
    assert result.ok
    local.emulator.wait_for_call("views.open")
    assert pool.submitted == before + 1  # its views.open comes after the ack


def test_a_mistake_is_answered_from_the_requests_own_thread_too(
    counted: tuple[LocalBot, CountingPool],
) -> None:
    """Text that cannot be read is refused in the ack, like any answer that is all ack."""
    local, pool = counted
    before = pool.submitted
    result = local.emulator.slash("UJANE00000", "/progress", "4.1 purple survey slipped")
    assert result.ok and "Start with a status" in result.text
    assert pool.submitted == before
