"""Import a parsed improvement-plan sheet into a plan: one transaction, re-imports update by ref."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.core.dates import DatePrecision, format_day
from bot.core.errors import UserError
from bot.core.importer import ParsedAction, ParsedPlan, ParsedTheme
from bot.core.permissions import Permission, check
from bot.core.personal_data import check as check_personal_data
from bot.core.refs import ref_key
from bot.core.statuses import Status
from bot.services import privacy
from bot.services.plans import (
    OWNER,
    Actor,
    _assign,
    _next_position,
    audit,
    create_board,
    create_plan,
    person_by_name,
    standing,
)
from bot.services.progress import record_progress
from bot.services.snapshot import latest_updates
from bot.services.uow import UnitOfWork
from db.models import Action, ActionAssignment, Board, Person, Plan, Theme

DEFAULT_BOARD_NAME = "Improvement Board"


@dataclass(frozen=True)
class BoardDefaults:
    timezone: str = DEFAULT_TIMEZONE
    region: str = "ENG"


@dataclass
class ImportSummary:
    board: str
    plan: str
    plan_created: bool = False
    themes_added: list[str] = field(default_factory=list)
    themes_changed: list[str] = field(default_factory=list)
    actions_added: list[str] = field(default_factory=list)
    actions_changed: dict[str, list[str]] = field(default_factory=dict)
    actions_unchanged: int = 0
    not_in_sheet: list[str] = field(default_factory=list)
    updates_recorded: int = 0
    unlinked_owners: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)
    changes: dict[str, list[str]] = field(default_factory=dict)  # ref → "what: old → new"
    role_owners: list[str] = field(default_factory=list)
    checked_only: bool = False
    board_created: bool = False  # a board made beside the ones already there
    # ref → the kinds of personal details its progress cell seems to hold (imported all the same)
    personal_data: dict[str, list[str]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "Created" if self.plan_created else "Updated"
        if self.checked_only:
            verb = "Would create" if self.plan_created else "Would update"
        where = f"a new board, “{self.board}”" if self.board_created else self.board
        out = [f"{verb} “{self.plan}” on {where}."]
        added, changed, recorded = (
            ("to add", "to change", "Progress updates to record")
            if self.checked_only
            else ("added", "changed", "Progress updates recorded")
        )
        out.append(
            f"Themes: {len(self.themes_added)} {added}, {len(self.themes_changed)} {changed}. "
            f"Actions: {len(self.actions_added)} {added}, "
            f"{len(self.actions_changed)} {changed}, {self.actions_unchanged} unchanged. "
            f"{recorded}: {self.updates_recorded}."
        )
        for ref, fields in self.actions_changed.items():
            described = self.changes.get(ref) or [f"{name} changed" for name in fields]
            out.append(f"  {ref}: {'; '.join(described)}")
        if self.not_in_sheet:
            out.append(
                "In the plan but not in this sheet (left as they are): "
                + ", ".join(self.not_in_sheet)
            )
        if self.unlinked_owners:
            out.append("Owners not yet linked to Slack: " + ", ".join(self.unlinked_owners))
        if self.role_owners:
            out.append(
                "Owned by a role (linked later to whoever holds it): " + "; ".join(self.role_owners)
            )
        out.extend(self.notes)
        if self.personal_data:
            out.append(
                "Progress that looks like a child's or family's personal details "
                f"({'it would be' if self.checked_only else 'imported'} all the same; "
                "please rephrase it in the sheet):"
            )
            out.extend(f"  {ref}: {', '.join(kinds)}" for ref, kinds in self.personal_data.items())
        if self.doubts:
            cells = "this cell" if len(self.doubts) == 1 else f"these {len(self.doubts)} cells"
            done = "they would be imported" if self.checked_only else "imported"
            out.append(f"Check {cells} ({done} as described):")
            out.extend(f"  {doubt}" for doubt in self.doubts)
        if self.checked_only:
            out.append("Nothing was written: this was a check.")
        return out

    def as_json(self) -> dict[str, object]:
        return {
            "board": self.board,
            "plan": self.plan,
            "plan_created": self.plan_created,
            "themes_added": self.themes_added,
            "themes_changed": self.themes_changed,
            "actions_added": self.actions_added,
            "actions_changed": self.actions_changed,
            "actions_unchanged": self.actions_unchanged,
            "not_in_sheet": self.not_in_sheet,
            "updates_recorded": self.updates_recorded,
            "unlinked_owners": self.unlinked_owners,
            "notes": self.notes,
            "doubts": self.doubts,
            "changes": self.changes,
            "role_owners": self.role_owners,
            "checked_only": self.checked_only,
            "personal_data": self.personal_data,
        }


def title_from_filename(filename: str) -> str:
    stem = Path(filename).stem
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Improvement plan"


def import_plan(
    uow: UnitOfWork,
    actor: Actor,
    parsed: ParsedPlan,
    now: dt.datetime,
    *,
    filename: str,
    board_name: str | None = None,
    plan_title: str | None = None,
    as_of: dt.datetime | None = None,
    plan_id: int | None = None,
    new_board: BoardDefaults | None = None,
) -> ImportSummary:
    """Bring a plan in line with a sheet; `as_of` dates the progress the sheet records.

    A board made for the import (none named that exists, or none at all) takes `new_board`'s
    time zone and holiday region (the deployment's BOT_TIMEZONE / BOT_REGION)."""
    as_of = as_of or now
    board, plan, created, board_created = _target(
        uow,
        actor,
        now,
        filename,
        board_name,
        plan_title,
        plan_id,
        new_board or BoardDefaults(),
        parsed.title,
    )
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    if not any(theme.actions for theme in parsed.themes):
        raise UserError(f"“{filename}” has no actions I can read, so nothing was imported.")
    summary = ImportSummary(
        board=board.name, plan=plan.title, plan_created=created, board_created=board_created
    )
    summary.notes.extend(parsed.notes)
    summary.doubts.extend(parsed.doubts)
    session = uow.session
    if parsed.extra_columns or plan.sheet_columns:
        plan.sheet_columns = [{"name": n, "after": a} for n, a in parsed.extra_columns] or None

    themes = {t.ref: t for t in session.scalars(select(Theme).where(Theme.plan_id == plan.id))}
    actions = {a.ref: a for a in session.scalars(select(Action).where(Action.plan_id == plan.id))}
    latest_notes = _latest_notes(uow, plan.id)
    seen_refs: set[str] = set()
    theme_position = _next_position(uow, Theme, Theme.plan_id == plan.id)
    people: dict[str, int] = {}  # one look-up per person, however many actions they own

    def owner_id(name: str, title: str | None) -> int:
        key = " ".join(name.split()).lower()
        if key not in people:
            people[key] = person_by_name(uow, actor.workspace_id, name, title).id
        return people[key]

    # Actions are written first and flushed together, then their progress, so the whole plan
    # goes in a few statements: the write transaction stays short.
    written: list[tuple[Action, ParsedAction, list[str]]] = []
    for parsed_theme in parsed.themes:  # people first, while there is little else to flush
        for row in parsed_theme.actions:
            for owner in row.owners:
                owner_id(owner.name, owner.title)
    with session.no_autoflush:
        for parsed_theme in parsed.themes:
            theme_position = _write_theme(
                uow,
                plan,
                parsed_theme,
                themes,
                actions,
                summary,
                written,
                seen_refs,
                owner_id,
                theme_position,
                now,
            )
    session.flush()
    patterns = privacy.patterns_for(uow, actor.workspace_id)
    for action, row, changed in written:
        findings = check_personal_data(row.progress or "", patterns)
        if findings:
            summary.personal_data[row.ref] = list(privacy.kinds_of(findings))
        recorded = _record_sheet_progress(
            uow,
            actor,
            action,
            row,
            as_of,
            latest_notes.get(action.id),
            new=row.ref in summary.actions_added,
        )
        summary.updates_recorded += recorded
        if row.ref in summary.actions_added:
            continue
        if recorded:
            changed.append("progress")
            if row.ref in summary.changes:
                summary.changes[row.ref].append("progress recorded")
        if changed:
            summary.actions_changed[row.ref] = changed
        else:
            summary.actions_unchanged += 1

    summary.not_in_sheet = sorted(
        (ref for ref, a in actions.items() if ref not in seen_refs and a.removed_at is None),
        key=ref_key,
    )
    session.flush()
    summary.unlinked_owners = _unlinked_owner_names(uow, plan.id)
    audit(
        uow,
        actor,
        now,
        "plan.import",
        "plan",
        plan.id,
        None,
        {
            "file": filename,
            "actions_added": len(summary.actions_added),
            "actions_changed": len(summary.actions_changed),
        },
    )
    return summary


def _write_theme(
    uow: UnitOfWork,
    plan: Plan,
    parsed_theme: ParsedTheme,
    themes: dict[str, Theme],
    actions: dict[str, Action],
    summary: ImportSummary,
    written: list[tuple[Action, ParsedAction, list[str]]],
    seen_refs: set[str],
    owner_id: Callable[[str, str | None], int],
    theme_position: int,
    now: dt.datetime,
) -> int:
    """Write one theme and its actions; returns the next new theme's position."""
    session = uow.session
    theme = themes.get(parsed_theme.ref)
    if theme is None:
        theme = Theme(
            plan_id=plan.id,
            ref=parsed_theme.ref,
            title=parsed_theme.title,
            position=theme_position,
        )
        session.add(theme)
        session.flush()
        theme_position += 1
        themes[theme.ref] = theme
        summary.themes_added.append(theme.ref)
    elif parsed_theme.title and theme.title != parsed_theme.title:
        theme.title = parsed_theme.title
        summary.themes_changed.append(theme.ref)
    for position, row in enumerate(parsed_theme.actions):
        seen_refs.add(row.ref)
        action = actions.get(row.ref)
        owner_ids = [owner_id(o.name, o.title) for o in row.owners]
        for owner in row.owners:
            if owner.role and owner.name not in summary.role_owners:
                summary.role_owners.append(owner.name)
        if action is None or action.removed_at is not None:
            action = _new_action(
                uow, plan, theme, row, position, owner_ids, existing=action, now=now
            )
            actions[row.ref] = action
            summary.actions_added.append(row.ref)
            changed: list[str] = []
        else:
            described: list[str] = []
            changed = _apply_row(action, theme, row, position, owner_ids, described)
            if described:
                summary.changes[row.ref] = described
        written.append((action, row, changed))
    return theme_position


def _target(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    filename: str,
    board_name: str | None,
    plan_title: str | None,
    plan_id: int | None,
    new_board: BoardDefaults,
    sheet_title: str | None = None,
) -> tuple[Board, Plan, bool, bool]:
    """The board and plan to import into, whether the plan is new, and whether the board is
    new beside others."""
    session = uow.session
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise UserError("That plan no longer exists.")
        return plan.board, plan, False, False
    boards = session.scalars(
        select(Board).where(Board.workspace_id == actor.workspace_id).order_by(Board.id)
    ).all()
    board_created = False
    if board_name:
        board = next((b for b in boards if b.name.lower() == board_name.strip().lower()), None)
        if board is None:
            _refuse_a_misspelling("board", board_name, [b.name for b in boards])
            board_created = bool(boards)
            board = create_board(
                uow, actor, board_name, now, timezone=new_board.timezone, region=new_board.region
            )
    elif len(boards) == 1:
        board = boards[0]
    elif not boards:
        board = create_board(
            uow,
            actor,
            DEFAULT_BOARD_NAME,
            now,
            timezone=new_board.timezone,
            region=new_board.region,
        )
    else:
        names = ", ".join(f'"{b.name}"' for b in boards)
        raise UserError(f"There are several boards ({names}); say which with --board.")

    plans = session.scalars(select(Plan).where(Plan.board_id == board.id).order_by(Plan.id)).all()
    if plan_title:
        plan = next((p for p in plans if p.title.lower() == plan_title.strip().lower()), None)
        if plan is not None:
            return board, plan, False, board_created
        _refuse_a_misspelling("plan", plan_title, [p.title for p in plans if p.active])
        return board, create_plan(uow, actor, board, plan_title, now), True, board_created
    active = [p for p in plans if p.active]
    if len(active) == 1:
        return board, active[0], False, board_created
    if len(active) > 1:
        names = ", ".join(f'"{p.title}"' for p in active)
        raise UserError(f"{board.name} has several active plans ({names}); say which with --plan.")
    title = (sheet_title or "").strip()[:300] or title_from_filename(filename)
    return board, create_plan(uow, actor, board, title, now), True, board_created


def _refuse_a_misspelling(kind: str, name: str, existing: list[str]) -> None:
    """A name one slip away from an existing board's or plan's is a typo, not a new one."""

    def key(text: str) -> str:
        return "".join(ch for ch in text.lower() if ch.isalnum())

    def numbers(text: str) -> list[str]:
        return re.findall(r"[0-9]+", text)

    # "Plan 2020" beside "Plan 2021" (or "v2" beside "v3") is a new one, not a slip
    alike = {key(n): n for n in existing if numbers(n) == numbers(name)}
    near = difflib.get_close_matches(key(name), alike, n=1, cutoff=0.85)
    if near:
        meant = next(n for n in existing if key(n) == near[0])
        raise UserError(
            f"There's no {kind} called “{name}”; did you mean “{meant}”? "
            f"A new {kind} needs a name unlike the others."
        )


def _new_action(
    uow: UnitOfWork,
    plan: Plan,
    theme: Theme,
    row: ParsedAction,
    position: int,
    owner_ids: list[int],
    existing: Action | None,
    now: dt.datetime,
) -> Action:
    if existing is not None:
        action = existing
        action.removed_at = None
        _apply_row(action, theme, row, position, owner_ids, [])
        return action
    action = Action(
        plan_id=plan.id,
        theme_id=theme.id,
        ref=row.ref,
        title=row.title,
        measures=row.measures,
        due_date=row.due,
        due_precision=row.due_precision,
        due_text=row.due_text if row.due is None else None,
        fields=dict(row.fields) or None,
        original_due_date=row.original_due or row.due,
        date_changes=1 if row.original_due is not None else 0,
        status=Status.NOT_STARTED.value,
        position=position,
        created_at=now,
    )
    uow.session.add(action)
    _assign(action, owner_ids, OWNER)
    return action


def _apply_row(
    action: Action,
    theme: Theme,
    row: ParsedAction,
    position: int,
    owner_ids: list[int],
    described: list[str],
) -> list[str]:
    """Bring an action in line with its row; `described` gets each change as old → new."""
    changed: list[str] = []
    if action.theme_id != theme.id:
        old_theme = action.theme.ref if action.theme is not None else "?"
        action.theme_id = theme.id
        changed.append("theme")
        described.append(f"theme {old_theme} → {theme.ref}")
    action.position = position
    if row.title and row.title != action.title:
        described.append(f"title “{_clip(action.title)}” → “{_clip(row.title)}”")
        action.title = row.title
        changed.append("title")
    if (row.measures or None) != (action.measures or None):
        described.append(f"measures “{_clip(action.measures)}” → “{_clip(row.measures)}”")
        action.measures = row.measures
        changed.append("measures")
    new_text = row.due_text if row.due is None else None
    old_text = action.due_text if action.due_date is None else None
    if (
        row.due != action.due_date
        or (row.due and row.due_precision != action.due_precision)
        or (new_text or None) != (old_text or None)
    ):
        old = _due_words(action.due_date, action.due_precision, old_text)
        described.append(f"due date {old} → {_due_words(row.due, row.due_precision, new_text)}")
        if action.original_due_date is None:
            action.original_due_date = row.original_due or row.due
        elif action.due_date is not None and row.due is not None:
            action.date_changes += 1
        action.due_date = row.due
        action.due_precision = row.due_precision
        action.due_text = new_text
        changed.append("due date")
    if (dict(row.fields) or None) != (dict(action.fields or {}) or None):
        for name in dict.fromkeys([*(action.fields or {}), *row.fields]):
            old_value, new_value = (action.fields or {}).get(name), row.fields.get(name)
            if old_value != new_value:
                described.append(f"{name} “{_clip(old_value)}” → “{_clip(new_value)}”")
        action.fields = dict(row.fields) or None
        changed.append("fields")
    current_owners = [a.person_id for a in action.assignments if a.role == OWNER]
    if owner_ids and owner_ids != current_owners:
        old_names = ", ".join(a.person.name for a in action.assignments if a.role == OWNER)
        action.assignments[:] = [a for a in action.assignments if a.role != OWNER]
        _assign(action, owner_ids, OWNER)
        session = object_session(action)
        people = [session.get(Person, pid) if session else None for pid in owner_ids]
        new_names = ", ".join(p.name for p in people if p is not None)
        described.append(f"owners {old_names or 'none'} → {new_names or 'none'}")
        changed.append("owners")
    return changed


def _due_words(due: dt.date | None, precision: str, text: str | None) -> str:
    if due is not None:
        return format_day(due, DatePrecision(precision))
    return f"“{text}”" if text else "none"


def _clip(text: str | None, limit: int = 40) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _record_sheet_progress(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    row: ParsedAction,
    as_of: dt.datetime,
    latest_note: str | None,
    *,
    new: bool,
) -> int:
    """Record the sheet's progress text and status when they say something new (`new`: the
    action was added by this import)."""
    note = (row.progress or "").strip() or None
    new_note = note is not None and note != (latest_note or None)
    new_status = row.status is not None and row.status.value != action.status
    if not new_note and not new_status:
        return 0
    record_progress(
        uow,
        actor,
        action,
        as_of,
        source="import",
        status=row.status if new_status else None,
        note=note if new_note else None,
        completed_on=as_of.date(),
        check_permission=False,
        flush=False,
        lock=not new,
    )
    return 1


def _latest_notes(uow: UnitOfWork, plan_id: int) -> dict[int, str | None]:
    return {action_id: u.note for action_id, u in latest_updates(uow, [plan_id]).items()}


def _unlinked_owner_names(uow: UnitOfWork, plan_id: int) -> list[str]:
    names = uow.session.scalars(
        select(Person.name)
        .join(ActionAssignment, ActionAssignment.person_id == Person.id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .where(Action.plan_id == plan_id, Person.slack_user_id.is_(None))
        .group_by(Person.name)
        .order_by(func.lower(Person.name))
    ).all()
    return list(names)
