"""Composition: the one place the layers meet (docs/design.md §2).

`bootstrap()` builds, for production's `run`, the sandbox and the tests alike: the engine
(migrated), `Services` (settings, clock and units of work; the use cases, which know no
Slack), `SlackClients` beside it (the answering client, and the outbox's delivery client),
and the Bolt app with every listener registered and bound to those services. Tests swap the
clock and point the Slack clients at the local emulator. `bot.runner` adds the scheduler,
whose jobs are functions of (services, now), and the transport.

Layers, each importing only what is below it (checked by tests/unit/test_layers.py):
`bot.core` (pure rules) ← `bot.services` (use cases that own their transactions and return
read models; the outbox) ← `bot.render` (messages from read models) ← `handlers` and
`scheduler` (translate only); `db` holds the models and imports none of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy import Engine

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services import Services, Units
from db.migrate import upgrade
from db.session import make_engine, make_session_factory, reading, with_lock_wait

log = logging.getLogger(__name__)

# Seconds a Slack request's transaction waits for another writer (SQLite): Slack shows
# "failed" for any answer later than 3 s, so it gives up and says so well before then. While
# a long write holds the database, each of the server's threads answers a waiting request
# every half second: 8 threads answer 48 in Slack's 3 s, and a short write is waited out.
REQUEST_LOCK_WAIT = 0.5


def make_web_client(settings: Settings, *, for_delivery: bool = False) -> WebClient:
    """A Web API client that retries rate limits (honouring Retry-After), server errors and
    dropped connections — or, for the outbox's delivery, retries nothing itself.

    Delivery keeps each workspace's rate-limit budget (a 429 holds back only that workspace,
    where the client's own retry would stop a worker for every workspace), and a post that
    failed with a server error may still have reached Slack, so it checks the channel's
    history before posting again.
    """
    handlers: list[RetryHandler] = []
    if not for_delivery:
        handlers = [
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3),
            ConnectionErrorRetryHandler(),
        ]
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=15,
        retry_handlers=handlers,
    )


@dataclass
class Bot:
    app: App
    services: Services
    engine: Engine
    slack: SlackClients


@dataclass(frozen=True)
class SlackClients:
    """`client` answers people (it retries rate limits and server errors); `delivery` is the
    outbox's, which retries nothing itself (scheduler.delivery does, per workspace)."""

    client: WebClient
    delivery: WebClient


def bootstrap(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    client: WebClient | None = None,
    delivery_client: WebClient | None = None,
    token_verification: bool = True,
    listener_executor: Executor | None = None,
    register: Callable[[App, Services, SlackClients], None] | None = None,
) -> Bot:
    """Build the bot: migrate the database, make the Bolt app and register every listener."""
    settings.require_slack()
    engine = engine or make_engine(settings.database_url)
    upgrade(engine)
    client = client or make_web_client(settings)
    services = Services(
        settings=settings,
        clock=clock or SystemClock(),
        units=Units(
            session_factory=make_session_factory(engine),
            request_session_factory=make_session_factory(with_lock_wait(engine, REQUEST_LOCK_WAIT)),
            reading_session_factory=make_session_factory(reading(engine)),
        ),
    )
    slack = SlackClients(
        client=client,
        delivery=delivery_client or make_web_client(settings, for_delivery=True),
    )
    from handlers.request_thread import (  # handlers import this module
        AnswersInRequestThread,
        lanes_for,
    )

    app = App(
        signing_secret=settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        client=client,
        token_verification_enabled=token_verification,
        request_verification_enabled=not settings.socket_mode,
        process_before_response=False,
        listener_executor=AnswersInRequestThread(listener_executor, lanes_for(engine.dialect.name)),
        logger=logging.getLogger("improvement_bot.slack"),
    )
    if register is None:
        from handlers import register_all

        register = register_all
    register(app, services, slack)
    return Bot(app=app, services=services, engine=engine, slack=slack)
