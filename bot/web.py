"""HTTP mode: serve the Bolt app's ``/slack/events`` under waitress.

waitress is the production server (Bolt's own ``app.start()`` server is for development
only). ``serve`` runs in a background thread and is what the end-to-end tests and the sandbox
use; ``serve_blocking`` is what ``improvement-bot run`` uses in HTTP mode.

Before Bolt sees a request, this layer bounds it and checks it (docs/design.md, "Hostile
input"): a body over 1 MB is refused before it is read; missing or malformed signature headers
and bad signatures get 401; a signed body that is not UTF-8, form or JSON gets 400. The body is
parsed here rather than by Bolt, whose form parser drops any slash command whose text contains
the word "payload".
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier
from waitress import create_server, trigger
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.wasyncore import close_all

from bot.config import StartupError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_THREADS = 8
# Slack's requests are far smaller; anything bigger is refused before it is read.
MAX_BODY_BYTES = 1024 * 1024
# Half-open connections cost a file descriptor each and no worker thread; the limit leaves room
# for 150 hanging connections plus Slack's real traffic, and stays under the 1,024 descriptors
# a default process may open (a connection spooling a body to disk holds a second).
CONNECTION_LIMIT = 300
# Slack sends each request whole, at once; a connection that goes quiet this long is dropped.
IDLE_TIMEOUT_SECONDS = 5
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_MAX_FORM_FIELDS = 1000


class _Refusal(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def make_wsgi_app(
    bolt_app: App, *, signing_secret: str, path: str = EVENTS_PATH
) -> WSGIApplication:
    """The WSGI application: ``POST {path}`` goes to Bolt, ``GET /health`` answers ``ok``."""
    verifier = SignatureVerifier(signing_secret)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        where = environ.get("PATH_INFO")
        if where == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, 200, "ok")
        if where != path or method != "POST":
            return _plain(start_response, 404, "Not Found")
        try:
            request = _checked_request(environ, verifier)
        except _Refusal as refusal:
            logger.warning("refused a request with %s: %s", refusal.status, refusal.reason)
            return _plain(start_response, refusal.status, refusal.reason)
        bolt_response = bolt_app.dispatch(request)
        response = WsgiHttpResponse(
            status=bolt_response.status, headers=bolt_response.headers, body=bolt_response.body
        )
        start_response(response.status, response.get_headers())
        return response.get_body()

    return application


def _plain(start_response: StartResponse, status: int, text: str) -> list[bytes]:
    response = WsgiHttpResponse(
        status=status, headers={"content-type": ["text/plain; charset=utf-8"]}, body=text
    )
    start_response(response.status, response.get_headers())
    return response.get_body()  # type: ignore[return-value]


def _checked_request(environ: WSGIEnvironment, verifier: SignatureVerifier) -> BoltRequest:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE", "")
    if not _TIMESTAMP.fullmatch(timestamp) or not signature:
        raise _Refusal(401, "missing or malformed Slack signature headers")
    raw = _read_body(environ)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(400, "request body is not UTF-8") from None
    if not verifier.is_valid(text, timestamp, signature):
        raise _Refusal(401, "invalid request signature")
    wsgi_request = WsgiHttpRequest(environ)
    headers = wsgi_request.get_headers()
    body = _parse_body(text, str(headers.get("content-type", "")))
    # Bolt would parse the raw text again, with its form-parser bug; so the request is built
    # from the parsed body (which is how Bolt takes Socket Mode requests), then given the raw
    # text and HTTP mode back, so Bolt still verifies the signature on the exact bytes.
    request = BoltRequest(
        body=body, query=wsgi_request.query_string, headers=headers, mode="socket_mode"
    )
    request.raw_body = text
    request.mode = "http"
    return request


def _read_body(environ: WSGIEnvironment) -> bytes:
    """At most ``MAX_BODY_BYTES``; a larger body is refused, unread if its length is declared.

    waitress refuses such bodies itself (``max_request_body_size``); this holds under any
    other WSGI server too."""
    declared = environ.get("CONTENT_LENGTH") or ""
    stream = environ.get("wsgi.input")
    if declared:
        if not declared.isascii() or not declared.isdigit():
            raise _Refusal(400, "malformed Content-Length")
        if int(declared) > MAX_BODY_BYTES:
            raise _Refusal(413, f"request body over {MAX_BODY_BYTES} bytes")
        return stream.read(int(declared)) if stream is not None and int(declared) else b""
    raw = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
    if len(raw) > MAX_BODY_BYTES:
        raise _Refusal(413, f"request body over {MAX_BODY_BYTES} bytes")
    return bytes(raw)


def _parse_body(text: str, content_type: str) -> dict[str, Any]:
    """The body as Bolt would see it from Slack: a JSON object, the JSON in a form's
    ``payload`` field, or the form's fields (the last of any repeated name)."""
    if not text:
        return {}
    try:
        if content_type.split(";")[0].strip() == "application/json" or text.startswith("{"):
            return _json_object(text)
        fields = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
            max_num_fields=_MAX_FORM_FIELDS,
        )
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise _Refusal(400, "malformed request body") from None
    form = dict(fields)
    if "payload" in form:
        try:
            return _json_object(form["payload"])
        except ValueError:
            raise _Refusal(400, "malformed payload") from None
    return form


