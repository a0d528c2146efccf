"""One benchmark run: every figure of docs/design.md §10, each beside its reference (its
budget, or the bare Bolt app / serial figure measured in the same run). Never part of
`make test`; `make bench` runs it.

Usage: python benchmarks/run.py [--quick] [--json] [--postgres URL]

--quick   smaller samples (fewer rounds, runs and delivery messages, one update per action
          behind the 20,000-action digest); the same keys; the tick still over 100,000 actions.
--json    print only the JSON object (progress goes to stderr).
--postgres URL   the database figures (round trip, digest, sweep, ticks, memory) on
          PostgreSQL, each in a schema of its own that is dropped afterwards; delivery stays
          on SQLite, as the local bot runs it.

The last line printed is always one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update  # noqa: E402

from benchmarks import command_roundtrip, delivery_bench, digest_bench, reminder_sweep, tick_bench  # noqa: E402
from benchmarks.common import scratch_database  # noqa: E402
from db.models import Board  # noqa: E402

# figure: (comparison, budget) — docs/design.md §10
BUDGETS: dict[str, tuple[str, float]] = {
    "ack_ratio_p99": ("<=", 1.5),
    "digest_ms_2000": ("<", 100),
    "digest_statements_growth": ("==", 1),
    "sweep_ms_10000": ("<", 1000),
    "idle_tick_ms_100000": ("<", 20),
    "busy_tick_ms_100000": ("<", 3000),
    "delivery_lost": ("==", 0),
    "delivery_duplicates": ("==", 0),
}
CHECK: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "==": lambda a, b: a == b,
}
# What each figure is measured against, besides its budget, when that is measured too.
BESIDE = {
    "ack_p50_ms": "bare_p50_ms",
    "ack_p99_ms": "bare_p99_ms",
    "floor_p50_ms": "ack_p50_ms",
    "floor_p99_ms": "ack_p99_ms",
    "digest_ms_20000": "digest_ms_200",
    "digest_statements_growth": "digest_statements_200",
}


def machine_reference_ms(runs: int = 5) -> float:
    """The CPU time of a fixed pure-Python workload (no project code; median of `runs`), ms.

    The budgets in ms, and the round trip's ratio, depend on the machine's speed: the same
    code's digest of 2,000 actions has taken 50 ms in one session and 144 ms in another on
    this machine kind. Two runs' figures compare through this one: a run whose reference is
    twice another's ran on a machine about half as fast."""
    start = dt.datetime(2019, 5, 16, tzinfo=dt.UTC)

    def work() -> int:
        rows = [
            {"id": n, "ref": f"{n % 97}.{n % 13}", "at": start + dt.timedelta(minutes=n)}
            for n in range(20_000)
        ]
        rows.sort(key=lambda row: (row["ref"], row["at"]))
        return sum(len(row["ref"]) for row in rows)

    times = []
    for _ in range(runs):
        cpu = time.process_time()
        work()
        times.append((time.process_time() - cpu) * 1000)
    return round(sorted(times)[runs // 2], 1)


def say(text: str, quiet: bool) -> None:
    print(text, file=sys.stderr if quiet else sys.stdout, flush=True)


def ack(postgres: str | None, quick: bool) -> dict[str, Any]:
    """320 requests to each app even in a quick run (about 5 s): the p99 of 96 would be the
    second-slowest request. The full run takes 960, whose p99 moves less from run to run."""
    return command_roundtrip.measure(rounds=10 if quick else 30, postgres=postgres)


def digests(postgres: str | None, quick: bool) -> dict[str, Any]:
    """build_digest at 200, 2,000 (with 50,000 updates) and 20,000 actions."""
    sizes = {200: 5_000, 2_000: 50_000, 20_000: 20_000 if quick else 200_000}
    figures: dict[str, Any] = {}
    for actions, updates in sizes.items():
        with scratch_database(postgres) as engine:
            board = digest_bench.populate(engine, actions_count=actions, updates_count=updates)
            runs = 1 if quick and actions > 2_000 else 3 if quick or actions > 2_000 else 9
            timing, statements = digest_bench.measure(engine, board, runs=runs)
            if actions == 2_000:  # the pack before a meeting: the digest and more (no budget)
                pack, pack_statements = digest_bench.measure_pack(engine, board, runs=runs)
                figures["pack_ms_2000"] = round(pack.median, 1)
                figures["pack_cpu_ms_2000"] = round(pack.cpu_median, 1)
                figures["pack_statements_2000"] = pack_statements
        figures[f"digest_ms_{actions}"] = round(timing.median, 1)
        figures[f"digest_cpu_ms_{actions}"] = round(timing.cpu_median, 1)
        figures[f"digest_statements_{actions}"] = statements
    figures["digest_statements_growth"] = (
        figures["digest_statements_20000"] / figures["digest_statements_200"]
    )
    return figures


def sweep(postgres: str | None, quick: bool) -> dict[str, Any]:
    with scratch_database(postgres) as engine:
        return reminder_sweep.measure(engine, runs=1 if quick else 3)


def ticks_and_memory(postgres: str | None, quick: bool) -> dict[str, Any]:
    """The idle and the 09:00 tick over 100,000 actions in 500 boards; then, on the same
    database, the peak memory of a process that plans them all and builds a board's digest."""
    with scratch_database(postgres) as engine:
        ticks = tick_bench.measure(
            engine, runs=1 if quick else 3, updates_per_action=0 if quick else 1
        )
        with engine.begin() as conn:
            conn.execute(update(Board).values(next_plan_at=None))
        url = engine.url.render_as_string(hide_password=False)
        child = subprocess.run(
            [sys.executable, __file__, "--rss-child", url],
            capture_output=True,
            text=True,
            check=True,
        )
    return {
        "idle_tick_ms_100000": ticks["idle_tick_ms"],
        "idle_tick_statements": ticks["idle_tick_statements"],
        "busy_tick_ms_100000": ticks["busy_tick_ms"],
        "busy_tick_cpu_ms_100000": ticks["busy_tick_cpu_ms"],
        "busy_tick_messages": ticks["busy_tick_messages"],
        "populate_s_100000": ticks["populate_s"],
        "rss_mb": json.loads(child.stdout.strip().splitlines()[-1])["rss_mb"],
    }


def rss_child(url: str) -> None:
    """The bot's process holding 100,000 actions: its services over `url`, the 09:00 tick
    planned, a board's digest built; prints its peak resident memory."""
    import bot.app  # noqa: F401 - the whole bot is loaded, as it is when it runs
    from bot.clock import ManualClock
    from bot.config import Settings
    from bot.services import Services, Units
    from bot.services.digest import build_digest
    from bot.services.uow import UnitOfWork
    from db.session import make_engine, make_session_factory

    engine = make_engine(url)
    factory = make_session_factory(engine)
    services = Services(Settings(), ManualClock(tick_bench.NINE), Units(factory))
    services.scheduling.plan_due(tick_bench.NINE)
    with UnitOfWork(factory) as uow:
        build_digest(uow, 1, tick_bench.NINE)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"rss_mb": round(peak_kb / 1024, 1)}))


