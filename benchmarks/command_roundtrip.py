"""Slash command round trip: a signed `/progress 4.1 amber …` (a database write) through the
real bot over HTTP, 8 clients at once, against a bare Bolt app answering the same requests
the same way in the same run.

Budget (DESIGN §10): the bot's p99 within 1.5× of the bare app's p99.
Usage: python benchmarks/command_roundtrip.py [ROUNDS] (each round 32 requests to each app)
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402

from bot.clock import ManualClock  # noqa: E402
from bot.sandbox.emulator import SlackEmulator  # noqa: E402
from bot.sandbox.local import LocalBot  # noqa: E402
from bot.web import serve  # noqa: E402
from tests.e2e.seed import seed_board  # noqa: E402

START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)
WARM_UP = 20


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(emulator: SlackEmulator, user: str, text: str) -> float:
    started = time.perf_counter()
    result = emulator.slash(user, "/progress", text)
    elapsed = time.perf_counter() - started
    if result.status != 200:
        raise SystemExit(f"request failed with HTTP {result.status}")
    return elapsed


def measure(rounds: int = 10, clients: int = 8, per_client: int = 4) -> dict[str, float]:
    """p50/p99 of the bot's round trip and of a bare Bolt app's, `clients` at once.

    Each round sends `clients` × `per_client` requests to the bot, then as many to the bare
    app, so both see the same machine load; 20 warm-up requests each are not counted."""
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalBot(f"sqlite:///{tmp}/bench.db", ManualClock(START)) as local,
    ):
        seed_board(local)
        bare = App(
            signing_secret=local.signing_secret,
            client=WebClient(base_url=local.emulator.api_url, token=local.emulator.bot_token),
        )

        @bare.command("/progress")
        def answer(ack):  # noqa: ANN001, ANN202 - the bare app is the baseline
            ack(text="Recorded.")

        bare_server = serve(bare, signing_secret=local.signing_secret)
        servers = {"ours": local.server.url, "bare": bare_server.url}
        samples: dict[str, list[float]] = {"ours": [], "bare": []}
        try:
            for n in range(WARM_UP):  # first requests compile SQL and fill caches: not measured
                for url in servers.values():
                    local.emulator.connect_app(url, local.signing_secret)
                    timed(local.emulator, "UJANE00000", f"4.1 green warming up {n}")
            with ThreadPoolExecutor(clients) as pool:
                for r in range(rounds):
                    for name, url in servers.items():
                        local.emulator.connect_app(url, local.signing_secret)
                        texts = [
                            f"4.1 amber survey slipped {r}-{c}-{k}"
                            for c in range(clients)
                            for k in range(per_client)
                        ]
                        samples[name].extend(
                            pool.map(lambda t: timed(local.emulator, "UJANE00000", t), texts)
                        )
        finally:
            bare_server.stop()
    ours, bare_samples = samples["ours"], samples["bare"]
    return {
        "ack_p50_ms": round(statistics.median(ours) * 1000, 1),
        "ack_p99_ms": round(percentile(ours, 99) * 1000, 1),
        "bare_p50_ms": round(statistics.median(bare_samples) * 1000, 1),
        "bare_p99_ms": round(percentile(bare_samples, 99) * 1000, 1),
        "ack_ratio_p99": round(percentile(ours, 99) / percentile(bare_samples, 99), 2),
        "ack_requests": len(ours),
    }


def main(rounds: int) -> None:
    figures = measure(rounds)
    print(f"slash command round trip, {figures['ack_requests']} requests each, 8 at a time")
    for name, key in (("bare Bolt app", "bare"), ("improvement-bot", "ack")):
        p50, p99 = figures[f"{key}_p50_ms"], figures[f"{key}_p99_ms"]
        print(f"  {name:<16} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
    print(f"  p99 ratio {figures['ack_ratio_p99']:.2f} (budget 1.5)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
