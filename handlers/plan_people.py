"""Slack's side of people for `/plan`: profiles of mentioned users, and finding an imported
owner in the Slack directory (users.lookupByEmail, then exact names over users.list)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.services import Services
from bot.services.admin import known_slack_users
from bot.services.linking import (
    DirectoryMatch,
    LinkingOutcome,
    SlackProfile,
    UnlinkedOwner,
    link_matches,
    match_by_name,
    unlinked_owners,
)
from bot.services.plans import Actor

log = logging.getLogger(__name__)

DIRECTORY_PAGE = 200


def profile_from_user(user: Mapping[str, Any]) -> SlackProfile:
    """A SlackProfile from a Slack user object."""
    profile = user.get("profile") or {}
    return SlackProfile(
        user_id=str(user["id"]),
        name=profile.get("real_name") or user.get("real_name") or user.get("name") or None,
        display_name=profile.get("display_name") or None,
        title=profile.get("title") or None,
        email=profile.get("email") or None,
        timezone=user.get("tz") or None,
    )


def fetch_profiles(
    services: Services, client: WebClient, actor: Actor, user_ids: Sequence[str]
) -> dict[str, SlackProfile]:
    """Profiles of mentioned users; users.info is asked only about people the bot doesn't know."""
    wanted = list(dict.fromkeys(user_ids))
    with services.uow() as uow:
        known = known_slack_users(uow, actor.workspace_id, wanted)
    return {
        user_id: SlackProfile(user_id) if user_id in known else _users_info(client, user_id)
        for user_id in wanted
    }


def _users_info(client: WebClient, user_id: str) -> SlackProfile:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            raise UserError(
                "I can't find one of those people in Slack. Pick them from the @-menu."
            ) from None
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return SlackProfile(user_id)
    if user.get("deleted"):
        raise UserError(f"{_name(user)}'s Slack account is deactivated; choose someone else.")
    if user.get("is_bot") or user_id == "USLACKBOT":
        raise UserError(f"{_name(user)} is a bot; choose a person.")
    return profile_from_user(user)


def _name(user: Mapping[str, Any]) -> str:
    return str(profile_from_user(user).name or "That person")


def link_plan_owners(
    services: Services, client: WebClient, actor: Actor, plan_id: int, now: dt.datetime
) -> LinkingOutcome:
    """After an import: link the plan's unlinked owners by email, then by exact name.

    The import is already saved, so a failure here only leaves owners for an admin to link.
    """
    with services.uow() as uow:
        owners = unlinked_owners(uow, actor, [plan_id])
    if not owners:
        return LinkingOutcome([], [], [])
    matches: list[DirectoryMatch] = []
    ambiguous: list[str] = []
    failed = False
    try:
        by_name: list[UnlinkedOwner] = []
        for owner in owners:
            found = _lookup_by_email(client, owner.email) if owner.email else None
            if found is not None:
                matches.append(DirectoryMatch(owner.person_id, found, "email"))
            else:
                by_name.append(owner)
        if by_name:
            named, ambiguous = match_by_name(by_name, directory(client))
            matches += named
    except SlackApiError as error:
        log.warning("looking owners up in Slack failed: %s", error.response.get("error"))
        failed = True
    try:
        with services.uow() as uow:
            linked = link_matches(uow, actor, matches, now)
            waiting = unlinked_owners(uow, actor, [plan_id])
            uow.commit()
    except Exception:
        log.exception("linking the owners of plan %s failed", plan_id)
        return LinkingOutcome([], owners, ambiguous, lookup_failed=True)
    return LinkingOutcome(linked, waiting, ambiguous, lookup_failed=failed)


def _lookup_by_email(client: WebClient, email: str) -> SlackProfile | None:
    try:
        user = client.users_lookupByEmail(email=email)["user"]
    except SlackApiError as error:
        if error.response.get("error") == "users_not_found":
            return None
        raise
    if user.get("deleted") or user.get("is_bot"):
        return None
    return profile_from_user(user)


def directory(client: WebClient) -> Iterator[SlackProfile]:
    """Every active person in the workspace (users.list, page by page)."""
    cursor: str | None = None
    while True:
        page = client.users_list(limit=DIRECTORY_PAGE, cursor=cursor)
        for user in page.get("members") or []:
            if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
                continue
            yield profile_from_user(user)
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return
