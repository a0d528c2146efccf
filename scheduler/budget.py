"""Each workspace's own rate-limit budget, and the queue delivery's workers take messages from.

Slack limits an app per workspace and per Web API method, and says how long to wait with
Retry-After on a 429. The wait is kept per (workspace, method), so one council's 429 holds
back only that council's calls of that method; the workers go on with every other workspace.
Time here is a monotonic clock in seconds, passed in so tests can move it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

# What sending one message calls first: a workspace held on either is not started.
STARTING_METHODS = ("conversations.open", "chat.postMessage")


class RateBudget:
    """When each (workspace, method) may be called again."""

    def __init__(self, monotonic: Callable[[], float]) -> None:
        self._monotonic = monotonic
        self._until: dict[tuple[Hashable, str], float] = {}
        self._lock = threading.Lock()

    def hold(self, workspace: Hashable, method: str, seconds: float) -> None:
        """Slack said to wait `seconds` before calling `method` in `workspace` again."""
        until = self._monotonic() + max(seconds, 0.0)
        with self._lock:
            key = (workspace, method)
            self._until[key] = max(self._until.get(key, 0.0), until)

    def wait(self, workspace: Hashable, methods: Iterable[str] = STARTING_METHODS) -> float:
        """Seconds until every one of `methods` may be called in `workspace` (0: now)."""
        now = self._monotonic()
        with self._lock:
            latest = max((self._until.get((workspace, m), 0.0) for m in methods), default=0.0)
        return max(latest - now, 0.0)


@dataclass(frozen=True)
class Job:
    """One notification to send, and the workspace whose budget it spends."""

    notification_id: int
    workspace_id: int | None
    team_id: str | None


class WorkQueue:
    """Notifications grouped by workspace, handed out a workspace at a time in turn.

    `take` skips workspaces whose budget is held; when every workspace left is held, it
    waits for the first to open (with the injected sleep) unless that is more than
    `max_wait` away, in which case the rest are left for the next delivery pass."""

    def __init__(
        self,
        jobs: Iterable[Job],
        budget: RateBudget,
        *,
        sleep: Callable[[float], None],
        max_wait: float,
    ) -> None:
        self._queues: dict[int | None, deque[Job]] = {}
        for job in jobs:
            self._queues.setdefault(job.workspace_id, deque()).append(job)
        self._order: deque[int | None] = deque(self._queues)
        self._budget = budget
        self._sleep = sleep
        self._max_wait = max_wait
        self._lock = threading.Lock()
        self.left_for_later = 0

    def __len__(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())

    def take(self) -> Job | None:
        while True:
            with self._lock:
                if not self._order:
                    return None
                soonest: float | None = None
                for _ in range(len(self._order)):
                    workspace = self._order[0]
                    self._order.rotate(-1)
                    wait = self._budget.wait(workspace)
                    if wait == 0.0:
                        queue = self._queues[workspace]
                        job = queue.popleft()
                        if not queue:
                            del self._queues[workspace]
                            self._order.remove(workspace)
                        return job
                    soonest = wait if soonest is None else min(soonest, wait)
                assert soonest is not None
                if soonest > self._max_wait:
                    self.left_for_later = sum(len(q) for q in self._queues.values())
                    self._queues.clear()
                    self._order.clear()
                    return None
            self._sleep(min(soonest, 1.0))

    def put_back(self, job: Job) -> None:
        """A job that met a rate limit: it goes again once its workspace's budget allows."""
        with self._lock:
            if job.workspace_id not in self._queues:
                self._queues[job.workspace_id] = deque()
                self._order.append(job.workspace_id)
            self._queues[job.workspace_id].appendleft(job)
