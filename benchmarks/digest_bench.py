"""Time the weekly digest for one board of 2,000 actions and 50,000 progress updates (SQLite).

Budget (DESIGN §10): under 100 ms, with a number of SQL statements that does not grow with
the number of actions. Run: `.venv/bin/python benchmarks/digest_bench.py [--runs N] [--db PATH]`.
The data is bulk-inserted; the digest is built as production builds it, in a fresh unit of work.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, event, insert, select  # noqa: E402

from benchmarks.common import bulk_insert, gather_statistics  # noqa: E402
from bot.core.statuses import Status  # noqa: E402
from bot.render.digest import digest_blocks  # noqa: E402
from bot.runner import freeze_start_up_objects  # noqa: E402
from bot.services.digest import build_digest, build_pack  # noqa: E402
from bot.services.uow import UnitOfWork  # noqa: E402
from db.history import refresh_action_history  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.models import (  # noqa: E402
    Action,
    ActionAssignment,
    Board,
    DateChangeRequest,
    Person,
    Plan,
    ProgressUpdate,
    Theme,
    Workspace,
)
from db.session import make_engine, make_session_factory  # noqa: E402

NOW = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)
START = dt.datetime(2017, 5, 16, 8, 0, tzinfo=dt.UTC)  # updates spread over two years
PACK_MEETING = dt.date(2019, 6, 11)
ACTIONS = 2_000
UPDATES = 50_000
THEMES = 20
PEOPLE = 60


def populate(
    engine: Engine, seed: int = 7, *, actions_count: int = ACTIONS, updates_count: int = UPDATES
) -> int:
    """One board, one active plan of `actions_count` actions in THEMES themes and
    `updates_count` updates (bulk inserts, straight to the driver)."""
    rng = random.Random(seed)
    statuses = [s.value for s in Status]
    with engine.begin() as conn:
        ws = conn.execute(
            insert(Workspace).returning(Workspace.id),
            {"team_id": "TBENCH", "name": "Bench", "created_at": START},
        ).scalar_one()
        conn.execute(
            insert(Person),
            [
                {"workspace_id": ws, "name": f"Owner {i}", "slack_user_id": f"U{i:04d}"}
                for i in range(PEOPLE)
            ],
        )
        people = conn.execute(select(Person.id).where(Person.workspace_id == ws)).scalars().all()
        board = conn.execute(
            insert(Board).returning(Board.id),
            {
                "workspace_id": ws,
                "name": "Improvement Board",
                "timezone": "Europe/London",
                "region": "ENG",
                "meeting_rule": "FREQ=MONTHLY;BYDAY=+2TU",
                "meeting_start": dt.date(2017, 6, 13),
                "meeting_time": dt.time(10, 0),
                "reminder_policy": {},
                "created_at": START,
            },
        ).scalar_one()
        plan = conn.execute(
            insert(Plan).returning(Plan.id),
            {"board_id": board, "title": "ILACS plan", "active": True, "created_at": START},
        ).scalar_one()
        conn.execute(
            insert(Theme),
            [
                {"plan_id": plan, "ref": str(t + 1), "title": f"Theme {t + 1}", "position": t}
                for t in range(THEMES)
            ],
        )
        themes = (
            conn.execute(select(Theme.id).where(Theme.plan_id == plan).order_by(Theme.position))
            .scalars()
            .all()
        )
        per_theme = actions_count // THEMES
        bulk_insert(
            conn,
            Action.__table__,
            [
                {
                    "plan_id": plan,
                    "theme_id": themes[i // per_theme],
                    "ref": f"{i // per_theme + 1}.{i % per_theme + 1}",
                    "title": f"Action {i}: " + "improve the quality of practice " * 3,
                    "due_date": NOW.date() + dt.timedelta(days=rng.randint(-200, 200)),
                    "due_precision": "day",
                    "status": rng.choice(statuses),
                    "position": i % per_theme,
                }
                for i in range(actions_count)
            ],
        )
        actions = (
            conn.execute(select(Action.id).where(Action.plan_id == plan).order_by(Action.id))
            .scalars()
            .all()
        )
        bulk_insert(
            conn,
            ActionAssignment.__table__,
            [
                {"action_id": a, "person_id": p, "role": "owner", "position": k}
                for a in actions
                for k, p in enumerate(rng.sample(people, rng.choice((1, 1, 2))))
            ],
        )
        span = (NOW - START).total_seconds()
        updates = []
        for _ in range(updates_count):
            before, after = rng.choice(statuses), rng.choice(statuses)
            updates.append(
                {
                    "action_id": rng.choice(actions),
                    "author_id": rng.choice(people),
                    "at": START + dt.timedelta(seconds=rng.uniform(0, span)),
                    "previous_status": before,
                    "status": after if rng.random() < 0.3 else before,
                    "note": "progress noted",
                    "source": "command",
                }
            )
        bulk_insert(conn, ProgressUpdate.__table__, updates)
        refresh_action_history(conn)
        conn.execute(
            insert(DateChangeRequest),
            [
                {
                    "action_id": a,
                    "requested_by_id": rng.choice(people),
                    "requested_at": NOW - dt.timedelta(days=rng.randint(1, 30)),
                    "old_due_date": NOW.date(),
                    "new_due_date": NOW.date() + dt.timedelta(days=60),
                    "new_due_precision": "day",
                    "reason": "more time needed",
                    "state": rng.choice(("pending", "approved", "declined")),
                    "decided_at": NOW - dt.timedelta(hours=rng.randint(1, 200)),
                }
                for a in rng.sample(actions, min(100, len(actions)))
            ],
        )
        gather_statistics(conn)
    return board


class Timing(NamedTuple):
    median: float  # wall-clock ms
    best: float
    cpu_median: float  # this process's CPU ms: less disturbed by other work on the machine
    result: Any


def timed(fn: Callable[[], Any], runs: int) -> Timing:
    """Median and best of `runs` calls after one warm-up, in a process whose objects so far
    are set aside from garbage collection, as the running bot's are once it is ready."""
    result = fn()
    freeze_start_up_objects()
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return Timing(statistics.median(wall), min(wall), statistics.median(cpu), result)


