"""Slack's side of the round trip, in a process of its own: sends signed requests to an app,
several at once, and times each from the first byte sent to the last byte of the answer.

Slack's servers are not in the bot's process, so neither is this: signing, sending and
reading answers would otherwise take turns with the bot for the same interpreter.
`command_roundtrip.py` starts it and talks to it in JSON lines on stdin and stdout:

    {"url": ..., "secret": ..., "bodies": ["<form body>", ...], "clients": 8}
    -> {"seconds": [...], "statuses": [...]}   (in the order of `bodies`)
"""

from __future__ import annotations

import http.client
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.sandbox.slack_requests import FORM_CONTENT_TYPE, slack_headers  # noqa: E402


def send(url: str, secret: str, body: bytes) -> tuple[float, int]:
    """One request as Slack sends it (a new connection each time); seconds and HTTP status."""
    where = urlsplit(url)
    headers = slack_headers(body, secret, FORM_CONTENT_TYPE)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port, timeout=10)
    try:
        connection.request("POST", where.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status = response.status
    finally:
        connection.close()
    return time.perf_counter() - started, status


def main() -> None:
    pools: dict[int, ThreadPoolExecutor] = {}
    for line in sys.stdin:
        batch = json.loads(line)
        clients = int(batch["clients"])
        pool = pools.setdefault(clients, ThreadPoolExecutor(clients))
        bodies = [body.encode() for body in batch["bodies"]]
        urls, secrets = [batch["url"]] * len(bodies), [batch["secret"]] * len(bodies)
        results = list(pool.map(send, urls, secrets, bodies))
        answer = {"seconds": [s for s, _ in results], "statuses": [c for _, c in results]}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
