"""SQLAlchemy 2.x typed models for everything the bot keeps (DESIGN §3).

Everything hangs off a Workspace (one Slack team), so one deployment can serve several.
Progress updates are append-only: nothing in the bot edits or deletes one.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# How much text a column keeps. People's text is checked against these before it is written
# (bot.core.limits), so both databases refuse the same over-long value with the same words.
NAME_LENGTH = 200  # a person's, board's or workspace's name
TITLE_LENGTH = 300  # a job title, a plan's title or source, a meeting rule
REF_LENGTH = 32  # a theme or action ref
SLACK_ID_LENGTH = 32
TIMEZONE_LENGTH = 64
EMAIL_LENGTH = 320
DEDUPE_KEY_LENGTH = 200


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """On SQLite (naive UTC text) parse and mark UTC in one step: a view of thousands of
        rows reads tens of thousands of these. The text is read with its offset written on
        (several times faster than setting the zone after); text that is not plain naive ISO
        is read as before."""
        parse = self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)
        utc = dt.UTC
        if dialect.name != "sqlite" and parse is None:
            # The driver gives aware datetimes (PostgreSQL's in the session's zone): as
            # process_result_value, without the decorator's call around it for each value.
            def aware(value: dt.datetime | None) -> dt.datetime | None:
                if value is None:
                    return None
                if value.tzinfo is None:
                    return value.replace(tzinfo=utc)
                return value.astimezone(utc)

            return aware
        if dialect.name != "sqlite" or parse is None:
            return super().result_processor(dialect, coltype)
        from_iso = dt.datetime.fromisoformat

        def process(value: Any) -> dt.datetime | None:
            if value is None:
                return None
            try:
                return from_iso(value + "+00:00")
            except (TypeError, ValueError):
                return cast(dt.datetime, parse(value)).replace(tzinfo=utc)

        return process


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Workspace(Base):
    """A Slack team. `team_id` is LOCAL_TEAM_ID until the first Slack install adopts it."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(String(SLACK_ID_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH), default="")
    created_at: Mapped[dt.datetime]


LOCAL_TEAM_ID = "LOCAL"


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (
        UniqueConstraint("workspace_id", "slack_user_id"),
        Index("ix_person_workspace_name", "workspace_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    title: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    email: Mapped[str | None] = mapped_column(String(EMAIL_LENGTH))
    slack_user_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LENGTH))
    timezone: Mapped[str | None] = mapped_column(String(TIMEZONE_LENGTH))


class PersonAlias(Base):
    """Another spelling of a person's name, kept when an admin merges an imported owner into
    the person a Slack user already is, so the next import of the same sheet finds them."""

    __tablename__ = "person_alias"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name_key: Mapped[str] = mapped_column(String(NAME_LENGTH))  # see name_key()
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))


def name_key(text: str | None) -> str:
    """Names compare trimmed, with runs of spaces made one, ignoring case."""
    return " ".join((text or "").split()).casefold()