def statements_of(engine: Engine, fn: Callable[[], Any]) -> int:
    """The SQL statements (BEGIN aside) one call of `fn` issues on `engine`."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def measure(engine: Engine, board_id: int, runs: int) -> tuple[Timing, int]:
    """build_digest's time over `runs` runs, and the SQL statements one digest takes."""
    factory = make_session_factory(engine)

    def digest() -> Any:
        with UnitOfWork(factory) as uow:
            return build_digest(uow, board_id, NOW)

    statements = statements_of(engine, digest)
    return timed(digest, runs), statements


def measure_pack(engine: Engine, board_id: int, runs: int) -> tuple[Timing, int]:
    """build_pack's time (the pack for the meeting after NOW) over `runs` runs, and the SQL
    statements one pack takes."""
    factory = make_session_factory(engine)

    def pack() -> Any:
        with UnitOfWork(factory) as uow:
            return build_pack(uow, board_id, PACK_MEETING, NOW)

    statements = statements_of(engine, pack)
    return timed(pack, runs), statements


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--db", type=Path, help="SQLite file (default: a temporary one)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "digest-bench.db"
        path.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        started = time.perf_counter()
        board_id = populate(engine)
        print(f"populated {ACTIONS} actions, {UPDATES} updates in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        digest_time, digest_statements = measure(engine, board_id, args.runs)
        pack_time, pack_statements = measure_pack(engine, board_id, args.runs)
        render_time = timed(lambda: digest_blocks(digest_time.result), args.runs)
        engine.dispose()

    totals = digest_time.result.totals
    changes = sum(len(t.changes) for t in digest_time.result.themes)
    print(
        f"board: {totals.actions} actions, {totals.overdue} overdue, {totals.due_soon} due soon, "
        f"{totals.stale} stale, {changes} status changes in the period"
    )
    for name, timing, extra in [
        ("build_digest", digest_time, f"{digest_statements} SQL statements"),
        ("build_pack", pack_time, f"{pack_statements} SQL statements"),
        (
            "digest_blocks",
            render_time,
            f"{len(render_time.result)} messages "
            f"({len(digest_blocks(digest_time.result, max_items=10))} with max_items=10)",
        ),
    ]:
        print(
            f"{name:<14} median {timing.median:6.1f} ms, best {timing.best:6.1f} ms, "
            f"CPU median {timing.cpu_median:6.1f} ms over {args.runs} runs; {extra}"
        )
    print(f"load average while measuring: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print(f"budget 100 ms for build_digest: {'OK' if digest_time.median < 100 else 'OVER'}")


if __name__ == "__main__":
    main()
