"""Use cases that set a plan up: workspaces, people, roles, boards, plans, themes and actions.

Every function takes a UnitOfWork, an Actor and plain values; it checks permission, changes
the session and leaves committing to the caller's unit of work (one transaction per use case).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, TypeVarTuple

from sqlalchemy import BindParameter, Select, func, or_, select, update

from bot.core.calendar import DEFAULT_TIMEZONE
from bot.core.errors import Conflict, NotFound, UserError
from bot.core.permissions import Permission, Role, Standing, check
from bot.core.text import clip
from bot.services.uow import UnitOfWork
from db.insert import insert_or_ignore
from db.models import (
    EMAIL_LENGTH,
    LOCAL_TEAM_ID,
    NAME_LENGTH,
    TIMEZONE_LENGTH,
    TITLE_LENGTH,
    Action,
    ActionAssignment,
    AuditEvent,
    Board,
    Person,
    PersonAlias,
    Plan,
    RoleGrant,
    Theme,
    Workspace,
    name_key,
)

OWNER = "owner"
DELEGATE = "delegate"
REF_PATTERN = re.compile(r"^[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*$")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a person in a workspace, or the system (CLI operator, scheduler)."""

    workspace_id: int
    person_id: int | None = None
    system: bool = False

    @classmethod
    def operator(cls, workspace_id: int) -> Actor:
        return cls(workspace_id=workspace_id, system=True)


# ---------------------------------------------------------------- workspaces


def workspace_for_team(uow: UnitOfWork, team_id: str, now: dt.datetime, name: str = "") -> int:
    """The workspace of a Slack team; the first team adopts a local (CLI-made) workspace."""
    session = uow.session
    existing = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    if existing is not None:
        return existing
    workspaces = session.scalars(select(Workspace)).all()
    if len(workspaces) == 1 and workspaces[0].team_id == LOCAL_TEAM_ID:
        # Only if it is still local: a concurrent first request may have adopted it already.
        session.execute(
            update(Workspace)
            .where(Workspace.id == workspaces[0].id, Workspace.team_id == LOCAL_TEAM_ID)
            .values(team_id=team_id, name=clip(name, NAME_LENGTH) or workspaces[0].name)
            .execution_options(synchronize_session=False)
        )
        session.expire(workspaces[0])
    else:  # made once however many first requests arrive together
        session.execute(
            insert_or_ignore(session, Workspace, "team_id").values(
                team_id=team_id, name=clip(name, NAME_LENGTH), created_at=now
            )
        )
    found = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    if found is None:  # the local workspace was adopted by another team meanwhile
        session.execute(
            insert_or_ignore(session, Workspace, "team_id").values(
                team_id=team_id, name=clip(name, NAME_LENGTH), created_at=now
            )
        )
        found = session.scalar(select(Workspace.id).where(Workspace.team_id == team_id))
    assert found is not None
    return found


def workspace_for_cli(uow: UnitOfWork, now: dt.datetime) -> int:
    """The only workspace, or a local one made now. Several workspaces need a Slack context."""
    workspaces = uow.session.scalars(select(Workspace).order_by(Workspace.id)).all()
    if len(workspaces) == 1:
        return workspaces[0].id
    if not workspaces:
        workspace = Workspace(team_id=LOCAL_TEAM_ID, name="Local", created_at=now)
        uow.session.add(workspace)
        uow.session.flush()
        return workspace.id
    # Several workspaces: the CLI acts on the first; boards are still found by name.
    return workspaces[0].id


# ---------------------------------------------------------------- people and roles


def linked_person_id(uow: UnitOfWork, workspace_id: int, slack_user_id: str) -> int | None:
    """The person linked to a Slack user, if any (nothing is made)."""
    return uow.session.scalar(
        select(Person.id).where(
            Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
        )
    )


def has_only_placeholder_name(uow: UnitOfWork, person_id: int, slack_user_id: str) -> bool:
    """Made while Slack could not say who this is, so named by the Slack user id."""
    person = uow.session.get(Person, person_id)
    return person is not None and person.name == slack_user_id


