"""Reminder sweep over 10,000 actions in 50 boards (budget: under 1 s).

Measures one planning pass as the scheduler runs it with every board due: load the facts that
may send anything, evaluate the rules for the day, and write the ledger rows.
Usage: python benchmarks/reminder_sweep.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, delete, update  # noqa: E402

from benchmarks.common import populate, scratch_database  # noqa: E402
from bot.runner import freeze_start_up_objects  # noqa: E402
from bot.services.outbox import plan_due  # noqa: E402
from bot.services.uow import UnitOfWork  # noqa: E402
from db.models import Board, Notification, NotificationItem  # noqa: E402
from db.session import make_session_factory  # noqa: E402

DAYS = [
    dt.datetime(2019, m, d, 8, 0, tzinfo=dt.UTC) for m, d in ((5, 16), (5, 28), (6, 7), (9, 10))
]


def measure(engine: Engine, runs: int = 3) -> dict[str, float]:
    """The 09:00 planning pass over 50 boards of 200 actions (populated here), on four days
    of the year, each from an empty ledger with every board due: median and slowest, ms."""
    populate(engine, boards=50, actions_per_board=200, updates_per_action=2)
    factory = make_session_factory(engine)
    freeze_start_up_objects()  # as the running bot does once it is ready
    full, messages = [], 0
    for now in DAYS * runs:
        with engine.begin() as conn:  # measure a first pass every time
            conn.execute(delete(NotificationItem))
            conn.execute(delete(Notification))
            conn.execute(update(Board).values(next_plan_at=None))
        with UnitOfWork(factory) as uow:
            t0 = time.perf_counter()
            messages = max(messages, len(plan_due(uow, now)))
            uow.commit()
            full.append(time.perf_counter() - t0)
    return {
        "sweep_ms_10000": round(statistics.median(full) * 1000, 1),
        "sweep_max_ms_10000": round(max(full) * 1000, 1),
        "sweep_messages": messages,
    }


def main() -> None:
    with scratch_database() as engine:
        figures = measure(engine)
    print("reminder sweep: 10,000 actions, 50 boards, SQLite")
    print(
        f"  full pass (load + rules + ledger writes) median {figures['sweep_ms_10000']:7.1f} ms, "
        f"max {figures['sweep_max_ms_10000']:7.1f} ms"
    )
    print(f"  busiest day: {figures['sweep_messages']} messages")


if __name__ == "__main__":
    main()
