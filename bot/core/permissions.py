"""Who may do what: one pure function of a person's standing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.core.errors import PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    CHAIR = "chair"
    MEMBER = "member"


class Permission(StrEnum):
    CONFIGURE = "configure"  # boards, plans, themes, actions, people, admins
    UPDATE_ACTION = "update_action"  # record progress, ask for a new date
    APPROVE_DATE = "approve_date"  # approve or decline a date change
    READ = "read"  # status, digest, pack, history
    ASK_CHALLENGE = "ask_challenge"  # put a board's question to an action's owners
    ANSWER_CHALLENGE = "answer_challenge"  # answer a challenge on one's action
    CLOSE_CHALLENGE = "close_challenge"  # close a challenge, or reopen it with a follow-up


@dataclass(frozen=True)
class Standing:
    """What a person is, relative to the thing they want to touch."""

    system: bool = False  # the operator at the CLI, or the bot's own scheduler
    admin: bool = False
    chair: bool = False  # of the board in question
    member: bool = False  # of the board in question
    owner: bool = False  # of the action in question
    delegate: bool = False  # of the action in question
    covering: bool = False  # deputy of an owner of the action in question who is away
    involved: bool = False  # owns, leads or stands in for something in the board
    no_admins: bool = False  # the workspace has no admin yet: `/plan setup` comes first


def is_allowed(permission: Permission, standing: Standing) -> bool:
    if standing.system:
        return True
    match permission:
        case Permission.CONFIGURE:
            return standing.admin
        case Permission.UPDATE_ACTION:
            return standing.owner or standing.delegate
        case Permission.APPROVE_DATE:
            return standing.chair
        case Permission.ASK_CHALLENGE:
            return standing.chair or standing.member
        case Permission.ANSWER_CHALLENGE:
            return standing.owner or standing.delegate or standing.covering
        case Permission.CLOSE_CHALLENGE:
            return standing.chair or standing.admin
        case Permission.READ:
            return (
                standing.admin
                or standing.chair
                or standing.member
                or standing.owner
                or standing.delegate
                or standing.covering
                or standing.involved
            )
    return False


REFUSALS: dict[Permission, str] = {
    Permission.CONFIGURE: "Only a plan admin can change the plan set-up. "
    "Ask an admin to run this, or to add you with `/plan admins add @you`.",
    Permission.UPDATE_ACTION: "Only the action's owners and delegates can update it. "
    "Ask an admin to add you: `/plan action delegate <ref> @you`.",
    Permission.APPROVE_DATE: "Only the board's chair can approve or decline a date change.",
    Permission.READ: "You're not on this board yet. Ask a plan admin to add you.",
    Permission.ASK_CHALLENGE: "Only the board's chair and members can challenge an action. "
    "Ask a plan admin to add you: `/plan members add @you`.",
    Permission.ANSWER_CHALLENGE: "Only the action's owners and delegates (or a deputy covering "
    "an owner who is away) can answer its challenges.",
    Permission.CLOSE_CHALLENGE: "Only the board's chair (or a plan admin) can close or reopen "
    "a challenge.",
}

# An admin can fix the cause themselves: neither "ask an admin" nor their own action list.
REFUSALS_TO_ADMINS: dict[Permission, str] = {
    Permission.UPDATE_ACTION: "Only the action's owners and delegates can update it. "
    "As an admin you can make yourself its delegate first: `/plan action delegate <ref> @you`.",
}

NO_ADMIN_YET = (
    "Nobody is a plan admin here yet. Run `/plan setup` first: it makes you the first admin, "
    "and then this command will work."
)


def check(permission: Permission, standing: Standing, *, ref: str | None = None) -> None:
    """Raise PermissionDenied (a friendly line) unless the standing allows the permission;
    `ref` fills in the action in the command the refusal suggests."""
    if not is_allowed(permission, standing):
        if permission is Permission.CONFIGURE and standing.no_admins:
            raise PermissionDenied(NO_ADMIN_YET)
        if standing.admin and permission in REFUSALS_TO_ADMINS:
            message = REFUSALS_TO_ADMINS[permission]
        else:
            message = REFUSALS[permission]
        raise PermissionDenied(message.replace("<ref>", ref) if ref else message)
