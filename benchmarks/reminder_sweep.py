"""Reminder sweep over 10,000 actions in 50 boards (budget: under 1 s).

Measures one planning pass as the scheduler runs it: load facts from the database, evaluate
the rules for the day, and write the ledger rows. Usage: python benchmarks/reminder_sweep.py
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import delete, event  # noqa: E402

from benchmarks.common import populate  # noqa: E402
from bot.core.reminders import messages_due  # noqa: E402
from bot.services.outbox import load_facts, plan_due  # noqa: E402
from bot.services.uow import UnitOfWork  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import Notification, NotificationItem  # noqa: E402
from db.session import make_engine, make_session_factory  # noqa: E402

DAYS = [
    dt.datetime(2019, m, d, 8, 0, tzinfo=dt.UTC) for m, d in ((5, 16), (5, 28), (6, 7), (9, 10))
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/sweep.db")
        upgrade(engine)
        populate(engine, boards=50, actions_per_board=200, updates_per_action=2)
        factory = make_session_factory(engine)
        statements: list[str] = []
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))

        load, rules, full, messages = [], [], [], 0
        for now in DAYS * 3:
            with UnitOfWork(factory) as uow:
                t0 = time.perf_counter()
                boards, actions = load_facts(uow)
                t1 = time.perf_counter()
                found = messages_due(boards, actions, now)
                t2 = time.perf_counter()
            load.append(t1 - t0)
            rules.append(t2 - t1)
            messages = max(messages, len(found))
            statements.clear()
            with UnitOfWork(factory) as uow:
                t3 = time.perf_counter()
                plan_due(uow, now)
                uow.commit()
                full.append(time.perf_counter() - t3)
            with engine.begin() as conn:  # measure a first pass every time
                conn.execute(delete(NotificationItem))
                conn.execute(delete(Notification))
        print("reminder sweep: 10,000 actions, 50 boards, SQLite")
        print(f"  load facts     median {statistics.median(load) * 1000:7.1f} ms")
        print(f"  evaluate rules median {statistics.median(rules) * 1000:7.1f} ms")
        print(
            f"  full pass (load + rules + ledger writes) median "
            f"{statistics.median(full) * 1000:7.1f} ms, max {max(full) * 1000:7.1f} ms"
        )
        print(f"  busiest day: {messages} messages")


if __name__ == "__main__":
    main()
