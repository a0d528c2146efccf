"""A small, realistic board built through the use cases, for end-to-end tests that start
from a plan rather than from nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.permissions import Role
from bot.sandbox.local import LocalBot
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    grant_role,
    person_for_slack_user,
    setup_first_admin,
    workspace_for_team,
)


@dataclass(frozen=True)
class Seeded:
    workspace_id: int
    board_id: int
    plan_id: int
    actions: dict[str, int]  # ref -> action id
    people: dict[str, int]  # sandbox handle -> person id


def seed_board(local: LocalBot, *, meetings: str | None = "FREQ=MONTHLY;BYDAY=+2TU") -> Seeded:
    """Ada admin, Chris chair, board channel #improvement-board, meetings second Tuesday.

    Theme 4 (lead Chris): 4.1 due 31 May 2019 (Jane), 4.2 due 30 Apr 2019 (Omar, overdue).
    Theme 5: 5.1 due 28 Jun 2019 (Jane and Omar).
    """
    now = local.clock.now()
    team = local.emulator.workspace.team_id
    with local.services.uow() as uow:
        ws = workspace_for_team(uow, team, now, "Sandbox Council")
        people = {}
        for user in local.users:
            person = person_for_slack_user(
                uow, ws, user.id, name=user.real_name, title=user.title, email=user.email
            )
            people[user.name] = person.id
        admin = Actor(ws, people["ada"])
        setup_first_admin(uow, admin, now)
        board = create_board(
            uow, admin, "Improvement Board", now, chair_id=people["chris"], channel_id="CBOARD0000"
        )
        grant_role(uow, admin, people["mo"], Role.MEMBER, now, board_id=board.id)
        if meetings:
            board.meeting_rule = meetings
            board.meeting_start = dt.date(2019, 1, 1)
        plan = create_plan(uow, admin, board, "Children's Services Improvement Plan", now)
        add_theme(uow, admin, plan, "4", "Placement stability", now, lead_id=people["chris"])
        add_theme(uow, admin, plan, "5", "Quality of social work practice", now)
        actions = {}
        for ref, title, due, owners in (
            ("4.1", "Seek foster carers' views", dt.date(2019, 5, 31), ["jane"]),
            ("4.2", "Review placement sufficiency", dt.date(2019, 4, 30), ["omar"]),
            ("5.1", "Audit supervision records", dt.date(2019, 6, 28), ["jane", "omar"]),
        ):
            action = add_action(
                uow,
                admin,
                plan,
                ref,
                title,
                now,
                due=due,
                owner_ids=[people[o] for o in owners],
            )
            actions[ref] = action.id
        uow.commit()
        return Seeded(ws, board.id, plan.id, actions, people)