def delivery(quick: bool) -> dict[str, Any]:
    figures = delivery_bench.measure(quick)
    return {k: v for k, v in figures.items() if isinstance(v, int | float)}


def verdicts(figures: dict[str, Any]) -> dict[str, bool]:
    return {
        key: CHECK[op](figures[key], budget)
        for key, (op, budget) in BUDGETS.items()
        if key in figures
    }


def table(figures: dict[str, Any]) -> list[str]:
    lines = [f"{'figure':<28} {'measured':>10}  reference"]
    ok = verdicts(figures)
    for key, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        notes = []
        if key in BESIDE and BESIDE[key] in figures:
            notes.append(f"{BESIDE[key]} {figures[BESIDE[key]]}")
        if key in BUDGETS:
            op, budget = BUDGETS[key]
            notes.append(f"budget {op} {budget:g}: {'OK' if ok[key] else 'OVER'}")
        lines.append(f"{key:<28} {value:>10}  {'; '.join(notes)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--postgres", metavar="URL")
    parser.add_argument("--rss-child", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
        return 0

    quiet = args.json
    figures: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}",
        "database": "postgresql" if args.postgres else "sqlite",
        "quick": args.quick,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "machine_reference_ms": machine_reference_ms(),
    }
    started = time.perf_counter()
    steps: list[tuple[str, Callable[[], dict[str, Any]]]] = [
        ("slash command round trip (8 clients)", lambda: ack(args.postgres, args.quick)),
        ("digest at 200, 2,000 and 20,000 actions", lambda: digests(args.postgres, args.quick)),
        ("09:00 sweep over 10,000 actions", lambda: sweep(args.postgres, args.quick)),
        (
            "ticks over 100,000 actions, and memory",
            lambda: ticks_and_memory(args.postgres, args.quick),
        ),
        ("delivery under faults", lambda: delivery(args.quick)),
    ]
    for name, step in steps:
        t0 = time.perf_counter()
        say(f"== {name}", quiet)
        found = step()
        figures.update(found)
        say(
            f"   {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.2f}: "
            + ", ".join(f"{k} {v}" for k, v in found.items()),
            quiet,
        )
    figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    figures["machine_reference_ms_end"] = machine_reference_ms()
    figures["run_s"] = round(time.perf_counter() - started, 1)
    ok = verdicts(figures)
    figures["within_budget"] = all(ok.values())
    figures["over_budget"] = [key for key, fine in ok.items() if not fine]
    if not quiet:
        print()
        print("\n".join(table(figures)))
        print(
            f"load average {figures['load_average_start']} at the start, "
            f"{figures['load_average_end']} at the end, on {figures['machine']}"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
