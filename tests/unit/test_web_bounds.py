"""The WSGI layer's own body bound, which holds under any server (waitress has its own)."""

from __future__ import annotations

import io
from typing import Any

from slack_bolt import App

from bot.web import MAX_BODY_BYTES, make_wsgi_app

SIGNED_HEADERS = {"HTTP_X_SLACK_REQUEST_TIMESTAMP": "1558000000", "HTTP_X_SLACK_SIGNATURE": "v0=0"}


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it was read."""

    def __init__(self, size: int) -> None:
        super().__init__(b"a" * size)
        self.taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def call(environ: dict[str, Any]) -> str:
    app = App(signing_secret="secret", token="xoxb-1", token_verification_enabled=False)
    statuses: list[str] = []
    wsgi = make_wsgi_app(app, signing_secret="secret")
    base = {"REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "SERVER_PROTOCOL": "HTTP/1.1"}
    b"".join(wsgi(base | SIGNED_HEADERS | environ, lambda status, headers: statuses.append(status)))
    return statuses[0]


def test_a_declared_length_over_1_mb_is_refused_unread() -> None:
    stream = CountingStream(MAX_BODY_BYTES + 1)
    status = call({"CONTENT_LENGTH": str(MAX_BODY_BYTES + 1), "wsgi.input": stream})
    assert status.startswith("413")
    assert stream.taken == 0


def test_a_body_of_no_declared_length_is_read_no_further_than_the_limit() -> None:
    stream = CountingStream(5 * MAX_BODY_BYTES)
    status = call({"wsgi.input": stream})
    assert status.startswith("413")
    assert stream.taken == MAX_BODY_BYTES + 1


def test_a_body_of_1_mb_is_read_and_judged_by_its_signature() -> None:
    stream = CountingStream(MAX_BODY_BYTES)
    status = call({"CONTENT_LENGTH": str(MAX_BODY_BYTES), "wsgi.input": stream})
    assert status.startswith("401")
    assert stream.taken == MAX_BODY_BYTES
