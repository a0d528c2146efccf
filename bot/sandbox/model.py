"""What the emulated workspace holds: people, channels, messages, files, views, API calls."""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.sandbox.blocks import ActionRef, action_refs, block_lines, find_action, input_elements
from bot.sandbox.slack_requests import Workspace

# Slack's ids: a capital letter saying what the id names, then 8 to 10 capitals or digits.
_SLACK_ID = re.compile(r"[A-Z][A-Z0-9]{8,10}")
_ID_EXAMPLES = {
    "U": ("user", "UJANE00000"),
    "C": ("channel", "CBOARD0000"),
    "T": ("team", "T00SANDBOX"),
}


def slack_id_problem(value: str, prefixes: str) -> str | None:
    """Why ``value`` cannot be a Slack id starting with one of ``prefixes``; None when it can."""
    if _SLACK_ID.fullmatch(value) and value[0] in prefixes:
        return None
    kind, example = _ID_EXAMPLES.get(prefixes[0], ("Slack", prefixes[0] + "000000001"))
    return (
        f"{value!r} is not a Slack {kind} id: Slack's start with {' or '.join(prefixes)}, "
        f"then 8 to 10 capital letters or digits, like {example!r}"
    )


@dataclass
class User:
    id: str
    name: str
    real_name: str
    email: str | None = None
    tz: str = DEFAULT_TIMEZONE
    is_admin: bool = False
    deleted: bool = False
    title: str = ""
    is_bot: bool = False
    display_name: str = ""

    def to_slack(self, ws: Workspace, now: float) -> dict[str, Any]:
        """The ``user`` object of users.info / users.list."""
        zone = ZoneInfo(self.tz)
        local = dt.datetime.fromtimestamp(now, zone)
        offset = local.utcoffset() or dt.timedelta(0)
        profile: dict[str, Any] = {
            "title": self.title,
            "phone": "",
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.display_name,
            "display_name_normalized": self.display_name,
            "status_text": "",
            "status_emoji": "",
            "team": ws.team_id,
        }
        if self.email is not None and not self.is_bot:
            profile["email"] = self.email
        if self.is_bot:
            profile["bot_id"] = ws.bot_id
            profile["api_app_id"] = ws.api_app_id
        return {
            "id": self.id,
            "team_id": ws.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": local.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()),
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(now),
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    user: str | None = None  # the person, for a DM with the bot
    members: set[str] | None = None  # None: everyone in the workspace
    bot_is_member: bool = True
    created: int = 0

    def has_member(self, user_id: str) -> bool:
        if self.is_im:
            return user_id == self.user
        return self.members is None or user_id in self.members

    @property
    def channel_type(self) -> str:
        """The ``channel_type`` of message events in this conversation."""
        if self.is_im:
            return "im"
        return "group" if self.is_private else "channel"

    def to_slack(self, ws: Workspace) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": ws.team_id,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": False,
            "name_normalized": self.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_member": self.bot_is_member,
            "context_team_id": ws.team_id,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass
class Message:
    """A message as people in the workspace see it (ephemeral ones only to ``ephemeral_to``)."""

    channel: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] = field(default_factory=list)
    user: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    ephemeral_to: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    source: str = "chat.postMessage"
    edited: bool = False
    deleted: bool = False

    @property
    def is_ephemeral(self) -> bool:
        return self.ephemeral_to is not None

    @property
    def from_bot(self) -> bool:
        return self.bot_id is not None

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.channel, self.ts, self.ephemeral_to)

    def lines(self) -> list[str]:
        """Visible text: the blocks' text when there are blocks, else ``text``."""
        if self.blocks:
            return block_lines(self.blocks)
        return [self.text] if self.text else []

    def all_text(self) -> str:
        """``text`` and every visible text in the blocks, one per line (handy for asserts)."""
        parts = [self.text] if self.text else []
        parts.extend(line for line in block_lines(self.blocks) if line != self.text)
        return "\n".join(parts)

    def actions(self) -> list[ActionRef]:
        return action_refs(self.blocks)

    def action(self, key: str | ActionRef) -> ActionRef:
        return find_action(self.blocks, key)

    def to_slack(self, ws: Workspace) -> dict[str, Any]:
        """The message object as it appears in payloads and conversations.history."""
        msg: dict[str, Any] = {"type": "message"}
        if self.bot_id is not None:
            if self.user is None:
                msg["subtype"] = "bot_message"
            msg["bot_id"] = self.bot_id
            msg["app_id"] = ws.api_app_id
        msg["text"] = self.text
        if self.user is not None:
            msg["user"] = self.user
        msg["ts"] = self.ts
        msg["team"] = ws.team_id
        if self.blocks:
            msg["blocks"] = self.blocks
        if self.attachments:
            msg["attachments"] = self.attachments
        if self.files:
            msg["files"] = self.files
            msg["upload"] = True
        if self.thread_ts is not None:
            msg["thread_ts"] = self.thread_ts
        if self.metadata is not None:
            msg["metadata"] = self.metadata
        if self.edited:
            msg["edited"] = {"user": self.user, "ts": self.ts}
        if self.reactions:
            msg["reactions"] = [
                {"name": name, "users": users, "count": len(users)}
                for name, users in self.reactions.items()
            ]
        if self.bot_id is not None:
            msg["bot_profile"] = {
                "id": ws.bot_id,
                "app_id": ws.api_app_id,
                "name": ws.bot_name,
                "deleted": False,
                "team_id": ws.team_id,
            }
        return msg


