"""A local Slack: the Web API the bot calls, plus people who use the bot.

``SlackEmulator`` is a loopback HTTP server. The bot's ``WebClient`` points at
``emulator.api_url``; the emulator answers the methods the bot uses from an in-memory
workspace (people, channels, messages, files, modals, Home tabs) and records every call.
Acting as a person, it sends the bot Slack-shaped, signed requests — slash commands, button
clicks, modal submissions, DMs and thread replies — and records what comes back, including
anything the bot later posts to a ``response_url``.

Faults can be injected (429 with Retry-After, 500s, a random failure rate, latency) to drive
the SDK's retry handlers and the bot's delivery code.

Typical use::

    with SlackEmulator() as slack:
        slack.add_user("U000000001", "jane", "Jane Doe", "jane@example.org")
        client = WebClient(base_url=slack.api_url, token=slack.bot_token)
        app = App(signing_secret=SECRET, client=client)
        with serve(app) as server:
            slack.connect_app(server.url, SECRET)
            result = slack.slash("U000000001", "/progress", "mine")
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import ipaddress
import json
import logging
import math
import random
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, unquote, urlsplit
from urllib.request import ProxyHandler, Request, build_opener

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.sandbox import slack_requests as sr
from bot.sandbox import webapi
from bot.sandbox.blocks import ActionRef, EmulatorError, message_refusal, view_errors
from bot.sandbox.model import (
    ApiCall,
    Channel,
    Message,
    SentRequest,
    StoredFile,
    User,
    View,
    slack_id_problem,
)
from bot.sandbox.serving import ServerThread, Startable
from bot.sandbox.slack_requests import PayloadError, Workspace
from bot.sandbox.socket_mode import SocketModeLink, envelope
from bot.sandbox.state import (
    RESPONSE_URL_TTL,
    RESPONSE_URL_USES,
    ApiError,
    ResponseTarget,
    SlackState,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_BOT_TOKEN = "xoxb-sandbox-0000000000-token"
DEFAULT_APP_TOKEN = "xapp-1-A00SANDBOX-0000000000-sandbox"
ACK_DEADLINE = 3.0  # seconds Slack waits for an ack before the person sees operation_timeout
# How long a test waits for something the bot will do. Generous, because a wait ends as soon as
# it happens: a machine busy with other work must not turn a slow answer into a failure. A
# time the bot must meet (the 3 s ack) is asserted apart from this.
WAIT = 10.0
# Web API errors that mean Slack refused what the bot sent (not a fault of the workspace).
PAYLOAD_ERRORS = frozenset(
    {
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_blocks_too_long",
        "msg_too_long",
        "no_text",
        "invalid_arguments",
        "invalid_json",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "too_many_attachments",
    }
)


@dataclass(frozen=True)
class Refusal:
    """Something the bot sent that Slack would refuse, or an ack Slack would not wait for."""

    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.what}: {self.reason}"


# Every refusal by any emulator in this process, oldest first; tests check it stays empty.
refusal_log: list[Refusal] = []
SLACKBOT_USER_ID = "USLACKBOT"
_JSON = "application/json; charset=utf-8"


# ---------------------------------------------------------------------- results


@dataclass
class AppResponse:
    """What the app answered to a request the emulator sent it."""

    request: SentRequest | None
    _emulator: SlackEmulator = field(repr=False, compare=False)

    @property
    def delivered(self) -> bool:
        return self.request is not None

    @property
    def status(self) -> int:
        """The HTTP status (0 when the request was not delivered or the connection failed)."""
        return self.request.status if self.request is not None else 0

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def body(self) -> str:
        return self.request.response_body if self.request is not None else ""

    @property
    def json(self) -> dict[str, Any] | None:
        """The body parsed as a JSON object, or None when it is empty or plain text."""
        if not self.body.lstrip().startswith("{"):
            return None
        try:
            parsed = json.loads(self.body)
        except json.JSONDecodeError:
            return None
        return parsed if isinstance(parsed, dict) else None


@dataclass
class _RespondsMixin(AppResponse):
    response_url: str | None = None

    @property
    def responses(self) -> list[Message]:
        """Messages the app has posted to this request's response_url so far."""
        return self._emulator._responses(self.response_url)

    def wait_for_response(self, count: int = 1, timeout: float = WAIT) -> list[Message]:
        """Wait until the app has posted ``count`` responses to the response_url."""

        def enough() -> list[Message] | None:
            found = self.responses
            return found[:count] if len(found) >= count else None

        return self._emulator.wait_for(
            enough, timeout=timeout, what=f"{count} response(s) to {self.response_url}"
        )


@dataclass
class SlashResult(_RespondsMixin):
    """A slash command: the ack (shown as an ephemeral message) and later responses."""

    command: str = ""
    channel_id: str = ""
    trigger_id: str = ""
    ack_message: Message | None = None

    @property
    def text(self) -> str:
        """The ack's text ('' when the app acked with an empty body)."""
        return self.ack_message.text if self.ack_message is not None else ""

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return self.ack_message.blocks if self.ack_message is not None else []

    def all_text(self) -> str:
        return self.ack_message.all_text() if self.ack_message is not None else ""


@dataclass(frozen=True)
class SlashRequest:
    """A slash command's form body, as Slack would send it, and what it was made with."""

    body: bytes
    command: str
    channel_id: str
    trigger_id: str
    response_url: str


@dataclass
class ActionResult(_RespondsMixin):
    """A click on a button (or a change of a select) in a message or view."""

    trigger_id: str = ""
    action: dict[str, Any] = field(default_factory=dict)


@dataclass
class SubmitResult(AppResponse):
    """A modal submission and what the app did with it."""

    view_id: str = ""
    trigger_id: str = ""
    view: View | None = None  # the modal on top afterwards (None when all closed)
    closed: bool = False  # whether the submitted modal was closed

    @property
    def response_action(self) -> str | None:
        body = self.json
        return str(body["response_action"]) if body and "response_action" in body else None

    @property
    def errors(self) -> dict[str, str]:
        """``response_action: errors`` — block_id → message; empty when accepted."""
        body = self.json
        if body and body.get("response_action") == "errors":
            return dict(body.get("errors") or {})
        return {}


@dataclass
class EventResult(AppResponse):
    """An Events API delivery (and the message the person typed, for message events)."""

    event_id: str = ""
    message: Message | None = None


@dataclass(frozen=True)
class FileRequest:
    """A request for a file's bytes: the host it was sent to, and its Authorization header."""

    host: str
    path: str
    authorization: str | None


# ---------------------------------------------------------------------- faults


@dataclass
class _Failure:
    method: str
    status: int
    error: str
    retry_after: int
    remaining: int


def _default_error(status: int) -> str:
    return {429: "ratelimited", 503: "service_unavailable"}.get(status, "internal_error")


@dataclass
class _Outage:
    """Every call of `methods` (None: any) answered with `status` until `until`."""

    status: int
    until: float
    methods: frozenset[str] | None
    retry_after: int


# Slack's published Web API limits, per app, per workspace, per method: calls a minute (Tier 2
# is 20, Tier 3 is 50, Tier 4 is 100). chat.postMessage is special: about one message a second
# to a channel (short bursts allowed), and several hundred a minute to a workspace.
SLACK_RATE_LIMITS: dict[str, int] = {
    "chat.postMessage": 300,
    "chat.postEphemeral": 100,
    "chat.update": 50,
    "chat.delete": 50,
    "chat.getPermalink": 100,
    "conversations.open": 50,
    "conversations.history": 50,
    "conversations.replies": 50,
    "conversations.info": 100,
    "conversations.members": 100,
    "users.info": 100,
    "users.list": 20,
    "users.lookupByEmail": 50,
    "views.open": 100,
    "views.push": 100,
    "views.update": 100,
    "views.publish": 100,
    "files.getUploadURLExternal": 100,
    "files.completeUploadExternal": 100,
    "files.info": 100,
    "reactions.add": 50,
}
POSTS_PER_CHANNEL = (3, 3.0)  # chat.postMessage to one channel: a burst of 3 in 3 seconds


