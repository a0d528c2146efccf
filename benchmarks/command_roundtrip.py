"""Slash command round trip: a signed `/progress 4.1 amber …` (a database write) through the
real bot over HTTP, 8 clients at once, against a bare Bolt app answering the same requests
the same way in the same run.

Slack's side (signing, sending, timing) runs in a process of its own (`slack_load.py`), as
Slack's servers do: in the bot's process it would take turns with the bot for the interpreter.
The local Slack emulator still makes each request (its trigger and response URL) and answers
the bot's Web API calls.

Budget (DESIGN §10): the bot's p99 within 1.5× of the bare app's p99.

The bare app waits for Bolt's look for its ack, every 10 ms, so its round trip is mostly that
wait, whatever the machine's speed; the bot answers in the request's own thread
(handlers/request_thread.py), so its round trip is its work, eight requests at once on one
interpreter. A third app, the bare app answering in its request's thread as the bot does
(`floor_*`), measures the stack alone: what the bot adds to it is its own work.

Each app's CPU time a request (`*_cpu_ms`: this process's, where every app is served) and how
busy the machine's CPUs were while the bot answered (`ack_machine_busy`: this process and
the load process together, as a share of all CPUs) show whether the bot's round trip was its
work queueing for a saturated machine: eight clients each sending again as soon as answered
keep the bot busy whatever its speed, so its round trip is about eight times its CPU time a
request divided among the CPUs it gets, while the bare app's is Bolt's 10 ms wait.

Usage: python benchmarks/command_roundtrip.py [ROUNDS] [POSTGRES_URL]
(each round 32 requests to each app; the bot on a temporary SQLite file, or in a schema of its
own on the PostgreSQL server at POSTGRES_URL)
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from benchmarks.common import scratch_database  # noqa: E402
from bot.clock import ManualClock  # noqa: E402
from bot.runner import freeze_start_up_objects  # noqa: E402
from bot.sandbox.local import LocalBot  # noqa: E402
from bot.web import serve  # noqa: E402
from db.models import ProgressUpdate  # noqa: E402
from handlers.request_thread import AnswersInRequestThread, answer_in_this_thread  # noqa: E402
from tests.e2e.seed import seed_board  # noqa: E402

START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)
WARM_UP = 20
LOAD = Path(__file__).resolve().with_name("slack_load.py")


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class SlackSide:
    """The load process: sends a batch of bodies to an app, `clients` at a time."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.process = subprocess.Popen(
            [sys.executable, str(LOAD)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    def send(self, url: str, bodies: list[bytes], clients: int) -> list[float]:
        assert self.process.stdin is not None and self.process.stdout is not None
        batch = {
            "url": url,
            "secret": self.secret,
            "bodies": [b.decode() for b in bodies],
            "clients": clients,
        }
        self.process.stdin.write(json.dumps(batch) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self.process.stdout.readline())
        failed = [s for s in answer["statuses"] if s != 200]
        if failed:
            raise SystemExit(f"{len(failed)} requests failed, first with HTTP {failed[0]}")
        return [float(s) for s in answer["seconds"]]

    def cpu_seconds(self) -> float | None:
        """The load process's CPU time so far (None where /proc does not say)."""
        try:
            with open(f"/proc/{self.process.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def bare_app(signing_secret: str, client: WebClient, *, in_request_thread: bool) -> App:
    """A Bolt app whose `/progress` only acks; `in_request_thread`: answered as the bot
    answers its everyday update, in the request's own thread, not on Bolt's executor."""
    if not in_request_thread:
        app = App(signing_secret=signing_secret, client=client)
    else:
        app = App(
            signing_secret=signing_secret,
            client=client,
            listener_executor=AnswersInRequestThread(),
        )

        @app.middleware
        def in_this_thread(next):  # noqa: ANN001, ANN202 - Bolt injects `next` by its name
            answer_in_this_thread(True)
            return next()

    @app.command("/progress")
    def answer(ack):  # noqa: ANN001, ANN202 - the baseline does nothing but ack
        ack(text="Recorded.")

    return app


def measure(
    rounds: int = 10, clients: int = 8, per_client: int = 4, postgres: str | None = None
) -> dict[str, float]:
    """p50/p99 of the bot's round trip, of a bare Bolt app's, and of the stack's floor (the
    bare app answering in its request's thread), `clients` at once.

    Each round sends `clients` × `per_client` requests to the bot, then as many to each other
    app, so all see the same machine load; 20 warm-up requests each are not counted. Every
    request the bot answered must have been recorded: the figure is of real writes."""
    # Every server's threads are all busy most of the time here, on purpose: waitress's
    # warning of a queue each time would bury the figures.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    with (
        scratch_database(postgres) as engine,
        LocalBot(engine.url.render_as_string(hide_password=False), ManualClock(START)) as local,
    ):
        seed_board(local)
        client = WebClient(base_url=local.emulator.api_url, token=local.emulator.bot_token)
        bare = bare_app(local.signing_secret, client, in_request_thread=False)
        floor = bare_app(local.signing_secret, client, in_request_thread=True)

        def bodies(texts: list[str]) -> list[bytes]:
            return [local.emulator.slash_request("UJANE00000", "/progress", t).body for t in texts]

        def updates() -> int:
            with local.bot.engine.connect() as connection:
                return int(connection.scalar(select(func.count()).select_from(ProgressUpdate)))

        bare_server = serve(bare, signing_secret=local.signing_secret)
        floor_server = serve(floor, signing_secret=local.signing_secret)
        servers = {"ours": local.server.url, "bare": bare_server.url, "floor": floor_server.url}
        samples: dict[str, list[float]] = {name: [] for name in servers}
        cpu: dict[str, float] = dict.fromkeys(servers, 0.0)
        wall: dict[str, float] = dict.fromkeys(servers, 0.0)
        slack = SlackSide(local.signing_secret)
        load_seen = slack.cpu_seconds() is not None
        load_cpu = 0.0  # Slack's side's, while the bot answered
        try:
            for url in servers.values():  # first requests compile SQL and fill caches
                slack.send(url, bodies([f"4.1 green warming up {n}" for n in range(WARM_UP)]), 1)
            freeze_start_up_objects()  # as the running bot does once it is ready
            before = updates()
            for r in range(rounds):
                for name, url in servers.items():
                    texts = [
                        f"4.1 amber survey slipped {r}-{c}-{k}"
                        for c in range(clients)
                        for k in range(per_client)
                    ]
                    batch = bodies(texts)
                    load_before, cpu_before = slack.cpu_seconds() or 0.0, time.process_time()
                    started = time.perf_counter()
                    samples[name].extend(slack.send(url, batch, clients))
                    wall[name] += time.perf_counter() - started
                    cpu[name] += time.process_time() - cpu_before
                    if name == "ours":
                        load_cpu += (slack.cpu_seconds() or 0.0) - load_before
            recorded = updates() - before
        finally:
            slack.close()
            bare_server.stop()
            floor_server.stop()
    ours, bare_samples = samples["ours"], samples["bare"]
    if recorded != len(ours):
        raise SystemExit(f"the bot answered {len(ours)} updates but recorded {recorded}")
    per_request = {name: 1000 * cpu[name] / len(samples[name]) for name in servers}
    busy_share = (cpu["ours"] + load_cpu) / (wall["ours"] * (os.cpu_count() or 1))
    busy = {"ack_machine_busy": round(busy_share, 2)} if load_seen else {}
    return {
        "ack_p50_ms": round(statistics.median(ours) * 1000, 1),
        "ack_p99_ms": round(percentile(ours, 99) * 1000, 1),
        "bare_p50_ms": round(statistics.median(bare_samples) * 1000, 1),
        "bare_p99_ms": round(percentile(bare_samples, 99) * 1000, 1),
        "ack_ratio_p99": round(percentile(ours, 99) / percentile(bare_samples, 99), 2),
        "floor_p50_ms": round(statistics.median(samples["floor"]) * 1000, 1),
        "floor_p99_ms": round(percentile(samples["floor"], 99) * 1000, 1),
        "ack_requests": len(ours),
        "ack_cpu_ms": round(per_request["ours"], 2),
        "bare_cpu_ms": round(per_request["bare"], 2),
        "floor_cpu_ms": round(per_request["floor"], 2),
        **busy,
    }


def main(rounds: int, postgres: str | None) -> None:
    figures = measure(rounds, postgres=postgres)
    print(f"slash command round trip, {figures['ack_requests']} requests each, 8 at a time")
    for name, key in (
        ("bare Bolt app", "bare"),
        ("bare, in thread", "floor"),
        ("improvement-bot", "ack"),
    ):
        p50, p99 = figures[f"{key}_p50_ms"], figures[f"{key}_p99_ms"]
        print(f"  {name:<16} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"  p99 ratio {figures['ack_ratio_p99']:.2f} (budget 1.5)")
    print(
        f"  CPU a request: bot {figures['ack_cpu_ms']} ms, bare {figures['bare_cpu_ms']} ms, "
        f"in thread {figures['floor_cpu_ms']} ms"
    )
    if "ack_machine_busy" in figures:
        busy = figures["ack_machine_busy"]
        print(f"  the machine's CPUs busy while the bot answered: {busy:.0%}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10, sys.argv[2] if len(sys.argv) > 2 else None)