_PRETTY_TYPES = {
    "xlsx": "Excel Spreadsheet",
    "csv": "CSV",
    "md": "Markdown (raw)",
    "pdf": "PDF",
    "text": "Plain Text",
    "png": "PNG",
    "docx": "Word Document",
}


@dataclass
class StoredFile:
    id: str
    name: str
    title: str
    user: str
    created: int
    length: int | None = None  # announced in files.getUploadURLExternal
    content: bytes | None = None
    channels: list[str] = field(default_factory=list)
    initial_comment: str | None = None
    thread_ts: str | None = None
    completed: bool = False
    alt_txt: str | None = None  # an image's description for screen readers

    @property
    def filetype(self) -> str:
        suffix = PurePosixPath(self.name).suffix.lower().lstrip(".")
        return {"txt": "text", "": "binary"}.get(suffix, suffix)

    @property
    def mimetype(self) -> str:
        guessed = mimetypes.guess_type(self.name)[0]
        if guessed is None and self.filetype == "md":
            return "text/markdown"
        return guessed or "application/octet-stream"

    def url_path(self, ws: Workspace, *, download: bool = False) -> str:
        middle = "/download" if download else ""
        return f"/files-pri/{ws.team_id}-{self.id}{middle}/{self.name}"

    def to_slack(
        self, ws: Workspace, base_url: str, channel_types: dict[str, str]
    ) -> dict[str, Any]:
        """The ``file`` object of files.info, file_input state and completeUploadExternal."""
        ims = [c for c in self.channels if channel_types.get(c) == "im"]
        groups = [c for c in self.channels if channel_types.get(c) == "group"]
        public = [c for c in self.channels if channel_types.get(c) == "channel"]
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": _PRETTY_TYPES.get(self.filetype, self.filetype.upper()),
            "user": self.user,
            "user_team": ws.team_id,
            "editable": False,
            "size": len(self.content) if self.content is not None else (self.length or 0),
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": bool(public),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": base_url + self.url_path(ws),
            "url_private_download": base_url + self.url_path(ws, download=True),
            "permalink": f"{base_url}/files/{self.user}/{self.id}/{self.name}",
            "permalink_public": f"{base_url}/{ws.team_id}-{self.id}-public",
            "channels": public,
            "groups": groups,
            "ims": ims,
            "comments_count": 0,
            "is_starred": False,
            "has_rich_preview": False,
            "file_access": "visible",
            **({"alt_txt": self.alt_txt} if self.alt_txt else {}),
        }


@dataclass
class View:
    """A modal or Home tab as the emulator holds it."""

    id: str
    user_id: str
    definition: dict[str, Any]  # what the app sent: type, title, blocks, callback_id …
    hash: str
    root_view_id: str
    previous_view_id: str | None = None
    state: dict[str, Any] = field(default_factory=lambda: {"values": {}})
    closed: bool = False

    @property
    def type(self) -> str:
        return str(self.definition.get("type", ""))

    @property
    def callback_id(self) -> str:
        return str(self.definition.get("callback_id") or "")

    @property
    def external_id(self) -> str:
        return str(self.definition.get("external_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.definition.get("private_metadata") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.definition.get("blocks") or [])

    @property
    def title(self) -> str:
        title = self.definition.get("title")
        return str(title.get("text", "")) if isinstance(title, dict) else ""

    @property
    def notify_on_close(self) -> bool:
        return bool(self.definition.get("notify_on_close"))

    def lines(self) -> list[str]:
        return block_lines(self.blocks)

    def all_text(self) -> str:
        return "\n".join([self.title, *self.lines()] if self.title else self.lines())

    def actions(self) -> list[ActionRef]:
        return action_refs(self.blocks)

    def action(self, key: str | ActionRef) -> ActionRef:
        return find_action(self.blocks, key)

    def inputs(self) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(input block, element) pairs, in order."""
        return input_elements(self.blocks)

    def to_slack(self, ws: Workspace) -> dict[str, Any]:
        """The view object in API responses and interactivity payloads."""
        d = self.definition
        view: dict[str, Any] = {
            "id": self.id,
            "team_id": ws.team_id,
            "type": self.type,
            "blocks": self.blocks,
            "private_metadata": self.private_metadata,
            "callback_id": self.callback_id,
            "state": self.state,
            "hash": self.hash,
            "title": d.get("title"),
            "clear_on_close": bool(d.get("clear_on_close")),
            "notify_on_close": self.notify_on_close,
            "close": d.get("close"),
            "submit": d.get("submit"),
            "previous_view_id": self.previous_view_id,
            "root_view_id": self.root_view_id,
            "app_id": ws.api_app_id,
            "external_id": self.external_id,
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        if self.type == "home":
            for key in ("close", "submit", "clear_on_close", "notify_on_close"):
                view.pop(key)
        return view


@dataclass(frozen=True)
class ApiCall:
    """One Web API call the bot made, with the answer it got."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    response: dict[str, Any]
    team: str = ""  # the workspace whose token made it

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.ok else str(self.response.get("error", f"http_{self.status}"))


@dataclass(frozen=True)
class SentRequest:
    """A request the emulator sent to the app, and what the app answered."""

    kind: str  # slash_command, block_actions, view_submission, view_closed, event_callback …
    url: str
    body: bytes
    headers: dict[str, str]
    status: int
    response_body: str
    response_headers: dict[str, str]
    time: float
    elapsed: float