def person_for_slack_user(
    uow: UnitOfWork,
    workspace_id: int,
    slack_user_id: str,
    *,
    name: str | None = None,
    title: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
) -> Person:
    """The person linked to a Slack user, linking an unlinked same-named person or making one.

    Safe when a new user's first requests arrive together: the link only takes a person still
    unlinked, and the person is made with INSERT … ON CONFLICT DO NOTHING, then read."""
    session = uow.session
    linked = select(Person).where(
        Person.workspace_id == workspace_id, Person.slack_user_id == slack_user_id
    )
    person = session.scalar(linked)
    if person is None and name:
        namesake = session.scalar(
            select(Person.id)
            .where(
                Person.workspace_id == workspace_id,
                Person.slack_user_id.is_(None),
                func.lower(Person.name) == name.strip().lower(),
            )
            .order_by(Person.id)
        )
        if namesake is not None:
            session.execute(
                update(Person)
                .where(Person.id == namesake, Person.slack_user_id.is_(None))
                .values(slack_user_id=slack_user_id)
                .execution_options(synchronize_session=False)
            )
            person = session.scalar(linked.execution_options(populate_existing=True))
    if person is None:
        session.execute(
            insert_or_ignore(session, Person, "workspace_id", "slack_user_id").values(
                workspace_id=workspace_id,
                name=clip((name or slack_user_id).strip(), NAME_LENGTH),
                slack_user_id=slack_user_id,
            )
        )
        person = session.scalars(linked.execution_options(populate_existing=True)).one()
    if name and person.name == slack_user_id:  # a placeholder from when Slack couldn't say
        person.name = clip(name.strip(), NAME_LENGTH)
    title = clip(title, TITLE_LENGTH) if title else None
    if email and len(email) > EMAIL_LENGTH:
        email = None
    if timezone and len(timezone) > TIMEZONE_LENGTH:
        timezone = None
    if title and not person.title:
        person.title = title
    if email and not person.email:
        person.email = email
    if timezone:
        person.timezone = timezone
    session.flush()
    return person


def person_by_name(
    uow: UnitOfWork, workspace_id: int, name: str, title: str | None = None
) -> Person:
    """The person of that name (case-insensitive), made if new; a missing title is filled in."""
    clean = " ".join(name.split())
    if not clean:
        raise UserError("An owner needs a name.")
    person = uow.session.scalar(
        select(Person)
        .where(
            Person.workspace_id == workspace_id,
            # SQLite's lower() folds ASCII only, so "Łukasz" is matched as written too
            or_(Person.name == clean, func.lower(Person.name) == clean.lower()),
        )
        .order_by(Person.id)
    )
    if person is None:  # a spelling an admin merged into someone (see linking.merge_people)
        person = uow.session.scalar(
            select(Person)
            .join(PersonAlias, PersonAlias.person_id == Person.id)
            .where(
                PersonAlias.workspace_id == workspace_id, PersonAlias.name_key == name_key(clean)
            )
        )
    if person is None:
        person = Person(workspace_id=workspace_id, name=clean, title=title or None)
        uow.session.add(person)
        uow.session.flush()
    elif title and not person.title:
        person.title = title
    return person


def roles_of(uow: UnitOfWork, person_id: int | None) -> set[tuple[str, int | None]]:
    if person_id is None:
        return set()
    rows = uow.session.execute(
        select(RoleGrant.role, RoleGrant.board_id).where(RoleGrant.person_id == person_id)
    ).all()
    return {(role, board_id) for role, board_id in rows}


