"""Requests shaped exactly as Slack sends them to the bot, and Slack's v0 request signing.

Everything here is pure: ids, timestamps and clocks are passed in. The emulator combines these
builders with its own state; tests use them directly to send hand-made or replayed requests.

Shapes follow what Slack delivers to an app's request URL:

- slash commands: an ``application/x-www-form-urlencoded`` body of fields;
- interactivity (``block_actions``, ``view_submission``, ``view_closed``): a form body with one
  field, ``payload``, holding the JSON;
- the Events API: a JSON ``event_callback`` envelope around the event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
JSON_CONTENT_TYPE = "application/json"
SIGNATURE_VERSION = "v0"
SLACK_USER_AGENT = "Slackbot 1.0 (+https://api.slack.com/robots)"


class PayloadError(ValueError):
    """A value cannot be put into a Slack element (unknown option, wrong type …)."""


@dataclass(frozen=True)
class Workspace:
    """The workspace and app that requests come from and go to."""

    team_id: str = "T00SANDBOX"
    team_domain: str = "sandbox"
    api_app_id: str = "A00SANDBOX"
    bot_user_id: str = "U00SANDBOT"
    bot_id: str = "B00SANDBOX"
    bot_name: str = "improvement-bot"
    verification_token: str = "sandboxverificationtoken"
    enterprise_id: str | None = None
    enterprise_name: str | None = None

    @property
    def team(self) -> dict[str, str]:
        return {"id": self.team_id, "domain": self.team_domain}

    @property
    def enterprise(self) -> dict[str, str] | None:
        if self.enterprise_id is None:
            return None
        return {"id": self.enterprise_id, "name": self.enterprise_name or ""}


# --------------------------------------------------------------------------- signing


def signature(body: bytes, secret: str, timestamp: int | str) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` keyed with the signing secret."""
    base = f"{SIGNATURE_VERSION}:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def slack_headers(
    body: bytes, secret: str, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    """Every header Slack sends with a request to the app: its type, Slack's user agent and
    the signature (``timestamp`` defaults to now)."""
    return {"Content-Type": content_type, "User-Agent": SLACK_USER_AGENT} | sign(
        body, secret, timestamp
    )