class RoleGrant(Base):
    """A person's role: admin (workspace-wide, board_id NULL), chair or member (of a board)."""

    __tablename__ = "role_grant"
    __table_args__ = (UniqueConstraint("person_id", "role", "board_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))

    person: Mapped[Person] = relationship()


class Board(Base):
    __tablename__ = "board"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    channel_id: Mapped[str | None] = mapped_column(String(SLACK_ID_LENGTH))
    # bot.core.calendar.DEFAULT_TIMEZONE (db imports nothing of the bot's)
    timezone: Mapped[str] = mapped_column(String(TIMEZONE_LENGTH), default="Europe/London")
    region: Mapped[str] = mapped_column(String(8), default="ENG")
    meeting_rule: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    meeting_start: Mapped[dt.date | None] = mapped_column(Date)
    meeting_time: Mapped[dt.time] = mapped_column(Time, default=dt.time(10, 0))
    # Overrides of the default reminder policy (bot.core.reminder_policy); empty means defaults.
    reminder_policy: Mapped[dict[str, Any]] = mapped_column(default=dict)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    # The next moment planning this board could enqueue anything (bot.core.reminders.
    # next_send_time); NULL: plan it at the next tick. Every edit that may change what the
    # board sends sets it back to NULL in its own transaction (bot.services.replan).
    next_plan_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    chair: Mapped[Person | None] = relationship()
    meeting_changes: Mapped[list[MeetingChange]] = relationship(
        back_populates="board", cascade="all, delete-orphan", order_by="MeetingChange.date"
    )
    plans: Mapped[list[Plan]] = relationship(back_populates="board", order_by="Plan.id")


class MeetingChange(Base):
    """A one-off meeting added to, or cancelled from, a board's cycle."""

    __tablename__ = "meeting_change"
    __table_args__ = (UniqueConstraint("board_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # "added" | "cancelled"

    board: Mapped[Board] = relationship(back_populates="meeting_changes")


class Plan(Base):
    __tablename__ = "plan"
    __table_args__ = (UniqueConstraint("board_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    source: Mapped[str | None] = mapped_column(String(TITLE_LENGTH))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Columns of the imported sheet the bot doesn't know: [{"name", "after"}], for export.
    sheet_columns: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime]

    board: Mapped[Board] = relationship(back_populates="plans")
    themes: Mapped[list[Theme]] = relationship(
        back_populates="plan", order_by="Theme.position", cascade="all, delete-orphan"
    )
    deadlines: Mapped[list[StatutoryDeadline]] = relationship(
        back_populates="plan", order_by="StatutoryDeadline.due", cascade="all, delete-orphan"
    )


class StatutoryDeadline(Base):
    """A date set in law, e.g. the written statement of action (70 working days on)."""

    __tablename__ = "statutory_deadline"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    due: Mapped[dt.date] = mapped_column(Date)
    # how it was set: N working days from a start (None: a date given directly)
    start: Mapped[dt.date | None] = mapped_column(Date)
    working_days: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    plan: Mapped[Plan] = relationship(back_populates="deadlines")


class Theme(Base):
    __tablename__ = "theme"
    __table_args__ = (UniqueConstraint("plan_id", "ref"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    ref: Mapped[str] = mapped_column(String(REF_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)

    plan: Mapped[Plan] = relationship(back_populates="themes")
    lead: Mapped[Person | None] = relationship()
    actions: Mapped[list[Action]] = relationship(
        back_populates="theme",
        order_by="Action.position",
        primaryjoin="and_(Theme.id == Action.theme_id, Action.removed_at.is_(None))",
        viewonly=True,
    )


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("plan_id", "ref"),
        Index("ix_action_plan_due", "plan_id", "due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH))
    title: Mapped[str] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_precision: Mapped[str] = mapped_column(String(8), default="day")
    due_text: Mapped[str | None] = mapped_column(Text)  # the sheet's words when not a date
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the sheet's other columns
    original_due_date: Mapped[dt.date | None] = mapped_column(Date)
    date_changes: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer, default=0)
    removed_at: Mapped[dt.datetime | None]
    # What its updates said, kept as they are recorded (bot.services.progress) so the board's
    # views read them with the action instead of looking each one up among its updates:
    # the first update and the status it replaced (movement: the action's status before any
    # update), the latest update that set a status, the latest impact judgement and evidence
    # given, each with its time, and the latest update. db.history recomputes them from the
    # updates.
    first_update_at: Mapped[dt.datetime | None]
    first_replaced_status: Mapped[str | None] = mapped_column(String(16))
    status_set_at: Mapped[dt.datetime | None]
    status_set_to: Mapped[str | None] = mapped_column(String(16))
    impact: Mapped[str | None] = mapped_column(String(24))
    impact_at: Mapped[dt.datetime | None]
    evidence: Mapped[str | None] = mapped_column(Text)
    evidence_at: Mapped[dt.datetime | None]
    # Its newest update (by time, then id). No foreign key: the update already points here,
    # and the id is written just after the update's INSERT (post_update).
    latest_update_id: Mapped[int | None] = mapped_column(Integer)
    latest_update_at: Mapped[dt.datetime | None]
    # When it was added to its plan (movement's "new since the last meeting"); None for one
    # from before this was kept and not backfilled: its plan's creation stands in.
    created_at: Mapped[dt.datetime | None]

    plan: Mapped[Plan] = relationship()
    theme: Mapped[Theme] = relationship()
    latest_update: Mapped[ProgressUpdate | None] = relationship(
        primaryjoin="foreign(Action.latest_update_id) == ProgressUpdate.id", post_update=True
    )
    assignments: Mapped[list[ActionAssignment]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionAssignment.position"
    )


class ActionAssignment(Base):
    """A person who owns an action, or stands in as delegate for its owners."""

    __tablename__ = "action_assignment"

    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)  # "owner" | "delegate"
    position: Mapped[int] = mapped_column(Integer, default=0)

    action: Mapped[Action] = relationship(back_populates="assignments")
    person: Mapped[Person] = relationship()


class ProgressUpdate(Base):
    """Append-only history of what owners said about an action."""

    __tablename__ = "progress_update"
    __table_args__ = (
        Index("ix_progress_update_action_at", "action_id", "at"),
        Index("ix_progress_update_at", "at"),
        # Each action's latest status, impact and evidence given (movement, the action read
        # model) read off these without walking the updates that gave none.
        *(
            Index(
                f"ix_progress_update_action_at_{column}",
                "action_id",
                "at",
                sqlite_where=text(f"{column} IS NOT NULL"),
                postgresql_where=text(f"{column} IS NOT NULL"),
            )
            for column in ("status", "impact", "evidence")
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime]
    status: Mapped[str | None] = mapped_column(String(16))  # the action's status after it
    previous_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    # The impact judgement it gave (bot.core.impact.Impact), None when it gave none.
    impact: Mapped[str | None] = mapped_column(String(24))
    source: Mapped[str] = mapped_column(String(16))  # command|modal|thread|import|cli|button
    new_due_date: Mapped[dt.date | None] = mapped_column(Date)
    due_change_reason: Mapped[str | None] = mapped_column(Text)
    # Identifies the Slack request or event that caused it, so retries never record twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_KEY_LENGTH), unique=True)
    # the owner the author covered for while they were away ("by Sam, covering for Jo")
    covering_for_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )

    author: Mapped[Person | None] = relationship(foreign_keys=[author_id])


class DateChangeRequest(Base):
    __tablename__ = "date_change_request"
    __table_args__ = (
        # One pending request per action: a new one withdraws the old (bot.services.progress).
        Index(
            "uq_date_change_request_pending_action",
            "action_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    requested_at: Mapped[dt.datetime]
    old_due_date: Mapped[dt.date | None] = mapped_column(Date)
    new_due_date: Mapped[dt.date] = mapped_column(Date)
    new_due_precision: Mapped[str] = mapped_column(String(8), default="day")
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    # The Slack request that asked, so the same request seen again asks nothing twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_KEY_LENGTH), unique=True)

    action: Mapped[Action] = relationship()
    requested_by: Mapped[Person | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[Person | None] = relationship(foreign_keys=[decided_by_id])


class NotificationState(enum.StrEnum):
    """Where a message is in the outbox: pending until a worker claims it (sending, with a
    claim that lapses), then sent, failed (Slack will never take it) or dropped (its day
    passed, or nothing was left to say)."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DROPPED = "dropped"


class Notification(Base):
    """Outbox and ledger in one: a row per message, claimed by its unique key before sending."""

    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_state_due", "state", "due_at"),
        Index("ix_notification_channel_ts", "channel", "ts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("board.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    # A Slack user or channel id, or an unlinked person's name (or person:<id>).
    recipient: Mapped[str] = mapped_column(String(NAME_LENGTH))
    recipient_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    # What the message is about, by kind: a request id, a meeting date, an alert's details.
    # The actions a reminder speaks about are its NotificationItems.
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The board's (or the bot's) time zone: its working day is local_day there.
    timezone: Mapped[str] = mapped_column(String(TIMEZONE_LENGTH), default="Europe/London")
    state: Mapped[NotificationState] = mapped_column(
        Enum(
            NotificationState,
            native_enum=False,
            length=16,
            values_callable=lambda states: [state.value for state in states],
        ),
        default=NotificationState.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[dt.datetime]
    # The working day the message belongs to: missed ones are dropped once it has passed.
    local_day: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    # Parts of a message several messages long already posted (by an attempt cut short).
    parts_sent: Mapped[list[int] | None] = mapped_column(JSON)


class NotificationItem(Base):
    """An action a notification speaks about, in order, so a reminder lists it and a thread
    reply finds it."""

    __tablename__ = "notification_item"

    notification_id: Mapped[int] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), primary_key=True
    )
    action_id: Mapped[int] = mapped_column(
        ForeignKey("action.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    working_days: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)  # its place in the message


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime]
    what: Mapped[str] = mapped_column(String(64))  # e.g. "board.create", "action.edit"
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SchedulerLease(Base):
    """Which running instance schedules jobs; taken over when it lapses."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime]


class Challenge(Base):
    """A board's question to an action's owners (bot.core.challenges). What became of it is
    its ChallengeEvents, append-only like progress updates; its state is read from them."""

    __tablename__ = "challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    asked_at: Mapped[dt.datetime]
    # Identifies the Slack request that asked it, so a retry never asks twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_KEY_LENGTH), unique=True)

    action: Mapped[Action] = relationship()
    events: Mapped[list[ChallengeEvent]] = relationship(
        order_by="ChallengeEvent.id", back_populates="challenge"
    )


class ChallengeEvent(Base):
    """One step of a challenge: asked, answered, closed or reopened (with its text)."""

    __tablename__ = "challenge_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_id: Mapped[int] = mapped_column(
        ForeignKey("challenge.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # asked|answered|closed|reopened
    at: Mapped[dt.datetime]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    text: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_KEY_LENGTH), unique=True)

    challenge: Mapped[Challenge] = relationship(back_populates="events")
    by: Mapped[Person | None] = relationship()


# ---------------------------------------------------------------- cover, clocks and care


class PrivacySettings(Base):
    """A workspace's checks for a child's or family's personal details, as the lines
    `bot.core.personal_data.parse_patterns` reads (no row: the built-in checks)."""

    __tablename__ = "privacy_settings"

    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), primary_key=True
    )
    patterns: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[dt.datetime]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class HeldNote(Base):
    """An update whose text the personal-data check flagged: held, not recorded, until its
    author confirms it ("Record anyway") or rephrases. Confirmed or stale, it is deleted."""

    __tablename__ = "held_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"))
    # A held answer to a challenge (its text in `note`); NULL for a held progress update.
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    kinds: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"kinds": [...]}: never the text
    dedupe_key: Mapped[str | None] = mapped_column(String(DEDUPE_KEY_LENGTH), unique=True)
    held_at: Mapped[dt.datetime]


class Absence(Base):
    """A person away from `start` to `end` (both included), with an optional deputy."""

    __tablename__ = "absence"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    set_at: Mapped[dt.datetime]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
