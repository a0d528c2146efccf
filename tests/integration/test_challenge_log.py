"""The challenge log and impact through the services' building blocks, on both databases:
append-only history, the owners' DMs in the outbox (enqueued in the same transaction), and
what the pack and the plan's JSON say about them.

The board is test_digest's: it meets on the second Tuesday (9 April, 14 May, 11 June 2019).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.core.challenges import ChallengeFilter, ChallengeState, EventKind
from bot.core.errors import Conflict, PermissionDenied
from bot.core.impact import Impact
from bot.services import challenges
from bot.services.digest import build_pack, pack_json
from bot.services.plans import Actor, find_action
from bot.services.progress import record_progress
from bot.services.snapshot import plan_snapshots
from db.models import ChallengeEvent, Notification, Plan
from tests.integration.test_digest import NOW, UowFactory, at, build_board

QUESTION = "Why has the survey slipped again?"


def test_a_challenge_is_asked_answered_closed_and_reopened_with_its_dms(
    uow_factory: UowFactory,
) -> None:
    ids = build_board(uow_factory)
    chair, jane = Actor(ids["ws"], ids["chair"]), Actor(ids["ws"], ids["jane"])
    with uow_factory() as uow:
        asked = challenges.ask(uow, chair, "2.1", QUESTION, at(5, 15, 9))
        uow.commit()
    c1 = asked.challenge.id
    assert (asked.challenge.state, asked.told) == ("open", 2)
    with uow_factory() as uow, pytest.raises(Conflict, match="still open"):
        challenges.chair_step(uow, chair, c1, at(5, 16, 8), EventKind.REOPENED, "And?")
    with uow_factory() as uow:
        challenges.answer(uow, jane, c1, "The forum moved to June", at(5, 16, 9))
        challenges.chair_step(uow, chair, c1, at(5, 17, 9), EventKind.CLOSED, None)
        with pytest.raises(Conflict, match="takes no more answers"):
            challenges.answer(uow, jane, c1, "And another thing", at(5, 17, 10))
        done = challenges.chair_step(
            uow, chair, c1, at(5, 20, 9), EventKind.REOPENED, "What response rate now?"
        )
        uow.commit()
    assert done.challenge.state is ChallengeState.OPEN and done.challenge.reopened
    assert done.challenge.question == "What response rate now?"
    with uow_factory() as uow:
        kinds = uow.session.scalars(select(ChallengeEvent.kind).order_by(ChallengeEvent.id))
        assert list(kinds) == ["asked", "answered", "closed", "reopened"]
        sent = uow.session.execute(
            select(Notification.kind, Notification.recipient).order_by(Notification.id)
        ).all()
    # The question and the follow-up went to both owners of 2.1; the answer to the chair.
    assert [tuple(row) for row in sent if row[0] == "challenge"] == [
        ("challenge", "UJANE00000"),
        ("challenge", "UOMAR00000"),
        ("challenge", "UCHAIR0000"),
        ("challenge", "UJANE00000"),
        ("challenge", "UOMAR00000"),
    ]


def test_only_owners_answer_and_only_the_chair_closes(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    chair, jane, omar = (Actor(ids["ws"], ids[who]) for who in ("chair", "jane", "omar"))
    with uow_factory() as uow:
        with pytest.raises(PermissionDenied, match="chair and members"):
            challenges.ask(uow, jane, "1.1", QUESTION, at(5, 15, 9))
        c1 = challenges.ask(uow, chair, "1.1", QUESTION, at(5, 15, 9)).challenge.id  # Jane's
        with pytest.raises(PermissionDenied, match="owners and delegates"):
            challenges.answer(uow, omar, c1, "not mine", at(5, 15, 10))
        with pytest.raises(PermissionDenied, match="chair"):
            challenges.chair_step(uow, jane, c1, at(5, 15, 10), EventKind.CLOSED, None)


def test_the_pack_and_the_plan_json_show_challenges_and_impact(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    chair, jane = Actor(ids["ws"], ids["chair"]), Actor(ids["ws"], ids["jane"])
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None
        c1 = challenges.ask(uow, chair, "2.1", QUESTION, at(5, 2, 9)).challenge
        c2 = challenges.ask(uow, chair, "1.1", "Is the log minuted?", at(5, 3, 9)).challenge
        challenges.answer(uow, jane, c2.id, "Yes, every meeting", at(5, 6, 9))
        c3 = challenges.ask(uow, chair, "2.3", "Who sits on the panel?", at(5, 7, 9)).challenge
        challenges.chair_step(uow, chair, c3.id, at(5, 8, 9), EventKind.CLOSED, None)
        record_progress(
            uow, jane, find_action(uow, plan, "2.1"), at(5, 15, 10), source="command",
            impact=Impact.EMERGING, evidence="12 of 40 carers surveyed",
        )  # fmt: skip
        uow.commit()
    with uow_factory() as uow:
        pack = pack_json(build_pack(uow, ids["board"], dt.date(2019, 6, 11), NOW))
        [snapshot] = plan_snapshots(uow, plan_ids=[ids["plan"]], now=NOW)
    assert [(c["id"], c["state"], c["age"]) for c in pack["challenges"]] == [
        (c1.label, "open", "asked 14 days ago"),
        (c2.label, "answered", "answered 10 days ago"),
    ]
    assert pack["digest"]["challenges"] == {"open": 1, "answered": 1, "closed": 1}
    assert pack["digest"]["impact"]["impact_emerging"] == 1
    actions = {a["ref"]: a for t in snapshot["themes"] for a in t["actions"]}
    assert actions["2.1"]["impact"]["headline"] == "At risk, impact emerging"
    assert actions["2.1"]["impact"]["evidence"] == "12 of 40 carers surveyed"
    assert actions["1.2"]["impact"]["headline"] == "Delivered, impact not yet evidenced"
    assert [c["state"] for c in actions["2.3"]["challenges"]] == ["closed"]
    # 2.1 went amber on 20 April, before the meeting on 14 May: the same since.
    assert actions["2.1"]["movement"]["at_last_meeting"] == "amber"
    assert actions["2.1"]["movement"]["movement"] == "same"


def test_the_list_filters_by_state(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    chair = Actor(ids["ws"], ids["chair"])
    with uow_factory() as uow:
        c1 = challenges.ask(uow, chair, "2.1", QUESTION, at(5, 2, 9)).challenge
        c2 = challenges.ask(uow, chair, "1.1", "Is the log minuted?", at(5, 3, 9)).challenge
        challenges.chair_step(uow, chair, c2.id, at(5, 8, 9), EventKind.CLOSED, None)
        views = challenges.board_challenges(uow, ids["board"], NOW)
    assert [v.label for v in views if ChallengeFilter.CURRENT.admits(v.state)] == [c1.label]
    assert [v.label for v in views if ChallengeFilter.CLOSED.admits(v.state)] == [c2.label]
