"""Slack's side of people for `/plan`: profiles of mentioned users, and the Slack directory an
import's owners are looked up in (users.lookupByEmail, then exact names over users.list)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.services.linking import DirectoryUnavailable, SlackProfile

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


def users_info(client: WebClient, user_id: str) -> SlackProfile:
    """A mentioned person's profile; refused when they are no person (a bot, deactivated)."""
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


class SlackDirectory:
    """The workspace's people as `bot.services.linking.Directory` asks for them."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def by_email(self, email: str) -> SlackProfile | None:
        try:
            user = self.client.users_lookupByEmail(email=email)["user"]
        except SlackApiError as error:
            if error.response.get("error") == "users_not_found":
                return None
            raise _unavailable(error) from None
        if user.get("deleted") or user.get("is_bot"):
            return None
        return profile_from_user(user)

    def everyone(self) -> Iterator[SlackProfile]:
        """Every active person in the workspace (users.list, page by page)."""
        cursor: str | None = None
        while True:
            try:
                page = self.client.users_list(limit=DIRECTORY_PAGE, cursor=cursor)
            except SlackApiError as error:
                raise _unavailable(error) from None
            for user in page.get("members") or []:
                if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
                    continue
                yield profile_from_user(user)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return


def _unavailable(error: SlackApiError) -> DirectoryUnavailable:
    log.warning("looking owners up in Slack failed: %s", error.response.get("error"))
    return DirectoryUnavailable(str(error.response.get("error")))
