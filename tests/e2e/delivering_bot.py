"""A bot process that delivers what the outbox holds, for the SIGKILL tests in
test_faults.py: the test kills it (SIGKILL, so nothing is cleaned up) at a random moment and
starts another.

    python -m tests.e2e.delivering_bot DATABASE_URL SLACK_API_URL TOKEN NOW

It prints `ready` once it is about to deliver, then delivers everything due at NOW (an ISO
instant) with a claim that lapses after a minute, and prints `done`.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from slack_sdk import WebClient

from db.session import make_engine, make_session_factory
from scheduler.delivery import Delivery


def main(argv: list[str]) -> int:
    url, api_url, token, at = argv
    delivery = Delivery(
        make_session_factory(make_engine(url)),
        WebClient(token=token, base_url=api_url, retry_handlers=[]),
        worker=f"pid-{os.getpid()}",
        lease=dt.timedelta(minutes=1),
        workers=4,
    )
    print("ready", flush=True)
    report = delivery.run(dt.datetime.fromisoformat(at), limit=1000)
    print(f"done {report.sent}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