def sign(body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    """The two headers Slack adds to every request; ``timestamp`` defaults to now."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(body, secret, ts),
    }


# --------------------------------------------------------------------------- bodies


def form_body(fields: Mapping[str, Any]) -> bytes:
    """Form-encode fields the way Slack does: ``None`` dropped, booleans as ``true``/``false``."""
    pairs = []
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        pairs.append((key, str(value)))
    return urlencode(pairs).encode()


def interactive_body(payload: Mapping[str, Any]) -> bytes:
    """An interactivity request body: ``payload=<url-encoded JSON>``."""
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()


def json_body(payload: Mapping[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


# --------------------------------------------------------------------------- typed text


def escape_for_slack(text: str) -> str:
    """What Slack does to typed `&`, `<` and `>` before the bot sees them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SPECIAL = re.compile(r"(?<![\w@.&;])@(here|channel|everyone)\b", re.I)
_MENTION = re.compile(r"(?<![\w@.&;])@([A-Za-z0-9][\w.\-]*)")
_CHANNEL = re.compile(r"(?<![\w&;#])#([A-Za-z0-9][\w\-]*)")


def slack_text(
    text: str,
    users: Mapping[str, str],
    channels: Mapping[str, str],
    *,
    in_command: bool,
) -> str:
    """Typed text as Slack delivers it: `&`, `<`, `>` escaped; `@handle`, `#channel` and
    `@here`/`@channel`/`@everyone` made into mentions.

    `users` maps lower-case handles to user ids, `channels` lower-case names to channel ids.
    In slash commands (the manifest sets should_escape) a mention carries its name,
    `<@U…|jane>`; in messages it is `<@U…>`.
    """
    escaped = escape_for_slack(text)
    user = _linker(
        users, ".-", lambda uid, handle: f"<@{uid}|{handle}>" if in_command else f"<@{uid}>"
    )
    channel = _linker(channels, "-", lambda cid, name: f"<#{cid}|{name}>")

    def special(match: re.Match[str]) -> str:
        return f"<!{match.group(1).lower()}>"

    return _CHANNEL.sub(channel, _MENTION.sub(user, _SPECIAL.sub(special, escaped)))


def _linker(
    ids: Mapping[str, str], trailing: str, link: Callable[[str, str], str]
) -> Callable[[re.Match[str]], str]:
    """A `re.sub` replacement: the typed name (less `trailing` punctuation, which stays after
    the link) made into `link(id, name)` when `ids` knows it; else the text as typed."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(1)
        name = word.rstrip(trailing)
        found = ids.get(name.lower())
        if found is None:
            return match.group(0)
        return link(found, name) + word[len(name) :]

    return replace


# --------------------------------------------------------------------------- slash commands


def slash_command(
    ws: Workspace,
    *,
    user_id: str,
    user_name: str,
    command: str,
    text: str,
    channel_id: str,
    channel_name: str,
    response_url: str,
    trigger_id: str,
) -> dict[str, str]:
    """The form fields of a slash command, in the order Slack sends them."""
    fields: dict[str, str] = {"token": ws.verification_token, "team_id": ws.team_id}
    fields["team_domain"] = ws.team_domain
    if ws.enterprise_id is not None:
        fields["enterprise_id"] = ws.enterprise_id
        fields["enterprise_name"] = ws.enterprise_name or ""
    fields.update(
        {
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command if command.startswith("/") else f"/{command}",
            "text": text,
            "api_app_id": ws.api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
    )
    return fields


# --------------------------------------------------------------------------- interactivity


def user_ref(ws: Workspace, user_id: str, user_name: str) -> dict[str, str]:
    """The ``user`` object of an interactivity payload."""
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": ws.team_id}


def block_actions(
    ws: Workspace,
    *,
    user_id: str,
    user_name: str,
    actions: list[dict[str, Any]],
    trigger_id: str,
    container: dict[str, Any],
    channel: dict[str, str] | None = None,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    state: dict[str, Any] | None = None,
    response_url: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload: from a message (pass ``channel`` and, unless the message is
    ephemeral, ``message`` and ``response_url``) or from a view (pass ``view``)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": user_ref(ws, user_id, user_name),
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        "container": container,
        "trigger_id": trigger_id,
        "team": ws.team,
        "enterprise": ws.enterprise,
        "is_enterprise_install": False,
    }
    if channel is not None:
        payload["channel"] = channel
    if view is not None:
        payload["view"] = view
    if message is not None:
        payload["message"] = message
    if view is None:
        payload["state"] = state if state is not None else {"values": {}}
    if response_url is not None:
        payload["response_url"] = response_url
    payload["actions"] = actions
    return payload


def message_container(channel_id: str, message_ts: str, *, is_ephemeral: bool) -> dict[str, Any]:
    return {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel_id,
        "is_ephemeral": is_ephemeral,
    }


def view_container(view_id: str) -> dict[str, str]:
    return {"type": "view", "view_id": view_id}


def action(
    element: Mapping[str, Any], *, block_id: str, action_ts: str, value: Any = None
) -> dict[str, Any]:
    """One entry of ``actions`` for pressing or changing ``element``.

    For a button, ``value`` (if given) replaces the button's own value. For selects, pickers
    and other inputs it is the new selection, converted as by :func:`element_state`.
    """
    kind = element.get("type", "")
    entry: dict[str, Any] = {"action_id": element.get("action_id"), "block_id": block_id}
    if kind == "button":
        entry["text"] = element.get("text")
        button_value = element.get("value") if value is None else value
        if button_value is not None:
            entry["value"] = button_value
        if "style" in element:
            entry["style"] = element["style"]
        entry["type"] = "button"
    else:
        entry.update(element_state(element, value))
        if "placeholder" in element:
            entry["placeholder"] = element["placeholder"]
    entry["action_ts"] = action_ts
    return entry


def view_submission(
    ws: Workspace,
    *,
    user_id: str,
    user_name: str,
    view: dict[str, Any],
    trigger_id: str,
    response_urls: Iterable[dict[str, str]] = (),
) -> dict[str, Any]:
    """A ``view_submission`` payload; ``view`` already carries ``state.values``."""
    return _view_payload(
        ws,
        "view_submission",
        user_ref(ws, user_id, user_name),
        trigger_id=trigger_id,
        view=view,
        response_urls=list(response_urls),
    )


def view_closed(
    ws: Workspace, *, user_id: str, user_name: str, view: dict[str, Any], is_cleared: bool = False
) -> dict[str, Any]:
    """A ``view_closed`` payload (only sent for views opened with ``notify_on_close``)."""
    return _view_payload(
        ws, "view_closed", user_ref(ws, user_id, user_name), view=view, is_cleared=is_cleared
    )


def _view_payload(ws: Workspace, kind: str, user: dict[str, str], **fields: Any) -> dict[str, Any]:
    """The envelope both view payloads share, around their own ``fields`` (in Slack's order)."""
    return {
        "type": kind,
        "team": ws.team,
        "user": user,
        "api_app_id": ws.api_app_id,
        "token": ws.verification_token,
        **fields,
        "is_enterprise_install": False,
        "enterprise": ws.enterprise,
    }


# --------------------------------------------------------------------------- element state

_TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
_SINGLE_OPTION = {"static_select", "external_select", "radio_buttons", "overflow"}
_MULTI_OPTION = {"multi_static_select", "multi_external_select", "checkboxes"}
_SINGLE_ID = {
    "users_select": "selected_user",
    "conversations_select": "selected_conversation",
    "channels_select": "selected_channel",
}
_MULTI_ID = {
    "multi_users_select": "selected_users",
    "multi_conversations_select": "selected_conversations",
    "multi_channels_select": "selected_channels",
}


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option_text(option: Mapping[str, Any]) -> str:
    text = option.get("text")
    return str(text.get("text", "")) if isinstance(text, Mapping) else str(text or "")


def find_option(element: Mapping[str, Any], wanted: Any) -> dict[str, Any]:
    """The option of a select whose value (or, failing that, visible text) is ``wanted``."""
    if isinstance(wanted, Mapping):
        return dict(wanted)
    options = _options(element)
    for option in options:
        if option.get("value") == str(wanted):
            return dict(option)
    lowered = str(wanted).strip().lower()
    for option in options:
        if _option_text(option).strip().lower() == lowered:
            return dict(option)
    choices = ", ".join(repr(o.get("value")) for o in options)
    if not options and element.get("type", "").startswith(("external", "multi_external")):
        # External selects load options from the app; trust the caller's value.
        return {"text": {"type": "plain_text", "text": str(wanted)}, "value": str(wanted)}
    raise PayloadError(f"no option {wanted!r} in {element.get('action_id')!r} (choices: {choices})")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return list(value)
    return [value]


def _rich_text(text: str) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


def element_state(element: Mapping[str, Any], value: Any) -> dict[str, Any]:
    """The ``state.values[block_id][action_id]`` entry for ``element`` holding ``value``.

    ``value`` may already be a full state entry (a dict with ``type``), or a plain value:
    text for text inputs, an option value or label for selects, a user/channel id, a date
    (``datetime.date`` or ISO string), a file dict / file id / list of them for ``file_input``.
    ``None`` gives the empty state Slack sends for an untouched element.
    """
    kind = str(element.get("type", ""))
    if isinstance(value, Mapping) and "type" in value:
        return dict(value)
    state: dict[str, Any] = {"type": kind}
    if kind in _TEXT_INPUTS:
        state["value"] = None if value is None else str(value)
    elif kind == "rich_text_input":
        state["rich_text_value"] = None if value is None else _rich_text(str(value))
    elif kind in _SINGLE_OPTION:
        state["selected_option"] = None if value is None else find_option(element, value)
    elif kind in _MULTI_OPTION:
        state["selected_options"] = [find_option(element, v) for v in _as_list(value)]
    elif kind in _SINGLE_ID:
        state[_SINGLE_ID[kind]] = value
    elif kind in _MULTI_ID:
        state[_MULTI_ID[kind]] = [str(v) for v in _as_list(value)]
    elif kind == "datepicker":
        state["selected_date"] = (
            value.isoformat() if isinstance(value, dt.date) else (None if value is None else value)
        )
    elif kind == "timepicker":
        state["selected_time"] = value.strftime("%H:%M") if isinstance(value, dt.time) else value
    elif kind == "datetimepicker":
        state["selected_date_time"] = (
            int(value.timestamp()) if isinstance(value, dt.datetime) else value
        )
    elif kind == "file_input":
        state["files"] = [
            dict(f) if isinstance(f, Mapping) else {"id": str(f)} for f in _as_list(value)
        ]
    else:
        state["value"] = value
    return state


def is_empty_state(state: Mapping[str, Any]) -> bool:
    """True when a state entry holds nothing (what Slack's client refuses for required inputs)."""
    for key, value in state.items():
        if key == "type":
            continue
        if value not in (None, "", [], {}):
            return False
    return True


# --------------------------------------------------------------------------- events


def event_callback(
    ws: Workspace, event: dict[str, Any], *, event_id: str, event_time: int
) -> dict[str, Any]:
    """The Events API envelope around ``event``."""
    return {
        "token": ws.verification_token,
        "team_id": ws.team_id,
        "context_team_id": ws.team_id,
        "context_enterprise_id": ws.enterprise_id,
        "api_app_id": ws.api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [
            {
                "enterprise_id": ws.enterprise_id,
                "team_id": ws.team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{event_id}",
    }


def user_message_blocks(text: str, block_id: str) -> list[dict[str, Any]]:
    """The ``rich_text`` block Slack's client attaches to a message a person types."""
    block = _rich_text(text)
    block["block_id"] = block_id
    return [block]


def message_event(
    ws: Workspace,
    *,
    user_id: str,
    text: str,
    channel: str,
    channel_type: str,
    ts: str,
    client_msg_id: str,
    block_id: str,
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
) -> dict[str, Any]:
    """A ``message`` event for a message a person typed (``channel_type`` ``im``, ``channel``,
    ``group``), optionally a reply in a thread."""
    event: dict[str, Any] = {
        "user": user_id,
        "type": "message",
        "ts": ts,
        "client_msg_id": client_msg_id,
        "text": text,
        "team": ws.team_id,
        "blocks": user_message_blocks(text, block_id),
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        if parent_user_id is not None:
            event["parent_user_id"] = parent_user_id
    event.update(
        {"channel": channel, "event_ts": ts, "channel_type": channel_type},
    )
    return event


def app_home_opened_event(
    *, user_id: str, channel: str, event_ts: str, view: dict[str, Any] | None = None
) -> dict[str, Any]:
    """An ``app_home_opened`` event for the Home tab (with the published view, if any)."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": channel,
        "tab": "home",
    }
    if view is not None:
        event["view"] = view
    event["event_ts"] = event_ts
    return event


def url_verification(challenge: str, token: str) -> dict[str, str]:
    """The handshake Slack sends when a request URL is saved."""
    return {"token": token, "challenge": challenge, "type": "url_verification"}