def standing(
    uow: UnitOfWork, actor: Actor, board_id: int | None = None, action_id: int | None = None
) -> Standing:
    """The actor's standing towards a board and, optionally, one action."""
    if actor.system:
        return Standing(system=True)
    roles = roles_of(uow, actor.person_id)
    admin = (Role.ADMIN.value, None) in roles
    chair = member = owner = delegate = involved = False
    session = uow.session
    if action_id is not None and actor.person_id is not None:
        kinds = set(
            session.scalars(
                select(ActionAssignment.role).where(
                    ActionAssignment.action_id == action_id,
                    ActionAssignment.person_id == actor.person_id,
                )
            )
        )
        owner = OWNER in kinds
        delegate = DELEGATE in kinds
    if board_id is not None:
        board = session.get(Board, board_id)
        chair = (Role.CHAIR.value, board_id) in roles or (
            board is not None and board.chair_id is not None and board.chair_id == actor.person_id
        )
        member = (Role.MEMBER.value, board_id) in roles
        # Owning the action in question already makes them involved: skip the board-wide look.
        if actor.person_id is not None and not (owner or delegate):
            involved = (
                session.scalar(
                    select(func.count())
                    .select_from(ActionAssignment)
                    .join(Action, Action.id == ActionAssignment.action_id)
                    .join(Plan, Plan.id == Action.plan_id)
                    .where(Plan.board_id == board_id, ActionAssignment.person_id == actor.person_id)
                )
                or session.scalar(
                    select(func.count())
                    .select_from(Theme)
                    .join(Plan, Plan.id == Theme.plan_id)
                    .where(Plan.board_id == board_id, Theme.lead_id == actor.person_id)
                )
                or 0
            ) > 0
    return Standing(
        no_admins=not admin and not workspace_has_admin(uow, actor.workspace_id),
        admin=admin,
        chair=chair,
        member=member,
        owner=owner,
        delegate=delegate,
        involved=involved or owner or delegate,
    )


def workspace_has_admin(uow: UnitOfWork, workspace_id: int) -> bool:
    return (
        uow.session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.workspace_id == workspace_id, RoleGrant.role == Role.ADMIN.value)
        )
        or 0
    ) > 0


def setup_first_admin(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> None:
    """The first person to run `/plan setup` in a workspace with no admins becomes its admin."""
    if actor.person_id is None:
        raise UserError("Setup needs a person to make admin.")
    if workspace_has_admin(uow, actor.workspace_id):
        if (Role.ADMIN.value, None) in roles_of(uow, actor.person_id):
            raise Conflict('You\'re already an admin here. Next: `/plan board create "<name>"`.')
        raise Conflict(
            "This workspace already has admins. Ask one to add you with `/plan admins add`."
        )
    _grant(uow, actor.workspace_id, actor.person_id, Role.ADMIN, None)
    audit(uow, actor, now, "admin.setup", "person", actor.person_id, None, {"role": "admin"})


def set_role(
    uow: UnitOfWork,
    actor: Actor,
    person_id: int,
    role: Role,
    now: dt.datetime,
    board_id: int | None = None,
    *,
    granted: bool,
) -> bool:
    """Grant (`granted`) or revoke a role; False when the person already had it (or, revoking,
    did not have it). The last admin can't be revoked."""
    check(Permission.CONFIGURE, standing(uow, actor, board_id))
    if granted:
        changed = _grant(uow, actor.workspace_id, person_id, role, board_id)
        if changed:
            audit(
                uow, actor, now, f"{role.value}.add", "person", person_id, None, {"board": board_id}
            )
        return changed
    grant = _find_grant(uow, person_id, role, board_id)
    if grant is None:
        return False
    if role is Role.ADMIN:
        admins = uow.session.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .where(RoleGrant.workspace_id == actor.workspace_id, RoleGrant.role == "admin")
        )
        if admins == 1:
            raise Conflict("That's the last admin. Add another admin first, then remove this one.")
    uow.session.delete(grant)
    audit(uow, actor, now, f"{role.value}.remove", "person", person_id, {"board": board_id}, None)
    return True


grant_role = functools.partial(set_role, granted=True)
revoke_role = functools.partial(set_role, granted=False)


def _grant(
    uow: UnitOfWork, workspace_id: int, person_id: int, role: Role, board_id: int | None
) -> bool:
    if _find_grant(uow, person_id, role, board_id) is not None:
        return False
    uow.session.add(
        RoleGrant(
            workspace_id=workspace_id, person_id=person_id, role=role.value, board_id=board_id
        )
    )
    uow.session.flush()
    return True


def _find_grant(
    uow: UnitOfWork, person_id: int, role: Role, board_id: int | None
) -> RoleGrant | None:
    return uow.session.scalar(
        select(RoleGrant).where(
            RoleGrant.person_id == person_id,
            RoleGrant.role == role.value,
            RoleGrant.board_id.is_(None) if board_id is None else RoleGrant.board_id == board_id,
        )
    )


