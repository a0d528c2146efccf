"""The scheduler's minute tick over 100,000 actions in 500 boards (budgets: under 20 ms when
nothing is due, under 3 s for the 09:00 tick).

Each tick is `SchedulingService.plan_due` as the scheduler calls it: its own unit of work,
committed. The 09:00 tick starts from an empty ledger every time, so each run enqueues the
whole morning. Usage: python benchmarks/tick_bench.py [--quick] [--postgres URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, delete, event, update  # noqa: E402

from benchmarks.common import populate, scratch_database  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.runner import freeze_start_up_objects  # noqa: E402
from bot.services import Services, Units  # noqa: E402
from db.models import Board, Notification, NotificationItem  # noqa: E402
from db.session import make_session_factory  # noqa: E402

NINE = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)  # Thursday 09:00 BST


def reset(engine: Engine) -> None:
    """An empty ledger, and every board due at 09:00."""
    with engine.begin() as conn:
        conn.execute(delete(NotificationItem))
        conn.execute(delete(Notification))
        conn.execute(update(Board).values(next_plan_at=NINE))


def measure(
    engine: Engine,
    *,
    boards: int = 500,
    actions_per_board: int = 200,
    runs: int = 3,
    updates_per_action: int = 1,
) -> dict[str, Any]:
    """idle_tick_ms and busy_tick_ms (medians) for boards × actions_per_board actions."""
    started = time.perf_counter()
    populate(
        engine,
        boards=boards,
        actions_per_board=actions_per_board,
        updates_per_action=updates_per_action,
        owners=max(200, boards * 5),
    )
    populated = time.perf_counter() - started
    services = Services(Settings(), ManualClock(NINE), Units(make_session_factory(engine)))
    services.scheduling.plan_due(NINE - dt.timedelta(hours=2))  # warm: before 09:00, no actions
    freeze_start_up_objects()  # as the running bot does once it is ready
    busy, busy_cpu, messages = [], [], 0
    for _ in range(runs):
        reset(engine)
        t0, c0 = time.perf_counter(), time.process_time()
        keys = services.scheduling.plan_due(NINE)
        busy.append(time.perf_counter() - t0)
        busy_cpu.append(time.process_time() - c0)
        messages = len(keys)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        if sql.split()[0].upper() not in {"BEGIN", "COMMIT", "ROLLBACK"}:
            statements.append(sql)

    idle = []
    for minute in range(1, 31):
        event.listen(engine, "before_cursor_execute", count)
        t0 = time.perf_counter()
        assert services.scheduling.plan_due(NINE + dt.timedelta(minutes=minute)) == []
        idle.append(time.perf_counter() - t0)
        event.remove(engine, "before_cursor_execute", count)
    return {
        "actions": boards * actions_per_board,
        "boards": boards,
        "populate_s": round(populated, 1),
        "busy_tick_ms": round(statistics.median(busy) * 1000, 1),
        "busy_tick_cpu_ms": round(statistics.median(busy_cpu) * 1000, 1),
        "busy_tick_messages": messages,
        "idle_tick_ms": round(statistics.median(idle) * 1000, 2),
        "idle_tick_statements": len(statements) / len(idle),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one busy tick instead of three")
    parser.add_argument("--postgres", metavar="URL", help="measure on PostgreSQL")
    args = parser.parse_args()
    with scratch_database(args.postgres) as engine:
        figures = measure(engine, runs=1 if args.quick else 3)
    for key, value in figures.items():
        print(f"  {key:<22} {value}")


if __name__ == "__main__":
    main()