def _json_object(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


@dataclass
class _Waitress:
    """A waitress server plus the socket map it runs on and a trigger to wake its loop."""

    server: BaseWSGIServer | MultiSocketServer
    socket_map: dict[int, Any]
    wake: trigger.trigger

    @property
    def port(self) -> int:
        if isinstance(self.server, BaseWSGIServer):
            return int(self.server.effective_port)
        return int(self.server.effective_listen[0][1])

    def close(self, timeout: float = 5.0) -> None:
        close_all(self.socket_map)
        self.server.task_dispatcher.shutdown(timeout=timeout)


def _create(bolt_app: App, signing_secret: str, host: str, port: int, threads: int) -> _Waitress:
    socket_map: dict[int, Any] = {}
    server = create_server(
        make_wsgi_app(bolt_app, signing_secret=signing_secret),
        map=socket_map,
        host=host,
        port=port,
        threads=threads,
        ident="improvement-bot",
        # waitress answers 413 from the headers alone, and stops a chunked body at the limit.
        max_request_body_size=MAX_BODY_BYTES + 1,
        max_request_header_size=64 * 1024,
        connection_limit=CONNECTION_LIMIT,
        channel_timeout=IDLE_TIMEOUT_SECONDS,
        cleanup_interval=1,
        # select() stops at 1,024 descriptors; poll() has no such ceiling.
        asyncore_use_poll=True,
    )
    return _Waitress(server=server, socket_map=socket_map, wake=trigger.trigger(socket_map))


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


@dataclass
class RunningServer:
    """A waitress server serving the Bolt app from a daemon thread."""

    host: str
    port: int
    _waitress: _Waitress = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def url(self) -> str:
        """The Slack request URL, e.g. ``http://127.0.0.1:54321/slack/events``."""
        return f"{self.base_url}{EVENTS_PATH}"

    @property
    def health_url(self) -> str:
        return f"{self.base_url}{HEALTH_PATH}"

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Close the listening socket and open connections, then wait for the workers."""
        if self._stopped:
            return
        self._stopped = True
        waitress = self._waitress
        # Closing sockets from another thread races the select loop, so the loop closes them
        # itself; with nothing left in its map, it returns.
        waitress.wake.pull_trigger(lambda: close_all(waitress.socket_map))
        self._thread.join(timeout)
        waitress.close(timeout)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve(
    bolt_app: App,
    host: str = DEFAULT_HOST,
    port: int = 0,
    *,
    signing_secret: str,
    threads: int = DEFAULT_THREADS,
) -> RunningServer:
    """Start serving ``bolt_app`` in a background daemon thread; ``port=0`` picks a free
    port. Stop it with ``.stop()`` or by using it as a context manager."""
    waitress = _create(bolt_app, signing_secret, host, port, threads)
    thread = threading.Thread(
        target=waitress.server.run, name=f"improvement-bot-http-{waitress.port}", daemon=True
    )
    thread.start()
    return RunningServer(host=host, port=waitress.port, _waitress=waitress, _thread=thread)


def serve_blocking(
    bolt_app: App,
    host: str = DEFAULT_HOST,
    port: int = 3000,
    *,
    signing_secret: str,
    threads: int = DEFAULT_THREADS,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``bolt_app`` in this thread until KeyboardInterrupt or SystemExit (a SIGTERM
    handler that raises SystemExit stops it cleanly). ``on_ready`` gets the request URL.

    Raises ``StartupError`` if it cannot listen on ``host:port``."""
    try:
        waitress = _create(bolt_app, signing_secret, host, port, threads)
    except OSError as error:
        raise StartupError(
            f"can't listen on {host}:{port} ({error.strerror or error}): stop whatever holds "
            "the port, or set PORT (and HOST) to one this bot may use"
        ) from None
    url = f"http://{_url_host(host)}:{waitress.port}{EVENTS_PATH}"
    logger.info("serving Slack requests on %s", url)
    if on_ready is not None:
        on_ready(url)
    try:
        waitress.server.run()
    finally:
        waitress.close()
