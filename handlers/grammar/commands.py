"""What `/progress`, `/plan` and `/board` text means: one frozen dataclass per command.

Slack ids are bare (`U012ABC`, `C012ABC`); free text is already unescaped (`&amp;` → `&`)
and may still contain `<!channel>` or `<@U…>` as typed — rendering escapes it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, TypeAlias

from bot.core.challenges import ChallengeFilter
from bot.core.dates import DatePrecision, ParsedDate
from bot.core.deadline_requests import AskedDeadline
from bot.core.impact import Impact
from bot.core.statuses import Status

__all__ = [
    "ActionAdd",
    "ActionDelegate",
    "ActionEdit",
    "ActionMove",
    "ActionOwners",
    "ActionRemove",
    "AdminAdd",
    "AdminRemove",
    "AnswerChallenge",
    "ApproveDateChange",
    "AskChallenge",
    "BoardCommand",
    "BoardCreate",
    "BoardEdit",
    "BoardMeetingAdd",
    "BoardMeetingCancel",
    "BoardMeetings",
    "BoardReminders",
    "BoardRemindersPause",
    "BoardRemindersResume",
    "CancelAbsence",
    "CloseChallenge",
    "CommandName",
    "DeadlineAdd",
    "DeadlineList",
    "DeadlineRemove",
    "DeclineDateChange",
    "EndAbsence",
    "ExportFormat",
    "Help",
    "ListChallenges",
    "ListMine",
    "MemberAdd",
    "MemberRemove",
    "OpenUpdateModal",
    "PeopleLink",
    "PeopleList",
    "PlanArchive",
    "PlanCommand",
    "PlanExport",
    "PlanImport",
    "PlanList",
    "PlanNew",
    "PrivacyChange",
    "PrivacyReset",
    "PrivacyShow",
    "PrivacySwitch",
    "ProgressCommand",
    "RecordUpdate",
    "ReopenChallenge",
    "RequestDateChange",
    "SetAbsence",
    "Setup",
    "ShowDeadlines",
    "ShowDigest",
    "ShowHistory",
    "ShowMeetings",
    "ShowOverdue",
    "ShowPack",
    "ShowStatus",
    "ShowTheme",
    "ThemeAdd",
    "ThemeEdit",
    "ThemeRemove",
]

CommandName = Literal["progress", "plan", "board"]
ExportFormat = Literal["xlsx", "csv", "md"]


@dataclass(frozen=True)
class Help:
    """Show help for a slash command; `text` is Slack mrkdwn, ready to send."""

    command: CommandName
    text: str


# ---------------------------------------------------------------- /progress


@dataclass(frozen=True)
class OpenUpdateModal:
    """Open the update modal, for one action when a ref was given."""

    ref: str | None = None


@dataclass(frozen=True)
class ListMine:
    """List my open actions with Update buttons."""


@dataclass(frozen=True)
class RecordUpdate:
    """A progress update: a new status, a note, an impact judgement, evidence of impact, or
    several (status None keeps the status; impact None gives no judgement)."""

    ref: str
    status: Status | None
    note: str | None
    impact: Impact | None = None
    evidence: str | None = None


@dataclass(frozen=True)
class RequestDateChange:
    """Ask the chair to approve a new due date."""

    ref: str
    date: dt.date
    precision: DatePrecision
    reason: str


@dataclass(frozen=True)
class AnswerChallenge:
    """Answer a board's challenge (`C12` → challenge 12); `text` keeps its line breaks."""

    challenge: int
    text: str


# ---------------------------------------------------------------- absences


@dataclass(frozen=True)
class SetAbsence:
    """Someone away from `start` to `end`, both included; it ends by itself. What is meant for
    them goes to `deputy`, or to nobody when None (their reminders pause). `person` None is
    the person typing (`/progress away`); an admin names someone (`/plan people away @jo`).
    The deputy may be the person themselves as typed: the use case refuses that."""

    start: dt.date
    end: dt.date
    deputy: str | None = None
    person: str | None = None


@dataclass(frozen=True)
class EndAbsence:
    """Back: the absence under way ends today (absences set for later stay)."""

    person: str | None = None


@dataclass(frozen=True)
class CancelAbsence:
    """Cancel an absence that has not started: the one starting on `start`, or every one set
    for later when None."""

    start: dt.date | None = None
    person: str | None = None


# ---------------------------------------------------------------- /plan


@dataclass(frozen=True)
class Setup:
    """Become the first admin of a workspace that has none."""


