"""The emulated workspace's state, shared by the Web API and the "as a user" actions.

One re-entrant lock guards everything; ``changed`` is notified after every change so that
tests (and the sandbox console) can wait for the bot's asynchronous work.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.blocks import EmulatorError, fill_ids
from bot.sandbox.model import ApiCall, Channel, Message, SentRequest, StoredFile, User, View
from bot.sandbox.slack_requests import Workspace

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60  # seconds a response_url works for


class ApiError(Exception):
    """A Web API error answer: ``{"ok": false, "error": <error>, **extra}``."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> dict[str, Any]:
        return {"ok": False, "error": self.error, **self.extra}


@dataclass
class Trigger:
    user_id: str
    issued: float  # time.monotonic()
    used: bool = False


@dataclass
class ResponseTarget:
    """Where a response_url posts: the person and conversation, and the message acted on."""

    kind: str  # "commands" or "actions"
    user_id: str
    channel: str
    source: tuple[str, str, str | None] | None = None  # Message.key of the clicked message
    thread_ts: str | None = None
    uses: int = 0
    message_keys: list[tuple[str, str, str | None]] = field(default_factory=list)
    issued: float = 0.0  # the emulator clock when Slack sent it


class SlackState:
    """Users, channels, messages, files, views and logs of one emulated workspace."""

    def __init__(self, ws: Workspace, clock: Callable[[], float] = time.time) -> None:
        self.ws = ws
        self.clock = clock
        self.base_url = ""
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self.files: dict[str, StoredFile] = {}
        self.views: dict[str, View] = {}
        self.modal_stacks: dict[str, list[str]] = {}
        self.home_views: dict[str, str] = {}
        self.triggers: dict[str, Trigger] = {}
        self.response_targets: dict[str, ResponseTarget] = {}
        self.uploads: dict[str, str] = {}  # upload token -> file id
        self.calls: list[ApiCall] = []
        self.sent: list[SentRequest] = []
        self._counter = itertools.count(1)
        self._last_ts_us = 0
        self.trigger_ttl = 3.0
        self.users[ws.bot_user_id] = User(
            id=ws.bot_user_id, name=ws.bot_name, real_name=ws.bot_name, is_bot=True
        )

    # ------------------------------------------------------------------ ids and time

    def now(self) -> float:
        return self.clock()

    def next_ts(self) -> str:
        """A message timestamp: the clock in microseconds, strictly increasing."""
        with self.lock:
            us = int(self.clock() * 1_000_000)
            if us <= self._last_ts_us:
                us = self._last_ts_us + 1
            self._last_ts_us = us
            return f"{us // 1_000_000}.{us % 1_000_000:06d}"

    def next_number(self) -> int:
        with self.lock:
            return next(self._counter)

    def new_id(self, prefix: str) -> str:
        """A Slack-looking id, unique in this workspace: ``V0000000007``."""
        return f"{prefix}{self.next_number():010d}"

    def short_id(self) -> str:
        """A block_id / action_id / hash fragment like the ones Slack makes up."""
        n = self.next_number()
        return hashlib.sha1(f"{self.ws.team_id}:{n}".encode()).hexdigest()[:5]

    def new_trigger(self, user_id: str) -> str:
        with self.lock:
            n = self.next_number()
            digest = hashlib.sha1(f"trigger:{n}".encode()).hexdigest()[:32]
            trigger_id = f"{n}.{self.ws.team_id[1:]}.{digest}"
            self.triggers[trigger_id] = Trigger(user_id=user_id, issued=time.monotonic())
            return trigger_id

    def use_trigger(self, trigger_id: str | None) -> str:
        """The user a trigger was issued to; a trigger works once, for ``trigger_ttl`` s."""
        with self.lock:
            trigger = self.triggers.get(trigger_id or "")
            if trigger is None:
                raise ApiError("invalid_trigger_id")
            if trigger.used:
                raise ApiError("exchanged_trigger_id")
            if time.monotonic() - trigger.issued > self.trigger_ttl:
                raise ApiError("expired_trigger_id")
            trigger.used = True
            return trigger.user_id

    def new_response_url(self, target: ResponseTarget) -> str:
        with self.lock:
            n = self.next_number()
            token = hashlib.sha1(f"response:{n}".encode()).hexdigest()[:24]
            target.issued = self.now()
            self.response_targets[token] = target
            return f"{self.base_url}/{target.kind}/{self.ws.team_id}/{n}/{token}"

    def view_hash(self) -> str:
        return f"{self.next_ts()}.{self.short_id()}{self.short_id()}"

    def fill_ids(self, blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return fill_ids(blocks, self.short_id)

    # ------------------------------------------------------------------ directory

    def notify(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def user(self, user_id: str | None) -> User:
        found = self.users.get(user_id or "")
        if found is None:
            raise ApiError("user_not_found")
        return found

    def human(self, user_id: str) -> User:
        """A person in the directory (not the bot)."""
        found = self.users.get(user_id)
        if found is None or found.is_bot:
            known = ", ".join(sorted(u for u, v in self.users.items() if not v.is_bot))
            raise EmulatorError(f"no sandbox user {user_id!r} (known: {known or 'none'})")
        return found

    def dm(self, user_id: str) -> Channel:
        """The bot's DM with ``user_id``, created on first use: ``D`` + the rest of the user id
        (``UJANE00000`` → ``DJANE00000``), or a fresh ``D…`` id when that one is taken."""
        with self.lock:
            self.user(user_id)
            existing = self.dm_if_open(user_id)
            if existing is not None:
                return existing
            channel_id = f"D{user_id[1:]}"
            if channel_id in self.channels:
                channel_id = self.new_id("D")
            channel = Channel(
                id=channel_id,
                name=channel_id,
                is_im=True,
                user=user_id,
                created=int(self.clock()),
            )
            self.channels[channel_id] = channel
            return channel

    def dm_if_open(self, user_id: str) -> Channel | None:
        with self.lock:
            channel = self.channels.get(f"D{user_id[1:]}")
            if channel is not None and channel.user == user_id:
                return channel
            for channel in self.channels.values():  # a U and a W id clashed: a fresh D… id
                if channel.is_im and channel.user == user_id:
                    return channel
            return None

    def conversation(self, ref: str | None) -> Channel:
        """A channel by id, by ``#name`` / name, or a user id meaning the DM with them."""
        with self.lock:
            if not ref:
                raise ApiError("channel_not_found")
            if ref in self.channels:
                return self.channels[ref]
            if ref in self.users and not self.users[ref].is_bot:
                return self.dm(ref)
            if ref.startswith("D"):  # every person has a DM with the bot, opened or not
                for prefix in "UW":
                    person = self.users.get(prefix + ref[1:])
                    if person is not None and not person.is_bot:
                        return self.dm(person.id)
            name = ref.removeprefix("#")
            for channel in self.channels.values():
                if not channel.is_im and channel.name == name:
                    return channel
            raise ApiError("channel_not_found")

    def channel_types(self) -> dict[str, str]:
        return {c.id: c.channel_type for c in self.channels.values()}

    # ------------------------------------------------------------------ messages

    def add_message(self, message: Message) -> Message:
        with self.lock:
            message.blocks = self.fill_ids(message.blocks)
            self.messages.append(message)
            self.notify()
            return message

    def find_message(self, key: tuple[str, str, str | None]) -> Message | None:
        channel, ts, ephemeral_to = key
        with self.lock:
            for message in reversed(self.messages):
                if (
                    message.channel == channel
                    and message.ts == ts
                    and message.ephemeral_to == ephemeral_to
                    and not message.deleted
                ):
                    return message
            return None

    def file_dict(self, stored: StoredFile) -> dict[str, Any]:
        return stored.to_slack(self.ws, self.base_url, self.channel_types())

    # ------------------------------------------------------------------ views

    def modal_stack(self, user_id: str) -> list[str]:
        return self.modal_stacks.setdefault(user_id, [])

    def top_modal(self, user_id: str) -> View | None:
        stack = self.modal_stacks.get(user_id) or []
        return self.views[stack[-1]] if stack else None

    def view_by_ref(self, view_id: str | None, external_id: str | None) -> View:
        with self.lock:
            if view_id:
                view = self.views.get(view_id)
                if view is not None and not view.closed:
                    return view
            elif external_id:
                for view in self.views.values():
                    if view.external_id == external_id and not view.closed:
                        return view
            raise ApiError("not_found")

    def new_view(
        self,
        user_id: str,
        definition: dict[str, Any],
        *,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> View:
        with self.lock:
            view_id = self.new_id("V")
            definition = dict(definition)
            definition["blocks"] = self.fill_ids(list(definition.get("blocks") or []))
            view = View(
                id=view_id,
                user_id=user_id,
                definition=definition,
                hash=self.view_hash(),
                root_view_id=root_view_id or view_id,
                previous_view_id=previous_view_id,
            )
            self.views[view_id] = view
            return view

    def replace_view(self, view: View, definition: dict[str, Any]) -> View:
        with self.lock:
            definition = dict(definition)
            definition["blocks"] = self.fill_ids(list(definition.get("blocks") or []))
            view.definition = definition
            view.hash = self.view_hash()
            kept = {input_block.get("block_id") for input_block in view.blocks}
            values = view.state.get("values", {})
            view.state = {"values": {k: v for k, v in values.items() if k in kept}}
            self.notify()
            return view

    def close_modal(self, user_id: str, *, all_views: bool = False) -> list[View]:
        """Close the top modal (or the whole stack); returns the closed views, top first."""
        with self.lock:
            stack = self.modal_stack(user_id)
            closed: list[View] = []
            while stack:
                view = self.views[stack.pop()]
                view.closed = True
                closed.append(view)
                if not all_views:
                    break
            self.notify()
            return closed