def audit(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    what: str,
    entity: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Record a change; one that changed nothing (e.g. the same request replayed) is none."""
    if before is not None and before == after:
        return
    uow.session.add(
        AuditEvent(
            workspace_id=actor.workspace_id,
            actor_id=actor.person_id,
            at=now,
            what=what,
            entity=entity,
            entity_id=entity_id,
            before=before,
            after=after,
        )
    )


# ---------------------------------------------------------------- boards and plans


_Found = TypeVar("_Found")


def find_board(uow: UnitOfWork, workspace_id: int, name: str | None) -> Board:
    """A board by name (case-insensitive); the only board when no name is given."""
    query = select(Board).where(Board.workspace_id == workspace_id)
    boards = uow.session.scalars(query.order_by(Board.id)).all()
    if name:
        board = next((b for b in boards if b.name.lower() == name.strip().lower()), None)
        board = board or next((b for b in boards if _loose(b.name) == _loose(name)), None)
        if board is None:
            listed = ", ".join(f"“{b.name}”" for b in boards) or "none yet"
            raise NotFound(f"There's no board called “{name}”; the boards are {listed}.")
        return board
    none_yet = 'There are no boards yet. Create one: `/plan board create "<name>"`.'
    return _the_only(boards, [b.name for b in boards], none_yet, "boards")


def _the_only(found: Sequence[_Found], names: list[str], none_yet: str, several: str) -> _Found:
    """The one thing found when none was named; refused when there is none, or several."""
    if not found:
        raise NotFound(none_yet)
    if len(found) > 1:
        listed = ", ".join(f"“{name}”" for name in names)
        raise UserError(f"There are several {several} ({listed}); name one in quotes.")
    return found[0]


def _loose(name: str) -> str:
    """A board name as people type it: any case, with or without apostrophes and dashes."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def create_board(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    now: dt.datetime,
    *,
    chair_id: int | None = None,
    channel_id: str | None = None,
    timezone: str = DEFAULT_TIMEZONE,
    region: str = "ENG",
) -> Board:
    check(Permission.CONFIGURE, standing(uow, actor))
    name = " ".join(name.split())
    if not name:
        raise UserError('A board needs a name: `/plan board create "Improvement Board"`.')
    clash = uow.session.scalar(
        select(Board).where(
            Board.workspace_id == actor.workspace_id, func.lower(Board.name) == name.lower()
        )
    )
    if clash is not None:
        raise Conflict(f"There's already a board called “{clash.name}”.")
    board = Board(
        workspace_id=actor.workspace_id,
        name=name,
        chair_id=chair_id,
        channel_id=channel_id,
        timezone=timezone,
        region=region,
        reminder_policy={},
        meeting_time=dt.time(10, 0),
        created_at=now,
    )
    uow.session.add(board)
    uow.session.flush()
    if chair_id is not None:
        _grant(uow, actor.workspace_id, chair_id, Role.CHAIR, board.id)
    audit(uow, actor, now, "board.create", "board", board.id, None, {"name": name})
    return board


def set_board_chair(
    uow: UnitOfWork, actor: Actor, board: Board, chair_id: int, now: dt.datetime
) -> None:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    before = board.chair_id
    board.chair_id = chair_id
    _grant(uow, actor.workspace_id, chair_id, Role.CHAIR, board.id)
    audit(uow, actor, now, "board.chair", "board", board.id, {"chair": before}, {"chair": chair_id})


def set_board_channel(
    uow: UnitOfWork, actor: Actor, board: Board, channel_id: str, now: dt.datetime
) -> None:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    before = board.channel_id
    board.channel_id = channel_id
    audit(uow, actor, now, "board.channel", "board", board.id, {"c": before}, {"c": channel_id})


def find_plan(uow: UnitOfWork, workspace_id: int, title: str | None) -> Plan:
    """An active plan by title (case-insensitive); the only active plan when none is named."""
    query = (
        select(Plan)
        .join(Board, Board.id == Plan.board_id)
        .where(Board.workspace_id == workspace_id)
    )
    if title:
        plans = uow.session.scalars(
            query.where(func.lower(Plan.title) == title.strip().lower()).order_by(
                Plan.active.desc(), Plan.id
            )
        ).all()
        if not plans:
            raise NotFound(f"There's no plan called “{title}”.")
        return plans[0]
    plans = uow.session.scalars(query.where(Plan.active.is_(True)).order_by(Plan.id)).all()
    none_yet = 'There is no active plan yet. Start one: `/plan new "<plan title>"`.'
    return _the_only(plans, [p.title for p in plans], none_yet, "active plans")


