"""Listeners answered in their request's thread take turns, first come first served, and a
caller stuck behind a slow holder goes on after its patience runs out."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from handlers.request_thread import AnswersInRequestThread, Lane, answer_in_this_thread, lane_for


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
    lane = Lane(patience=10.0)
    executor = AnswersInRequestThread(lane=lane)
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
        with lane.turn() as held:  # given back, so it is free
            assert held

        # While another answer holds the lane, this one waits for it.
        answered = threading.Event()

        def answer_in_its_thread() -> None:
            answer_in_this_thread(True)
            executor.submit(answered.set)

        with lane.turn():
            thread = threading.Thread(target=answer_in_its_thread)
            thread.start()
            wait_until(lambda: lane.waiting == 1)
            assert not answered.is_set()
        thread.join(5)
        assert answered.is_set()
    finally:
        answer_in_this_thread(False)
        executor.shutdown()


def test_a_listener_run_on_the_pool_does_not_wait_for_the_lane() -> None:
    lane = Lane(patience=10.0)
    executor = AnswersInRequestThread(lane=lane)
    try:
        answer_in_this_thread(False)
        with lane.turn():
            future = executor.submit(threading.current_thread)
            assert future.result(2) is not threading.current_thread()
    finally:
        executor.shutdown()


def test_answers_take_turns_on_sqlite_only() -> None:
    assert isinstance(lane_for("sqlite"), Lane)
    assert lane_for("postgresql") is None


@pytest.mark.parametrize(("lane", "side_by_side"), [(None, True), (Lane(patience=10.0), False)])
def test_without_a_lane_answers_in_their_threads_run_side_by_side(
    lane: Lane | None, side_by_side: bool
) -> None:
    executor = AnswersInRequestThread(lane=lane)
    both_inside = threading.Barrier(2, timeout=0.5)  # each waits until the other is in too

    def answer() -> None:
        answer_in_this_thread(True)
        with contextlib.suppress(threading.BrokenBarrierError):  # the other never came in
            executor.submit(both_inside.wait).result(0)

    try:
        threads = [threading.Thread(target=answer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert both_inside.broken is not side_by_side
    finally:
        executor.shutdown()
