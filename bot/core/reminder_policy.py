"""When a board's reminders go out (DESIGN §6): defaults, each overridable per board."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from bot.core.errors import UserError


@dataclass(frozen=True)
class ReminderPolicy:
    due: tuple[int, ...] = (10, 3, 0)  # working days before the due date (0 = on the day)
    overdue: int = 5  # every N working days after the due date while not complete
    escalate: int = 10  # at N working days overdue, also to the theme lead and the chair
    window: int = 10  # the update window opens N working days before a meeting
    updates_due: int = 5  # updates are due N working days before a meeting
    last_call: int = 1  # asked again N working days before updates are due
    pack: int = 2  # the pre-meeting pack goes out N working days before a meeting
    stale: int = 30  # days without an update before an action counts as stale
    send_at: dt.time = dt.time(9, 0)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["due"] = list(self.due)
        values["send_at"] = self.send_at.strftime("%H:%M")
        return values

    def describe(self) -> str:
        due = ", ".join(str(n) for n in self.due)
        return (
            f"due soon at {due} working days before; overdue every {self.overdue}; "
            f"escalate at {self.escalate}; update window opens {self.window} before a meeting, "
            f"updates due {self.updates_due} before, last call {self.last_call} before that; "
            f"pack {self.pack} before; messages at {self.send_at.strftime('%H:%M')}"
        )


DEFAULT_POLICY = ReminderPolicy()
KEYS = tuple(f.name for f in fields(ReminderPolicy))
USAGE = (
    "Use key=value pairs such as due=10,3,0 overdue=5 escalate=10 (keys: " + ", ".join(KEYS) + ")."
)


def policy_from_overrides(overrides: dict[str, Any] | None) -> ReminderPolicy:
    """The stored overrides of a board applied to the defaults."""
    return apply_overrides(DEFAULT_POLICY, overrides or {})


def apply_overrides(policy: ReminderPolicy, overrides: dict[str, Any]) -> ReminderPolicy:
    changes: dict[str, Any] = {}
    for key, raw in overrides.items():
        if key not in KEYS:
            raise UserError(f"I don't know the reminder setting “{key}”. {USAGE}")
        changes[key] = _value(key, raw)
    if "window" in changes or "updates_due" in changes:
        window = changes.get("window", policy.window)
        updates_due = changes.get("updates_due", policy.updates_due)
        if updates_due > window:
            raise UserError(
                "Updates can't be due before the window opens: keep updates_due ≤ window."
            )
    return replace(policy, **changes)


def overrides_json(overrides: dict[str, Any]) -> dict[str, Any]:
    """Validated overrides in the form stored on the board."""
    policy = apply_overrides(DEFAULT_POLICY, overrides)
    full = policy.as_dict()
    return {key: full[key] for key in overrides}


def _value(key: str, raw: Any) -> Any:
    if key == "due":
        parts = raw if isinstance(raw, list | tuple) else str(raw).split(",")
        try:
            days = sorted({int(str(p).strip()) for p in parts if str(p).strip()}, reverse=True)
        except ValueError:
            raise UserError("due takes working days before the due date, e.g. due=10,3,0") from None
        if not days or any(d < 0 or d > 60 for d in days):
            raise UserError("due takes whole numbers from 0 to 60, e.g. due=10,3,0")
        return tuple(days)
    if key == "send_at":
        try:
            return raw if isinstance(raw, dt.time) else dt.time.fromisoformat(str(raw).strip())
        except ValueError:
            raise UserError("send_at takes a time such as 09:00") from None
    try:
        number = int(str(raw).strip())
    except ValueError:
        raise UserError(f"{key} takes a whole number of working days, e.g. {key}=5") from None
    low = 0 if key in ("last_call",) else 1
    if not low <= number <= 365:
        raise UserError(f"{key} takes a whole number from {low} to 365")
    return number
