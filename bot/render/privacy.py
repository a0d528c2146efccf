"""`/plan privacy`: a workspace's checks for a child's or family's personal details."""

from __future__ import annotations

from typing import Any

from bot.core.personal_data import EXPLANATIONS
from bot.render.mrkdwn import escape
from bot.services.privacy import PrivacyPatterns

Message = dict[str, Any]


def patterns_message(patterns: PrivacyPatterns, *, changed: bool | None = None) -> Message:
    """What is checked, what is switched off, the workspace's own patterns and allowed words."""
    head = "*Checks for children's and families' personal details*"
    if changed is not None:
        head = ":white_check_mark: Saved. " + head if changed else "Nothing changed. " + head
    if patterns.off:
        lines = [head, OFF]
    else:
        lines = [head, "Before a note or reply is recorded, I look for:"]
    lines += [f"• `{kind}` — {escape(EXPLANATIONS[kind])}" for kind in patterns.enabled]
    if patterns.disabled:
        lines.append("Switched off: " + ", ".join(f"`{kind}`" for kind in patterns.disabled))
    if patterns.extra:
        lines.append("This workspace's own patterns:")
        lines += [f"• `{kind}`: `{escape(regex)}`" for kind, regex in patterns.extra]
    if patterns.allow:
        lines.append("Never flagged: " + ", ".join(f"“{escape(w)}”" for w in patterns.allow))
    lines.append(
        "Change them with `/plan privacy disable|enable <kind>`, `/plan privacy add <kind> "
        "<regex>`, `/plan privacy allow <word>`, or `/plan privacy reset`; "
        "`/plan privacy off|on` switches the whole check."
    )
    return {"text": "\n".join(lines)}


OFF = (
    ":no_entry_sign: *The check is off.* Progress notes, challenge answers, thread replies and "
    "imported progress are recorded as typed, without looking for a child's or family's "
    "personal details, and nothing is held for Record anyway. Turn it back on with "
    "`/plan privacy on`; the patterns below come back as they were."
)


def switched_message(patterns: PrivacyPatterns) -> Message:
    """`/plan privacy off|on`: what the switch did, and what is checked now."""
    if patterns.off:
        head = OFF if patterns.changed else "The check was off already.\n" + OFF
        return {"text": head}
    head = (
        ":white_check_mark: *The check is on again*: notes, answers, replies and imported "
        "progress are checked before they are recorded."
        if patterns.changed
        else "The check was on already."
    )
    return {"text": head + "\n" + patterns_message(patterns)["text"]}
