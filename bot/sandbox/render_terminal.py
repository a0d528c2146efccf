"""What the sandbox console shows: Slack messages, the Home tab and modals as terminal text.

Slack's mrkdwn is made readable (`*bold*` in bold or plain, `<@U…>` as `@handle`, `&lt;` as
`<`), buttons are numbered so `click` can name them (`[1 Update] [2 Mark complete]`), and a
modal is drawn as a boxed form with the names `submit` takes. BRAG status emoji become
coloured words on a colour terminal and bracketed words (`[amber]`) everywhere else.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import emoji

from bot.sandbox.blocks import rich_text
from bot.sandbox.model import Message, View

# ---------------------------------------------------------------- colour

_RESET = "\033[0m"
_CODES = {
    "bold": "1",
    "dim": "2",
    "italic": "3",
    "green": "32",
    "yellow": "33",
    "red": "31",
    "blue": "34",
    "cyan": "36",
    "magenta": "35",
}
ANSI = re.compile(r"\033\[[0-9;]*m")


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def strip_ansi(text: str) -> str:
    return ANSI.sub("", text)


@dataclass(frozen=True)
class Style:
    """Terminal styling; with `colour` off every method returns the text as it is."""

    colour: bool = False

    def paint(self, text: str, *names: str) -> str:
        if not self.colour or not text or not names:
            return text
        start = "\033[" + ";".join(_CODES[n] for n in names) + "m"
        # Text styled inside (a code span in a dim line) must not end the outer style.
        return start + text.replace(_RESET, _RESET + start) + _RESET

    def bold(self, text: str) -> str:
        return self.paint(text, "bold")

    def dim(self, text: str) -> str:
        return self.paint(text, "dim")

    def error(self, text: str) -> str:
        return self.paint(text, "red", "bold")


# ---------------------------------------------------------------- statuses and emoji

# Status emoji → (BRAG word, colour). The word is what a plain transcript shows.
STATUS_WORDS: dict[str, tuple[str, str]] = {
    ":large_green_circle:": ("green", "green"),
    ":large_orange_circle:": ("amber", "yellow"),
    ":large_yellow_circle:": ("amber", "yellow"),
    ":red_circle:": ("red", "red"),
    ":large_blue_circle:": ("blue", "blue"),
}
_STATUS_LABELS = ("On track", "At risk", "Off track", "Complete", "Green", "Amber", "Red", "Blue")
EMOJI = {
    ":white_circle:": "○",
    ":warning:": "⚠",
    ":white_check_mark:": "✓",
    ":heavy_check_mark:": "✓",
    ":x:": "✗",
    ":calendar:": "▸",
    ":date:": "▸",
    ":spiral_calendar_pad:": "▸",
    ":hourglass_flowing_sand:": "⌛",
    ":hourglass:": "⌛",
    ":bell:": "•",
    ":memo:": "•",
    ":clipboard:": "•",
    ":page_facing_up:": "•",
    ":bar_chart:": "•",
    ":chart_with_upwards_trend:": "•",
    ":rotating_light:": "!",
    ":exclamation:": "!",
    ":wave:": "",
    ":tada:": "",
    ":thumbsup:": "",
    ":+1:": "",
}
_STATUS_RE = re.compile(
    "("
    + "|".join(re.escape(e) for e in STATUS_WORDS)
    + r")(?:\s+("
    + "|".join(re.escape(label) for label in _STATUS_LABELS)
    + r")\b)?"
)
_EMOJI_RE = re.compile(r":[a-z0-9_+\-]+:")


def status_word(emoji: str, label: str | None, style: Style) -> str:
    word, colour = STATUS_WORDS[emoji]
    if style.colour:
        return style.paint("●" + (f" {label}" if label else f" {word}"), colour, "bold")
    return f"[{word}]" + (f" {label}" if label else "")


def emoji_text(text: str, style: Style) -> str:
    """Status emoji as coloured (or bracketed) words, the commonest as plain symbols, and any
    other shortcode Slack knows (`:pencil2:`, `:inbox_tray:`) as the emoji Slack would show."""
    text = _STATUS_RE.sub(lambda m: status_word(m.group(1), m.group(2), style), text)
    return _EMOJI_RE.sub(lambda m: _emoji(m.group()), text)


def _emoji(code: str) -> str:
    if code in EMOJI:
        return EMOJI[code]
    # Slack's shortcodes are the "alias" names (GitHub's and Slack's), not Unicode's own names.
    return emoji.emojize(code, language="alias")


# ---------------------------------------------------------------- mrkdwn


@dataclass(frozen=True)
class Names:
    """How ids become names: `user(id)` → handle, `channel(id)` → channel name (or None)."""

    user: Callable[[str], str | None]
    channel: Callable[[str], str | None]


NO_NAMES = Names(user=lambda _id: None, channel=lambda _id: None)

_ANGLE = re.compile(r"<([^<>\n]+)>")
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _angle(match: re.Match[str], names: Names) -> str:
    inner = match.group(1)
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        handle = names.user(target[1:])
        return f"@{handle or label or target[1:]}"
    if target.startswith("#"):
        name = names.channel(target[1:]) or label or target[1:]
        return f"#{name}"
    if target.startswith("!"):
        if label:
            return label
        word = target[1:].split("^", 1)[0]
        return f"@{word}"
    return f"{label} ({target})" if label and label != target else target


def mrkdwn(text: str, style: Style, names: Names = NO_NAMES) -> str:
    """Slack mrkdwn as terminal text (several lines when the text has line breaks)."""
    lines = []
    for line in text.split("\n"):
        if line.startswith(">"):  # a block quote (a typed ">" arrives escaped as &gt;)
            lines.append(style.dim("┃ ") + _inline(line[1:], style, names))
        else:
            lines.append(_inline(line, style, names))
    return "\n".join(lines)


def _inline(text: str, style: Style, names: Names) -> str:
    parts = _CODE.split(text)
    out = []
    for i, part in enumerate(parts):
        if i % 2 == 1:  # a code span: shown as typed
            inner = unescape(part.strip("`"))
            out.append(style.paint(inner, "cyan") if style.colour else f"`{inner}`")
            continue
        part = _ANGLE.sub(lambda m: _angle(m, names), part)
        part = emoji_text(part, style)
        part = _BOLD.sub(lambda m: style.bold(m.group(1)), part)
        part = _ITALIC.sub(lambda m: style.paint(m.group(1), "italic"), part)
        part = _STRIKE.sub(lambda m: m.group(1), part)
        out.append(unescape(part))
    return "".join(out)


def plain_text(obj: Any, style: Style, names: Names = NO_NAMES) -> str:
    """A Block Kit text object (mrkdwn or plain_text) as terminal text."""
    if obj is None:
        return ""
    if isinstance(obj, str):
        return mrkdwn(obj, style, names)
    text = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(text, style, names)
    return emoji_text(text, style)


# ---------------------------------------------------------------- blocks


@dataclass
class Buttons:
    """Numbers the interactive elements of one message or view, in order."""

    count: int = 0

    def label(self, element: Mapping[str, Any], style: Style) -> str:
        self.count += 1
        kind = element.get("type")
        text = plain_text(element.get("text") or element.get("placeholder"), style)
        if kind != "button":
            chosen = element.get("initial_option") or {}
            shown = plain_text(chosen.get("text"), style) if chosen else text
            text = f"▾ {shown}" if shown else "▾"
        colour = {"primary": "green", "danger": "red"}.get(str(element.get("style")))
        body = f"{self.count} {text}"
        return "[" + (style.paint(body, colour) if colour else body) + "]"


def block_lines(
    blocks: Iterable[Mapping[str, Any]],
    style: Style,
    names: Names = NO_NAMES,
    buttons: Buttons | None = None,
) -> list[str]:
    """Message or Home tab blocks as lines; input blocks are left to `view_lines`."""
    buttons = buttons if buttons is not None else Buttons()
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(style.bold(f"== {plain_text(block.get('text'), style)} =="))
        elif kind == "section":
            if block.get("text"):
                lines.extend(plain_text(block["text"], style, names).split("\n"))
            for field in block.get("fields") or []:
                lines.extend("  " + x for x in plain_text(field, style, names).split("\n"))
            accessory = block.get("accessory")
            if isinstance(accessory, Mapping) and accessory.get("type") != "image":
                lines.append(buttons.label(accessory, style))
        elif kind == "context":
            texts = [
                plain_text(e, style, names) if e.get("type") != "image" else ""
                for e in block.get("elements") or []
            ]
            text = " ".join(t for t in texts if t)
            if text:
                lines.extend(style.dim(x) for x in text.split("\n"))
        elif kind == "divider":
            lines.append(style.dim("─" * 40))
        elif kind == "actions":
            labels = [buttons.label(e, style) for e in block.get("elements") or []]
            lines.append(" ".join(labels))
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        elif kind == "rich_text":
            lines.append(_rich_text(block.get("elements") or [], names))
        elif kind == "file":
            lines.append(f"[file {block.get('file_id', '')}]")
    return lines


def _rich_text(elements: list[Any], names: Names) -> str:
    return rich_text(
        elements,
        user=lambda id: f"@{names.user(id) or id}",
        channel=lambda id: f"#{names.channel(id) or id}",
    )


ALT_SHOWN = 160  # characters of an image's alt text shown beside it


def message_body(message: Message, style: Style, names: Names = NO_NAMES) -> list[str]:
    """The visible lines of a message: its blocks (or text), attachments and files."""
    if message.blocks:
        lines = block_lines(message.blocks, style, names)
    else:
        lines = plain_text(message.text, style, names).split("\n") if message.text else []
    for attachment in message.attachments:
        text = attachment.get("text") or attachment.get("fallback") or ""
        if attachment.get("blocks"):
            lines.extend(block_lines(attachment["blocks"], style, names))
        elif text:
            lines.extend(plain_text(str(text), style, names).split("\n"))
    for file in message.files:
        name = file.get("name") or file.get("title") or file.get("id")
        kind = file.get("pretty_type") or file.get("filetype") or "file"
        alt = " ".join(str(file.get("alt_txt") or "").split())
        shown = alt if len(alt) <= ALT_SHOWN else alt[: ALT_SHOWN - 1] + "…"
        lines.append(f"📎 {name} ({kind})" + (f" — {shown}" if shown else ""))
    return lines or [style.dim("(empty message)")]


def framed(number: int | None, heading: str, body: list[str], style: Style) -> list[str]:
    """A message with its number in the gutter: `  5 │ heading` then `    │ line`."""
    gutter = f"{number:>3}" if number is not None else "   "
    bar = style.dim("│")
    out = [f"{style.bold(gutter)} {bar} {heading}"]
    out += [f"    {bar} {line}" for line in body]
    return out


def fingerprint(message: Message) -> str:
    """Changes when what a message shows changes (an edit, a replaced original)."""
    return json.dumps(
        [message.text, message.blocks, message.attachments, [f.get("id") for f in message.files]],
        sort_keys=True,
        default=str,
    )


# ---------------------------------------------------------------- modals


_SELECTS = {"static_select", "radio_buttons", "checkboxes", "multi_static_select"}


def option_label(option: Mapping[str, Any], style: Style) -> str:
    return plain_text(option.get("text"), style)


def input_summary(
    block: Mapping[str, Any], element: Mapping[str, Any], current: Any, style: Style
) -> list[str]:
    """An input field: its label, the name `submit` takes, its current value and choices."""
    block_id = str(block.get("block_id", ""))
    label = plain_text(block.get("label"), style)
    optional = " (optional)" if block.get("optional") else ""
    lines = [f"{style.bold(label)}  {style.paint(block_id + '=…', 'cyan')}{optional}"]
    kind = str(element.get("type", ""))
    placeholder = plain_text(element.get("placeholder"), style)
    if kind in _SELECTS:
        shown = _selected_text(element, current, style)
        lines.append(f"  ▾ {shown or style.dim(placeholder or 'choose one')}")
        options = _options(element)
        if options:
            listing = " · ".join(_option_display(o, style) for o in options[:12])
            more = f" · …{len(options) - 12} more" if len(options) > 12 else ""
            lines.append(style.dim("    choices: ") + listing + style.dim(more))
    elif kind == "datepicker":
        value = current or element.get("initial_date")
        lines.append(f"  ▸ {value or style.dim('a date, e.g. 30/06/2019')}")
    elif kind == "file_input":
        types = ", ".join(element.get("filetypes") or []) or "any"
        lines.append(f"  📎 {style.dim(f'a file path on this machine ({types})')}")
    elif kind in {"users_select", "multi_users_select"}:
        lines.append(f"  @ {current or style.dim('a handle, e.g. jane')}")
    elif kind in {"conversations_select", "channels_select"}:
        lines.append(f"  # {current or style.dim('a channel, e.g. #improvement-board')}")
    else:
        value = current if current is not None else element.get("initial_value")
        if value:
            for i, text in enumerate(str(value).split("\n")):
                lines.append(("  ▭ " if i == 0 else "    ") + text)
        else:
            lines.append(f"  ▭ {style.dim(placeholder or '…')}")
    hint = block.get("hint")
    if hint:
        lines.append(style.dim("    " + plain_text(hint, style)))
    return lines


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if element.get("options"):
        return list(element["options"])
    found: list[Mapping[str, Any]] = []
    for group in element.get("option_groups") or []:
        found.extend(group.get("options") or [])
    return found


def _option_display(option: Mapping[str, Any], style: Style) -> str:
    label = option_label(option, style)
    value = str(option.get("value", ""))
    plain_label = strip_ansi(label).lower()
    if value and not value.isdigit() and value.lower() not in plain_label:
        return f"{value} ({label})"
    return label


def _selected_text(element: Mapping[str, Any], current: Any, style: Style) -> str:
    """What a select shows: the state's choice once there is a state, else the initial one."""
    if isinstance(current, Mapping):
        one, many = current.get("selected_option"), current.get("selected_options")
    else:
        one, many = element.get("initial_option"), element.get("initial_options")
    if one:
        return option_label(one, style)
    if many:
        return ", ".join(option_label(o, style) for o in many)
    return ""


