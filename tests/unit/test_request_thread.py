"""Listeners answered in their request's thread take turns, first come first served, and a
caller stuck behind a slow holder goes on after its patience runs out."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor

import pytest

from handlers.grammar import parse_progress
from handlers.progress import turn_key
from handlers.request_thread import (
    AnswersInRequestThread,
    Lane,
    Lanes,
    answer_in_this_thread,
    lanes_for,
)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.001)


def test_callers_take_their_turns_in_the_order_they_came() -> None:
    lane = Lane(patience=10.0)
    order: list[int] = []
    threads = []
    with lane.turn() as held:
        assert held
        for n in range(6):

            def take_turn(n: int = n) -> None:
                with lane.turn() as got:
                    assert got
                    order.append(n)

            thread = threading.Thread(target=take_turn)
            thread.start()
            threads.append(thread)
            wait_until(lambda n=n: lane.waiting == n + 1)  # in line before the next comes
        assert order == []  # nobody goes while the lane is held
    for thread in threads:
        thread.join(5)
    assert order == [0, 1, 2, 3, 4, 5]
    assert lane.waiting == 0


def test_only_one_holds_the_lane_at_a_time() -> None:
    lane = Lane(patience=10.0)
    inside = 0
    most = 0
    guard = threading.Lock()

    def work(_: int) -> None:
        nonlocal inside, most
        with lane.turn():
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.001)
            with guard:
                inside -= 1

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(work, range(64)))
    assert most == 1


def test_a_caller_that_runs_out_of_patience_goes_on_without_its_turn() -> None:
    lane = Lane(patience=0.05)
    outcome: dict[str, object] = {}
    release = threading.Event()
    entered = threading.Event()

    def slow_holder() -> None:
        with lane.turn():
            entered.set()
            release.wait(5)

    holder = threading.Thread(target=slow_holder)
    holder.start()
    assert entered.wait(5)
    started = time.monotonic()
    with lane.turn() as held:
        outcome["held"] = held
        outcome["waited"] = time.monotonic() - started
        outcome["holder_still_there"] = not release.is_set()
    assert outcome["held"] is False
    assert 0.04 <= float(outcome["waited"]) < 2.0  # type: ignore[arg-type]
    assert outcome["holder_still_there"] is True
    assert lane.waiting == 0  # it left the line
    release.set()
    holder.join(5)
    # The turn is not handed to the caller who left: the next one gets it at once.
    started = time.monotonic()
    with lane.turn() as held:
        assert held
    assert time.monotonic() - started < 0.04


def test_an_answer_in_the_request_thread_waits_its_turn_and_gives_it_back_if_it_fails() -> None:
    lanes = Lanes(patience=10.0, one_lane=True)
    executor = AnswersInRequestThread(lanes=lanes)
    ran_in: list[str] = []
    try:
        answer_in_this_thread(True)

        def fails() -> None:
            ran_in.append(threading.current_thread().name)
            raise ValueError("refused")

        future = executor.submit(fails)
        with pytest.raises(ValueError, match="refused"):
            future.result(0)
        assert ran_in == [threading.current_thread().name]
        assert lanes.open == 0  # given back, so nobody holds it
        with lanes.turn(None) as held:
            assert held

        # While another answer holds the lane, this one waits for it.
        answered = threading.Event()

        def answer_in_its_thread() -> None:
            answer_in_this_thread(True)
            executor.submit(answered.set)

        with lanes.turn(None):
            thread = threading.Thread(target=answer_in_its_thread)
            thread.start()
            wait_until(lambda: lanes.waiting(None) == 1)
            assert not answered.is_set()
        thread.join(5)
        assert answered.is_set()
    finally:
        answer_in_this_thread(False)
        executor.shutdown()


def test_a_listener_run_on_the_pool_does_not_wait_for_the_lane() -> None:
    lanes = Lanes(patience=10.0, one_lane=True)
    executor = AnswersInRequestThread(lanes=lanes)
    try:
        answer_in_this_thread(False)
        with lanes.turn(None):
            future = executor.submit(threading.current_thread)
            assert future.result(2) is not threading.current_thread()
    finally:
        executor.shutdown()


def test_sqlite_has_one_lane_for_every_answer_and_postgresql_one_for_each_key() -> None:
    assert lanes_for("sqlite").one_lane
    assert not lanes_for("postgresql").one_lane


def test_a_key_has_its_lane_only_while_someone_holds_or_waits_in_it() -> None:
    lanes = Lanes(patience=10.0)
    got_turn, leave = threading.Event(), threading.Event()

    def wait_then_hold() -> None:
        with lanes.turn(("T1", "4.1")):
            got_turn.set()
            leave.wait(5)

    assert lanes.open == 0
    waiter = threading.Thread(target=wait_then_hold)
    with lanes.turn(("T1", "4.1")), lanes.turn(("T1", "4.2")):
        assert lanes.open == 2
        waiter.start()
        wait_until(lambda: lanes.waiting(("T1", "4.1")) == 1)
        assert lanes.open == 2  # the waiter is in line in the holder's lane
    assert got_turn.wait(5)
    assert lanes.open == 1  # 4.1's lane, held by the waiter now
    with lanes.turn(None):  # no key, no lane
        assert lanes.open == 1
    leave.set()
    waiter.join(5)
    assert lanes.open == 0


TURNS = (("T1", "4.1"), ("T1", "4.1"))
OTHER_TURNS = (("T1", "4.1"), ("T1", "4.2"))


@pytest.mark.parametrize(
    ("lanes", "turns", "side_by_side"),
    [
        (None, TURNS, True),
        (Lanes(patience=10.0, one_lane=True), OTHER_TURNS, False),
        (Lanes(patience=10.0, one_lane=True), (None, None), False),
        (Lanes(patience=10.0), TURNS, False),
        (Lanes(patience=10.0), OTHER_TURNS, True),
        (Lanes(patience=10.0), (None, None), True),
    ],
    ids=[
        "no lanes",
        "one lane, different keys",
        "one lane, no keys",
        "by key, the same key",
        "by key, different keys",
        "by key, no keys",
    ],
)
def test_answers_run_side_by_side_unless_they_share_a_lane(
    lanes: Lanes | None, turns: tuple[Hashable, Hashable], side_by_side: bool
) -> None:
    executor = AnswersInRequestThread(lanes=lanes)
    both_inside = threading.Barrier(2, timeout=0.5)  # each waits until the other is in too

    def answer(turn: Hashable) -> None:
        answer_in_this_thread(True, turn)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other never came in
            executor.submit(both_inside.wait).result(0)

    try:
        threads = [threading.Thread(target=answer, args=(turn,)) for turn in turns]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert both_inside.broken is not side_by_side
    finally:
        executor.shutdown()


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("4.1 amber survey slipped", "4.1 green back on track", True),
        ("4.1 amber survey slipped", "4.1 date 31/05/2019 the survey slipped", True),
        ("4.1 amber survey slipped", "4.1 done", True),
        ("A1 amber survey slipped", "a1 note chased", True),
        ("4 amber", "4.0 note chased", True),
        ("4.1 amber survey slipped", "4.2 amber survey slipped", False),
        ("4.1 amber survey slipped", "41 amber survey slipped", False),
    ],
)
def test_progress_answers_about_the_same_action_share_a_turn_key(
    first: str, second: str, same: bool
) -> None:
    one, other = turn_key("T1", parse_progress(first)), turn_key("T1", parse_progress(second))
    assert one is not None and other is not None
    assert (one == other) is same


def test_the_same_ref_in_another_workspace_or_no_ref_has_a_key_of_its_own_or_none() -> None:
    update = parse_progress("4.1 amber survey slipped")
    assert turn_key("T1", update) != turn_key("T2", update)
    assert turn_key(None, update) is None
    assert turn_key("T1", parse_progress("mine")) is None
    assert turn_key("T1", parse_progress("help")) is None
    assert turn_key("T1", None) is None  # text the middleware could not read