def create_plan(
    uow: UnitOfWork,
    actor: Actor,
    board: Board,
    title: str,
    now: dt.datetime,
    *,
    source: str | None = None,
    published_on: dt.date | None = None,
) -> Plan:
    check(Permission.CONFIGURE, standing(uow, actor, board.id))
    title = " ".join(title.split())
    if not title:
        raise UserError(
            'A plan needs a title: `/plan new "Children\'s Services Improvement Plan"`.'
        )
    clash = uow.session.scalar(
        select(Plan).where(Plan.board_id == board.id, func.lower(Plan.title) == title.lower())
    )
    if clash is not None:
        raise Conflict(f"The board already has a plan called “{clash.title}”.")
    plan = Plan(
        board_id=board.id,
        title=title,
        source=source,
        published_on=published_on,
        active=True,
        created_at=now,
    )
    uow.session.add(plan)
    uow.session.flush()
    audit(uow, actor, now, "plan.create", "plan", plan.id, None, {"title": title})
    return plan


def archive_plan(uow: UnitOfWork, actor: Actor, plan: Plan, now: dt.datetime) -> None:
    check(Permission.CONFIGURE, standing(uow, actor, plan.board_id))
    if not plan.active:
        raise Conflict(f"“{plan.title}” is already archived.")
    plan.active = False
    audit(uow, actor, now, "plan.archive", "plan", plan.id, {"active": True}, {"active": False})


# ---------------------------------------------------------------- themes and actions


def normalise_ref(ref: str) -> str:
    ref = ref.strip().rstrip(".")
    if ref.endswith(".0") and ref.count(".") == 1:
        ref = ref[:-2]
    return ref


def matching_ref(ref: str) -> str:
    """A ref as actions are found by it: normalised, and in lower case (compared with
    `func.lower(Action.ref)`), so `4.0`, `4` and `A1`, `a1` find the same action."""
    return normalise_ref(ref).lower()


def _checked_ref(ref: str, what: str) -> str:
    clean = normalise_ref(ref)
    if not clean or not REF_PATTERN.match(clean):
        raise UserError(f"“{ref}” isn't a usable {what} ref. Use something like 4 or 4.1.")
    return clean


def find_theme(uow: UnitOfWork, plan: Plan, ref: str) -> Theme:
    theme = uow.session.scalar(
        select(Theme).where(Theme.plan_id == plan.id, Theme.ref == normalise_ref(ref))
    )
    if theme is None:
        raise NotFound(
            f'Theme {ref} isn\'t in “{plan.title}”. Add it: `/plan theme add {ref} "<title>"`.'
        )
    return theme


def add_theme(
    uow: UnitOfWork,
    actor: Actor,
    plan: Plan,
    ref: str,
    title: str,
    now: dt.datetime,
    *,
    lead_id: int | None = None,
) -> Theme:
    check(Permission.CONFIGURE, standing(uow, actor, plan.board_id))
    ref = _checked_ref(ref, "theme")
    title = title.strip()
    if not title:
        raise UserError(f'Theme {ref} needs a title: `/plan theme add {ref} "<title>"`.')
    if uow.session.scalar(select(Theme).where(Theme.plan_id == plan.id, Theme.ref == ref)):
        raise Conflict(f"Theme {ref} already exists in “{plan.title}”.")
    position = _next_position(uow, Theme, Theme.plan_id == plan.id)
    theme = Theme(plan_id=plan.id, ref=ref, title=title, lead_id=lead_id, position=position)
    uow.session.add(theme)
    uow.session.flush()
    audit(uow, actor, now, "theme.add", "theme", theme.id, None, {"ref": ref, "title": title})
    return theme


