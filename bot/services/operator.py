"""Use cases for the operator at the command line (`improvement-bot …`).

The operator acts on the one workspace there is (made now when there is none) with a system
actor's rights. Boards and plans are picked by `--board NAME` and `--plan TITLE`, so the
refusals here name those options. Each method opens and commits its own unit of work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from bot.core.digest import Digest
from bot.core.errors import UserError
from bot.core.exporter import export_xlsx
from bot.core.importer import ParsedPlan
from bot.services import UseCases
from bot.services.admin import ExportedPlan, ExportFormat, export_plan
from bot.services.digest import build_digest
from bot.services.outbox import preview
from bot.services.paper import BoardPaper, active_plan_ids, build_paper, next_meeting
from bot.services.plan_import import BoardDefaults, ImportSummary, import_plan
from bot.services.plans import (
    Actor,
    active_plan_titles,
    board_names,
    find_board,
    find_plan,
    workspace_for_cli,
)
from bot.services.snapshot import plan_snapshots
from bot.services.uow import UnitOfWork
from db.models import Board, Plan

FIRST_COMMAND = "improvement-bot plan import FILE --board NAME"

T = TypeVar("T")


@dataclass(frozen=True)
class ReminderPreview:
    """What would go out at a moment (DESIGN §7 `reminders preview --json` messages), and
    whether that is nothing because there are no boards yet."""

    messages: list[dict[str, Any]]
    no_boards: bool


@dataclass(frozen=True)
class BoardPack:
    """A board's pack for one meeting."""

    board: str
    meeting: dt.date
    contents: bytes | BoardPaper  # the board's one active plan as .xlsx, or the committee paper


class OperatorService(UseCases):
    def import_sheet(
        self,
        parsed: ParsedPlan,
        now: dt.datetime,
        *,
        filename: str,
        board: str | None,
        plan: str | None,
        as_of: dt.datetime,
        new_board: BoardDefaults,
        check: bool = False,
    ) -> ImportSummary:
        """Import a read sheet; with `check`, say what it would do and save nothing."""
        with self.units.patient() as uow:
            actor = Actor.operator(workspace_for_cli(uow, now))
            summary = import_plan(
                uow,
                actor,
                parsed,
                now,
                filename=filename,
                board_name=board,
                plan_title=plan,
                as_of=as_of,
                new_board=new_board,
            )
            if check:
                summary.checked_only = True  # leaving the unit of work unsaved rolls it all back
            else:
                uow.commit()
        return summary

    def plans(self, title: str | None, now: dt.datetime) -> list[dict[str, Any]]:
        """Every plan, or the active one titled `title` (DESIGN §7 `plan show --json`)."""
        with self.units.patient() as uow:
            plan_ids = [_plan(uow, now, title).id] if title else None
            return plan_snapshots(uow, plan_ids=plan_ids)

    def export_plan(self, title: str | None, fmt: ExportFormat, now: dt.datetime) -> ExportedPlan:
        """The plan (the only active one unless titled) as a file, named as `/plan export` does."""
        with self.units.patient() as uow:
            plan = _plan(uow, now, title)
            return export_plan(uow, Actor.operator(plan.board.workspace_id), title, fmt, now)

    def reminder_preview(self, at: dt.datetime, now: dt.datetime) -> ReminderPreview:
        """What would go out at `at`, writing nothing."""
        with self.units.patient() as uow:
            messages = preview(uow, at)
            no_boards = not messages and not board_names(uow, workspace_for_cli(uow, now))
        return ReminderPreview(messages, no_boards)

    def digest(self, board_name: str | None, at: str | None, now: dt.datetime) -> Digest:
        """The board's weekly digest as it stands at `at` (board-local text; default `now`)."""
        with self.units.patient() as uow:
            board = _board(uow, now, board_name)
            moment = parse_at(at, board.timezone) if at else now
            return build_digest(uow, board.id, moment)

    def pack(
        self, board_name: str | None, meeting: dt.date | None, fmt: str, now: dt.datetime
    ) -> BoardPack:
        """The pack for the meeting on `meeting` (the board's next one when None); `fmt`
        "xlsx" is the board's one active plan, any other format the committee paper."""
        with self.units.patient() as uow:
            board = _board(uow, now, board_name)
            meeting = meeting or next_meeting(uow, board, now)
            if fmt == "xlsx":
                return BoardPack(board.name, meeting, _pack_plan_xlsx(uow, board))
            return BoardPack(board.name, meeting, build_paper(uow, board.id, meeting, now))


def parse_at(text: str, timezone: str) -> dt.datetime:
    """An ISO date-time; without an offset it is local to `timezone`; a bare date means 09:00."""
    try:
        if len(text.strip()) == 10:
            moment = dt.datetime.combine(dt.date.fromisoformat(text.strip()), dt.time(9, 0))
        else:
            moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"I can't read “{text}” as a date-time. Use ISO form, e.g. 2019-05-16T09:00 "
            "or 2019-05-16T09:00+01:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


@dataclass(frozen=True)
class _Words:
    """How the command line speaks of boards or plans when it can't pick one."""

    noun: str  # "board"
    listed: str  # what the ones there are called: "boards", "active plans"
    option: str  # the option that names one: "--board NAME"
    none_yet_when_named: bool  # "there are none yet" even when one was named


_BOARD = _Words("board", "boards", "--board NAME", none_yet_when_named=True)
_PLAN = _Words("plan", "active plans", "--plan TITLE", none_yet_when_named=False)


def _pick(words: _Words, names: list[str], name: str | None, find: Callable[[], T]) -> T:
    """`find()` the one named (or the only one), refusing in the command line's words."""
    if not names and (words.none_yet_when_named or not name):
        raise UserError(f"There are no {words.noun}s yet. Start with: {FIRST_COMMAND}")
    listed = ", ".join(f"“{n}”" for n in names)
    if not name and len(names) > 1:
        raise UserError(
            f"There are several {words.listed} ({listed}); say which with {words.option}."
        )
    try:
        return find()
    except UserError:
        known = f"; the {words.listed} are {listed}" if names else ""
        raise UserError(f"There's no {words.noun} called “{name}”{known}.") from None


def _board(uow: UnitOfWork, now: dt.datetime, name: str | None) -> Board:
    """A board by --board NAME, or the only one."""
    workspace = workspace_for_cli(uow, now)
    names = board_names(uow, workspace)
    return _pick(_BOARD, names, name, lambda: find_board(uow, workspace, name))


def _plan(uow: UnitOfWork, now: dt.datetime, title: str | None) -> Plan:
    """An active plan by --plan TITLE, or the only active one."""
    workspace = workspace_for_cli(uow, now)
    titles = active_plan_titles(uow, workspace)
    return _pick(_PLAN, titles, title, lambda: find_plan(uow, workspace, title))


def _pack_plan_xlsx(uow: UnitOfWork, board: Board) -> bytes:
    plan_ids = active_plan_ids(uow, board.id)
    if not plan_ids:
        raise UserError(f"“{board.name}” has no active plan to export.")
    if len(plan_ids) > 1:
        raise UserError(
            f"“{board.name}” has {len(plan_ids)} active plans; export each with "
            "`improvement-bot plan export --plan TITLE`."
        )
    [snapshot] = plan_snapshots(uow, plan_ids=plan_ids)
    return export_xlsx(snapshot)
