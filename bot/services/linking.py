"""Owners named in a plan, linked to the Slack users they are.

An imported sheet names owners as text ("Jane Doe, Head of Fostering"); until a name is
linked to a Slack user the bot cannot remind that owner. Linking happens three ways: by the
email an owner cell carries, by an exact real-name or display-name match in the Slack
directory (never when two Slack users share the name), and by an admin with
`/plan people link "<name>" @user`.

When the Slack user is already someone else in the bot (they used it before the import, under
another spelling of their name), the plan's name is merged into that person: their actions,
theme leads, roles and history move over and the duplicate goes. Automatic linking never
merges; only an admin's explicit link does.
"""

from __future__ import annotations

import datetime as dt
import difflib
import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select, update

from bot.core.errors import Conflict, NotFound, UserError
from bot.core.permissions import Permission, check
from bot.core.refs import ref_key
from bot.services import UseCases
from bot.services.plans import (
    Actor,
    audit,
    has_active_plan,
    has_only_placeholder_name,
    linked_person_id,
    person_for_slack_user,
    standing,
    workspace_actions,
    workspace_for_team,
)
from bot.services.uow import UnitOfWork
from db.models import (
    Action,
    ActionAssignment,
    AuditEvent,
    Board,
    DateChangeRequest,
    Notification,
    Person,
    PersonAlias,
    Plan,
    ProgressUpdate,
    RoleGrant,
    Theme,
    name_key,
)

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"[A-Za-z0-9._%+'\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


@dataclass(frozen=True)
class SlackProfile:
    """A Slack user as users.info / users.list / users.lookupByEmail describe them."""

    user_id: str
    name: str | None = None  # real name
    display_name: str | None = None
    title: str | None = None
    email: str | None = None
    timezone: str | None = None


def profile_person(
    uow: UnitOfWork, workspace_id: int, profile: SlackProfile, name: str | None
) -> Person:
    """The person a Slack user is in a workspace, made (or linked by `name`) if new."""
    return person_for_slack_user(
        uow,
        workspace_id,
        profile.user_id,
        name=name,
        title=profile.title,
        email=profile.email,
        timezone=profile.timezone,
    )


@dataclass(frozen=True)
class UnlinkedOwner:
    person_id: int
    name: str
    title: str | None
    email: str | None  # as stored, or found in the owner cell's text
    refs: tuple[str, ...]  # the actions they own or stand in for, in ref order


@dataclass(frozen=True)
class DirectoryMatch:
    person_id: int
    profile: SlackProfile
    how: str  # "email" | "name"


@dataclass(frozen=True)
class Linked:
    """One owner linked: `merged_into` names the existing person the owner became, if any."""

    name: str
    user_id: str
    how: str
    merged_into: str | None = None
    actions: int = 0


@dataclass(frozen=True)
class LinkingOutcome:
    """After an import: who was linked, who still waits, and names Slack has twice over."""

    linked: list[Linked]
    waiting: list[UnlinkedOwner]
    ambiguous: list[str]
    lookup_failed: bool = False  # Slack could not be asked; the waiting list says who is left


def email_in(text: str | None) -> str | None:
    """An email address inside an owner's text ("Sam Smith (sam.smith@council.gov.uk)")."""
    if not text:
        return None
    found = _EMAIL.search(text)
    return found.group().lower() if found else None


def unlinked_owners(
    uow: UnitOfWork, actor: Actor, plan_ids: Sequence[int] | None = None
) -> list[UnlinkedOwner]:
    """Owners and delegates of actions in active plans (or the plans given) with no Slack user."""
    check(Permission.CONFIGURE, standing(uow, actor))
    query = workspace_actions(
        select(Person, Action.ref)
        .join(ActionAssignment, ActionAssignment.person_id == Person.id)
        .join(Action, Action.id == ActionAssignment.action_id)
        .where(Person.slack_user_id.is_(None)),
        actor.workspace_id,
    )
    if plan_ids is None:
        query = query.where(Plan.active.is_(True))
    else:
        query = query.where(Plan.id.in_(list(plan_ids)))
    people: dict[int, Person] = {}
    refs: dict[int, set[str]] = defaultdict(set)
    for person, ref in uow.session.execute(query):
        people[person.id] = person
        refs[person.id].add(ref)
    owners = [
        UnlinkedOwner(
            person_id=person.id,
            name=person.name,
            title=person.title,
            email=(person.email or email_in(person.title) or email_in(person.name)),
            refs=tuple(sorted(refs[person.id], key=ref_key)),
        )
        for person in people.values()
    ]
    return sorted(owners, key=lambda o: name_key(o.name))


