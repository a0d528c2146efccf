"""The Slack Web API methods the bot calls, answered from :class:`SlackState`.

Each handler takes the state and the call's parameters and returns the JSON answer, or raises
:class:`ApiError` for ``{"ok": false, "error": …}``. Handlers run under the state lock.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from bot.sandbox.blocks import MAX_MESSAGE_TEXT, message_refusal, view_errors
from bot.sandbox.model import Channel, Message, StoredFile, View
from bot.sandbox.state import ApiError, SlackState


class Params:
    """A call's parameters: query string, form fields, multipart fields or a JSON body."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def text(self, name: str, *, required: bool = False) -> str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise ApiError("invalid_arguments", response_metadata=_messages(f"{name} missing"))
            return None
        if isinstance(value, bytes):
            return value.decode()
        return value if isinstance(value, str) else json.dumps(value)

    def required(self, name: str) -> str:
        value = self.text(name, required=True)
        assert value is not None
        return value

    def json(self, name: str) -> Any:
        value = self.data.get(name)
        if isinstance(value, str | bytes):
            if not value:
                return None
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ApiError(
                    "invalid_json", response_metadata=_messages(f"{name}: {exc}")
                ) from exc
        return value

    def flag(self, name: str) -> bool:
        value = self.data.get(name)
        if isinstance(value, str):
            return value.lower() in {"1", "true", "yes"}
        return bool(value)

    def number(self, name: str, default: int) -> int:
        value = self.data.get(name)
        if value in (None, ""):
            return default
        try:
            return int(str(value))
        except (TypeError, ValueError) as exc:
            raise ApiError("invalid_arguments", response_metadata=_messages(name)) from exc

    def items(self, name: str) -> list[str]:
        value = self.data.get(name)
        if isinstance(value, list):
            return [str(v) for v in value]
        text = self.text(name)
        return [part.strip() for part in text.split(",") if part.strip()] if text else []


Handler = Callable[[SlackState, Params], dict[str, Any]]
METHODS: dict[str, Handler] = {}


def _method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name] = handler
        return handler

    return register


def _messages(*lines: str) -> dict[str, list[str]]:
    return {"messages": [f"[ERROR] {line}" for line in lines]}


def call(state: SlackState, method: str, params: Params) -> dict[str, Any]:
    """Answer one Web API call (under the state lock); raises ApiError."""
    handler = METHODS.get(method)
    if handler is None:
        raise ApiError("unknown_method", req_method=method)
    with state.lock:
        result = handler(state, params)
        state.notify()
    return {"ok": True, **result}


# ---------------------------------------------------------------------- auth, team


