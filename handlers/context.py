"""Middleware: every request learns who is acting (workspace + person) before any listener runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import select

from bot.app import Services
from bot.core.plans import Actor, person_for_slack_user, workspace_for_team
from db.models import Person

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    @app.middleware
    def attach_actor(context: BoltContext, client: WebClient, next: Callable[[], Any]) -> Any:
        context["services"] = services
        if context.team_id:
            context["actor"] = resolve_actor(services, client, context.team_id, context.user_id)
        return next()


def resolve_actor(
    services: Services, client: WebClient, team_id: str, user_id: str | None
) -> Actor:
    """The acting person, made from the Slack profile the first time they are seen."""
    now = services.clock.now()
    with services.uow() as uow:
        workspace_id = workspace_for_team(uow, team_id, now)
        person_id = None
        if user_id:
            person_id = uow.session.scalar(
                select(Person.id).where(
                    Person.workspace_id == workspace_id, Person.slack_user_id == user_id
                )
            )
        uow.commit()
    if user_id is None or person_id is not None:
        return Actor(workspace_id, person_id)
    profile = slack_profile(client, user_id)
    with services.uow() as uow:
        person = person_for_slack_user(uow, workspace_id, user_id, **profile)
        uow.commit()
        return Actor(workspace_id, person.id)


def slack_profile(client: WebClient, user_id: str) -> dict[str, str | None]:
    """Name, job title, email and timezone from users.info (empty when Slack won't say)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        log.warning("users.info failed for %s; using the id as the name", user_id)
        return {"name": None, "title": None, "email": None, "timezone": None}
    profile = user.get("profile") or {}
    return {
        "name": profile.get("real_name") or user.get("real_name") or user.get("name"),
        "title": profile.get("title") or None,
        "email": profile.get("email") or None,
        "timezone": user.get("tz") or None,
    }