def match_by_name(
    owners: Iterable[UnlinkedOwner], directory: Iterable[SlackProfile]
) -> tuple[list[DirectoryMatch], list[str]]:
    """Owners whose name is exactly one Slack user's real or display name.

    Returns the matches and the names that several Slack users share (left unlinked).
    """
    by_name: dict[str, dict[str, SlackProfile]] = defaultdict(dict)
    for profile in directory:
        for name in {name_key(profile.name), name_key(profile.display_name)} - {""}:
            by_name[name][profile.user_id] = profile
    matches: list[DirectoryMatch] = []
    ambiguous: list[str] = []
    for owner in owners:
        found = by_name.get(name_key(owner.name), {})
        if len(found) == 1:
            matches.append(DirectoryMatch(owner.person_id, next(iter(found.values())), "name"))
        elif len(found) > 1:
            ambiguous.append(owner.name)
    return matches, ambiguous


def link_matches(
    uow: UnitOfWork, actor: Actor, matches: Iterable[DirectoryMatch], now: dt.datetime
) -> list[Linked]:
    """Link owners found in the Slack directory; a Slack user who is already someone else in
    the bot is skipped (an admin decides with `/plan people link`)."""
    check(Permission.CONFIGURE, standing(uow, actor))
    linked: list[Linked] = []
    for match in matches:
        person = uow.session.get(Person, match.person_id)
        if person is None or person.workspace_id != actor.workspace_id:
            continue
        if person.slack_user_id is not None or _linked_person(uow, actor, match.profile):
            continue
        _link(uow, actor, person, match.profile, match.how, now)
        linked.append(Linked(person.name, match.profile.user_id, match.how))
    return linked


def link_person(
    uow: UnitOfWork, actor: Actor, name: str, profile: SlackProfile, now: dt.datetime
) -> Linked:
    """`/plan people link "<name>" @user`: link the owner of that name to the Slack user,
    merging them into the person that Slack user already is, if any."""
    check(Permission.CONFIGURE, standing(uow, actor))
    clean = " ".join(name.split())
    if not clean:
        raise UserError(
            'Give the owner\'s name as the plan has it: `/plan people link "Jane Doe" @jane`.'
        )
    people = uow.session.scalars(
        select(Person)
        .where(Person.workspace_id == actor.workspace_id, func.lower(Person.name) == clean.lower())
        .order_by(Person.id)
    ).all()
    if not people:
        raise NotFound(_nobody_called(uow, actor, clean))
    unlinked = [p for p in people if p.slack_user_id is None]
    if len(unlinked) > 1:
        raise UserError(
            f"Several owners are called “{clean}”. Set each action's owner instead: "
            "`/plan action owner <ref> @someone`."
        )
    if not unlinked:
        if any(p.slack_user_id == profile.user_id for p in people):
            raise Conflict(f"“{clean}” is already linked to that Slack user.")
        raise Conflict(
            f"“{clean}” is already linked to another Slack user. To hand their actions over, "
            "use `/plan action owner <ref> @someone`."
        )
    person = unlinked[0]
    existing = _linked_person(uow, actor, profile)
    if existing is None:
        _link(uow, actor, person, profile, "admin", now)
        return Linked(person.name, profile.user_id, "admin", actions=_action_count(uow, person.id))
    plan_name = person.name
    moved = merge_people(uow, person, existing)
    audit(
        uow,
        actor,
        now,
        "person.merge",
        "person",
        existing.id,
        {"name": plan_name, "person": person.id},
        {"into": existing.id, "slack_user": profile.user_id, "actions": moved},
    )
    return Linked(plan_name, profile.user_id, "admin", merged_into=existing.name, actions=moved)


