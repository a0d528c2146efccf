"""Slash command round trip: a signed `/progress 4.1 amber …` (a database write) through the
real bot over HTTP, against a bare Bolt app answering the same request in the same run.

Budget (DESIGN §10): the bot's p99 within 1.5× of the bare app's p99.
Usage: python benchmarks/command_roundtrip.py [REQUESTS]
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
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


def main(requests: int) -> None:
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
        ours_url = local.server.url
        try:
            for n in range(WARM_UP):  # first requests compile SQL and fill caches: not measured
                local.emulator.connect_app(ours_url, local.signing_secret)
                timed(local.emulator, "UJANE00000", f"4.1 green warming up {n}")
                local.emulator.connect_app(bare_server.url, local.signing_secret)
                timed(local.emulator, "UJANE00000", f"4.1 green warming up {n}")
            ours, baseline = [], []
            for n in range(requests):  # interleaved, so both see the same machine load
                local.emulator.connect_app(ours_url, local.signing_secret)
                ours.append(timed(local.emulator, "UJANE00000", f"4.1 amber survey slipped {n}"))
                local.emulator.connect_app(bare_server.url, local.signing_secret)
                baseline.append(
                    timed(local.emulator, "UJANE00000", f"4.1 amber survey slipped {n}")
                )
        finally:
            bare_server.stop()
        print(f"slash command round trip, {requests} requests each (signed HTTP, loopback)")
        for name, samples in (("bare Bolt app", baseline), ("improvement-bot", ours)):
            print(
                f"  {name:<16} p50 {statistics.median(samples) * 1000:6.1f} ms  "
                f"p99 {percentile(samples, 99) * 1000:6.1f} ms  max {max(samples) * 1000:6.1f} ms"
            )
        ratio = percentile(ours, 99) / percentile(baseline, 99)
        print(f"  p99 ratio {ratio:.2f} (budget 1.5)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
