"""`improvement-bot run`: Slack (Socket Mode, or HTTP under waitress) plus the scheduler."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from bot.app import bootstrap
from bot.config import Settings
from scheduler.service import SchedulerService

log = logging.getLogger("improvement_bot")


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # The Slack SDK logs request details at DEBUG; keep it quiet so tokens never reach a log.
    for noisy in ("slack_sdk", "slack_bolt", "apscheduler", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def run_forever(settings: Settings) -> int:
    configure_logging()
    bot = bootstrap(settings)
    services = bot.services
    scheduler = SchedulerService(services.session_factory, services.delivery_client, services.clock)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s; shutting down", signum)
        stopping.set()
        if not settings.socket_mode:
            raise SystemExit(0)  # unwinds waitress's serving loop

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler.start()
    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(bot.app, settings.slack_app_token)
            handler.connect()
            log.info("connected to Slack in Socket Mode")
            stopping.wait()
            handler.close()
        else:
            from bot.web import serve_blocking

            serve_blocking(bot.app, settings.host, settings.port)
    except SystemExit:
        pass
    finally:
        scheduler.shutdown()
        bot.engine.dispose()
        log.info("stopped")
    return 0
