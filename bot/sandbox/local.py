"""The whole bot on loopback: the Slack emulator; the real Bolt app, either behind waitress
receiving signed requests or connected over Socket Mode; the real scheduler jobs under a clock
moved by hand; and a database.

The end-to-end tests and `improvement-bot sandbox` both run the bot through this.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import Bot, SlackClients, bootstrap
from bot.clock import ManualClock
from bot.config import Settings
from bot.sandbox.console_runtime import ListenerTracker
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.serving import Startable
from bot.services import Services
from bot.web import RunningServer, serve
from scheduler.delivery import Delivery, DeliveryReport
from scheduler.jobs import deliver_notifications, tick
from scheduler.service import DeliverSoon


@dataclass(frozen=True)
class SandboxUser:
    id: str
    name: str  # the handle people type: `as jane`
    real_name: str
    email: str
    title: str = ""


DEFAULT_USERS = (
    SandboxUser(
        "UADMIN0000", "ada", "Ada Admin", "ada.admin@council.example", "Performance Manager"
    ),
    SandboxUser("UCHAIR0000", "chris", "Chris Chair", "chris.chair@council.example", "Director"),
    SandboxUser("UJANE00000", "jane", "Jane Doe", "jane.doe@council.example", "Head of Fostering"),
    SandboxUser("UOMAR00000", "omar", "Omar Shah", "omar.shah@council.example", "Head of Service"),
    SandboxUser("UMEMBER000", "mo", "Mo Member", "mo.member@council.example", "Councillor"),
)
BOARD_CHANNEL = ("CBOARD0000", "improvement-board")


class LocalBot(Startable):
    """Start with `with LocalBot(database_url, clock) as local: ...`."""

    def __init__(
        self,
        database_url: str,
        clock: ManualClock,
        users: tuple[SandboxUser, ...] = DEFAULT_USERS,
        channels: tuple[tuple[str, str], ...] = (BOARD_CHANNEL,),
        listener_executor: Executor | None = None,
        *,
        socket_mode: bool = False,
        slack_clock: Callable[[], float] | None = None,
    ) -> None:
        # Counting what requests left running lets a test wait until they are done (settle).
        self.listener_executor = (
            listener_executor
            if isinstance(listener_executor, ListenerTracker)
            else ListenerTracker(listener_executor)
        )
        self.socket_mode = socket_mode
        self.clock = clock
        self.database_url = database_url
        self.signing_secret = secrets.token_hex(16)
        # Slack's own time (rate-limit windows, outages): real time unless a test moves it.
        self.emulator = SlackEmulator(clock=slack_clock) if slack_clock else SlackEmulator()
        self.users = users
        self.channels = channels
        self.bot: Bot
        self.server: RunningServer | None = None
        self.socket_handler: SocketModeHandler | None = None
        self.delivery: Delivery
        self.deliver_soon: DeliverSoon | None = None

    def start(self) -> LocalBot:
        self.emulator.start()
        for user in self.users:
            self.emulator.add_user(user.id, user.name, user.real_name, user.email, title=user.title)
        for channel_id, name in self.channels:
            self.emulator.add_channel(channel_id, name)
        settings = Settings(
            database_url=self.database_url,
            slack_bot_token=self.emulator.bot_token,
            slack_signing_secret=self.signing_secret,
            slack_api_url=self.emulator.api_url,
            slack_app_token=self.emulator.app_token if self.socket_mode else None,
        )
        self.bot = bootstrap(settings, clock=self.clock, listener_executor=self.listener_executor)
        if self.socket_mode:
            # No reconnecting: the connection only drops when stop() closes it.
            self.socket_handler = SocketModeHandler(
                self.bot.app, self.emulator.app_token, auto_reconnect_enabled=False
            )
            self.socket_handler.connect()
            self.emulator.use_socket_mode()
        else:
            self.server = serve(self.bot.app, signing_secret=self.signing_secret)
            self.emulator.connect_app(self.server.url, self.signing_secret)
        self.delivery = Delivery(
            self.bot.services.session_factory,
            self.bot.slack.delivery,
            worker="local",
            retry_delay=lambda attempt: 0.0,
        )
        # What a request enqueues goes out at once, as in production (bot.runner).
        self.deliver_soon = DeliverSoon(lambda: self._deliver(self.clock.now()))
        self.bot.services.units.doorbell.answer(self.deliver_soon)
        return self

    def stop(self) -> None:
        if self.deliver_soon is not None:
            self.bot.services.units.doorbell.hang_up(self.deliver_soon)
            self.deliver_soon.stop()
        if self.socket_handler is not None:
            # Slack's side hangs up first, so the client is not left waiting on a read; the
            # client's own threads then wind down within a second, without holding up the stop.
            self.emulator.close_socket_connections()
            threading.Thread(target=self.socket_handler.close, daemon=True).start()
        if self.server is not None:
            self.server.stop()
        self.emulator.stop()
        self.bot.engine.dispose()

    @property
    def services(self) -> Services:
        return self.bot.services

    @property
    def slack(self) -> SlackClients:
        return self.bot.slack

    def run_jobs(self, now: dt.datetime | None = None) -> DeliveryReport:
        """Plan and deliver whatever is due at `now` (default: the clock's time)."""
        self.wait_for_delivery()
        return tick(self.bot.services, self.delivery, now or self.clock.now())

    def deliver(self, now: dt.datetime | None = None) -> DeliveryReport:
        """Send what is already waiting in the outbox, as production's delivery job does every
        few seconds, once what requests asked to be delivered at once has gone."""
        self.wait_for_delivery()
        return self._deliver(now or self.clock.now())

    def _deliver(self, now: dt.datetime) -> DeliveryReport:
        return deliver_notifications(self.delivery, now)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until everything the requests sent so far started has finished: their
        listeners (answers, modals, uploads) and the deliveries they asked for. After it, no
        further message can come of them, so a test may assert that something did not happen."""
        if not self.listener_executor.wait_idle(timeout):
            raise TimeoutError(f"a listener was still running after {timeout:.0f} seconds")
        self.wait_for_delivery(timeout)

    def wait_for_delivery(self, timeout: float = 10.0) -> None:
        """Wait for the delivery requests asked for (through the doorbell) to finish."""
        if self.deliver_soon is not None and not self.deliver_soon.wait_idle(timeout):
            raise TimeoutError(f"delivery was still busy after {timeout:.0f} seconds")

    def user_id(self, name: str) -> str:
        for user in self.users:
            if name.lower() in (user.name, user.id.lower(), user.real_name.lower()):
                return user.id
        raise KeyError(name)
