"""Delivery of 1,000 reminders across 10 workspaces through an emulator that rate-limits per
workspace and method as Slack does (429 with Retry-After), takes Slack's time to answer, and
fails 10% of calls with a 5xx: all delivered, none twice, and how fast against one serial
worker measured in the same run.

`measure(quick)` returns the figures (benchmarks/run.py reports them); run alone it prints
them as JSON. Usage: python benchmarks/delivery_bench.py [--quick] [--postgres URL]
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from benchmarks.common import MORNING, reminder_morning, scratch_database, team_id  # noqa: E402
from bot.render.ids import NOTIFICATION_EVENT  # noqa: E402
from bot.sandbox.emulator import SlackEmulator  # noqa: E402
from bot.services import Units  # noqa: E402
from bot.services.outbox import plan_due  # noqa: E402
from db.models import Notification  # noqa: E402
from db.session import make_session_factory  # noqa: E402
from scheduler.delivery import WORKERS, Delivery  # noqa: E402

NINE = MORNING
WORKSPACES = 10
FAILING = 0.10  # share of calls answered 5xx
# Seconds Slack takes to answer a call from the UK: the SDK opens a new HTTPS connection for
# each (TCP and TLS handshakes to Slack's US servers, ~75 ms a round trip), then Slack works.
LATENCY = 0.2
SPEED = 4.0  # the emulator's rate-limit minute passes in 15 s, so its limits are met


def _run(count: int, workers: int, postgres: str | None = None) -> dict[str, Any]:
    """Seed `count` reminders, deliver them with `workers` workers until none is left, and
    count what Slack received."""
    with scratch_database(postgres) as engine, SlackEmulator() as emulator:
        units = Units(session_factory=make_session_factory(engine))
        reminder_morning(engine, emulator, count, WORKSPACES)
        with units.patient() as uow:
            plan_due(uow, NINE)
            uow.commit()
        clients = {
            team_id(w): WebClient(
                token=emulator.add_team(team_id(w)), base_url=emulator.api_url, retry_handlers=[]
            )
            for w in range(1, WORKSPACES + 1)
        }
        default = WebClient(token=emulator.bot_token, base_url=emulator.api_url, retry_handlers=[])
        delivery = Delivery(
            units.session_factory,
            default,
            worker=f"bench-{workers}",
            workers=workers,
            clients=lambda team: clients.get(team or "", default),
            retry_delay=lambda attempt: 60.0,
        )
        emulator.set_rate_limits(speed=SPEED)
        emulator.set_latency(LATENCY)
        emulator.set_failure_rate(FAILING, seed=11, statuses=(500, 502, 503))
        moment, passes, elapsed = NINE, 0, 0.0
        while passes < 60:
            passes += 1
            started = time.perf_counter()
            delivery.run(moment, limit=5000)
            elapsed += time.perf_counter() - started
            with units.patient() as uow:
                states = Counter(uow.session.scalars(select(Notification.state)))
            if states.get("pending", 0) + states.get("sending", 0) == 0:
                break
            moment += dt.timedelta(minutes=1)  # the next delivery pass, when retries fall due
        posted: Counter[str] = Counter()
        for message in emulator.messages(include_ephemeral=False):
            metadata = message.metadata or {}
            if metadata.get("event_type") == NOTIFICATION_EVENT:
                posted[metadata["event_payload"]["key"]] += 1
        faults = Counter(c.status for c in emulator.calls if c.status != 200)
        with units.patient() as uow:
            errors = Counter(
                uow.session.scalars(select(Notification.error).where(Notification.state != "sent"))
            )
        return {
            "count": count,
            "seconds": elapsed,
            "per_s": count / elapsed,
            "sent": states.get("sent", 0),
            "lost": count - len(posted),
            "duplicates": sum(n - 1 for n in posted.values() if n > 1),
            "passes": passes,
            "faults": dict(faults),
            "unsent": dict(errors),
        }


def measure(quick: bool = False, postgres: str | None = None) -> dict[str, Any]:
    """1,000 reminders (150 with `quick`) with the delivery's workers, and a smaller sample
    with one worker on the same terms, for its serial rate."""
    count = 150 if quick else 1000
    serial = _run(10 if quick else 100, workers=1, postgres=postgres)
    pooled = _run(count, workers=WORKERS, postgres=postgres)
    return {
        "delivery_msgs_per_s": round(pooled["per_s"], 1),
        "delivery_serial_msgs_per_s": round(serial["per_s"], 1),
        "delivery_speedup": round(pooled["per_s"] / serial["per_s"], 2),
        "delivery_lost": pooled["lost"] + serial["lost"],
        "delivery_duplicates": pooled["duplicates"] + serial["duplicates"],
        "delivery_messages": count,
        "delivery_workers": WORKERS,
        "delivery_faults": pooled["faults"],
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    url = args[args.index("--postgres") + 1] if "--postgres" in args else None
    print(json.dumps(measure(quick="--quick" in args, postgres=url)))
