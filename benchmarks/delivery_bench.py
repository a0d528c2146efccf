"""Delivery of 1,000 reminders through an emulator that rate-limits (429 + Retry-After) and
fails 10% of calls: all delivered, none twice. Prints the time taken and the fault counts.

Usage: python benchmarks/delivery_bench.py [COUNT]
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.render.ids import NOTIFICATION_EVENT  # noqa: E402
from bot.sandbox.local import LocalBot  # noqa: E402
from bot.services import plans  # noqa: E402
from db.models import Notification  # noqa: E402

NINE = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)


def measure(count: int = 1000) -> dict[str, float]:
    """delivery_msgs_per_s, delivery_lost and delivery_duplicates for `count` reminders (and
    the details main prints)."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalBot(f"sqlite:///{tmp}/delivery.db", ManualClock(NINE)) as local,
    ):
        # Seeding through the building blocks, in one unit of work, as the demo does.
        with local.services.units.patient() as uow:
            ws = plans.workspace_for_team(uow, local.emulator.workspace.team_id, NINE)
            actor = plans.Actor.operator(ws)
            board = plans.create_board(uow, actor, "Board", NINE)
            plan = plans.create_plan(uow, actor, board, "Plan", NINE)
            plans.add_theme(uow, actor, plan, "1", "Theme", NINE)
            for n in range(count):
                user_id = f"UB{n:08d}"
                local.emulator.add_user(user_id, f"b{n}", f"Owner {n}", f"b{n}@council.example")
                person = plans.person_for_slack_user(uow, ws, user_id, name=f"Owner {n}")
                plans.add_action(
                    uow,
                    actor,
                    plan,
                    f"1.{n}",
                    f"Action {n}",
                    NINE,
                    due=dt.date(2019, 5, 31),
                    owner_ids=[person.id],
                )
            uow.commit()
        local.emulator.set_failure_rate(
            0.10,
            seed=11,
            statuses=(429, 500),
            retry_after=1,
            methods=["chat.postMessage", "conversations.open", "conversations.history"],
        )
        started = time.perf_counter()
        moment, passes = NINE, 0
        while True:
            passes += 1
            local.run_jobs(moment)
            with local.services.units.patient() as uow:
                states = Counter(uow.session.scalars(select(Notification.state)))
            if states.get("pending", 0) + states.get("sending", 0) == 0 or passes > 60:
                break
            moment += dt.timedelta(minutes=1)
        elapsed = time.perf_counter() - started
        posted: Counter[str] = Counter()
        for message in local.emulator.messages(include_ephemeral=False):
            metadata = message.metadata or {}
            if metadata.get("event_type") == NOTIFICATION_EVENT:
                posted[metadata["event_payload"]["key"]] += 1
        faults = Counter(c.status for c in local.emulator.calls if c.status != 200)
    return {
        "delivery_msgs_per_s": round(count / elapsed, 1),
        "delivery_lost": count - len(posted),
        "delivery_duplicates": sum(1 for n in posted.values() if n > 1),
        "delivery_s": round(elapsed, 1),
        "delivery_messages": count,
        "delivery_states": dict(states),
        "delivery_faults": {str(k): v for k, v in faults.items()},
        "delivery_passes": passes,
    }


def main(count: int) -> None:
    figures = measure(count)
    print(f"delivery: {count} reminders, 10% of calls failing (429 with Retry-After: 1, or 500)")
    print(f"  ledger states: {figures['delivery_states']}")
    print(
        f"  lost: {figures['delivery_lost']}; posted more than once: "
        f"{figures['delivery_duplicates']}"
    )
    print(f"  faults injected: {figures['delivery_faults']}; passes: {figures['delivery_passes']}")
    print(f"  wall time: {figures['delivery_s']} s ({figures['delivery_msgs_per_s']} messages/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
