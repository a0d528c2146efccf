"""Block Kit helpers for the emulator: find interactive elements, flatten text, check limits.

The limits are the ones Slack enforces when a message is posted or a view is opened, so a
layout that breaks them fails in tests and in the sandbox the way it would in a workspace.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View as SdkView

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3000
MAX_CALLBACK_ID = 255
MAX_MESSAGE_TEXT = 40000
MAX_SELECT_OPTIONS = 100
MAX_OVERFLOW_OPTIONS = 5
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_PLACEHOLDER = 150
MAX_LABEL = 2000
# Slack refuses a message whose blocks hold more text than this, all text objects counted
# together (msg_blocks_too_long; refusals have been seen from about 11,300 characters up).
MAX_MESSAGE_BLOCK_TEXT = 11_000

INTERACTIVE_CONTAINERS = ("actions", "section", "input")


class EmulatorError(Exception):
    """Something a sandbox user cannot do: unknown user, no such button, a required field empty."""


@dataclass(frozen=True)
class ActionRef:
    """An interactive element found in a message or view."""

    block_id: str
    action_id: str
    type: str
    text: str = ""
    value: str | None = None
    element: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _text_of(obj: Any) -> str:
    if isinstance(obj, Mapping):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def iter_elements(blocks: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(block, element) for every element a person can act on."""
    for block in blocks:
        kind = block.get("type")
        if kind == "actions":
            for element in block.get("elements") or []:
                yield block, element
        elif kind == "section" and isinstance(block.get("accessory"), Mapping):
            yield block, block["accessory"]
        elif kind == "input" and isinstance(block.get("element"), Mapping):
            yield block, block["element"]


def action_refs(blocks: list[dict[str, Any]]) -> list[ActionRef]:
    refs = []
    for block, element in iter_elements(blocks):
        if block.get("type") == "input" and not block.get("dispatch_action"):
            continue
        if element.get("type") in {"image"}:
            continue
        refs.append(
            ActionRef(
                block_id=str(block.get("block_id", "")),
                action_id=str(element.get("action_id", "")),
                type=str(element.get("type", "")),
                text=_text_of(element.get("text")) or _text_of(element.get("placeholder")),
                value=element.get("value"),
                element=element,
            )
        )
    return refs


