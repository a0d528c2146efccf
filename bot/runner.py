"""`improvement-bot run`: Slack (Socket Mode, or HTTP under waitress) plus the scheduler."""

from __future__ import annotations

import gc
import logging
import signal
import threading
from types import FrameType

from slack_sdk.errors import SlackApiError
from sqlalchemy import Engine
from sqlalchemy.exc import NoSuchModuleError

from bot.app import bootstrap, make_web_client
from bot.config import ConfigError, Settings, StartupError
from db.session import make_engine
from scheduler.service import SchedulerService

log = logging.getLogger("improvement_bot")


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    # The Slack SDK logs request details at DEBUG; keep it quiet so tokens never reach a log.
    for noisy in ("slack_sdk", "slack_bolt", "apscheduler", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


# What Slack's auth.test answers when the token itself is wrong, not the network.
_BAD_TOKEN_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked"}


def open_database(settings: Settings) -> Engine:
    try:
        return make_engine(settings.database_url)
    except (ImportError, NoSuchModuleError) as error:
        raise ConfigError(
            f"DATABASE_URL needs a database driver that isn't installed ({error}); for "
            "PostgreSQL install improvement-bot[postgres]"
        ) from None


def check_slack(settings: Settings) -> None:
    """One auth.test before anything starts, so a bad token or an unreachable Slack is one
    line rather than a traceback from inside Bolt."""
    try:
        make_web_client(settings).auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "unknown_error")
        if code in _BAD_TOKEN_ERRORS:
            raise ConfigError(
                f"Slack refused SLACK_BOT_TOKEN ({code}): copy the Bot User OAuth Token "
                "(xoxb-…) from the app's OAuth & Permissions page again"
            ) from None
        raise StartupError(f"Slack's auth.test failed ({code}); try again shortly") from None
    except OSError as error:
        reason = getattr(error, "reason", None) or error
        raise StartupError(
            f"can't reach Slack at {settings.slack_api_url} ({reason}): check the network "
            "and any proxy, or SLACK_API_URL"
        ) from None


def freeze_start_up_objects() -> int:
    """Set what start-up built (modules, the ORM's mappings, Bolt's app, the scheduler) aside
    from garbage collection, once it is all built: a full collection no longer walks those
    objects every time. A full collection of the running bot took about 66 ms, and came about
    every fifth digest of a 2,000-action board (which makes tens of thousands of objects): 13
    ms of each digest's 58 on average, and a pause for whatever else was running. Frozen, it
    takes about 1 ms. What start-up left as garbage is collected first. Returns how many
    objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def run_forever(settings: Settings) -> int:
    configure_logging()
    settings.require_slack()
    engine = open_database(settings)
    check_slack(settings)
    bot = bootstrap(settings, engine=engine)
    services = bot.services
    scheduler = SchedulerService(services, bot.slack.delivery, doorbell=services.units.doorbell)
    stopping = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received signal %s; shutting down", signum)
        stopping.set()
        if not settings.socket_mode:
            raise SystemExit(0)  # unwinds waitress's serving loop

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    scheduler_started = False

    def start_scheduler(_url: str = "") -> None:
        nonlocal scheduler_started
        scheduler.start()
        scheduler_started = True
        log.info(
            "ready; %d start-up objects set aside from garbage collection",
            freeze_start_up_objects(),
        )

    try:
        if settings.socket_mode:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            handler = SocketModeHandler(bot.app, settings.slack_app_token)
            try:
                handler.connect()
            except SlackApiError as error:
                raise ConfigError(
                    f"Slack refused SLACK_APP_TOKEN ({error.response.get('error')}): give an "
                    "app-level token (xapp-…) with the connections:write scope"
                ) from None
            log.info("connected to Slack in Socket Mode")
            start_scheduler()
            stopping.wait()
            handler.close()
        else:
            from bot.web import serve_blocking

            assert settings.slack_signing_secret is not None  # require_slack checked it
            # The scheduler starts once the port is ours, so a failed start sends nothing.
            serve_blocking(
                bot.app,
                settings.host,
                settings.port,
                signing_secret=settings.slack_signing_secret,
                on_ready=start_scheduler,
            )
    except SystemExit:
        pass
    finally:
        if scheduler_started:
            scheduler.shutdown()
        bot.engine.dispose()
        log.info("stopped")
    return 0