class _RateLimits:
    """Sliding one-minute windows per (team, method), and per channel for chat.postMessage.

    `speed` compresses time for benchmarks: at 60, a minute's budget passes every second."""

    def __init__(self, per_minute: Mapping[str, int], speed: float) -> None:
        self.per_minute = dict(per_minute)
        self.window = 60.0 / speed
        self.channel_burst, seconds = POSTS_PER_CHANNEL
        self.channel_window = seconds / speed
        self.calls: dict[tuple[str, ...], list[float]] = {}

    def wait(self, team: str, method: str, channel: str | None, now: float) -> float:
        """0 if the call may go (and it is counted), else seconds until it may."""
        rules: list[tuple[tuple[str, ...], int, float]] = []
        if method in self.per_minute:
            rules.append(((team, method), self.per_minute[method], self.window))
        if method == "chat.postMessage" and channel:
            rules.append(((team, method, channel), self.channel_burst, self.channel_window))
        waits = []
        for key, limit, window in rules:
            recent = [t for t in self.calls.get(key, ()) if t > now - window]
            self.calls[key] = recent
            if len(recent) >= limit:
                waits.append(recent[0] + window - now)
        if waits:
            return max(waits)
        for key, _, _ in rules:
            self.calls[key].append(now)
        return 0.0