def _current_values(view: View) -> dict[tuple[str, str], Any]:
    found: dict[tuple[str, str], Any] = {}
    for block_id, by_action in (view.state.get("values") or {}).items():
        for action_id, entry in by_action.items():
            found[(block_id, action_id)] = entry
    return found


def _entry_value(entry: Any) -> Any:
    if not isinstance(entry, Mapping):
        return entry
    for key in ("value", "selected_date", "selected_user", "selected_conversation"):
        if entry.get(key):
            return entry[key]
    if entry.get("selected_option") or entry.get("selected_options"):
        return entry
    return None


def view_lines(
    view: View,
    style: Style,
    names: Names = NO_NAMES,
    errors: Mapping[str, str] | None = None,
    heading: str | None = None,
) -> list[str]:
    """A modal (or the Home tab) as a boxed form: text, numbered buttons, inputs, errors."""
    errors = errors or {}
    current = _current_values(view)
    buttons = Buttons()
    body: list[str] = []
    for block in view.blocks:
        if block.get("type") == "input" and isinstance(block.get("element"), Mapping):
            element = block["element"]
            key = (str(block.get("block_id")), str(element.get("action_id")))
            if body and body[-1] != "":
                body.append("")
            body += input_summary(block, element, _entry_value(current.get(key)), style)
            if key[0] in errors:
                body.append(style.error(f"  ✗ {unescape(errors[key[0]])}"))
        else:
            body += block_lines([block], style, names, buttons)
    footer = []
    if view.type == "modal":
        close = plain_text(view.definition.get("close"), style) or "Cancel"
        submit = plain_text(view.definition.get("submit"), style)
        footer.append(f"[{close}]" + (f"  [{style.bold(submit)}]" if submit else ""))
    title = heading or view.title or "Home"
    bar = style.dim("│")
    out = [style.dim("┌─ ") + style.bold(title) + " " + style.dim("─" * max(4, 50 - len(title)))]
    out += [f"{bar} {line}" if line else bar for line in body]
    if footer:
        out.append(f"{bar} " + " ".join(footer))
    out.append(style.dim("└" + "─" * 54))
    for block_id, message in errors.items():
        if not any(str(b.get("block_id")) == block_id for b in view.blocks):
            out.append(style.error(f"✗ {block_id}: {unescape(message)}"))
    return out