@dataclass(frozen=True)
class BoardCreate:
    name: str
    chair: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class BoardEdit:
    """Give a board (the only one when None) a new chair, channel or both."""

    board: str | None
    chair: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class BoardMeetings:
    """Set the meeting cycle; `rule` is raw text for `parse_meeting_rule` (RRULE or words)."""

    rule: str
    time: dt.time | None = None
    board: str | None = None


@dataclass(frozen=True)
class BoardMeetingAdd:
    """A one-off meeting outside the cycle."""

    date: dt.date
    time: dt.time | None = None
    board: str | None = None


@dataclass(frozen=True)
class BoardMeetingCancel:
    """Cancel one meeting of the cycle."""

    date: dt.date
    board: str | None = None


@dataclass(frozen=True)
class BoardReminders:
    """Reminder policy overrides in working days; None leaves a setting as it is."""

    board: str | None = None
    due: tuple[int, ...] | None = None
    overdue: int | None = None
    escalate: int | None = None
    window: int | None = None
    updates_due: int | None = None
    last_call: int | None = None
    pack: int | None = None


@dataclass(frozen=True)
class BoardRemindersPause:
    until: dt.date
    board: str | None = None


@dataclass(frozen=True)
class BoardRemindersResume:
    board: str | None = None


@dataclass(frozen=True)
class PlanNew:
    title: str
    board: str | None = None


@dataclass(frozen=True)
class PlanImport:
    """Open the import modal (file input)."""


@dataclass(frozen=True)
class ThemeAdd:
    ref: str
    title: str
    lead: str | None = None
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class ThemeEdit:
    """Rename a theme and/or change its lead; None leaves a field as it is."""

    ref: str
    title: str | None = None
    lead: str | None = None
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class RefInPlan:
    """A theme or action by ref; `plan "<title>"` is needed when several plans are active."""

    ref: str
    plan: str | None = None


class ThemeRemove(RefInPlan):
    """Remove an empty theme."""


@dataclass(frozen=True)
class ActionMove:
    """Move an action to another theme of its plan."""

    ref: str
    theme: str
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class PlanList:
    """Boards, their plans (active and archived), and each plan's theme and action counts."""


@dataclass(frozen=True)
class ActionAdd:
    """A new action; `theme` None means the theme whose ref prefixes the action's."""

    ref: str
    title: str
    due: ParsedDate
    owners: tuple[str, ...]
    theme: str | None = None
    measures: str | None = None
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class ActionEdit:
    """Change an action; None leaves a field as it is (measures "" clears the measures)."""

    ref: str
    title: str | None = None
    due: ParsedDate | None = None
    measures: str | None = None
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class ActionOwners:
    """Replace an action's owners."""

    ref: str
    owners: tuple[str, ...]
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


@dataclass(frozen=True)
class ActionDelegate:
    """Add a delegate to an action."""

    ref: str
    user: str
    plan: str | None = None  # `plan "<title>"`: needed when several plans are active


class ActionRemove(RefInPlan):
    """Remove an action."""


@dataclass(frozen=True)
class PeopleList:
    """Owners not yet linked to a Slack user."""


@dataclass(frozen=True)
class PeopleLink:
    """Link an owner's name (as in the plan) to a Slack user."""

    name: str
    user: str


@dataclass(frozen=True)
class AdminChange:
    user: str


class AdminAdd(AdminChange):
    """Make someone an admin."""


class AdminRemove(AdminChange):
    """Stop someone being an admin."""


@dataclass(frozen=True)
class MemberChange:
    user: str
    board: str | None = None


class MemberAdd(MemberChange):
    """Let someone read a board's status."""


class MemberRemove(MemberChange):
    """Stop someone reading a board's status."""


@dataclass(frozen=True)
class PlanExport:
    format: ExportFormat = "xlsx"
    plan: str | None = None


@dataclass(frozen=True)
class PlanArchive:
    title: str


@dataclass(frozen=True)
class DeadlineAdd:
    """A statutory or board deadline. `request` is a title with a due date or a working-days
    rule, or a named clock with the date it counts from; either gives `.title` and
    `.deadline(calendar, owner_id)` in the board's calendar."""

    request: AskedDeadline
    owner: str | None = None
    board: str | None = None
    change: bool = False  # `deadline change`: one of that title must be there already


@dataclass(frozen=True)
class DeadlineRemove:
    """Remove a deadline by its title (a clock's name typed bare stands for its title)."""

    title: str
    board: str | None = None