@_method("auth.test")
def auth_test(s: SlackState, p: Params) -> dict[str, Any]:
    ws = s.ws
    return {
        "url": f"{s.base_url}/",
        "team": ws.team_domain,
        "user": ws.bot_name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@_method("api.test")
def api_test(s: SlackState, p: Params) -> dict[str, Any]:
    args = {k: v for k, v in p.data.items() if k != "token"}
    return {
        "args": {k: f"<{len(v)} bytes>" if isinstance(v, bytes) else v for k, v in args.items()}
    }


@_method("team.info")
def team_info(s: SlackState, p: Params) -> dict[str, Any]:
    ws = s.ws
    return {"team": {"id": ws.team_id, "name": ws.team_domain, "domain": ws.team_domain}}


# ---------------------------------------------------------------------- chat


def _check_postable(s: SlackState, channel: Channel) -> None:
    if channel.is_archived:
        raise ApiError("is_archived")
    if channel.is_im:
        # account_inactive would mean the bot's own token is for a deleted user or workspace.
        if channel.user is not None and s.user(channel.user).deleted:
            raise ApiError("user_disabled")
    elif not channel.bot_is_member:
        raise ApiError("not_in_channel")


def _content(p: Params, *, required: bool) -> tuple[str | None, list[dict[str, Any]] | None, Any]:
    text = p.text("text")
    blocks = p.json("blocks")
    attachments = p.json("attachments")
    if required and not text and not blocks and not attachments:
        raise ApiError("no_text")
    if text is not None and len(text) > MAX_MESSAGE_TEXT:
        raise ApiError("msg_too_long")
    refused = message_refusal(text, blocks)
    if refused is not None:
        error, reasons = refused
        raise ApiError(error, response_metadata=_messages(*reasons))
    return text, blocks, attachments


@_method("chat.postMessage")
def chat_post_message(s: SlackState, p: Params) -> dict[str, Any]:
    channel = s.conversation(p.required("channel"))
    _check_postable(s, channel)
    message = _new_bot_message(s, p, channel.id)
    message.metadata = p.json("metadata")  # a bad body is named before bad metadata
    message = s.add_message(message)
    return {"channel": channel.id, "ts": message.ts, "message": message.to_slack(s.ws)}


@_method("chat.postEphemeral")
def chat_post_ephemeral(s: SlackState, p: Params) -> dict[str, Any]:
    channel = s.conversation(p.required("channel"))
    user = s.user(p.required("user"))
    _check_postable(s, channel)
    if not channel.has_member(user.id):
        raise ApiError("user_not_in_channel")
    message = s.add_message(
        _new_bot_message(s, p, channel.id, ephemeral_to=user.id, source="chat.postEphemeral")
    )
    return {"message_ts": message.ts}


def _new_bot_message(s: SlackState, p: Params, channel_id: str, **extra: Any) -> Message:
    """A message the bot posts with this request's text, blocks, attachments and thread."""
    text, blocks, attachments = _content(p, required=True)
    return Message(
        channel=channel_id,
        ts=s.next_ts(),
        text=text or "",
        blocks=blocks or [],
        user=s.ws.bot_user_id,
        bot_id=s.ws.bot_id,
        thread_ts=p.text("thread_ts"),
        attachments=attachments or [],
        **extra,
    )


def _bot_message(s: SlackState, p: Params, ts_param: str = "ts") -> Message:
    channel = s.conversation(p.required("channel"))
    message = s.find_message((channel.id, p.required(ts_param), None))
    if message is None:
        raise ApiError("message_not_found")
    return message


@_method("chat.update")
def chat_update(s: SlackState, p: Params) -> dict[str, Any]:
    message = _bot_message(s, p)
    if message.bot_id != s.ws.bot_id:
        raise ApiError("cant_update_message")
    if s.channels[message.channel].is_archived:
        raise ApiError("is_archived")
    text, blocks, attachments = _content(p, required=False)
    if text is not None:
        message.text = text
    if blocks is not None:
        message.blocks = s.fill_ids(blocks)
    if attachments is not None:
        message.attachments = attachments
    message.edited = True
    return {
        "channel": message.channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_slack(s.ws),
    }


@_method("chat.delete")
def chat_delete(s: SlackState, p: Params) -> dict[str, Any]:
    message = _bot_message(s, p)
    if message.bot_id != s.ws.bot_id:
        raise ApiError("cant_delete_message")
    message.deleted = True
    return {"channel": message.channel, "ts": message.ts}


@_method("chat.getPermalink")
def chat_get_permalink(s: SlackState, p: Params) -> dict[str, Any]:
    message = _bot_message(s, p, "message_ts")
    link = f"{s.base_url}/archives/{message.channel}/p{message.ts.replace('.', '')}"
    if message.thread_ts and message.thread_ts != message.ts:
        link += f"?thread_ts={message.thread_ts}&cid={message.channel}"
    return {"channel": message.channel, "permalink": link}


@_method("reactions.add")
def reactions_add(s: SlackState, p: Params) -> dict[str, Any]:
    message = _bot_message(s, p, "timestamp")
    name = p.required("name").strip(":")
    users = message.reactions.setdefault(name, [])
    if s.ws.bot_user_id in users:
        raise ApiError("already_reacted")
    users.append(s.ws.bot_user_id)
    return {}


# ---------------------------------------------------------------------- conversations


@_method("conversations.open")
def conversations_open(s: SlackState, p: Params) -> dict[str, Any]:
    channel_id = p.text("channel")
    if channel_id:
        channel = s.conversation(channel_id)
    else:
        users = p.items("users")
        if not users:
            raise ApiError("users_list_not_supplied")
        if len(users) > 1:
            raise ApiError("not_supported", response_metadata=_messages("group DMs"))
        user = s.user(users[0])
        if user.deleted:
            raise ApiError("user_disabled")
        already = s.dm_if_open(user.id) is not None
        channel = s.dm(user.id)
        if not p.flag("return_im"):
            return {"no_op": already, "already_open": already, "channel": {"id": channel.id}}
    return {"channel": channel.to_slack(s.ws)}


@_method("conversations.info")
def conversations_info(s: SlackState, p: Params) -> dict[str, Any]:
    return {"channel": s.conversation(p.required("channel")).to_slack(s.ws)}


@_method("conversations.members")
def conversations_members(s: SlackState, p: Params) -> dict[str, Any]:
    channel = s.conversation(p.required("channel"))
    if channel.is_im:
        members = [m for m in (channel.user, s.ws.bot_user_id) if m]
    elif channel.members is None:
        members = [u.id for u in s.users.values() if not u.deleted]
    else:
        members = sorted(channel.members | ({s.ws.bot_user_id} if channel.bot_is_member else set()))
    return {"members": members, "response_metadata": {"next_cursor": ""}}


def _readable(s: SlackState, p: Params) -> Channel:
    channel = s.conversation(p.required("channel"))
    if not channel.is_im and not channel.bot_is_member:
        raise ApiError("not_in_channel")
    return channel


def _cursor_for(kind: str, key: str) -> str:
    """Slack's opaque `next_cursor`: here base64 of `kind:key`, the first item of the next page."""
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def _cursor_start(p: Params, kind: str, keys: list[str]) -> int:
    """Where the page named by the request's `cursor` starts in `keys` (0 without a cursor)."""
    cursor = p.text("cursor")
    if not cursor:
        return 0
    try:
        wanted = base64.b64decode(cursor, validate=True).decode().removeprefix(f"{kind}:")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ApiError("invalid_cursor") from exc
    if wanted not in keys:
        raise ApiError("invalid_cursor")
    return keys.index(wanted)


@_method("conversations.history")
def conversations_history(s: SlackState, p: Params) -> dict[str, Any]:
    """Newest first, a page of ``limit`` (default 100, at most 999) at a time; the next page's
    ``cursor`` is in ``response_metadata.next_cursor``. Message ``metadata`` only comes back
    with ``include_all_metadata=true``."""
    channel = _readable(s, p)
    oldest = float(p.text("oldest") or 0)
    latest = float(p.text("latest") or "inf")
    limit = min(p.number("limit", 100) or 100, 999)
    found = [
        m
        for m in reversed(s.messages)
        if m.channel == channel.id
        and not m.is_ephemeral
        and not m.deleted
        and (m.thread_ts is None or m.thread_ts == m.ts)
        and oldest < float(m.ts) < latest
    ]
    start = _cursor_start(p, "next_ts", [m.ts for m in found])
    page, rest = found[start : start + limit], found[start + limit :]
    with_metadata = p.flag("include_all_metadata")
    messages = []
    for message in page:
        shown = message.to_slack(s.ws)
        if not with_metadata:
            shown.pop("metadata", None)
        messages.append(shown)
    return {
        "messages": messages,
        "has_more": bool(rest),
        "pin_count": 0,
        "response_metadata": {"next_cursor": _cursor_for("next_ts", rest[0].ts) if rest else ""},
    }


@_method("conversations.replies")
def conversations_replies(s: SlackState, p: Params) -> dict[str, Any]:
    channel = _readable(s, p)
    parent_ts = p.required("ts")
    thread = [
        m
        for m in s.messages
        if m.channel == channel.id
        and not m.is_ephemeral
        and not m.deleted
        and (m.ts == parent_ts or m.thread_ts == parent_ts)
    ]
    if not thread:
        raise ApiError("thread_not_found")
    return {
        "messages": [m.to_slack(s.ws) for m in thread],
        "has_more": False,
        "response_metadata": {"next_cursor": ""},
    }


# ---------------------------------------------------------------------- users


@_method("users.info")
def users_info(s: SlackState, p: Params) -> dict[str, Any]:
    return {"user": s.user(p.required("user")).to_slack(s.ws, s.now())}


@_method("users.list")
def users_list(s: SlackState, p: Params) -> dict[str, Any]:
    users = list(s.users.values())
    start = _cursor_start(p, "user", [u.id for u in users])
    limit = p.number("limit", 0) or len(users)
    page = users[start : start + limit]
    rest = users[start + limit :]
    return {
        "members": [u.to_slack(s.ws, s.now()) for u in page],
        "cache_ts": int(s.now()),
        "response_metadata": {"next_cursor": _cursor_for("user", rest[0].id) if rest else ""},
    }


@_method("users.lookupByEmail")
def users_lookup_by_email(s: SlackState, p: Params) -> dict[str, Any]:
    email = p.required("email").strip().lower()
    for user in s.users.values():
        if user.email is not None and user.email.lower() == email:
            return {"user": user.to_slack(s.ws, s.now())}
    raise ApiError("users_not_found")


# ---------------------------------------------------------------------- views


def _view_definition(p: Params, *, kind: str) -> dict[str, Any]:
    definition = p.json("view")
    if definition is None:
        raise ApiError("invalid_arguments", response_metadata=_messages("view missing"))
    errors = view_errors(definition)
    if not errors and definition.get("type") != kind:
        errors = [f"view.type: must be {kind} here"]
    if errors:
        raise ApiError("invalid_arguments", response_metadata=_messages(*errors))
    return dict(definition)


@_method("views.open")
def views_open(s: SlackState, p: Params) -> dict[str, Any]:
    definition = _view_definition(p, kind="modal")
    user_id = s.use_trigger(p.text("trigger_id"))
    s.close_modal(user_id, all_views=True)
    view = s.new_view(user_id, definition)
    s.modal_stack(user_id).append(view.id)
    return {"view": view.to_slack(s.ws)}


@_method("views.push")
def views_push(s: SlackState, p: Params) -> dict[str, Any]:
    definition = _view_definition(p, kind="modal")
    user_id = s.use_trigger(p.text("trigger_id"))
    stack = s.modal_stack(user_id)
    if not stack:
        raise ApiError("not_found", response_metadata=_messages("no modal open to push onto"))
    if len(stack) >= 3:
        raise ApiError("push_limit_reached")
    view = s.new_view(user_id, definition, root_view_id=stack[0], previous_view_id=stack[-1])
    stack.append(view.id)
    return {"view": view.to_slack(s.ws)}


def _check_hash(view: View, p: Params) -> None:
    wanted = p.text("hash")
    if wanted is not None and wanted != view.hash:
        raise ApiError("hash_conflict")


@_method("views.update")
def views_update(s: SlackState, p: Params) -> dict[str, Any]:
    view = s.view_by_ref(p.text("view_id"), p.text("external_id"))
    definition = _view_definition(p, kind=view.type)
    _check_hash(view, p)
    s.replace_view(view, definition)
    return {"view": view.to_slack(s.ws)}


@_method("views.publish")
def views_publish(s: SlackState, p: Params) -> dict[str, Any]:
    user = s.user(p.required("user_id"))
    definition = _view_definition(p, kind="home")
    existing = s.views.get(s.home_views.get(user.id, ""))
    if existing is None:
        view = s.new_view(user.id, definition)
        s.home_views[user.id] = view.id
    else:
        _check_hash(existing, p)
        view = s.replace_view(existing, definition)
    return {"view": view.to_slack(s.ws)}


# ---------------------------------------------------------------------- files


@_method("files.getUploadURLExternal")
def files_get_upload_url_external(s: SlackState, p: Params) -> dict[str, Any]:
    filename = p.required("filename")
    length = p.number("length", -1)
    if length < 0:
        raise ApiError("invalid_arguments", response_metadata=_messages("length missing"))
    stored = StoredFile(
        id=s.new_id("F"),
        name=filename,
        title=filename,
        user=s.ws.bot_user_id,
        created=int(s.now()),
        length=length,
        alt_txt=p.text("alt_txt"),
    )
    s.files[stored.id] = stored
    token = f"{stored.id}-{s.short_id()}{s.short_id()}"
    s.uploads[token] = stored.id
    return {"upload_url": f"{s.base_url}/upload/v1/{token}", "file_id": stored.id}


@_method("files.completeUploadExternal")
def files_complete_upload_external(s: SlackState, p: Params) -> dict[str, Any]:
    entries = p.json("files")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments", response_metadata=_messages("files missing"))
    stored_files: list[StoredFile] = []
    for entry in entries:
        stored = s.files.get(str(entry.get("id")))
        if stored is None or stored.content is None:
            raise ApiError("file_not_found")
        stored_files.append(stored)
    targets = [c for c in [p.text("channel_id"), *p.items("channels")] if c]
    channels = [s.conversation(c) for c in dict.fromkeys(targets)]
    for channel in channels:
        _check_postable(s, channel)
    for stored, entry in zip(stored_files, entries, strict=True):
        stored.title = str(entry.get("title") or stored.name)
        stored.completed = True
        stored.initial_comment = p.text("initial_comment")
        stored.thread_ts = p.text("thread_ts")
        for channel in channels:
            if channel.id not in stored.channels:
                stored.channels.append(channel.id)
    for channel in channels:
        s.add_message(
            Message(
                channel=channel.id,
                ts=s.next_ts(),
                text=p.text("initial_comment") or "",
                user=s.ws.bot_user_id,
                bot_id=s.ws.bot_id,
                thread_ts=p.text("thread_ts"),
                files=[s.file_dict(f) for f in stored_files],
                source="files.completeUploadExternal",
            )
        )
    return {"files": [s.file_dict(f) for f in stored_files]}


@_method("files.info")
def files_info(s: SlackState, p: Params) -> dict[str, Any]:
    stored = s.files.get(p.required("file"))
    if stored is None or not stored.completed:
        raise ApiError("file_not_found")
    return {
        "file": s.file_dict(stored),
        "comments": [],
        "response_metadata": {"next_cursor": ""},
    }


@_method("files.upload")
def files_upload(s: SlackState, p: Params) -> dict[str, Any]:
    raise ApiError(
        "method_deprecated",
        response_metadata=_messages("use files.getUploadURLExternal (files_upload_v2)"),
    )
