"""Send what the outbox holds, exactly once.

Each notification is claimed in the database before it is sent (an atomic UPDATE, so two
running instances never both take it), posted with message metadata naming its ledger key,
and marked sent with its channel and `ts`. When a send fails in a way that might have reached
Slack anyway (a server error, a dropped connection, or a crash after posting), the channel's
history is searched for that key before anything is posted again. Permanent errors fail the
notification and tell the workspace's admins once.

Delivery needs no lease: every running instance may deliver, and within one a few workers
send at once. Each workspace has its own rate-limit budget (scheduler.budget): a 429 gives
the claim back untouched, holds that workspace's calls of that method for Retry-After, and
the workers go on with the other workspaces meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot.render.ids import NOTIFICATION_EVENT
from bot.render.outbox import Outgoing, outgoing
from bot.services import outbox
from bot.services.outbox_messages import read_claimed
from bot.services.uow import UnitOfWork
from scheduler.budget import Job, RateBudget, WorkQueue

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "user_disabled",
        "cannot_dm_bot",
        "invalid_blocks",
        "msg_blocks_too_long",
        "msg_too_long",
        "no_text",
        "unlinked",
    }
)
# Errors Slack answers with HTTP 200 that another try may cure; any other error it answers
# with 200 is about the message or its recipient and will never succeed.
TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "internal_error",
        "fatal_error",
        "service_unavailable",
        "request_timeout",
        "team_added_to_org",
    }
)
# The bot's own token is dead: the app was uninstalled, or its workspace or bot user is gone.
# Nothing about any recipient is known, so nobody is failed or alerted; delivery pauses.
TOKEN_ERRORS = frozenset({"invalid_auth", "account_inactive", "token_revoked", "not_authed"})
TOKEN_PAUSE = dt.timedelta(minutes=15)
# Tries before a message Slack keeps failing (5xx, dropped connections) is given up: with the
# back-off (2, 4, 8, 16 minutes, then every 30) about three hours, within the working day.
MAX_ATTEMPTS = 10
# Workers sending at once in one instance: Slack's answer takes far longer than our part, so
# a few workers keep several calls in flight; more would only queue on the database.
WORKERS = 16
# Seconds a pass waits for a rate-limited workspace when nothing else is left to send; a
# longer Retry-After leaves its messages to the next pass.
MAX_RATE_WAIT = 10.0


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    deferred: int = 0
    recovered: int = 0  # found already posted after an interrupted send
    paused: int = 0  # held back while the workspace's token is dead
    errors: list[str] = field(default_factory=list)


def is_permanent(status: int, code: str) -> bool:
    """Whether Slack will never take this message: a known permanent error, any other error
    Slack answers with HTTP 200 that no retry can cure, or a 4xx other than 429."""
    if code in PERMANENT_ERRORS:
        return True
    if status == 200 and code:
        return code not in TRANSIENT_ERRORS
    return 400 <= status < 500 and status != 429 and bool(code)


class Unlinked(Exception):
    """The recipient has no Slack user yet."""


class RateLimited(Exception):
    """Slack answered 429: the claim was given back, and the message goes again later."""


def retry_after(error: SlackApiError) -> float:
    """Seconds Slack asked to wait (1 when it did not say)."""
    headers = error.response.headers if error.response is not None else {}
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            try:
                return max(float(value if isinstance(value, str) else value[0]), 0.0)
            except (TypeError, ValueError, IndexError):
                break
    return 1.0


def method_of(error: SlackApiError) -> str:
    url = str(getattr(error.response, "api_url", "") or "")
    return url.rstrip("/").rsplit("/", 1)[-1]


class Delivery:
    """Sends what is due with a few workers; `clients` gives the Web API client of a workspace
    (by Slack team id), by default `client` for all."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        client: WebClient,
        worker: str,
        *,
        lease: dt.timedelta = dt.timedelta(minutes=5),
        retry_delay: Callable[[int], float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
        workers: int = WORKERS,
        clients: Callable[[str | None], WebClient] | None = None,
        max_rate_wait: float = MAX_RATE_WAIT,
    ) -> None:
        self.session_factory = session_factory
        self.client = client
        self.clients = clients or (lambda team_id: client)
        self.worker = worker
        self.lease = lease
        self.retry_delay = retry_delay or (lambda attempt: min(60.0 * 2**attempt, 1800.0))
        self.sleep = sleep
        self.workers = max(1, workers)
        self.max_rate_wait = max_rate_wait
        self.budget = RateBudget(monotonic)
        # workspace id -> when to try its token again
        self.paused_until: dict[int | None, dt.datetime] = {}
        self._lock = threading.Lock()  # the report's counts and paused_until

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)

    def run(self, now: dt.datetime, limit: int = 500) -> DeliveryReport:
        """Send everything due at `now`."""
        report = DeliveryReport()
        with self.uow() as uow:
            candidates = [
                (n.id, n.workspace_id, outbox.is_stale(n, now))
                for n in outbox.deliverable(uow, now, limit)
            ]
            teams = outbox.team_ids(uow, {w for _, w, _ in candidates})
        jobs = []
        for notification_id, workspace_id, stale in candidates:
            if stale:
                self._record(notification_id, outbox.DROPPED, now, report, error="day passed")
            else:
                jobs.append(Job(notification_id, workspace_id, teams.get(workspace_id)))
        queue = WorkQueue(jobs, self.budget, sleep=self.sleep, max_wait=self.max_rate_wait)
        helpers = [
            threading.Thread(
                target=self._work, args=(queue, now, report), name=f"delivery-{n}", daemon=True
            )
            for n in range(min(self.workers, len(jobs)) - 1)
        ]
        for helper in helpers:
            helper.start()
        self._work(queue, now, report)  # this thread is a worker too
        for helper in helpers:
            helper.join()
        report.deferred += queue.left_for_later
        return report

    def _work(self, queue: WorkQueue, now: dt.datetime, report: DeliveryReport) -> None:
        while (job := queue.take()) is not None:
            with self._lock:
                paused = now < self.paused_until.get(job.workspace_id, now)
                if paused:
                    report.paused += 1
            if paused:
                continue
            try:
                self._deliver_one(job, now, report)
            except RateLimited:
                queue.put_back(job)
            except Exception:  # one message's bug must not stop the others going out
                log.exception("could not deliver notification %s", job.notification_id)

    def _deliver_one(self, job: Job, now: dt.datetime, report: DeliveryReport) -> None:
        """Claim, read, post, record: two short writes around the posts (and one more after
        each part of a message that takes several), so a crash at any point leaves a claim
        that lapses and a ledger key to look for in the channel's history."""
        notification_id, workspace_id = job.notification_id, job.workspace_id
        client = self.clients(job.team_id)
        with self.uow() as uow:
            if not outbox.claim(uow, notification_id, self.worker, now, self.lease):
                return
            uow.commit()
        try:
            with self.uow() as uow:
                sending, composed = read_claimed(uow, notification_id, now)
            message = outgoing(composed) if composed is not None else None
        except Exception:  # a bug in one message must not stop the others going out
            log.exception("could not render notification %s", notification_id)
            self._defer(notification_id, MAX_ATTEMPTS - 1, "render error", now, report)
            return
        if message is None:  # nothing left to say (e.g. every action completed since 09:00)
            self._record(notification_id, outbox.DROPPED, now, report, error="nothing to send")
            return
        if not message.parts and not message.files:  # nobody to tell: only edits to make
            self._record(notification_id, outbox.SENT, now, report)
            self._apply_edits(client, message)
            return
        attempts, done_parts, known_ts = sending.attempts, set(sending.parts_sent), sending.ts
        try:
            channel = sending.channel or self._open_dm(client, sending.dm_user)
            if attempts > 1:
                found = self._already_posted(client, channel, sending.key)
                if found:
                    with self._lock:
                        report.recovered += 1
                    done_parts |= set(found)
                    known_ts = known_ts or found.get(0)
            posted = self._post_parts(
                client, notification_id, channel, sending.key, message, done_parts
            )
            first_ts = known_ts or posted  # the first part's, whichever attempt posted it
            self._upload_files(client, channel, message, first_ts, notification_id, done_parts)
        except Unlinked:
            self._fail(notification_id, "unlinked", now, report)
            return
        except SlackApiError as error:
            code = str(error.response.get("error", "")) if error.response else ""
            status = error.response.status_code if error.response is not None else 0
            if status == 429 or code == "ratelimited":
                # Nothing was posted by this call: the claim goes back untouched, and this
                # workspace's calls of this method wait as long as Slack asked.
                self.budget.hold(workspace_id, method_of(error), retry_after(error))
                with self.uow() as uow:
                    outbox.release(uow, notification_id, "ratelimited")
                    uow.commit()
                raise RateLimited() from error
            if code in TOKEN_ERRORS:
                self._pause(workspace_id, notification_id, code, now, report)
            elif is_permanent(status, code):
                self._fail(notification_id, code or f"http_{status}", now, report)
            else:
                self._defer(notification_id, attempts, f"{status} {code}", now, report)
            return
        except (SlackClientError, OSError) as error:
            self._defer(notification_id, attempts, type(error).__name__, now, report)
            return
        self._record(notification_id, outbox.SENT, now, report, channel=channel, ts=first_ts)
        self._apply_edits(client, message)
        with self._lock:
            resumed = self.paused_until.pop(workspace_id, None) is not None
        if resumed:
            log.warning(
                "Slack accepts the bot token again: delivery for workspace %s resumed", workspace_id
            )

    def _record(
        self,
        notification_id: int,
        state: outbox.State,
        now: dt.datetime,
        report: DeliveryReport,
        **details: Any,
    ) -> None:
        """The end of a delivery: sent (with where, and the first part's ts) or dropped."""
        with self.uow() as uow:
            outbox.mark(uow, notification_id, state, now, **details)
            uow.commit()
        with self._lock:
            if state == outbox.SENT:
                report.sent += 1
            else:
                report.dropped += 1

    def _pause(
        self,
        workspace_id: int | None,
        notification_id: int,
        code: str,
        now: dt.datetime,
        report: DeliveryReport,
    ) -> None:
        """The token is dead: hold this workspace's messages (this one untouched, not counted
        as an attempt) and ask Slack again in a while."""
        with self.uow() as uow:
            outbox.release(uow, notification_id, code)
            uow.commit()
        with self._lock:
            first = workspace_id not in self.paused_until
            self.paused_until[workspace_id] = now + TOKEN_PAUSE
            report.paused += 1
        if first:
            log.error(
                "Slack refused the bot token (%s): the app looks uninstalled or its token is "
                "no longer valid. Delivery for workspace %s is paused; reinstall the app or set "
                "SLACK_BOT_TOKEN, and held messages go out (the same day) once Slack accepts it.",
                code,
                workspace_id,
            )

    def _open_dm(self, client: WebClient, slack_user_id: str | None) -> str:
        if not slack_user_id:
            raise Unlinked()
        response = client.conversations_open(users=slack_user_id)
        return str(response["channel"]["id"])

    def _post_parts(
        self,
        client: WebClient,
        notification_id: int,
        channel: str,
        key: str,
        outgoing: Outgoing,
        done_parts: set[int],
    ) -> str | None:
        first_ts: str | None = None
        for index, blocks in enumerate(outgoing.parts):
            if index in done_parts:
                continue
            response = client.chat_postMessage(
                channel=channel,
                text=outgoing.text if index == 0 else f"{outgoing.text} (continued)",
                blocks=blocks or None,  # a text-only message has none
                unfurl_links=False,
                unfurl_media=False,
                metadata={
                    "event_type": NOTIFICATION_EVENT,
                    "event_payload": {"key": key, "part": index},
                },
            )
            ts = str(response["ts"])
            first_ts = first_ts or ts
            done_parts.add(index)
            if len(done_parts & set(range(len(outgoing.parts)))) < len(outgoing.parts):
                # more to post: what is out is recorded, so a retry posts only the rest
                with self.uow() as uow:
                    outbox.remember_parts(uow, notification_id, done_parts, first_ts)
                    uow.commit()
        return first_ts

    def _apply_edits(self, client: WebClient, outgoing: Outgoing) -> None:
        """Earlier messages brought up to date; one that can't be is left as it was."""
        for edit in outgoing.edits:
            try:
                client.chat_update(channel=edit.channel, ts=edit.ts, **edit.message)
            except (SlackApiError, SlackClientError, OSError):
                log.exception("could not update message %s in %s", edit.ts, edit.channel)

    def _upload_files(
        self,
        client: WebClient,
        channel: str,
        outgoing: Outgoing,
        thread_ts: str | None,
        notification_id: int,
        done_parts: set[int],
    ) -> None:
        for index, upload in enumerate(outgoing.files):
            marker = 1000 + index
            if marker in done_parts:
                continue
            where = thread_ts if upload.in_thread else None
            try:
                client.files_upload_v2(
                    channel=channel,
                    content=upload.content,
                    filename=upload.filename,
                    title=upload.title,
                    thread_ts=where,
                    alt_txt=upload.slack_alt_text,
                )
            except (SlackApiError, SlackClientError, OSError) as error:
                if not upload.optional:
                    raise
                # A chart Slack won't take (no files:write, a failed upload): its words instead.
                code = error.response.get("error") if isinstance(error, SlackApiError) else error
                log.warning("chart %s not uploaded (%s); posting its words", upload.filename, code)
                client.chat_postMessage(
                    channel=channel, thread_ts=thread_ts, text=upload.alt_text or upload.title
                )
            done_parts.add(marker)
            with self.uow() as uow:
                outbox.remember_parts(uow, notification_id, done_parts, None)
                uow.commit()

    def _already_posted(self, client: WebClient, channel: str, key: str) -> dict[int, str]:
        """Parts of this notification (part → ts) that reached Slack in an earlier attempt."""
        found: dict[int, str] = {}
        cursor = None
        for _ in range(5):
            response = client.conversations_history(
                channel=channel, include_all_metadata=True, limit=200, cursor=cursor
            )
            messages: list[dict[str, Any]] = response.get("messages", [])
            for message in messages:
                metadata: dict[str, Any] = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == NOTIFICATION_EVENT and payload.get("key") == key:
                    found[int(payload.get("part", 0))] = str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return found

    def _fail(
        self, notification_id: int, error: str, now: dt.datetime, report: DeliveryReport
    ) -> None:
        with self.uow() as uow:
            outbox.fail(uow, notification_id, error, now)
            uow.commit()
        log.warning("notification %s failed permanently: %s", notification_id, error)
        with self._lock:
            report.failed += 1
            report.errors.append(error)

    def _defer(
        self,
        notification_id: int,
        attempts: int,
        error: str,
        now: dt.datetime,
        report: DeliveryReport,
    ) -> None:
        """A transient failure: try again later (after checking Slack's history first)."""
        gave_up = attempts >= MAX_ATTEMPTS
        with self.uow() as uow:
            if gave_up:
                outbox.mark(uow, notification_id, outbox.FAILED, now, error=f"gave up: {error}")
            else:
                retry_at = now + dt.timedelta(seconds=self.retry_delay(attempts))
                outbox.mark(
                    uow, notification_id, outbox.PENDING, now, error=error, retry_at=retry_at
                )
            uow.commit()
        with self._lock:
            if gave_up:
                report.failed += 1
            else:
                report.deferred += 1
        log.info("notification %s deferred after %s", notification_id, error)