def edit_theme(
    uow: UnitOfWork,
    actor: Actor,
    theme: Theme,
    now: dt.datetime,
    *,
    title: str | None = None,
    lead_id: int | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Rename a theme and/or change its lead; returns {field: (before, after)}."""
    check(Permission.CONFIGURE, standing(uow, actor, theme.plan.board_id))
    changes: dict[str, tuple[Any, Any]] = {}
    clean = " ".join((title or "").split())
    if clean and clean != theme.title:
        changes["title"] = (theme.title, clean)
        theme.title = clean
    if lead_id is not None and lead_id != theme.lead_id:
        changes["lead"] = (theme.lead_id, lead_id)
        theme.lead_id = lead_id
    if not changes:
        raise UserError(
            f"Nothing to change on theme {theme.ref}: "
            f'`/plan theme edit {theme.ref} "<new title>" lead @someone`.'
        )
    audit(
        uow,
        actor,
        now,
        "theme.edit",
        "theme",
        theme.id,
        {k: v[0] for k, v in changes.items()},
        {k: v[1] for k, v in changes.items()},
    )
    return changes


def remove_theme(uow: UnitOfWork, actor: Actor, theme: Theme, now: dt.datetime) -> None:
    """Take an empty theme out of its plan; one with actions says which to move or remove."""
    check(Permission.CONFIGURE, standing(uow, actor, theme.plan.board_id))
    session = uow.session
    refs = list(
        session.scalars(
            select(Action.ref)
            .where(Action.theme_id == theme.id, Action.removed_at.is_(None))
            .order_by(Action.position, Action.id)
        )
    )
    if refs:
        shown = ", ".join(refs[:10]) + (f" and {len(refs) - 10} more" if len(refs) > 10 else "")
        raise Conflict(
            f"Theme {theme.ref} still has {len(refs)} action{'s' if len(refs) != 1 else ''} "
            f"({shown}). Move each to another theme (`/plan action move {refs[0]} to theme "
            f"<ref>`) or remove it (`/plan action remove {refs[0]}`) first."
        )
    # Removed actions keep their history (re-adding a ref brings one back), so they outlive
    # the theme: they wait, unseen, under another theme of the plan.
    removed = session.scalars(select(Action).where(Action.theme_id == theme.id)).all()
    if removed:
        other = session.scalar(
            select(Theme.id)
            .where(Theme.plan_id == theme.plan_id, Theme.id != theme.id)
            .order_by(Theme.position, Theme.id)
        )
        if other is not None:
            for action in removed:
                action.theme_id = other
            session.flush()
    audit(
        uow,
        actor,
        now,
        "theme.remove",
        "theme",
        theme.id,
        {"ref": theme.ref, "title": theme.title},
        None,
    )
    session.delete(theme)
    session.flush()


def move_action(
    uow: UnitOfWork, actor: Actor, action: Action, theme: Theme, now: dt.datetime
) -> str:
    """Move an action, keeping its ref and history, to another theme; returns the old theme."""
    check(Permission.CONFIGURE, standing(uow, actor, action.plan.board_id))
    before = action.theme
    if before.id == theme.id:
        raise Conflict(f"{action.ref} is already in theme {theme.ref}.")
    action.theme_id = theme.id
    action.position = _next_position(uow, Action, Action.theme_id == theme.id)
    uow.session.flush()
    uow.session.expire(action, ["theme"])
    audit(
        uow,
        actor,
        now,
        "action.move",
        "action",
        action.id,
        {"theme": before.ref},
        {"theme": theme.ref},
    )
    return before.ref


@dataclass(frozen=True)
class PlanSummary:
    title: str
    active: bool
    themes: int
    actions: int


@dataclass(frozen=True)
class BoardSummary:
    name: str
    plans: tuple[PlanSummary, ...]


def list_plans(uow: UnitOfWork, actor: Actor) -> list[BoardSummary]:
    """Every board of the workspace with its plans, active first, and their sizes."""
    check(Permission.CONFIGURE, standing(uow, actor))
    session = uow.session
    boards = session.scalars(
        select(Board).where(Board.workspace_id == actor.workspace_id).order_by(Board.id)
    ).all()
    themes = {
        plan_id: n
        for plan_id, n in session.execute(
            select(Theme.plan_id, func.count()).group_by(Theme.plan_id)
        )
    }
    actions = {
        plan_id: n
        for plan_id, n in session.execute(
            select(Action.plan_id, func.count())
            .where(Action.removed_at.is_(None))
            .group_by(Action.plan_id)
        )
    }
    result = []
    for board in boards:
        plans = session.scalars(
            select(Plan).where(Plan.board_id == board.id).order_by(Plan.active.desc(), Plan.id)
        ).all()
        result.append(
            BoardSummary(
                board.name,
                tuple(
                    PlanSummary(p.title, p.active, themes.get(p.id, 0), actions.get(p.id, 0))
                    for p in plans
                ),
            )
        )
    return result


def board_names(uow: UnitOfWork, workspace_id: int) -> list[str]:
    return list(
        uow.session.scalars(
            select(Board.name).where(Board.workspace_id == workspace_id).order_by(Board.id)
        )
    )


def active_plan_titles(uow: UnitOfWork, workspace_id: int) -> list[str]:
    return list(
        uow.session.scalars(
            select(Plan.title)
            .join(Board, Board.id == Plan.board_id)
            .where(Board.workspace_id == workspace_id, Plan.active.is_(True))
            .order_by(Plan.id)
        )
    )


def has_active_plan(uow: UnitOfWork, workspace_id: int) -> bool:
    return (
        uow.session.scalar(
            select(func.count())
            .select_from(Plan)
            .join(Board, Board.id == Plan.board_id)
            .where(Board.workspace_id == workspace_id, Plan.active.is_(True))
        )
        or 0
    ) > 0


_Columns = TypeVarTuple("_Columns")


def workspace_actions(
    query: Select[*_Columns], workspace_id: int | BindParameter[int]
) -> Select[*_Columns]:
    """A query over actions, kept to the workspace's actions that are not removed (the
    workspace given, or bound when the statement runs)."""
    return (
        query.join(Plan, Plan.id == Action.plan_id)
        .join(Board, Board.id == Plan.board_id)
        .where(Board.workspace_id == workspace_id, Action.removed_at.is_(None))
    )


def find_action(uow: UnitOfWork, plan: Plan, ref: str) -> Action:
    action = uow.session.scalar(
        select(Action).where(
            Action.plan_id == plan.id,
            Action.ref == normalise_ref(ref),
            Action.removed_at.is_(None),
        )
    )
    if action is None:
        raise NotFound(
            f"There's no action {ref} in “{plan.title}”. "
            "`/board theme <ref>` lists a theme's actions."
        )
    return action


def theme_ref_for(action_ref: str) -> str:
    """The theme an action belongs to by its ref: 4.1 → 4, 4.1.2 → 4, A1 → A."""
    head = re.split(r"[.\-]", action_ref, maxsplit=1)[0]
    if head == action_ref:
        letters = re.match(r"^([A-Za-z]+)\d", action_ref)
        if letters:
            return letters.group(1)
    return head


def add_action(
    uow: UnitOfWork,
    actor: Actor,
    plan: Plan,
    ref: str,
    title: str,
    now: dt.datetime,
    *,
    due: dt.date | None,
    due_precision: str = "day",
    owner_ids: Sequence[int] = (),
    theme_ref: str | None = None,
    measures: str | None = None,
) -> Action:
    check(Permission.CONFIGURE, standing(uow, actor, plan.board_id))
    ref = _checked_ref(ref, "action")
    title = title.strip()
    if not title:
        raise UserError(
            f'Action {ref} needs a title in quotes: `/plan action add {ref} "<title>" …`.'
        )
    theme = find_theme(uow, plan, theme_ref or theme_ref_for(ref))
    existing = uow.session.scalar(
        select(Action).where(Action.plan_id == plan.id, Action.ref == ref)
    )
    if existing is not None and existing.removed_at is None:
        raise Conflict(f"Action {ref} already exists. Change it with `/plan action edit {ref} …`.")
    position = _next_position(uow, Action, Action.theme_id == theme.id)
    if existing is not None:  # re-adding a removed ref brings the action (and its history) back
        action = existing
        action.removed_at = None
        action.theme_id = theme.id
        action.title = title
        action.measures = measures
        action.due_date = due
        action.due_precision = due_precision
        action.position = position
        action.assignments.clear()
        uow.session.flush()
    else:
        action = Action(
            plan_id=plan.id,
            theme_id=theme.id,
            ref=ref,
            title=title,
            measures=measures,
            due_date=due,
            due_precision=due_precision,
            original_due_date=due,
            status="not_started",
            position=position,
            created_at=now,
        )
        uow.session.add(action)
        uow.session.flush()
    _assign(action, owner_ids, OWNER)
    uow.session.flush()
    audit(
        uow,
        actor,
        now,
        "action.add",
        "action",
        action.id,
        None,
        {"ref": ref, "title": title, "due": due.isoformat() if due else None},
    )
    return action


def edit_action(
    uow: UnitOfWork,
    actor: Actor,
    action: Action,
    now: dt.datetime,
    *,
    title: str | None = None,
    due: dt.date | None = None,
    due_precision: str | None = None,
    measures: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Change what an admin may change directly; returns {field: (before, after)}."""
    check(Permission.CONFIGURE, standing(uow, actor, action.plan.board_id))
    changes: dict[str, tuple[Any, Any]] = {}
    if title is not None and title.strip() and title.strip() != action.title:
        changes["title"] = (action.title, title.strip())
        action.title = title.strip()
    if due is not None and (
        due != action.due_date or (due_precision or "day") != action.due_precision
    ):
        changes["due"] = (action.due_date, due)
        if action.original_due_date is None:
            action.original_due_date = due
        action.due_date = due
        action.due_precision = due_precision or "day"
        action.date_changes += 1
    if measures is not None and measures.strip() != (action.measures or ""):
        changes["measures"] = (action.measures, measures.strip())
        action.measures = measures.strip() or None
    if not changes:
        raise UserError(
            f"Nothing to change on {action.ref}. "
            f"Try `/plan action edit {action.ref} due 31/05/2019`."
        )
    audit(
        uow,
        actor,
        now,
        "action.edit",
        "action",
        action.id,
        {k: _jsonable(v[0]) for k, v in changes.items()},
        {k: _jsonable(v[1]) for k, v in changes.items()},
    )
    return changes


