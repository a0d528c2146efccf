"""Slack's Socket Mode, on loopback: the WebSocket an app opens instead of a request URL.

The app calls ``apps.connections.open`` with its app-level token (``xapp-…``) and gets a
one-use ``ws://127.0.0.1:<port>/link/?ticket=…`` URL. Slack then sends ``hello`` and, for every
request it would have POSTed, an envelope::

    {"envelope_id": "…", "type": "slash_commands" | "interactive" | "events_api",
     "payload": {…}, "accepts_response_payload": true|false,
     "retry_attempt": 0, "retry_reason": ""}            # the last two: events_api only

The app acks with ``{"envelope_id": "…"}``, or ``{"envelope_id": "…", "payload": {…}}`` when
the envelope accepts a response payload (a slash command's answer, a modal's
``response_action``). The WebSocket framing is the ``websockets`` library's.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.serving import ServerThread

logger = logging.getLogger(__name__)

# Interactive payloads whose ack may carry the answer (the rest are acked empty).
_RESPONDING_INTERACTIONS = {"view_submission", "block_suggestion"}


@dataclass
class Ack:
    """What the app sent back for an envelope."""

    payload: dict[str, Any] | None
    elapsed: float


def envelope(
    kind: str,
    payload: dict[str, Any],
    *,
    envelope_id: str,
    retry_attempt: int = 0,
    retry_reason: str = "",
) -> dict[str, Any]:
    """The envelope Slack wraps around a slash command, interaction or event."""
    if kind == "slash_commands":
        accepts = True
    elif kind == "interactive":
        accepts = payload.get("type") in _RESPONDING_INTERACTIONS
    elif kind == "events_api":
        accepts = False
    else:
        raise ValueError(f"no Socket Mode envelope type {kind!r}")
    wrapped: dict[str, Any] = {
        "envelope_id": envelope_id,
        "payload": payload,
        "type": kind,
        "accepts_response_payload": accepts,
    }
    if kind == "events_api":
        wrapped["retry_attempt"] = retry_attempt
        wrapped["retry_reason"] = retry_reason
    return wrapped


def hello(app_id: str, num_connections: int) -> dict[str, Any]:
    return {
        "type": "hello",
        "num_connections": num_connections,
        "debug_info": {
            "host": "applink-sandbox",
            "build_number": 1,
            "approximate_connection_time": 18060,
        },
        "connection_info": {"app_id": app_id},
    }


class SocketModeLink:
    """The WebSocket side of Socket Mode: tickets, connections, envelopes and their acks."""

    def __init__(self, host: str, app_id: str) -> None:
        self.host = host
        self.app_id = app_id
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []
        self._pending: dict[str, threading.Event] = {}
        self._acks: dict[str, dict[str, Any] | None] = {}
        self._unknown_acks: list[dict[str, Any]] = []
        self._lock = threading.Condition()
        self._running: ServerThread[Server] | None = None
        self.port = 0

    def start(self) -> SocketModeLink:
        server = serve(self._serve, self.host, 0)
        self.port = int(server.socket.getsockname()[1])
        self._running = ServerThread(server, f"socket-mode-{self.port}")
        return self

    def stop(self) -> None:
        running, self._running = self._running, None
        if running is None:
            return
        self.close_connections()
        running.stop()

    def close_connections(self) -> None:
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.close()

    def open_url(self) -> str:
        """A fresh one-use URL, as ``apps.connections.open`` returns."""
        ticket = secrets.token_hex(16)
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._connections)

    def wait_connected(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        with self._lock:
            while not self._connections:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("no app connected over Socket Mode")
                self._lock.wait(remaining)

    def _serve(self, connection: ServerConnection) -> None:
        path = connection.request.path if connection.request is not None else ""
        ticket = path.partition("ticket=")[2].partition("&")[0]
        with self._lock:
            if ticket not in self._tickets:
                connection.close(code=4001, reason="invalid ticket")
                return
            self._tickets.discard(ticket)
            self._connections.append(connection)
            count = len(self._connections)
            self._lock.notify_all()
        try:
            connection.send(json.dumps(hello(self.app_id, count)))
            for raw in connection:
                self._receive(raw)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._lock.notify_all()

    def _receive(self, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            logger.warning("socket mode: the app sent something that is not JSON")
            return
        envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
        with self._lock:
            if envelope_id not in self._pending:
                self._unknown_acks.append(message if isinstance(message, dict) else {})
                return
            payload = message.get("payload")
            self._acks[envelope_id] = payload if isinstance(payload, dict) else None
            self._pending.pop(envelope_id).set()

    def deliver(self, wrapped: dict[str, Any], timeout: float) -> Ack | None:
        """Send one envelope to the newest connection; the app's ack, or None if none came
        within ``timeout`` seconds (or no app is connected)."""
        envelope_id = str(wrapped["envelope_id"])
        arrived = threading.Event()
        with self._lock:
            if not self._connections:
                return None
            connection = self._connections[-1]
            self._pending[envelope_id] = arrived
        started = time.monotonic()
        try:
            connection.send(json.dumps(wrapped, separators=(",", ":")))
        except ConnectionClosed:
            with self._lock:
                self._pending.pop(envelope_id, None)
            return None
        if not arrived.wait(timeout):
            with self._lock:
                self._pending.pop(envelope_id, None)
            return None
        with self._lock:
            payload = self._acks.pop(envelope_id, None)
        return Ack(payload, time.monotonic() - started)

    def new_envelope_id(self) -> str:
        return f"{secrets.token_hex(4)}-{secrets.token_hex(2)}-{secrets.token_hex(2)}-" + (
            f"{secrets.token_hex(2)}-{secrets.token_hex(6)}"
        )