# ---------------------------------------------------------------------- HTTP plumbing


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # bursts of reminders open many connections at once

    def __init__(self, address: tuple[str, int], emulator: SlackEmulator) -> None:
        self.emulator = emulator
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "SlackEmulator/1.0"

    def do_GET(self) -> None:
        self.server.emulator._dispatch(self)

    def do_POST(self) -> None:
        self.server.emulator._dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("emulator: " + format, *args)

    def body_bytes(self) -> bytes:
        """The request's body; a body cut short (its sender killed mid-request) is a connection
        that went away, as Slack sees it, never a call with whatever arrived."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise ConnectionResetError(f"the request's body ended at {len(body)} of {length} bytes")
        return body

    def reply(
        self,
        status: int,
        body: bytes | str | Mapping[str, Any],
        content_type: str = _JSON,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(body, Mapping):
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[str(name)] = data if part.get_filename() else data.decode()
    return fields


def _request_params(handler: _Handler, body: bytes) -> dict[str, Any]:
    """Query string, then form / multipart / JSON body fields."""
    params: dict[str, Any] = dict(parse_qsl(urlsplit(handler.path).query, keep_blank_values=True))
    content_type = handler.headers.get("Content-Type", "")
    kind = handler.headers.get_content_type()
    if not body:
        return params
    if kind == "application/json":
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise ValueError("a JSON body must be an object")
        params.update(parsed)
    elif kind == "multipart/form-data":
        params.update(_parse_multipart(content_type, body))
    else:
        params.update(parse_qsl(body.decode(), keep_blank_values=True))
    return params


def _bearer(handler: _Handler) -> str | None:
    auth = handler.headers.get("Authorization", "")
    scheme, _, token = auth.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _loggable(params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v)
        for k, v in params.items()
        if k != "token"
    }


def _slack_shaped(id: str, prefixes: str) -> str:
    """`id` itself, once it looks like a Slack id starting with one of `prefixes`."""
    problem = slack_id_problem(id, prefixes)
    if problem is not None:
        raise EmulatorError(problem)
    return id


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------- the emulator


class SlackEmulator(Startable):
    """A Slack workspace on loopback for the bot to talk to, and people to talk to the bot."""

    def __init__(
        self,
        *,
        workspace: Workspace | None = None,
        bot_token: str = DEFAULT_BOT_TOKEN,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
        port: int = 0,
        app_timeout: float = 10.0,
        app_token: str = DEFAULT_APP_TOKEN,
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the emulator listens on loopback only, not {host!r}")
        self.workspace = workspace or Workspace()
        for value, prefixes in (
            (self.workspace.team_id, "T"),
            (self.workspace.bot_user_id, "U"),
            (self.workspace.bot_id, "B"),
            (self.workspace.api_app_id, "A"),
        ):
            if (problem := slack_id_problem(value, prefixes)) is not None:
                raise ValueError(problem)
        self.bot_token = bot_token
        self.app_token = app_token
        self.socket_mode = False
        self.refusals: list[Refusal] = []
        self._link = SocketModeLink(host, self.workspace.api_app_id)
        self.host = host
        self.port = port
        self.app_timeout = app_timeout
        self._state = SlackState(self.workspace, clock)
        self._running: ServerThread[_Server] | None = None
        self._request_url: str | None = None
        self._signing_secret: str | None = None
        self._failures: list[_Failure] = []
        self._failure_rate = 0.0
        self._failure_random = random.Random()
        self._failure_statuses: tuple[int, ...] = (429, 500)
        self._failure_methods: frozenset[str] | None = None
        self._failure_retry_after = 0
        self._outages: list[_Outage] = []
        self._rate_limits: _RateLimits | None = None
        self._clock = clock
        self._team_tokens: dict[str, str] = {}  # token -> team id, beyond the workspace's own
        self._latency = 0.0
        self._latency_methods: frozenset[str] | None = None
        self._opener = build_opener(ProxyHandler({}))
        self._download_hops: list[str] = []
        self._token_error: str | None = None
        self.file_requests: list[FileRequest] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackEmulator:
        if self._running is not None:
            return self
        server = _Server((self.host, self.port), self)
        self.port = int(server.server_address[1])
        self._running = ServerThread(server, f"slack-emulator-{self.port}", poll_interval=0.05)
        self._state.base_url = self.base_url
        self._link.start()
        return self

    def stop(self) -> None:
        running, self._running = self._running, None
        if running is None:
            return
        self._link.stop()
        running.stop()
        running.server.server_close()

    @property
    def base_url(self) -> str:
        if self._running is None:
            raise EmulatorError("the emulator is not running; call start() first")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``, ending in ``/api/``."""
        return f"{self.base_url}/api/"

    @property
    def state(self) -> SlackState:
        """The workspace state (for the sandbox console); prefer the query helpers."""
        return self._state

    @property
    def trigger_ttl(self) -> float:
        return self._state.trigger_ttl

    @trigger_ttl.setter
    def trigger_ttl(self, seconds: float) -> None:
        self._state.trigger_ttl = seconds

    def connect_app(self, request_url: str, signing_secret: str) -> None:
        """Where the app receives Slack's requests, and the secret to sign them with."""
        self._request_url = request_url
        self._signing_secret = signing_secret
        self.socket_mode = False

    def use_socket_mode(self, wait: float = 10.0) -> None:
        """Deliver requests as Socket Mode envelopes over the WebSocket the app opened with
        ``apps.connections.open`` (waits up to ``wait`` s for the app to connect)."""
        self.socket_mode = True
        self._link.wait_connected(wait)

    def close_socket_connections(self) -> None:
        """Hang up every Socket Mode WebSocket (as Slack does when it refreshes a link)."""
        self._link.close_connections()

    @property
    def socket_connections(self) -> int:
        """How many Socket Mode WebSockets the app has open."""
        return self._link.connected

    def refuse(self, what: str, reason: str) -> None:
        """Note something Slack would have refused (see ``refusal_log``)."""
        refusal = Refusal(what, reason)
        logger.warning("Slack would refuse %s", refusal)
        with self._state.lock:
            self.refusals.append(refusal)
            refusal_log.append(refusal)

    # ------------------------------------------------------------------ directory

    def add_user(
        self,
        id: str,
        name: str,
        real_name: str,
        email: str | None = None,
        tz: str = DEFAULT_TIMEZONE,
        is_admin: bool = False,
        deleted: bool = False,
        *,
        title: str = "",
    ) -> User:
        """Add a person to the directory; ``id`` must be Slack-shaped (``UJANE00000``)."""
        user = User(
            id=_slack_shaped(id, "UW"),
            name=name,
            real_name=real_name,
            email=email,
            tz=tz,
            is_admin=is_admin,
            deleted=deleted,
            title=title,
            display_name=name,
        )
        with self._state.lock:
            self._state.users[id] = user
            self._state.notify()
        return user

    def deactivate_user(self, user_id: str) -> None:
        with self._state.lock:
            self._state.human(user_id).deleted = True

    def user(self, user_id: str) -> User:
        with self._state.lock:
            return copy.copy(self._state.human(user_id))

    def users(self) -> list[User]:
        with self._state.lock:
            return [copy.copy(u) for u in self._state.users.values() if not u.is_bot]

    def user_by_name(self, name: str) -> User:
        """A person by Slack handle or real name (case-insensitive)."""
        wanted = name.strip().lstrip("@").lower()
        for user in self.users():
            if wanted in {user.name.lower(), user.real_name.lower(), user.id.lower()}:
                return user
        raise EmulatorError(f"no sandbox user called {name!r}")

    def add_channel(
        self,
        id: str,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] | None = None,
        bot_is_member: bool = True,
        is_archived: bool = False,
    ) -> Channel:
        """Add a channel; ``id`` must be Slack-shaped (``CBOARD0000``, ``G…`` if private)."""
        with self._state.lock:
            channel = Channel(
                id=_slack_shaped(id, "CG"),
                name=name.lstrip("#"),
                is_private=is_private,
                is_archived=is_archived,
                members=set(members) if members is not None else None,
                bot_is_member=bot_is_member,
                created=int(self._state.now()),
            )
            self._state.channels[id] = channel
            self._state.notify()
        return channel

    def archive_channel(self, channel: str) -> None:
        with self._state.lock:
            self._conversation(channel).is_archived = True

    def set_bot_membership(self, channel: str, is_member: bool) -> None:
        with self._state.lock:
            self._conversation(channel).bot_is_member = is_member

    def channel(self, channel: str) -> Channel:
        """A channel by id or ``#name`` (a copy)."""
        with self._state.lock:
            return copy.copy(self._conversation(channel))

    def _conversation(self, channel: str) -> Channel:
        try:
            return self._state.conversation(channel)
        except ApiError as exc:
            raise EmulatorError(f"no channel {channel!r}") from exc

    def dm_channel(self, user_id: str) -> str:
        """The id of the bot's DM with ``user_id`` (``D`` + the rest of the user id)."""
        with self._state.lock:
            self._state.human(user_id)
            return self._state.dm(user_id).id

    # ------------------------------------------------------------------ faults

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) with a failure.

        429 comes with ``Retry-After: retry_after`` and ``{"ok": false, "error":
        "ratelimited"}``; 5xx with ``internal_error``; status 200 with ``error`` gives a
        plain API error (``fail_next("chat.postMessage", 200, error="channel_not_found")``).
        """
        if status == 200 and not error:
            raise ValueError("a status-200 failure needs an error, e.g. error='channel_not_found'")
        with self._state.lock:
            self._failures.append(
                _Failure(method, status, error or _default_error(status), retry_after, times)
            )

    def set_failure_rate(
        self,
        rate: float,
        seed: int | None = None,
        *,
        statuses: Iterable[int] = (429, 500),
        methods: Iterable[str] | None = None,
        retry_after: int = 0,
    ) -> None:
        """Fail a fraction of calls with one of ``statuses`` (same seed, same choices)."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        with self._state.lock:
            self._failure_rate = rate
            self._failure_random = random.Random(seed)
            self._failure_statuses = tuple(statuses)
            self._failure_methods = frozenset(methods) if methods is not None else None
            self._failure_retry_after = retry_after

    def outage(
        self,
        status: int,
        seconds: float,
        *,
        methods: Iterable[str] | None = None,
        retry_after: int = 1,
    ) -> None:
        """Answer every call (or those of ``methods``) with ``status`` for the next ``seconds``
        of the emulator's clock: 429 with ``Retry-After``, or 5xx, as in a Slack incident."""
        with self._state.lock:
            self._outages.append(
                _Outage(
                    status,
                    self._clock() + seconds,
                    frozenset(methods) if methods is not None else None,
                    retry_after,
                )
            )

    def add_team(self, team_id: str) -> str:
        """Another workspace the app is installed in: its bot token. Its calls act on the same
        people and channels but have their own rate limits, as each workspace has in Slack."""
        if (problem := slack_id_problem(team_id, "T")) is not None:
            raise ValueError(problem)
        token = f"xoxb-{team_id.lower()}-{len(self._team_tokens) + 1:010d}-token"
        with self._state.lock:
            self._team_tokens[token] = team_id
        return token

    def set_rate_limits(
        self, per_minute: Mapping[str, int] | None = None, *, speed: float = 1.0
    ) -> None:
        """Rate-limit calls as Slack does: per workspace (team) and method, per minute
        (default: Slack's published tiers), and chat.postMessage per channel, answering 429
        with Retry-After. ``speed`` compresses the minute (benchmarks); ``per_minute={}``
        with ``speed`` keeps only the per-channel limit. ``None`` for both: Slack's limits."""
        with self._state.lock:
            self._rate_limits = _RateLimits(
                SLACK_RATE_LIMITS if per_minute is None else per_minute, speed
            )

    def set_latency(self, seconds: float, methods: Iterable[str] | None = None) -> None:
        """Delay every Web API answer (or those of ``methods``) by ``seconds``."""
        with self._state.lock:
            self._latency = seconds
            self._latency_methods = frozenset(methods) if methods is not None else None

    def revoke_token(self, error: str | None = "token_revoked") -> None:
        """Answer every Web API call with ``error``, as Slack does once the app is uninstalled
        (``token_revoked``) or its workspace or bot user is gone (``account_inactive``,
        ``invalid_auth``); ``None`` reinstalls the app with the same token."""
        with self._state.lock:
            self._token_error = error

    def clear_faults(self) -> None:
        with self._state.lock:
            self._failures.clear()
            self._failure_rate = 0.0
            self._latency = 0.0
            self._outages.clear()
            self._rate_limits = None

    def _take_failure(self, method: str) -> _Failure | None:
        with self._state.lock:
            now = self._clock()
            self._outages = [o for o in self._outages if o.until > now]
            for outage in self._outages:
                if outage.methods is None or method in outage.methods:
                    return _Failure(
                        method, outage.status, _default_error(outage.status), outage.retry_after, 1
                    )
            for failure in self._failures:
                if failure.remaining > 0 and failure.method in {method, "*"}:
                    failure.remaining -= 1
                    if failure.remaining == 0:
                        self._failures.remove(failure)
                    return failure
            wanted = self._failure_methods is None or method in self._failure_methods
            if wanted and self._failure_rate > 0:
                roll = self._failure_random.random()
                if roll < self._failure_rate:
                    status = self._failure_random.choice(self._failure_statuses)
                    return _Failure(
                        method, status, _default_error(status), self._failure_retry_after, 1
                    )
            return None

    # ------------------------------------------------------------------ HTTP routing

    def _dispatch(self, handler: _Handler) -> None:
        path = unquote(urlsplit(handler.path).path)
        try:
            if path.startswith("/api/"):
                self._serve_api(handler, path.removeprefix("/api/"))
            elif path.startswith("/upload/v1/") and handler.command == "POST":
                self._serve_upload(handler, path.removeprefix("/upload/v1/"))
            elif path.startswith("/files-pri/"):
                self._serve_download(handler, path.removeprefix("/files-pri/"))
            elif path.startswith("/files-hop/"):
                self._serve_download_hop(handler, path.removeprefix("/files-hop/"))
            elif path.startswith(("/commands/", "/actions/")) and handler.command == "POST":
                self._serve_response_url(handler, path.rsplit("/", 1)[-1])
            elif path in {"/", "/health"}:
                self._serve_page(handler, path)
            else:
                handler.reply(404, "Not Found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):  # the caller went away (or was killed)
            logger.debug("%s %s: the caller hung up", handler.command, handler.path)
        except Exception:  # the emulator must answer; a bug here should not hang the bot
            logger.exception("emulator failed on %s %s", handler.command, handler.path)
            handler.reply(500, {"ok": False, "error": "emulator_error"})

    def _serve_api(self, handler: _Handler, method: str) -> None:
        body = handler.body_bytes()
        try:
            params = _request_params(handler, body)
        except (ValueError, UnicodeDecodeError):
            handler.reply(200, {"ok": False, "error": "invalid_json"})
            return
        token = _bearer(handler) or params.get("token")
        if self._latency and (self._latency_methods is None or method in self._latency_methods):
            time.sleep(self._latency)
        headers: dict[str, str] = {}
        status = 200
        injected = False
        if method == "apps.connections.open":
            answer: dict[str, Any] = self._connections_open(token)
        elif token == self.app_token:
            answer = {"ok": False, "error": "not_allowed_token_type"}
        elif token != self.bot_token and token not in self._team_tokens:
            answer = {"ok": False, "error": "invalid_auth"}
        elif self._token_error is not None:
            answer = {"ok": False, "error": self._token_error}
        elif wait := self._rate_limited(token, method, params):
            status = 429
            answer = {"ok": False, "error": "ratelimited"}
            headers["Retry-After"] = str(max(1, math.ceil(wait)))
            injected = True
        elif (failure := self._take_failure(method)) is not None:
            injected = True  # a test's own fault, not something the bot sent wrong
            status = failure.status
            answer = {"ok": False, "error": failure.error}
            if failure.status == 429:
                headers["Retry-After"] = str(failure.retry_after)
        else:
            try:
                answer = webapi.call(self._state, method, webapi.Params(params))
            except ApiError as exc:
                answer = exc.body()
            headers["X-OAuth-Scopes"] = "chat:write,commands,im:history,im:write,users:read,"
            headers["X-OAuth-Scopes"] += "users:read.email,files:read,files:write,channels:read"
        if not injected and not answer.get("ok") and answer.get("error") in PAYLOAD_ERRORS:
            details = (answer.get("response_metadata") or {}).get("messages") or []
            self.refuse(
                f"{method} {_summary(params)}",
                "; ".join([str(answer["error"]), *map(str, details)]),
            )
        self._record_call(
            method,
            params,
            status,
            answer,
            self._team_tokens.get(token or "", self.workspace.team_id),
        )
        handler.reply(status, answer, headers=headers)

    def _rate_limited(self, token: str | None, method: str, params: Mapping[str, Any]) -> float:
        """Seconds this call must wait under Slack's rate limits (0: it goes, and counts)."""
        with self._state.lock:
            if self._rate_limits is None:
                return 0.0
            team = self._team_tokens.get(token or "", self.workspace.team_id)
            channel = params.get("channel")
            return self._rate_limits.wait(
                team, method, channel if isinstance(channel, str) else None, self._clock()
            )

    def _connections_open(self, token: str | None) -> dict[str, Any]:
        if token == self.app_token:
            return {"ok": True, "url": self._link.open_url()}
        if token == self.bot_token or (token or "").startswith(("xoxb-", "xoxp-")):
            return {"ok": False, "error": "not_allowed_token_type"}
        return {"ok": False, "error": "invalid_auth"}

    def _record_call(
        self,
        method: str,
        params: Mapping[str, Any],
        status: int,
        answer: dict[str, Any],
        team: str = "",
    ) -> None:
        with self._state.lock:
            self._state.calls.append(
                ApiCall(method, _loggable(params), time.time(), status, copy.deepcopy(answer), team)
            )
            self._state.notify()

    def _serve_upload(self, handler: _Handler, token: str) -> None:
        body = handler.body_bytes()
        with self._state.lock:
            file_id = self._state.uploads.pop(token, None)
            stored = self._state.files.get(file_id or "")
            if stored is None:
                handler.reply(404, "Not Found", "text/plain")
                return
            stored.content = body
            self._state.notify()
        handler.reply(200, f"OK - {len(body)}", "text/plain; charset=utf-8")

    def redirect_downloads(self, via: Iterable[str]) -> None:
        """Answer a file download (made with the bot token) with a redirect through each of
        ``via`` before the file itself, as Slack often does. Each is a base URL reaching this
        emulator; another host name for it (``http://localhost:<port>``) stands in for
        Slack's file CDN. The last hop serves the file without a token, as a signed CDN link
        does. ``file_requests`` records every download request and whether it had a token."""
        with self._state.lock:
            self._download_hops = list(via)

    def _record_file_request(self, handler: _Handler) -> None:
        with self._state.lock:
            self.file_requests.append(
                FileRequest(
                    host=str(handler.headers.get("Host") or ""),
                    path=handler.path,
                    authorization=handler.headers.get("Authorization"),
                )
            )

    def _serve_download_hop(self, handler: _Handler, rest: str) -> None:
        # rest: "<hop number>/T…-F…/name"
        self._record_file_request(handler)
        number, _, file_path = rest.partition("/")
        hop = int(number) if number.isdigit() else 0
        with self._state.lock:
            hops = list(self._download_hops)
        if 0 < hop < len(hops):
            location = f"{hops[hop]}/files-hop/{hop + 1}/{file_path}"
            handler.reply(302, "", "text/html", headers={"Location": location})
            return
        self._serve_file(handler, file_path)

    def _serve_download(self, handler: _Handler, rest: str) -> None:
        # rest: "T…-F…/name" or "T…-F…/download/name"
        self._record_file_request(handler)
        with self._state.lock:
            hops = list(self._download_hops)
        if hops and _bearer(handler) == self.bot_token:
            location = f"{hops[0]}/files-hop/1/{rest}"
            handler.reply(302, "", "text/html", headers={"Location": location})
            return
        if _bearer(handler) != self.bot_token:
            # What Slack does for a request without the bot token: send the browser to sign in.
            handler.reply(
                302, "", "text/html", headers={"Location": f"{self.base_url}/?redir={handler.path}"}
            )
            return
        self._serve_file(handler, rest)

    def _serve_file(self, handler: _Handler, rest: str) -> None:
        head = rest.split("/", 1)[0]
        file_id = head.rsplit("-", 1)[-1]
        with self._state.lock:
            stored = self._state.files.get(file_id)
            content = stored.content if stored is not None else None
            mimetype = stored.mimetype if stored is not None else ""
        if content is None:
            handler.reply(404, "File not found", "text/plain")
            return
        handler.reply(200, content, mimetype)

    def _serve_page(self, handler: _Handler, path: str) -> None:
        if path == "/health":
            handler.reply(200, "ok", "text/plain")
            return
        page = "<!DOCTYPE html><html><body><h1>Sign in to sandbox</h1></body></html>"
        handler.reply(200, page, "text/html; charset=utf-8")

    def _serve_response_url(self, handler: _Handler, token: str) -> None:
        body = handler.body_bytes()
        try:
            data = json.loads(body or b"{}")
        except json.JSONDecodeError:
            handler.reply(400, "invalid_payload", "text/html")
            return
        with self._state.lock:
            target = self._state.response_targets.get(token)
            if target is None:
                handler.reply(404, "no_service", "text/html")
                return
            if self._state.now() - target.issued > RESPONSE_URL_TTL:
                self.refuse(f"response_url post {_summary(data)}", "expired_url")
                handler.reply(404, "expired_url", "text/html")
                return
            if target.uses >= RESPONSE_URL_USES:
                self.refuse(f"response_url post {_summary(data)}", "used_url")
                handler.reply(404, "used_url", "text/html")
                return
            problem = self._apply_response(target, data)
            if problem:
                self.refuse(f"response_url post {_summary(data)}", problem)
                handler.reply(400, problem, "text/html")
                return
            target.uses += 1
            self._state.notify()
        handler.reply(200, "ok", "text/html")

    def _apply_response(self, target: ResponseTarget, data: dict[str, Any]) -> str | None:
        """Apply a response_url post; returns Slack's error text when it would refuse it."""
        state = self._state
        blocks = data.get("blocks")
        refused = message_refusal(data.get("text"), blocks)
        if refused is not None:
            return refused[0]
        original = state.find_message(target.source) if target.source else None
        if data.get("delete_original"):
            if original is None:
                return "message_not_found"
            original.deleted = True
            target.message_keys.append(original.key)
            return None
        if data.get("replace_original") and original is not None:
            if not data.get("text") and not blocks:
                return "no_text"
            original.text = str(data.get("text") or "")
            original.blocks = state.fill_ids(blocks or [])
            original.edited = True
            target.message_keys.append(original.key)
            return None
        if not data.get("text") and not blocks:
            return "no_text"
        in_channel = data.get("response_type") == "in_channel"
        message = state.add_message(
            Message(
                channel=target.channel,
                ts=state.next_ts(),
                text=str(data.get("text") or ""),
                blocks=blocks or [],
                user=self.workspace.bot_user_id,
                bot_id=self.workspace.bot_id,
                thread_ts=data.get("thread_ts") or target.thread_ts,
                ephemeral_to=None if in_channel else target.user_id,
                source="response_url",
            )
        )
        target.message_keys.append(message.key)
        return None

    def _responses(self, response_url: str | None) -> list[Message]:
        if not response_url:
            return []
        with self._state.lock:
            target = self._state.response_targets.get(response_url.rsplit("/", 1)[-1])
            if target is None:
                return []
            found = []
            for key in target.message_keys:
                for message in self._state.messages:
                    if message.key == key:
                        found.append(copy.deepcopy(message))
                        break
            return found

    # ------------------------------------------------------------------ sending to the app

    def send_to_app(
        self,
        body: bytes,
        *,
        content_type: str = sr.FORM_CONTENT_TYPE,
        kind: str = "raw",
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> AppResponse:
        """POST ``body`` to the app, signed (with ``timestamp``, default now) unless a
        ``signature`` is given as-is. For forged, stale or replayed requests in tests."""
        return AppResponse(
            self._send(
                kind,
                body,
                content_type,
                timestamp=timestamp,
                signature=signature,
                headers=headers,
            ),
            self,
        )

    def retry(self, previous: AppResponse, reason: str = "http_timeout") -> AppResponse:
        """Deliver the same request again the way Slack retries: same body, a fresh
        signature, ``X-Slack-Retry-Num`` one more than before and ``X-Slack-Retry-Reason``."""
        if previous.request is None:
            raise EmulatorError("that request was never delivered")
        sent = previous.request
        num = int(sent.headers.get("X-Slack-Retry-Num", "0")) + 1
        return AppResponse(
            self._send(
                sent.kind,
                sent.body,
                sent.headers.get("Content-Type", sr.FORM_CONTENT_TYPE),
                headers={"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason},
            ),
            self,
        )

    def replay(self, previous: AppResponse) -> AppResponse:
        """Send exactly the same bytes and headers again (timestamp and signature too); in
        Socket Mode, the same payload in a new envelope."""
        if previous.request is None:
            raise EmulatorError("that request was never delivered")
        sent = previous.request
        if self.socket_mode:
            content_type = sent.headers.get("Content-Type", sr.FORM_CONTENT_TYPE)
            return AppResponse(self._send_over_socket(sent.kind, sent.body, content_type, {}), self)
        return AppResponse(self._post(sent.kind, sent.body, dict(sent.headers)), self)

    def _send(
        self,
        kind: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> SentRequest:
        if self.socket_mode:
            if signature is not None or timestamp is not None:
                raise EmulatorError("Socket Mode requests are not signed")
            return self._send_over_socket(kind, body, content_type, headers or {})
        if self._request_url is None or self._signing_secret is None:
            raise EmulatorError("no app connected; call connect_app(request_url, secret)")
        all_headers = sr.slack_headers(body, self._signing_secret, content_type, timestamp)
        if signature is not None:
            all_headers["X-Slack-Signature"] = signature
        all_headers.update(headers or {})
        return self._post(kind, body, all_headers)

    def _post(self, kind: str, body: bytes, headers: dict[str, str]) -> SentRequest:
        assert self._request_url is not None
        request = Request(self._request_url, data=body, headers=headers, method="POST")
        started = time.monotonic()
        try:
            with self._opener.open(request, timeout=self.app_timeout) as response:
                status = int(response.status)
                raw = response.read()
                response_headers = dict(response.headers.items())
        except HTTPError as exc:
            status = exc.code
            raw = exc.read()
            response_headers = dict(exc.headers.items())
        except (URLError, TimeoutError, ConnectionError) as exc:
            status, raw, response_headers = 0, str(exc).encode(), {}
        sent = SentRequest(
            kind=kind,
            url=self._request_url,
            body=body,
            headers=headers,
            status=status,
            response_body=raw.decode("utf-8", "replace"),
            response_headers=response_headers,
            time=time.time(),
            elapsed=time.monotonic() - started,
        )
        return self._keep(sent)

    def _keep(self, sent: SentRequest) -> SentRequest:
        if sent.status == 200 and sent.elapsed > ACK_DEADLINE:
            self.refuse(f"{sent.kind} {_summary(sent.body)}", f"acked after {sent.elapsed:.1f} s")
        with self._state.lock:
            self._state.sent.append(sent)
            self._state.notify()
        return sent

    def _send_over_socket(
        self, kind: str, body: bytes, content_type: str, headers: Mapping[str, str]
    ) -> SentRequest:
        """Deliver as Slack does in Socket Mode. An events_api envelope left unacked past the
        deadline is sent again with ``retry_attempt`` one higher (at most three times)."""
        envelope_type, payload = _socket_payload(body, content_type)
        attempt = int(headers.get("X-Slack-Retry-Num", "0"))
        reason = headers.get("X-Slack-Retry-Reason", "")
        while True:
            wrapped = envelope(
                envelope_type,
                payload,
                envelope_id=self._link.new_envelope_id(),
                retry_attempt=attempt,
                retry_reason=reason,
            )
            wait = ACK_DEADLINE if envelope_type == "events_api" else self.app_timeout
            ack = self._link.deliver(wrapped, wait)
            sent_headers = {"Content-Type": content_type}
            if attempt:
                sent_headers |= {"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": reason}
            sent = SentRequest(
                kind=kind,
                url=f"ws://{self.host}:{self._link.port}/link/",
                body=body,
                headers=sent_headers,
                status=0 if ack is None else 200,
                response_body="" if ack is None or ack.payload is None else json.dumps(ack.payload),
                response_headers={"Content-Type": _JSON} if ack and ack.payload else {},
                time=time.time(),
                elapsed=wait if ack is None else ack.elapsed,
            )
            self._keep(sent)
            if ack is not None or envelope_type != "events_api" or attempt >= 3:
                return sent
            self.refuse(f"{kind} {_summary(body)}", f"not acked within {ACK_DEADLINE:.0f} s")
            attempt, reason = attempt + 1, "timeout"

    # ------------------------------------------------------------------ acting as a person

    def as_typed(self, text: str, *, in_command: bool) -> str:
        """``text`` as a person types it, the way Slack delivers it to the app: ``&``, ``<``,
        ``>`` escaped, ``@handle``/``#channel``/``@here`` made into mentions (in a slash command,
        with ``should_escape``, a mention carries its name: ``<@U…|jane>``)."""
        with self._state.lock:
            users = {u.name.lower(): u.id for u in self._state.users.values() if not u.is_bot}
            channels = {c.name.lower(): c.id for c in self._state.channels.values() if c.name}
        return sr.slack_text(text, users, channels, in_command=in_command)

    def slash(
        self,
        user_id: str,
        command: str,
        text: str = "",
        channel_id: str | None = None,
        *,
        typed: bool = False,
    ) -> SlashResult:
        """``user_id`` runs ``command text`` in ``channel_id`` (default: their DM with the bot).
        ``text`` is what the app receives; with ``typed``, it is what the person typed and is
        escaped as Slack escapes it (see ``as_typed``)."""
        slash = self.slash_request(user_id, command, text, channel_id, typed=typed)
        sent = self._send("slash_command", slash.body, sr.FORM_CONTENT_TYPE)
        ack = self._record_ack(sent, user_id, slash.channel_id, slash.command)
        return SlashResult(
            sent,
            self,
            response_url=slash.response_url,
            command=slash.command,
            channel_id=slash.channel_id,
            trigger_id=slash.trigger_id,
            ack_message=ack,
        )

    def slash_request(
        self,
        user_id: str,
        command: str,
        text: str = "",
        channel_id: str | None = None,
        *,
        typed: bool = False,
    ) -> SlashRequest:
        """The form body Slack would send for ``command text`` (unsigned: Slack signs it as
        it sends), with its trigger and response URL made as ``slash`` makes them, for a
        client outside this process to send (benchmarks/command_roundtrip.py)."""
        if typed:
            text = self.as_typed(text, in_command=True)
        state = self._state
        with state.lock:
            user = state.human(user_id)
            channel = self._where(user_id, channel_id)
            trigger_id = state.new_trigger(user_id)
            response_url = state.new_response_url(ResponseTarget("commands", user_id, channel.id))
            command = command if command.startswith("/") else f"/{command}"
            fields = sr.slash_command(
                self.workspace,
                user_id=user.id,
                user_name=user.name,
                command=command,
                text=text,
                channel_id=channel.id,
                channel_name="directmessage" if channel.is_im else channel.name,
                response_url=response_url,
                trigger_id=trigger_id,
            )
        return SlashRequest(sr.form_body(fields), command, channel.id, trigger_id, response_url)

    def _where(self, user_id: str, channel_id: str | None) -> Channel:
        if channel_id is None:
            return self._state.dm(user_id)
        return self._conversation(channel_id)

    def _record_ack(
        self, sent: SentRequest, user_id: str, channel_id: str, command: str
    ) -> Message | None:
        """Show a slash command's HTTP answer the way Slack does, as a message."""
        state = self._state
        if sent.status != 200 or sent.elapsed > ACK_DEADLINE:
            error = "dispatch_failed" if sent.status == 0 else "http_service_error"
            if 400 <= sent.status < 500:
                error = "http_client_error"
            if sent.status == 200 or (sent.status == 0 and sent.elapsed >= ACK_DEADLINE):
                error = "operation_timeout"
            return state.add_message(
                Message(
                    channel=channel_id,
                    ts=state.next_ts(),
                    text=f'{command} failed with the error "{error}"',
                    user=SLACKBOT_USER_ID,
                    ephemeral_to=user_id,
                    source="slack",
                )
            )
        body = sent.response_body
        if not body.strip():
            return None
        data: dict[str, Any] = {"text": body}
        if body.lstrip().startswith("{"):
            try:
                data = json.loads(body)
            except json.JSONDecodeError:
                data = {"text": body}
        if not data.get("text") and not data.get("blocks"):
            return None
        refused = message_refusal(data.get("text"), data.get("blocks"))
        if refused is not None:
            self.refuse(f"{command} ack {_summary(data)}", "; ".join([refused[0], *refused[1]]))
            return None
        in_channel = data.get("response_type") == "in_channel"
        return state.add_message(
            Message(
                channel=channel_id,
                ts=state.next_ts(),
                text=str(data.get("text") or ""),
                blocks=list(data.get("blocks") or []),
                user=self.workspace.bot_user_id,
                bot_id=self.workspace.bot_id,
                ephemeral_to=None if in_channel else user_id,
                source="ack",
            )
        )

    def click(
        self,
        user_id: str,
        source: Message | View | str,
        action: str | ActionRef,
        value: Any = None,
    ) -> ActionResult:
        """``user_id`` presses a button (or picks ``value`` in a select) in ``source``: a
        message the bot posted, the Home tab or a modal (a ``View`` or its id). ``action``
        is the element's action_id, its visible text, its value, or an ``ActionRef``."""
        state = self._state
        ws = self.workspace
        with state.lock:
            user = state.human(user_id)
            trigger_id = state.new_trigger(user_id)
            response_url: str | None = None
            if isinstance(source, Message):
                message = state.find_message(source.key)
                if message is None:
                    raise EmulatorError(f"message {source.ts} in {source.channel} is gone")
                if message.is_ephemeral and message.ephemeral_to != user_id:
                    raise EmulatorError(f"{user_id} cannot see that ephemeral message")
                ref = message.action(action)
                entry = self._action_entry(ref, value)
                channel = state.channels.get(message.channel) or state.conversation(message.channel)
                response_url = state.new_response_url(
                    ResponseTarget(
                        "actions",
                        user_id,
                        message.channel,
                        source=message.key,
                        thread_ts=message.thread_ts,
                    )
                )
                values = self._selection_state(ref, entry)
                payload = sr.block_actions(
                    ws,
                    user_id=user.id,
                    user_name=user.name,
                    actions=[entry],
                    trigger_id=trigger_id,
                    container=sr.message_container(
                        message.channel, message.ts, is_ephemeral=message.is_ephemeral
                    ),
                    channel={
                        "id": channel.id,
                        "name": "directmessage" if channel.is_im else channel.name,
                    },
                    message=None if message.is_ephemeral else message.to_slack(ws),
                    state={"values": values},
                    response_url=response_url,
                )
            else:
                view = self._visible_view(user_id, source)
                ref = view.action(action)
                entry = self._action_entry(ref, value)
                for block_id, by_action in self._selection_state(ref, entry).items():
                    view.state.setdefault("values", {}).setdefault(block_id, {}).update(by_action)
                payload = sr.block_actions(
                    ws,
                    user_id=user.id,
                    user_name=user.name,
                    actions=[entry],
                    trigger_id=trigger_id,
                    container=sr.view_container(view.id),
                    view=view.to_slack(ws),
                )
        sent = self._send("block_actions", sr.interactive_body(payload), sr.FORM_CONTENT_TYPE)
        return ActionResult(
            sent, self, response_url=response_url, trigger_id=trigger_id, action=entry
        )

    def _action_entry(self, ref: ActionRef, value: Any) -> dict[str, Any]:
        try:
            return sr.action(
                ref.element, block_id=ref.block_id, action_ts=self._state.next_ts(), value=value
            )
        except PayloadError as exc:
            raise EmulatorError(str(exc)) from exc

    @staticmethod
    def _selection_state(ref: ActionRef, entry: dict[str, Any]) -> dict[str, Any]:
        if ref.type == "button":
            return {}
        kept = {k: v for k, v in entry.items() if k not in {"action_id", "block_id", "action_ts"}}
        kept.pop("placeholder", None)
        return {ref.block_id: {ref.action_id: kept}}

    def _visible_view(self, user_id: str, source: View | str) -> View:
        view_id = source.id if isinstance(source, View) else source
        view = self._state.views.get(view_id)
        if view is None or view.closed:
            raise EmulatorError(f"view {view_id} is not open")
        top = self._state.top_modal(user_id)
        is_home = self._state.home_views.get(user_id) == view.id
        if not is_home and (top is None or top.id != view.id):
            raise EmulatorError(f"view {view_id} is not on top of {user_id}'s screen")
        return view

    def submit_view(
        self,
        user_id: str,
        view_id: str | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> SubmitResult:
        """``user_id`` fills in and submits their open modal.

        ``values`` is ``{block_id: {action_id: value}}`` or flat ``{block_id or action_id:
        value}``. A value is a full state entry (a dict with ``type``) or a plain value:
        text, an option's value or label, a user id, a date, a file dict from ``share_file``.
        Fields left out keep their initial value. A required field left empty raises
        ``EmulatorError`` (Slack's client would not send the form).
        """
        state = self._state
        ws = self.workspace
        with state.lock:
            user = state.human(user_id)
            view = state.top_modal(user_id)
            if view is None:
                raise EmulatorError(f"{user_id} has no modal open")
            if view_id is not None and view.id != view_id:
                raise EmulatorError(f"view {view_id} is not {user_id}'s top modal ({view.id} is)")
            view.state = {"values": self._form_values(view, values or {})}
            trigger_id = state.new_trigger(user_id)
            payload = sr.view_submission(
                ws,
                user_id=user.id,
                user_name=user.name,
                view=view.to_slack(ws),
                trigger_id=trigger_id,
            )
        sent = self._send("view_submission", sr.interactive_body(payload), sr.FORM_CONTENT_TYPE)
        result = SubmitResult(sent, self, view_id=view.id, trigger_id=trigger_id)
        self._apply_submission(user_id, view, result)
        with state.lock:
            top = state.top_modal(user_id)
            result.view = copy.deepcopy(top) if top is not None else None
            result.closed = view.closed
        return result

    def _apply_submission(self, user_id: str, view: View, result: SubmitResult) -> None:
        state = self._state
        if not result.ok or result.request is None or result.request.elapsed > ACK_DEADLINE:
            return  # Slack keeps the modal open and shows a connection error
        body = result.json
        action = result.response_action
        with state.lock:
            if body is None or action is None:
                if state.top_modal(user_id) is view:
                    state.close_modal(user_id)
            elif action == "clear":
                state.close_modal(user_id, all_views=True)
            elif action in {"update", "push"}:
                definition = body.get("view")
                problems = view_errors(definition)
                if problems:
                    raise EmulatorError(f"the app answered with an invalid view: {problems}")
                assert isinstance(definition, dict)
                if action == "update":
                    state.replace_view(view, definition)
                else:
                    stack = state.modal_stack(user_id)
                    if len(stack) >= 3:
                        raise EmulatorError("the app pushed a fourth modal (push_limit_reached)")
                    pushed = state.new_view(
                        user_id, definition, root_view_id=stack[0], previous_view_id=stack[-1]
                    )
                    stack.append(pushed.id)
            state.notify()

    def _form_values(self, view: View, values: Mapping[str, Any]) -> dict[str, Any]:
        """state.values for a submission: given values over current/initial ones."""
        inputs = view.inputs()
        by_block = {str(b.get("block_id")): (b, e) for b, e in inputs}
        by_action = {str(e.get("action_id")): (b, e) for b, e in inputs}
        given: dict[tuple[str, str], Any] = {}
        for key, value in values.items():
            if key in by_block:
                block, element = by_block[key]
                own_action = str(element.get("action_id"))
                nested = (
                    isinstance(value, Mapping)
                    and bool(value)
                    and "type" not in value
                    and set(value) <= {own_action}
                )
                if nested:
                    for action_id, inner in value.items():
                        given[(key, str(action_id))] = inner
                else:
                    given[(key, str(element.get("action_id")))] = value
            elif key in by_action:
                block, _ = by_action[key]
                given[(str(block.get("block_id")), key)] = value
            else:
                known = ", ".join(sorted(by_block) + sorted(by_action)) or "none"
                raise EmulatorError(f"no input {key!r} in view {view.id} (inputs: {known})")
        current = view.state.get("values", {})
        result: dict[str, dict[str, Any]] = {
            block_id: dict(by_act) for block_id, by_act in current.items()
        }
        for block, element in inputs:
            block_id, action_id = str(block.get("block_id")), str(element.get("action_id"))
            if (block_id, action_id) in given:
                raw = given[(block_id, action_id)]
            elif action_id in result.get(block_id, {}):
                continue
            else:
                raw = _initial_value(element)
            try:
                entry = sr.element_state(element, raw)
            except PayloadError as exc:
                raise EmulatorError(str(exc)) from exc
            if not block.get("optional") and sr.is_empty_state(entry):
                label = block.get("label", {}).get("text", block_id)
                raise EmulatorError(f"{label!r} is required ({block_id}/{action_id})")
            result.setdefault(block_id, {})[action_id] = entry
        return result

    def close_view(self, user_id: str, view_id: str | None = None) -> AppResponse | None:
        """``user_id`` closes their top modal (Cancel / ×). The app hears of it only when the
        view was opened with ``notify_on_close``."""
        state = self._state
        with state.lock:
            user = state.human(user_id)
            top = state.top_modal(user_id)
            if top is None or (view_id is not None and top.id != view_id):
                raise EmulatorError(f"{view_id or 'no view'} is not {user_id}'s top modal")
            clear = bool(top.definition.get("clear_on_close"))
            closed = state.close_modal(user_id, all_views=clear)
            payload = sr.view_closed(
                self.workspace,
                user_id=user.id,
                user_name=user.name,
                view=top.to_slack(self.workspace),
                is_cleared=clear and len(closed) > 1,
            )
        if not top.notify_on_close:
            return None
        return AppResponse(
            self._send("view_closed", sr.interactive_body(payload), sr.FORM_CONTENT_TYPE), self
        )

    def post_as(
        self, user_id: str, channel: str, text: str, thread_ts: str | None = None
    ) -> EventResult:
        """``user_id`` types ``text`` in ``channel`` (optionally in a thread). The app gets a
        ``message`` event when it is in the conversation; either way the message is kept."""
        state = self._state
        ws = self.workspace
        with state.lock:
            user = state.human(user_id)
            conversation = self._where(user_id, channel)
            parent_user: str | None = None
            if thread_ts is not None:
                parent = state.find_message((conversation.id, thread_ts, None))
                if parent is None:
                    raise EmulatorError(f"no message {thread_ts} in {conversation.id}")
                parent_user = parent.user
            ts = state.next_ts()
            block_id = state.short_id()
            message = state.add_message(
                Message(
                    channel=conversation.id,
                    ts=ts,
                    text=text,
                    blocks=sr.user_message_blocks(text, block_id),
                    user=user.id,
                    thread_ts=thread_ts,
                    source="user",
                )
            )
            event = sr.message_event(
                ws,
                user_id=user.id,
                text=text,
                channel=conversation.id,
                channel_type=conversation.channel_type,
                ts=ts,
                client_msg_id=_client_msg_id(state.next_number()),
                block_id=block_id,
                thread_ts=thread_ts,
                parent_user_id=parent_user,
            )
            delivered = conversation.is_im or conversation.bot_is_member
            event_id = state.new_id("Ev")
            envelope = sr.event_callback(ws, event, event_id=event_id, event_time=int(state.now()))
            snapshot = copy.deepcopy(message)
        sent = None
        if delivered:
            sent = self._send("event_callback", sr.json_body(envelope), sr.JSON_CONTENT_TYPE)
        return EventResult(sent, self, event_id=event_id, message=snapshot)

    def send_dm(self, user_id: str, text: str, thread_ts: str | None = None) -> EventResult:
        """``user_id`` writes to the bot in their DM (a ``message.im`` event)."""
        return self.post_as(user_id, self.dm_channel(user_id), text, thread_ts)

    def reply_in_thread(self, user_id: str, channel: str, thread_ts: str, text: str) -> EventResult:
        """``user_id`` replies in the thread of message ``thread_ts`` in ``channel``."""
        return self.post_as(user_id, channel, text, thread_ts)

    def send_event(self, event: dict[str, Any]) -> EventResult:
        """Deliver any Events API event in an ``event_callback`` envelope."""
        with self._state.lock:
            event_id = self._state.new_id("Ev")
            envelope = sr.event_callback(
                self.workspace, event, event_id=event_id, event_time=int(self._state.now())
            )
        sent = self._send("event_callback", sr.json_body(envelope), sr.JSON_CONTENT_TYPE)
        return EventResult(sent, self, event_id=event_id)

    def open_home(self, user_id: str) -> EventResult:
        """``user_id`` opens the bot's Home tab (an ``app_home_opened`` event)."""
        state = self._state
        with state.lock:
            state.human(user_id)
            channel = state.dm(user_id)
            home = state.views.get(state.home_views.get(user_id, ""))
            event = sr.app_home_opened_event(
                user_id=user_id,
                channel=channel.id,
                event_ts=state.next_ts(),
                view=home.to_slack(self.workspace) if home is not None else None,
            )
        return self.send_event(event)

    def share_file(
        self,
        user_id: str,
        filename: str,
        content: bytes,
        *,
        title: str | None = None,
        channel: str | None = None,
    ) -> dict[str, Any]:
        """``user_id`` uploads a file (for a file_input, or shared into ``channel``); returns
        the Slack file object, whose ``url_private`` the bot can fetch with its token."""
        state = self._state
        with state.lock:
            state.human(user_id)
            stored = StoredFile(
                id=state.new_id("F"),
                name=filename,
                title=title or filename,
                user=user_id,
                created=int(state.now()),
                length=len(content),
                content=bytes(content),
                completed=True,
            )
            if channel is not None:
                stored.channels.append(self._where(user_id, channel).id)
            state.files[stored.id] = stored
            state.notify()
            return state.file_dict(stored)

    # ------------------------------------------------------------------ queries

    def messages(
        self,
        channel: str | None = None,
        user: str | None = None,
        since: str | float | None = None,
        thread_ts: str | None = None,
        include_ephemeral: bool = True,
        *,
        visible_to: str | None = None,
        from_bot: bool | None = None,
    ) -> list[Message]:
        """Messages (copies, oldest first), filtered: ``channel`` (id or ``#name``),
        author ``user``, posted after ``since`` (a ts), in thread ``thread_ts`` (parent
        included), ephemerals or not, ``visible_to`` a person, posted by the bot or not."""
        state = self._state
        with state.lock:
            channel_id = self._conversation(channel).id if channel is not None else None
            after = float(since) if since is not None else None
            found = []
            for m in state.messages:
                if m.deleted:
                    continue
                if channel_id is not None and m.channel != channel_id:
                    continue
                if user is not None and m.user != user:
                    continue
                if after is not None and float(m.ts) <= after:
                    continue
                if thread_ts is not None and thread_ts not in (m.thread_ts, m.ts):
                    continue
                if m.is_ephemeral and (
                    not include_ephemeral
                    or (visible_to is not None and m.ephemeral_to != visible_to)
                ):
                    continue
                if visible_to is not None and not m.is_ephemeral:
                    conversation = state.channels.get(m.channel)
                    if conversation is None or not conversation.has_member(visible_to):
                        continue
                if from_bot is not None and m.from_bot != from_bot:
                    continue
                found.append(copy.deepcopy(m))
            return found

    def inbox(self, user_id: str, since: str | float | None = None) -> list[Message]:
        """What ``user_id`` sees from the bot: their DM with it and ephemerals shown to them."""
        with self._state.lock:
            dm = self.dm_channel(user_id)
            return [
                m
                for m in self.messages(since=since)
                if (m.channel == dm and not m.is_ephemeral) or m.ephemeral_to == user_id
            ]

    def last_message(self, **filters: Any) -> Message | None:
        found = self.messages(**filters)
        return found[-1] if found else None

    def open_view(self, user_id: str) -> View | None:
        """The modal on top of ``user_id``'s screen (a copy), if any."""
        with self._state.lock:
            top = self._state.top_modal(user_id)
            return copy.deepcopy(top) if top is not None else None

    def modal_stack(self, user_id: str) -> list[View]:
        with self._state.lock:
            return [copy.deepcopy(self._state.views[v]) for v in self._state.modal_stack(user_id)]

    def home_view(self, user_id: str) -> View | None:
        """The Home tab the bot last published for ``user_id`` (a copy), if any."""
        with self._state.lock:
            view = self._state.views.get(self._state.home_views.get(user_id, ""))
            return copy.deepcopy(view) if view is not None else None

    def files(
        self, channel: str | None = None, user: str | None = None, name: str | None = None
    ) -> list[StoredFile]:
        """Files held (copies, with their bytes), filtered by channel, uploader or name."""
        with self._state.lock:
            channel_id = self._conversation(channel).id if channel is not None else None
            return [
                copy.deepcopy(f)
                for f in self._state.files.values()
                if f.content is not None
                and (channel_id is None or channel_id in f.channels)
                and (user is None or f.user == user)
                and (name is None or f.name == name)
            ]

    @property
    def calls(self) -> list[ApiCall]:
        """Every Web API call so far (a copy), oldest first."""
        with self._state.lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent(self) -> list[SentRequest]:
        """Every request sent to the app so far, oldest first."""
        with self._state.lock:
            return list(self._state.sent)

    def wait_for(
        self, predicate: Callable[[], T | None], timeout: float = WAIT, what: str = ""
    ) -> T:
        """Wait until ``predicate()`` is truthy (re-checked after every change) and return
        it; ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._state.changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"waited {timeout}s for {what or predicate!r}")
                self._state.changed.wait(min(remaining, 0.1))

    def wait_for_message(
        self,
        predicate: Callable[[Message], bool] | None = None,
        timeout: float = WAIT,
        **filters: Any,
    ) -> Message:
        """The first message matching ``filters`` (as for ``messages``) and ``predicate``."""

        def find() -> Message | None:
            for message in self.messages(**filters):
                if predicate is None or predicate(message):
                    return message
            return None

        return self.wait_for(find, timeout, what=f"a message matching {filters}")

    def wait_for_call(self, method: str, count: int = 1, timeout: float = WAIT) -> list[ApiCall]:

        def enough() -> list[ApiCall] | None:
            found = self.calls_to(method)
            return found if len(found) >= count else None

        return self.wait_for(enough, timeout, what=f"{count} call(s) to {method}")


def _socket_payload(body: bytes, content_type: str) -> tuple[str, dict[str, Any]]:
    """The Socket Mode envelope type and payload for what would be an HTTP request body."""
    if content_type.startswith(sr.JSON_CONTENT_TYPE):
        return "events_api", json.loads(body)
    fields = dict(parse_qsl(body.decode(), keep_blank_values=True))
    if set(fields) == {"payload"}:
        return "interactive", json.loads(fields["payload"])
    return "slash_commands", fields


def _summary(data: Any, width: int = 160) -> str:
    """A short, one-line picture of a payload for a refusal message."""
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    if isinstance(data, Mapping):
        data = json.dumps(_loggable(data), default=str)
    text = " ".join(str(data).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _initial_value(element: Mapping[str, Any]) -> Any:
    if element.get("type") == "rich_text_input" and "initial_value" in element:
        return {"type": "rich_text_input", "rich_text_value": element["initial_value"]}
    for key in (
        "initial_value",
        "initial_option",
        "initial_options",
        "initial_date",
        "initial_time",
        "initial_date_time",
        "initial_user",
        "initial_users",
        "initial_conversation",
        "initial_conversations",
        "initial_channel",
        "initial_channels",
    ):
        if key in element:
            return element[key]
    return None


def _client_msg_id(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-{n:012x}"