def set_owners(
    uow: UnitOfWork, actor: Actor, action: Action, owner_ids: Sequence[int], now: dt.datetime
) -> None:
    check(Permission.CONFIGURE, standing(uow, actor, action.plan.board_id))
    if not owner_ids:
        raise UserError(f"Name at least one owner: `/plan action owner {action.ref} @someone`.")
    before = [a.person_id for a in action.assignments if a.role == OWNER]
    action.assignments[:] = [a for a in action.assignments if a.role != OWNER]
    uow.session.flush()
    _assign(action, owner_ids, OWNER)
    uow.session.flush()
    audit(
        uow, actor, now, "action.owners", "action", action.id, {"o": before}, {"o": list(owner_ids)}
    )


def add_delegate(
    uow: UnitOfWork, actor: Actor, action: Action, person_id: int, now: dt.datetime
) -> bool:
    check(Permission.CONFIGURE, standing(uow, actor, action.plan.board_id))
    if any(a.person_id == person_id and a.role == DELEGATE for a in action.assignments):
        return False
    _assign(action, [person_id], DELEGATE)
    uow.session.flush()
    audit(uow, actor, now, "action.delegate", "action", action.id, None, {"delegate": person_id})
    return True


def remove_action(uow: UnitOfWork, actor: Actor, action: Action, now: dt.datetime) -> None:
    """Take an action out of the plan; its history stays (re-adding the ref brings it back)."""
    check(Permission.CONFIGURE, standing(uow, actor, action.plan.board_id))
    action.removed_at = now
    audit(uow, actor, now, "action.remove", "action", action.id, {"ref": action.ref}, None)


def _assign(action: Action, person_ids: Iterable[int], role: str) -> None:
    taken = {(a.person_id, a.role) for a in action.assignments}
    position = max((a.position for a in action.assignments), default=-1) + 1
    for person_id in dict.fromkeys(person_ids):
        if (person_id, role) in taken:
            continue
        action.assignments.append(
            ActionAssignment(person_id=person_id, role=role, position=position)
        )
        position += 1


def _next_position(uow: UnitOfWork, model: Any, where: Any) -> int:
    current = uow.session.scalar(select(func.max(model.position)).where(where))
    return 0 if current is None else current + 1


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