def merge_people(uow: UnitOfWork, duplicate: Person, keep: Person) -> int:
    """Move everything of `duplicate` to `keep` and delete it; returns the actions moved."""
    session = uow.session
    moved_actions: set[int] = set()
    kept = {
        (action_id, role)
        for action_id, role in session.execute(
            select(ActionAssignment.action_id, ActionAssignment.role).where(
                ActionAssignment.person_id == keep.id
            )
        )
    }
    for assignment in session.scalars(
        select(ActionAssignment).where(ActionAssignment.person_id == duplicate.id)
    ).all():
        moved_actions.add(assignment.action_id)
        if (assignment.action_id, assignment.role) not in kept:
            session.add(
                ActionAssignment(
                    action_id=assignment.action_id,
                    person_id=keep.id,
                    role=assignment.role,
                    position=assignment.position,
                )
            )
        session.delete(assignment)
    held = {
        (role, board_id)
        for role, board_id in session.execute(
            select(RoleGrant.role, RoleGrant.board_id).where(RoleGrant.person_id == keep.id)
        )
    }
    for grant in session.scalars(select(RoleGrant).where(RoleGrant.person_id == duplicate.id)):
        if (grant.role, grant.board_id) in held:
            session.delete(grant)
        else:
            grant.person_id = keep.id
    session.flush()
    for column in (
        Theme.lead_id,
        Board.chair_id,
        ProgressUpdate.author_id,
        DateChangeRequest.requested_by_id,
        DateChangeRequest.decided_by_id,
        Notification.recipient_person_id,
        AuditEvent.actor_id,
    ):
        session.execute(
            update(column.class_)
            .where(column == duplicate.id)
            .values({column.key: keep.id})
            .execution_options(synchronize_session="fetch")
        )
    keep.email = keep.email or duplicate.email or email_in(duplicate.title)
    if not keep.title and duplicate.title and not email_in(duplicate.title):
        keep.title = duplicate.title
    alias = name_key(duplicate.name)
    if alias != name_key(keep.name):
        session.execute(
            update(PersonAlias)
            .where(PersonAlias.person_id == duplicate.id)
            .values(person_id=keep.id)
            .execution_options(synchronize_session=False)
        )
        known = session.scalar(
            select(PersonAlias).where(
                PersonAlias.workspace_id == keep.workspace_id, PersonAlias.name_key == alias
            )
        )
        if known is None:
            session.add(
                PersonAlias(workspace_id=keep.workspace_id, name_key=alias, person_id=keep.id)
            )
        else:
            known.person_id = keep.id
    session.delete(duplicate)
    session.flush()
    return len(moved_actions)


def _link(
    uow: UnitOfWork, actor: Actor, person: Person, profile: SlackProfile, how: str, now: dt.datetime
) -> None:
    """Link an owner to their Slack user (found by `how`), filling in what Slack knows."""
    _fill_in(person, profile)
    uow.session.flush()
    audit(
        uow,
        actor,
        now,
        "person.link",
        "person",
        person.id,
        {"slack_user": None},
        {"slack_user": profile.user_id, "by": how},
    )


def _fill_in(person: Person, profile: SlackProfile) -> None:
    person.slack_user_id = profile.user_id
    title_email = email_in(person.title)
    if title_email and not person.email:
        person.email = title_email
    if title_email and person.title and person.title.strip().lower() == title_email:
        person.title = None  # the cell held only the address
    person.email = person.email or profile.email
    person.title = person.title or profile.title
    person.timezone = profile.timezone or person.timezone


def _linked_person(uow: UnitOfWork, actor: Actor, profile: SlackProfile) -> Person | None:
    return uow.session.scalar(
        select(Person).where(
            Person.workspace_id == actor.workspace_id, Person.slack_user_id == profile.user_id
        )
    )


def _action_count(uow: UnitOfWork, person_id: int) -> int:
    return (
        uow.session.scalar(
            select(func.count(func.distinct(ActionAssignment.action_id)))
            .join(Action, Action.id == ActionAssignment.action_id)
            .where(ActionAssignment.person_id == person_id, Action.removed_at.is_(None))
        )
        or 0
    )


def _nobody_called(uow: UnitOfWork, actor: Actor, name: str) -> str:
    waiting = [o.name for o in unlinked_owners(uow, actor)]
    close = difflib.get_close_matches(name, waiting, n=1, cutoff=0.6)
    if close:
        return f"Nobody called “{name}” is in the plan. Did you mean “{close[0]}”?"
    return f"Nobody called “{name}” is in the plan. `/plan people` lists the owners to link."


