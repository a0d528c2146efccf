"""Filling in a form from the console: `submit status=amber note="…"`.

A field is named by its block_id, action_id or label; a value is turned into what Slack's
client would send for that kind of input (a choice by its value or label, a date from
`30/06/2019`, a user from a handle, a file from a path on this machine).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.sandbox.blocks import EmulatorError
from bot.sandbox.console_parse import ConsoleError, parse_day, parse_time
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.model import View


def find_field(view: View, key: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (input block, element) a `key=` names: exactly, else by a word of its label."""
    wanted = key.strip().lower()
    inputs = view.inputs()

    def label(block: Mapping[str, Any]) -> str:
        return str((block.get("label") or {}).get("text", "")).lower()

    exact = [
        (b, e)
        for b, e in inputs
        if wanted in {str(b.get("block_id")).lower(), str(e.get("action_id")).lower(), label(b)}
    ]
    if not exact:
        exact = [(b, e) for b, e in inputs if wanted in label(b).replace("?", "").split()]
    if len(exact) == 1:
        return exact[0]
    names = ", ".join(str(b.get("block_id")) for b, _ in inputs) or "none"
    if not exact:
        raise ConsoleError(f'the form has no field "{key}" (fields: {names})')
    raise ConsoleError(f'"{key}" matches several fields ({names}); use the exact name')


def form_value(
    emulator: SlackEmulator, user_id: str, element: Mapping[str, Any], value: str
) -> Any:
    """What the person entering `value` in `element` sends (see SlackEmulator.submit_view)."""
    kind = str(element.get("type", ""))
    if kind in {"static_select", "radio_buttons", "overflow", "external_select"}:
        return choice(element, value)
    if kind in {"multi_static_select", "checkboxes"}:
        return [choice(element, v) for v in value.split(",") if v.strip()]
    if kind == "datepicker":
        return parse_day(value).isoformat()
    if kind == "timepicker":
        return parse_time(value).strftime("%H:%M")
    if kind in {"users_select", "multi_users_select"}:
        ids = [user_id_of(emulator, v) for v in value.split(",") if v.strip()]
        return ids if kind.startswith("multi") else (ids[0] if ids else None)
    if kind in {"conversations_select", "channels_select"}:
        try:
            return emulator.channel(value if value.startswith("#") else "#" + value).id
        except EmulatorError:
            raise ConsoleError(f"there is no channel {value}") from None
    if kind == "file_input":
        path = Path(value).expanduser()
        if not path.is_file():
            raise ConsoleError(f"there is no file at {path}")
        return [emulator.share_file(user_id, path.name, path.read_bytes())]
    return value.replace("\\n", "\n")


def choice(element: Mapping[str, Any], value: str) -> Any:
    """The one option of a select that `value` names: its value, its label (emoji aside),
    the start of its label (`4.2` for “4.2 Review placement sufficiency”) or a part of it."""
    if element.get("type") == "external_select":
        return value
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    wanted = " ".join(value.split()).lower()

    def text(option: Mapping[str, Any]) -> str:
        raw = str((option.get("text") or {}).get("text", ""))
        words = [w for w in raw.split() if not (w.startswith(":") and w.endswith(":"))]
        return " ".join(words).lower()

    for matcher in (
        lambda o: str(o.get("value", "")).lower() == wanted,
        lambda o: text(o) == wanted,
        lambda o: text(o).startswith(wanted + " "),
        lambda o: wanted in text(o),
    ):
        found = [o for o in options if matcher(o)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            break
    choices = ", ".join(text(o) or str(o.get("value")) for o in options[:20])
    raise ConsoleError(f'no single choice "{value}" (choices: {choices})')


def user_id_of(emulator: SlackEmulator, name: str) -> str:
    try:
        return emulator.user_by_name(name.strip().lstrip("@")).id
    except EmulatorError:
        raise ConsoleError(f'there is no sandbox user "{name}"') from None