@dataclass(frozen=True)
class DeadlineList:
    """The deadlines of one board, or of every board when None."""

    board: str | None = None


@dataclass(frozen=True)
class PrivacyShow:
    """The workspace's personal-data patterns."""


@dataclass(frozen=True)
class PrivacyChange:
    """Changes to the workspace's personal-data patterns, one `parse_patterns` line each
    (`disable postcode`, `add case-number MOS-\\d{6}`, `allow Ellis`), already checked: apply
    them with `parse_patterns("\\n".join(lines), base=current)`."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class PrivacyReset:
    """The built-in personal-data patterns again."""


@dataclass(frozen=True)
class PrivacySwitch:
    """The whole personal-data check off (`on` False) or on again, its patterns kept."""

    on: bool


# ---------------------------------------------------------------- /board


@dataclass(frozen=True)
class BoardView:
    """A /board view of one board; `board` None means the only board there is."""

    board: str | None = None


class ShowStatus(BoardView):
    """Status by theme."""


class ShowDigest(BoardView):
    """Preview the weekly digest now."""


class ShowPack(BoardView):
    """The pre-meeting pack now."""


class ShowOverdue(BoardView):
    """The overdue actions."""


class ShowMeetings(BoardView):
    """The coming meetings."""


class ShowDeadlines(BoardView):
    """The board's deadlines, counted down in working days."""


@dataclass(frozen=True)
class RefOnBoard:
    """A theme or action by ref; `board` None means the only board there is."""

    ref: str
    board: str | None = None


class ShowTheme(RefOnBoard):
    """One theme's actions."""


class ShowHistory(RefOnBoard):
    """The update history of one action."""


@dataclass(frozen=True)
class ApproveDateChange:
    """Approve a pending date change; request_id None means the one (or list) pending."""

    request_id: int | None = None
    board: str | None = None


@dataclass(frozen=True)
class DeclineDateChange:
    request_id: int | None = None
    reason: str | None = None
    board: str | None = None


@dataclass(frozen=True)
class AskChallenge:
    """Put the board's question to an action's owners."""

    ref: str
    question: str
    board: str | None = None


@dataclass(frozen=True)
class ListChallenges:
    """The challenge log; CURRENT lists the open and answered ones."""

    show: ChallengeFilter = ChallengeFilter.CURRENT
    board: str | None = None


@dataclass(frozen=True)
class ChallengeStep:
    """The chair's step on a challenge by its id (`C12` → 12); a `board`, when named, must be
    the challenge's own."""

    challenge: int
    text: str | None = None
    board: str | None = None


class CloseChallenge(ChallengeStep):
    """Close a challenge; `text` is an optional closing note."""


class ReopenChallenge(ChallengeStep):
    """Reopen a challenge; `text` is the follow-up question (always given)."""


ProgressCommand: TypeAlias = (
    Help
    | OpenUpdateModal
    | ListMine
    | RecordUpdate
    | RequestDateChange
    | AnswerChallenge
    | SetAbsence
    | EndAbsence
    | CancelAbsence
)
PlanCommand: TypeAlias = (
    Help
    | Setup
    | BoardCreate
    | BoardEdit
    | BoardMeetings
    | BoardMeetingAdd
    | BoardMeetingCancel
    | BoardReminders
    | BoardRemindersPause
    | BoardRemindersResume
    | PlanNew
    | PlanImport
    | PlanList
    | ThemeAdd
    | ThemeEdit
    | ThemeRemove
    | ActionAdd
    | ActionMove
    | ActionEdit
    | ActionOwners
    | ActionDelegate
    | ActionRemove
    | PeopleList
    | PeopleLink
    | AdminAdd
    | AdminRemove
    | MemberAdd
    | MemberRemove
    | PlanExport
    | PlanArchive
    | SetAbsence
    | EndAbsence
    | CancelAbsence
    | DeadlineAdd
    | DeadlineRemove
    | DeadlineList
    | PrivacyShow
    | PrivacyChange
    | PrivacyReset
    | PrivacySwitch
)
BoardCommand: TypeAlias = (
    Help
    | ShowStatus
    | ShowDigest
    | ShowPack
    | ShowOverdue
    | ShowTheme
    | ShowMeetings
    | ShowDeadlines
    | ShowHistory
    | ApproveDateChange
    | DeclineDateChange
    | AskChallenge
    | ListChallenges
    | CloseChallenge
    | ReopenChallenge
)
