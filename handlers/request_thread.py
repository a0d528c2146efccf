"""Listeners whose whole answer is their ack run in the request's own thread.

Bolt (with `process_before_response=False`) runs every listener on its executor and polls for
the ack every 10 ms, so an answer ready in 6 ms still waits for the next poll, and one ready in
11 ms for the one after. A listener that calls no Slack API after its ack loses nothing by
running in the request's thread instead: its ack is there when Bolt first looks. A middleware
marks such requests (`answer_in_this_thread`); everything else still runs on the executor, so no
answer waits on a Slack API call made after an ack (a modal opened, a DM posted).

Listeners answered in their request's thread take turns, first come first served (`Lane`),
with those that would wait for one another in the database anyway. On SQLite that is all of
them: each such answer is a write, and SQLite has one writer. Eight at once otherwise share
the interpreter a few milliseconds at a time, in whatever order its lock falls, and the
unlucky one waits for the others' work more than once over; in turn, each waits only for
those who came before it. On PostgreSQL, updates of one action queue on its row lock, in no
set order and each holding the lock while it waits for the interpreter, so they take turns
too; updates of different actions are written side by side, each mostly waiting on the
server, and in one lane they would wait for one another's round trips as well (`Lanes`,
docs/design.md §4).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

T = TypeVar("T")

_request = threading.local()


def answer_in_this_thread(yes: bool, turn: Hashable = None) -> None:
    """Whether the listener of the request this thread is dispatching runs in this thread,
    and what its answer writes (`turn`, e.g. a workspace and an action's ref): answers with
    the same `turn` take turns wherever the database would queue them (`Lanes`); None, one
    that writes nothing in particular.

    Bolt runs every global middleware, then the listener, in the request's thread (a
    middleware's `next()` only lets the request go on), so a middleware says this for each
    request, and it holds until the next request in the thread says otherwise."""
    _request.inline = yes
    _request.turn = turn


class Lane:
    """One at a time, in the order they came; a caller that has waited `patience` seconds
    goes on without its turn, so a holder stuck on something slow (another writer's lock)
    does not make everyone behind it wait as long, each in turn."""

    def __init__(self, patience: float) -> None:
        self.patience = patience
        self._lock = threading.Lock()
        self._held = False
        self._queue: deque[threading.Event] = deque()

    @property
    def waiting(self) -> int:
        """How many are in line behind the holder."""
        with self._lock:
            return len(self._queue)

    @contextmanager
    def turn(self) -> Iterator[bool]:
        """Hold the lane for the block; yields whether the turn came (False: waited out)."""
        held = self._enter()
        try:
            yield held
        finally:
            if held:
                self._leave()

    def _enter(self) -> bool:
        with self._lock:
            if not self._held:
                self._held = True
                return True
            called = threading.Event()
            self._queue.append(called)
        if called.wait(self.patience):
            return True
        with self._lock:
            if called.is_set():  # handed the turn just as the wait ended
                return True
            self._queue.remove(called)
            return False

    def _leave(self) -> None:
        with self._lock:
            if self._queue:
                self._queue.popleft().set()  # the lane stays held, by the next in line
            else:
                self._held = False


class Lanes:
    """A lane for each turn key, made when the first comes and dropped when the last leaves:
    answers with the same key take turns, others go side by side, and an answer with no key
    takes no turn. `one_lane`: every answer takes its turn in one lane, key or none."""

    def __init__(self, patience: float, *, one_lane: bool = False) -> None:
        self.patience = patience
        self.one_lane = one_lane
        self._lock = threading.Lock()
        self._lanes: dict[Hashable, tuple[Lane, int]] = {}

    @property
    def open(self) -> int:
        """How many lanes someone holds or waits in."""
        with self._lock:
            return len(self._lanes)

    def waiting(self, key: Hashable) -> int:
        """How many are in line behind the holder of `key`'s lane."""
        with self._lock:
            found = self._lanes.get(self._lane_key(key))
        return found[0].waiting if found is not None else 0

    def _lane_key(self, key: Hashable) -> Hashable:
        return "the one lane" if self.one_lane else key

    @contextmanager
    def turn(self, key: Hashable) -> Iterator[bool]:
        """Hold the lane of `key` for the block; yields whether the turn came."""
        key = self._lane_key(key)
        if key is None:
            yield True
            return
        with self._lock:
            lane, users = self._lanes.get(key) or (Lane(self.patience), 0)
            self._lanes[key] = (lane, users + 1)
        try:
            with lane.turn() as held:
                yield held
        finally:
            with self._lock:
                lane, users = self._lanes[key]
                if users > 1:
                    self._lanes[key] = (lane, users - 1)
                else:
                    del self._lanes[key]


# Well above the wait at a full lane (eight answers of a few milliseconds each), well below
# the half-second a request waits for another writer before saying it is busy.
LANE_PATIENCE = 0.1


def lanes_for(dialect: str) -> Lanes:
    """The lanes for answers in the request's thread on a database of `dialect`: one on
    SQLite, whose one writer queues every write; one for each turn key on PostgreSQL, whose
    row locks queue only the writes to the same rows."""
    return Lanes(LANE_PATIENCE, one_lane=dialect == "sqlite")


class AnswersInRequestThread(Executor):
    """Bolt's listener executor: a request marked `answer_in_this_thread` runs where it was
    submitted, taking its turn in `lanes` if given; any other goes to `inner` (a pool of 10
    threads, as Bolt's own)."""

    def __init__(self, inner: Executor | None = None, lanes: Lanes | None = None) -> None:
        self.inner = inner or ThreadPoolExecutor(max_workers=10, thread_name_prefix="listener")
        self.lanes = lanes

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if not getattr(_request, "inline", False):
            return self.inner.submit(fn, *args, **kwargs)
        future: Future[T] = Future()
        try:
            lanes = self.lanes
            turn = getattr(_request, "turn", None)
            with lanes.turn(turn) if lanes is not None else nullcontext():
                future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # Bolt's own wrapper reports a listener's errors
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
