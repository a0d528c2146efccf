"""What the sandbox console (and LocalBot, for the tests) needs from the running bot: knowing
when it has finished what a request started, and its errors as one line each."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class ListenerTracker(Executor):
    """The Bolt app's listener executor, counting the work still running, so the console and
    `LocalBot.settle` can wait until everything a request started (answers, modals, DMs) is
    done."""

    def __init__(self, inner: Executor | None = None) -> None:
        inner = inner or ThreadPoolExecutor(max_workers=10, thread_name_prefix="listener")
        self.inner = inner
        self._pending = 0
        self._idle = threading.Condition()

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        with self._idle:
            self._pending += 1
        try:
            future = self.inner.submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: object) -> None:
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)


class ErrorLog(logging.Handler):
    """Keeps errors logged while the sandbox runs, to show each as one line (no traceback)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self._lines: list[str] = []
        self._lock2 = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            text = f"{text}: {type(error).__name__}: {error}"
        with self._lock2:
            self._lines.append(" ".join(text.split())[:300])

    def add(self, line: str) -> None:
        with self._lock2:
            self._lines.append(line)

    def take(self) -> list[str]:
        with self._lock2:
            lines, self._lines = self._lines, []
        return lines