def known_slack_users(uow: UnitOfWork, workspace_id: int, user_ids: list[str]) -> set[str]:
    """Which of these Slack users the bot already knows (so their profile need not be fetched)."""
    if not user_ids:
        return set()
    return set(
        uow.session.scalars(
            select(Person.slack_user_id).where(
                Person.workspace_id == workspace_id, Person.slack_user_id.in_(user_ids)
            )
        )
    )


# ---------------------------------------------------------------- the people use cases


class DirectoryUnavailable(Exception):
    """The Slack directory could not be asked just now."""


class Directory(Protocol):
    """The workspace's Slack directory, as the linking use cases ask it."""

    def by_email(self, email: str) -> SlackProfile | None: ...

    def everyone(self) -> Iterable[SlackProfile]: ...


@dataclass(frozen=True)
class UnlinkedPeople:
    """`/plan people`: the owners still to link, and whether there is a plan at all."""

    owners: list[UnlinkedOwner]
    any_plan: bool


class PeopleService(UseCases):
    """Who people are: the acting person, Slack users by profile, owners linked to Slack."""

    def resolve_actor(
        self,
        team_id: str,
        user_id: str | None,
        now: dt.datetime,
        profile_of: Callable[[str], SlackProfile],
    ) -> tuple[Actor, bool]:
        """The acting person, made from their Slack profile (`profile_of`, asked between
        transactions) the first time they are seen; and whether that profile is complete
        (False: ask again next time)."""
        with self.units.request() as uow:
            workspace_id = workspace_for_team(uow, team_id, now)
            person_id = linked_person_id(uow, workspace_id, user_id) if user_id else None
            placeholder = (
                person_id is not None
                and user_id is not None
                and has_only_placeholder_name(uow, person_id, user_id)
            )
            uow.commit()
        if user_id is None or (person_id is not None and not placeholder):
            return Actor(workspace_id, person_id), True
        profile = profile_of(user_id)
        person_id = self.units.committed(
            lambda uow: profile_person(uow, workspace_id, profile, profile.name).id
        )
        return Actor(workspace_id, person_id), profile.name is not None

    def profiles(
        self,
        actor: Actor,
        user_ids: Sequence[str],
        lookup: Callable[[str], SlackProfile],
    ) -> dict[str, SlackProfile]:
        """Profiles of mentioned users; `lookup` is asked only about people not yet known."""
        wanted = list(dict.fromkeys(user_ids))
        with self.units.request() as uow:
            known = known_slack_users(uow, actor.workspace_id, wanted)
        return {
            user_id: SlackProfile(user_id) if user_id in known else lookup(user_id)
            for user_id in wanted
        }

    def unlinked(self, actor: Actor) -> UnlinkedPeople:
        with self.units.request() as uow:
            owners = unlinked_owners(uow, actor)
            return UnlinkedPeople(owners, has_active_plan(uow, actor.workspace_id))

    def link(self, actor: Actor, name: str, profile: SlackProfile, now: dt.datetime) -> Linked:
        return self.units.committed(lambda uow: link_person(uow, actor, name, profile, now))

    def link_plan_owners(
        self, actor: Actor, plan_id: int, directory: Directory, now: dt.datetime
    ) -> LinkingOutcome:
        """After an import: link the plan's unlinked owners by email, then by exact name.

        The import is already saved, so a failure here only leaves owners for an admin to
        link.
        """
        with self.units.request() as uow:
            owners = unlinked_owners(uow, actor, [plan_id])
        if not owners:
            return LinkingOutcome([], [], [])
        matches: list[DirectoryMatch] = []
        ambiguous: list[str] = []
        failed = False
        try:
            by_name: list[UnlinkedOwner] = []
            for owner in owners:
                found = directory.by_email(owner.email) if owner.email else None
                if found is not None:
                    matches.append(DirectoryMatch(owner.person_id, found, "email"))
                else:
                    by_name.append(owner)
            if by_name:
                named, ambiguous = match_by_name(by_name, directory.everyone())
                matches += named
        except DirectoryUnavailable:
            failed = True
        try:
            with self.units.request() as uow:
                linked = link_matches(uow, actor, matches, now)
                waiting = unlinked_owners(uow, actor, [plan_id])
                uow.commit()
        except Exception:
            log.exception("linking the owners of plan %s failed", plan_id)
            return LinkingOutcome([], owners, ambiguous, lookup_failed=True)
        return LinkingOutcome(linked, waiting, ambiguous, lookup_failed=failed)