def find_action(blocks: list[dict[str, Any]], key: str | ActionRef) -> ActionRef:
    """The element whose action_id, visible text or value is ``key`` (in that order)."""
    refs = action_refs(blocks)
    if isinstance(key, ActionRef):
        for ref in refs:
            if ref.block_id == key.block_id and ref.action_id == key.action_id:
                return ref
        raise EmulatorError(f"no element {key.action_id!r} in block {key.block_id!r}")
    lowered = key.strip().lower()
    for matcher in (
        lambda r: r.action_id == key,
        lambda r: r.text.strip().lower() == lowered,
        lambda r: r.value == key,
    ):
        found = [r for r in refs if matcher(r)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            listing = ", ".join(
                f"{r.text or r.action_id} ({r.block_id}/{r.action_id})" for r in found
            )
            raise EmulatorError(f"{key!r} matches several elements: {listing}; pass an ActionRef")
    listing = ", ".join(repr(r.text or r.action_id) for r in refs) or "none"
    raise EmulatorError(f"no element matching {key!r} (elements: {listing})")


def input_elements(blocks: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(input block, element) pairs of a modal, in order."""
    return [
        (block, block["element"])
        for block in blocks
        if block.get("type") == "input" and isinstance(block.get("element"), Mapping)
    ]


def rich_text(
    elements: list[Any],
    user: Callable[[str], str] = lambda id: f"<@{id}>",
    channel: Callable[[str], str] = lambda id: f"<#{id}>",
) -> str:
    """The text of rich_text elements; `user` and `channel` write a mention of an id."""
    parts: list[str] = []
    for element in elements:
        if not isinstance(element, Mapping):
            continue
        kind = element.get("type")
        if kind in {"text", "link"}:
            parts.append(str(element.get("text") or element.get("url") or ""))
        elif kind == "user":
            parts.append(user(str(element.get("user_id"))))
        elif kind == "channel":
            parts.append(channel(str(element.get("channel_id"))))
        elif kind == "emoji":
            parts.append(f":{element.get('name')}:")
        elif "elements" in element:
            parts.append(rich_text(element["elements"], user, channel))
    return "".join(parts)


def block_lines(blocks: list[dict[str, Any]]) -> list[str]:
    """The visible text of blocks, one line per text item; buttons as ``[Label]``."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind in {"header", "section"}:
            if block.get("text"):
                lines.append(_text_of(block["text"]))
            lines.extend(_text_of(f) for f in block.get("fields") or [])
            accessory = block.get("accessory")
            if isinstance(accessory, Mapping) and accessory.get("type") == "button":
                lines.append(f"[{_text_of(accessory.get('text'))}]")
        elif kind == "context":
            texts = [_text_of(e) for e in block.get("elements") or [] if "text" in e]
            if texts:
                lines.append(" ".join(texts))
        elif kind == "actions":
            labels = [
                f"[{_text_of(e.get('text') or e.get('placeholder'))}]"
                for e in block.get("elements") or []
            ]
            lines.append(" ".join(labels))
        elif kind == "input":
            lines.append(_text_of(block.get("label")))
        elif kind == "rich_text":
            lines.append(rich_text(block.get("elements") or []))
    return [line for line in lines if line]


def fill_ids(blocks: list[dict[str, Any]], new_id: Callable[[], str]) -> list[dict[str, Any]]:
    """A copy of ``blocks`` with the block_id / action_id Slack assigns where one is missing."""
    filled = copy.deepcopy(blocks)
    for block in filled:
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", new_id())
        for _, element in iter_elements([block]):
            if isinstance(element, dict) and element.get("type") != "image":
                element.setdefault("action_id", new_id())
    return filled


def _len(obj: Any) -> int:
    return len(_text_of(obj))


def _check_block(block: Any, where: str, errors: list[str]) -> None:
    if not isinstance(block, Mapping) or "type" not in block:
        errors.append(f"{where}: a block must be an object with a type")
        return
    kind = block["type"]
    if kind == "section":
        if not block.get("text") and not block.get("fields"):
            errors.append(f"{where}: a section needs text or fields")
        if _len(block.get("text")) > MAX_SECTION_TEXT:
            errors.append(f"{where}.text: must be at most {MAX_SECTION_TEXT} characters")
        fields = block.get("fields") or []
        if len(fields) > MAX_SECTION_FIELDS:
            errors.append(f"{where}.fields: at most {MAX_SECTION_FIELDS} items")
        for i, f in enumerate(fields):
            if _len(f) > MAX_FIELD_TEXT:
                errors.append(f"{where}.fields[{i}]: must be at most {MAX_FIELD_TEXT} characters")
    elif kind == "header" and _len(block.get("text")) > MAX_HEADER_TEXT:
        errors.append(f"{where}.text: must be at most {MAX_HEADER_TEXT} characters")
    elif kind == "actions" and len(block.get("elements") or []) > MAX_ACTIONS_ELEMENTS:
        errors.append(f"{where}.elements: at most {MAX_ACTIONS_ELEMENTS} items")
    elif kind == "context" and len(block.get("elements") or []) > MAX_CONTEXT_ELEMENTS:
        errors.append(f"{where}.elements: at most {MAX_CONTEXT_ELEMENTS} items")
    for _, element in iter_elements([dict(block)]):
        if element.get("type") == "button":
            if _len(element.get("text")) > MAX_BUTTON_TEXT:
                errors.append(f"{where}: button text must be at most {MAX_BUTTON_TEXT} characters")
            if len(str(element.get("value") or "")) > MAX_BUTTON_VALUE:
                errors.append(
                    f"{where}: button value must be at most {MAX_BUTTON_VALUE} characters"
                )
        _check_element(element, where, errors)
    _check_text_objects(block, where, errors)


def _check_element(element: Mapping[str, Any], where: str, errors: list[str]) -> None:
    """Limits from the Block Kit reference that slack_sdk's models do not check."""
    kind = element.get("type")
    if kind == "button":
        if _text_type(element.get("text")) != "plain_text":
            errors.append(f"{where}: a button's text must be a plain_text object")
        if "style" in element and element["style"] not in {"primary", "danger"}:
            errors.append(f"{where}: button style must be primary or danger")
    if _len(element.get("placeholder")) > MAX_PLACEHOLDER:
        errors.append(f"{where}: placeholder must be at most {MAX_PLACEHOLDER} characters")
    options = list(element.get("options") or [])
    if "options" in element and kind in {"static_select", "multi_static_select", "overflow"}:
        most = MAX_OVERFLOW_OPTIONS if kind == "overflow" else MAX_SELECT_OPTIONS
        if len(options) > most:
            errors.append(f"{where}: at most {most} options (got {len(options)})")
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    for option in options:
        if not isinstance(option, Mapping):
            continue
        if _len(option.get("text")) > MAX_OPTION_TEXT:
            errors.append(f"{where}: option text must be at most {MAX_OPTION_TEXT} characters")
        if len(str(option.get("value") or "")) > MAX_OPTION_VALUE:
            errors.append(f"{where}: option value must be at most {MAX_OPTION_VALUE} characters")


def _text_type(obj: Any) -> str | None:
    return str(obj.get("type")) if isinstance(obj, Mapping) else None


def _check_text_objects(block: Mapping[str, Any], where: str, errors: list[str]) -> None:
    kind = block.get("type")
    if kind == "header" and _text_type(block.get("text")) != "plain_text":
        errors.append(f"{where}.text: a header's text must be a plain_text object")
    if kind in {"section", "header"} and "text" in block:
        text = block.get("text")
        if _text_type(text) not in {"plain_text", "mrkdwn"}:
            errors.append(f"{where}.text: must be a plain_text or mrkdwn object")
        elif not _text_of(text):
            errors.append(f"{where}.text: must not be empty")
    if kind == "input":
        if _len(block.get("label")) > MAX_LABEL:
            errors.append(f"{where}.label: must be at most {MAX_LABEL} characters")
        if _len(block.get("hint")) > MAX_LABEL:
            errors.append(f"{where}.hint: must be at most {MAX_LABEL} characters")


def _check_blocks(blocks: Any, limit: int, errors: list[str]) -> None:
    if not isinstance(blocks, list):
        errors.append("blocks: must be an array")
        return
    if len(blocks) > limit:
        errors.append(f"blocks: must be at most {limit} items (got {len(blocks)})")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        _check_block(block, f"blocks[{i}]", errors)
        _check_with_sdk(block, f"blocks[{i}]", errors)
        block_id = block.get("block_id") if isinstance(block, Mapping) else None
        if block_id is not None:
            if block_id in seen:
                errors.append(f"blocks[{i}].block_id: {block_id!r} is used twice")
            seen.add(block_id)


def _check_with_sdk(block: Any, where: str, errors: list[str]) -> None:
    """The checks slack_sdk's Block Kit models make (required fields, lengths, enums)."""
    if not isinstance(block, Mapping) or "type" not in block:
        return
    try:
        parsed = Block.parse(dict(block))
        if parsed is not None:
            parsed.validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
        errors.append(f"{where}: {exc}")


def block_text_length(value: Any) -> int:
    """Characters of text in blocks: every text object's and rich-text element's text."""
    if isinstance(value, list):
        return sum(block_text_length(item) for item in value)
    if not isinstance(value, Mapping):
        return 0
    total = 0
    for key, item in value.items():
        if key == "text" and isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | Mapping):
            total += block_text_length(item)
    return total


def message_refusal(text: str | None, blocks: Any) -> tuple[str, list[str]] | None:
    """Slack's error and its reasons when it would refuse this message's blocks, else None."""
    errors = message_errors(text, blocks)
    if errors:
        return "invalid_blocks", errors
    length = block_text_length(blocks) if blocks is not None else 0
    if length > MAX_MESSAGE_BLOCK_TEXT:
        return "msg_blocks_too_long", [
            f"blocks: {length} characters of text, at most {MAX_MESSAGE_BLOCK_TEXT}"
        ]
    return None


def message_errors(text: str | None, blocks: Any) -> list[str]:
    """Why Slack would refuse this message (empty when it would accept it)."""
    errors: list[str] = []
    if blocks is not None:
        _check_blocks(blocks, MAX_MESSAGE_BLOCKS, errors)
    return errors


def view_errors(view: Any) -> list[str]:
    """Why Slack would refuse this view in views.open / push / update / publish."""
    errors: list[str] = []
    if not isinstance(view, Mapping):
        return ["view: must be an object"]
    kind = view.get("type")
    if kind not in {"modal", "home"}:
        errors.append("view.type: must be modal or home")
    if kind == "modal":
        if not view.get("title"):
            errors.append("view.title: required for a modal")
        for key in ("title", "submit", "close"):
            if _len(view.get(key)) > MAX_VIEW_TITLE:
                errors.append(f"view.{key}: must be at most {MAX_VIEW_TITLE} characters")
        has_inputs = any(b.get("type") == "input" for b in view.get("blocks") or [])
        if has_inputs and not view.get("submit"):
            errors.append("view.submit: required when a modal has input blocks")
    if len(str(view.get("private_metadata") or "")) > MAX_PRIVATE_METADATA:
        errors.append(f"view.private_metadata: at most {MAX_PRIVATE_METADATA} characters")
    if len(str(view.get("callback_id") or "")) > MAX_CALLBACK_ID:
        errors.append(f"view.callback_id: at most {MAX_CALLBACK_ID} characters")
    _check_blocks(view.get("blocks", []), MAX_VIEW_BLOCKS, errors)
    if not errors:
        try:
            SdkView(**dict(view)).validate_json()
        except (SlackObjectFormationError, TypeError, KeyError, ValueError) as exc:
            errors.append(f"view: {exc}")
    return errors
