"""HTTP mode: serve the Bolt app's ``/slack/events`` under waitress.

Bolt's WSGI adapter turns each request into a ``BoltRequest``; waitress is the production
server (Bolt's own ``app.start()`` server is for development only). ``serve`` runs in a
background thread and is what the end-to-end tests and the sandbox use; ``serve_blocking``
is what ``improvement-bot run`` uses in HTTP mode.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from waitress import create_server, trigger
from waitress.server import BaseWSGIServer, MultiSocketServer
from waitress.wasyncore import close_all

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/health"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_THREADS = 8


def make_wsgi_app(bolt_app: App, path: str = EVENTS_PATH) -> WSGIApplication:
    """The WSGI application: ``POST {path}`` goes to Bolt, ``GET /health`` answers ``ok``."""
    slack_handler = SlackRequestHandler(bolt_app, path=path)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in (
            "GET",
            "HEAD",
        ):
            body = b"ok"
            start_response(
                "200 OK",
                [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
            )
            return [body]
        return slack_handler(environ, start_response)

    return application


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


def _create(bolt_app: App, host: str, port: int, threads: int) -> _Waitress:
    socket_map: dict[int, Any] = {}
    server = create_server(
        make_wsgi_app(bolt_app),
        map=socket_map,
        host=host,
        port=port,
        threads=threads,
        ident="improvement-bot",
        # Slack gives an app 3 seconds to answer; a connection idle far longer is dead.
        channel_timeout=60,
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
    bolt_app: App, host: str = DEFAULT_HOST, port: int = 0, *, threads: int = DEFAULT_THREADS
) -> RunningServer:
    """Start serving ``bolt_app`` in a background daemon thread; ``port=0`` picks a free
    port. Stop it with ``.stop()`` or by using it as a context manager."""
    waitress = _create(bolt_app, host, port, threads)
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
    threads: int = DEFAULT_THREADS,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve ``bolt_app`` in this thread until KeyboardInterrupt or SystemExit (a SIGTERM
    handler that raises SystemExit stops it cleanly). ``on_ready`` gets the request URL."""
    waitress = _create(bolt_app, host, port, threads)
    url = f"http://{_url_host(host)}:{waitress.port}{EVENTS_PATH}"
    logger.info("serving Slack requests on %s", url)
    if on_ready is not None:
        on_ready(url)
    try:
        waitress.server.run()
    finally:
        waitress.close()
