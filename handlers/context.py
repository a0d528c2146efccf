"""Middleware: every request learns who is acting (workspace + person) before any listener runs,
and its text loses any control characters (bot.core.text.clean_text).

Nothing here may hold up the ack: Slack gives the app 3 seconds, and a person who sees
`operation_timeout` tries again. So a first-time user's profile is asked of Slack once, with
no retries and a short timeout; when Slack is slow or refuses, the person is made from what
is known (their Slack user id) and the profile is asked for again on their next request.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.core.errors import UserError
from bot.core.text import clean_payload
from bot.services import Services
from bot.services.linking import SlackProfile
from bot.services.plans import Actor
from handlers.plan_people import profile_from_user

log = logging.getLogger(__name__)

# How long a request may wait for users.info: the ack must not wait on Slack much longer.
PROFILE_TIMEOUT = 1


class KnownActors:
    """Slack (team, user) → Actor, remembered once resolved.

    Safe because nothing re-points them: workspaces are never deleted, and a person linked to
    a Slack user is never deleted either (merging people deletes the unlinked duplicate and
    keeps the linked one). Saves a database transaction on every request.
    """

    def __init__(self, limit: int = 10_000) -> None:
        self._known: OrderedDict[tuple[str, str], Actor] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def get(self, team_id: str, user_id: str) -> Actor | None:
        with self._lock:
            actor = self._known.get((team_id, user_id))
            if actor is not None:
                self._known.move_to_end((team_id, user_id))
            return actor

    def remember(self, team_id: str, user_id: str, actor: Actor) -> None:
        if actor.person_id is None:
            return
        with self._lock:
            self._known[(team_id, user_id)] = actor
            while len(self._known) > self._limit:
                self._known.popitem(last=False)


def register(app: App, services: Services) -> None:
    known = KnownActors()
    people = services.people

    @app.middleware
    def attach_actor(
        body: dict[str, Any], context: BoltContext, client: WebClient, next: Callable[[], Any]
    ) -> Any:
        clean_payload(body)  # every listener reads text without control characters
        team_id, user_id = context.team_id, context.user_id
        if team_id:
            actor = known.get(team_id, user_id) if user_id else None
            if actor is None:
                try:
                    actor, complete = people.resolve_actor(
                        team_id,
                        user_id,
                        services.clock.now(),
                        lambda user: slack_profile(client, user),
                    )
                except UserError as error:  # e.g. the database is busy: the listener says so
                    context["actor_error"] = error
                    return next()
                if user_id and complete:
                    known.remember(team_id, user_id, actor)
            context["actor"] = actor
        return next()


def quick_client(client: WebClient) -> WebClient:
    """The same Slack connection with no retries and a short timeout, for use before an ack."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=PROFILE_TIMEOUT,
        ssl=client.ssl,
        proxy=client.proxy,
        headers=client.headers,
        retry_handlers=[],
    )


def slack_profile(client: WebClient, user_id: str) -> SlackProfile:
    """Name, job title, email and timezone from users.info (empty when Slack won't say soon)."""
    try:
        user = quick_client(client).users_info(user=user_id)["user"]
    except (SlackApiError, SlackClientError, OSError) as error:
        log.warning("users.info for %s: %s; using the id as the name for now", user_id, error)
        return SlackProfile(user_id)
    return profile_from_user({**user, "id": user_id})
