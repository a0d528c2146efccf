"""Listeners whose whole answer is their ack run in the request's own thread.

Bolt (with `process_before_response=False`) runs every listener on its executor and polls for
the ack every 10 ms, so an answer ready in 6 ms still waits for the next poll, and one ready in
11 ms for the one after. A listener that calls no Slack API after its ack loses nothing by
running in the request's thread instead: its ack is there when Bolt first looks. A middleware
marks such requests (`answer_in_this_thread`); everything else still runs on the executor, so no
answer waits on a Slack API call made after an ack (a modal opened, a DM posted).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

_request = threading.local()


def answer_in_this_thread(yes: bool) -> None:
    """Whether the listener of the request this thread is dispatching runs in this thread.

    Bolt runs every global middleware, then the listener, in the request's thread (a
    middleware's `next()` only lets the request go on), so a middleware says this for each
    request, and it holds until the next request in the thread says otherwise."""
    _request.inline = yes


class AnswersInRequestThread(Executor):
    """Bolt's listener executor: a request marked `answer_in_this_thread` runs where it was
    submitted; any other goes to `inner` (a pool of 10 threads, as Bolt's own)."""

    def __init__(self, inner: Executor | None = None) -> None:
        self.inner = inner or ThreadPoolExecutor(max_workers=10, thread_name_prefix="listener")

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        if not getattr(_request, "inline", False):
            return self.inner.submit(fn, *args, **kwargs)
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # Bolt's own wrapper reports a listener's errors
            future.set_exception(error)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
