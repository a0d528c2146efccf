"""The weekly digest and the pre-meeting pack, built from boards made with the use cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from bot.core.board_status import Who
from bot.core.errors import NotFound
from bot.core.impact import Impact
from bot.core.statuses import Status
from bot.render.digest import digest_blocks, digest_text, pack_blocks
from bot.services.digest import build_digest, build_pack, digest_json, pack_json
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    archive_plan,
    create_board,
    create_plan,
    find_action,
    person_by_name,
    person_for_slack_user,
    remove_action,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import decide_date_change, record_progress, request_date_change
from bot.services.uow import UnitOfWork
from db.models import Action, Board, MeetingChange, Notification, Plan
from tests.conftest import NOW

UowFactory = Callable[[], UnitOfWork]

UTC = dt.UTC
CREATED = dt.datetime(2019, 3, 1, 9, 0, tzinfo=UTC)
LAST_DIGEST = dt.datetime(2019, 5, 13, 8, 0, tzinfo=UTC)  # Monday 09:00 in London


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, minute, tzinfo=UTC)


def _update(
    uow: UnitOfWork,
    ws: int,
    person: int,
    plan: Plan,
    ref: str,
    when: dt.datetime,
    status: Status | None = None,
    note: str | None = None,
) -> None:
    action = find_action(uow, plan, ref)
    record_progress(
        uow, Actor(ws, person), action, when, source="command", status=status, note=note
    )


def build_board(uow_factory: UowFactory) -> dict[str, int]:
    """Two themes with an action of every colour; an archived plan and a removed action.

    NOW is Thursday 16 May 2019 (09:00 in London); Monday 6 May was a bank holiday.
    """
    with uow_factory() as uow:
        ws = workspace_for_team(uow, "T1", CREATED, "Council")
        admin = person_for_slack_user(uow, ws, "UADMIN0000", name="Ada Admin")
        setup_first_admin(uow, Actor(ws, admin.id), CREATED)
        actor = Actor(ws, admin.id)
        chair = person_for_slack_user(uow, ws, "UCHAIR0000", name="Chris Chair")
        jane = person_for_slack_user(uow, ws, "UJANE00000", name="Jane Doe")
        omar = person_for_slack_user(uow, ws, "UOMAR00000", name="Omar Owner")
        pat = person_by_name(uow, ws, "Pat Smith", "Head of Placements")  # not on Slack
        board = create_board(uow, actor, "Improvement Board", CREATED, chair_id=chair.id)
        board.meeting_rule = "FREQ=MONTHLY;BYDAY=+2TU"  # second Tuesday: 9 Apr, 14 May, 11 Jun
        board.meeting_start = dt.date(2019, 1, 8)

        old = create_plan(uow, actor, board, "2016 plan", CREATED)
        add_theme(uow, actor, old, "1", "Old theme", CREATED)
        add_action(
            uow, actor, old, "1.1", "Old overdue action", CREATED,
            due=dt.date(2019, 1, 31), owner_ids=[jane.id],
        )  # fmt: skip
        archive_plan(uow, actor, old, CREATED)

        plan = create_plan(uow, actor, board, "ILACS plan", CREATED, source="ILACS 2018")
        add_theme(uow, actor, plan, "1", "Leadership and governance", CREATED)
        add_theme(uow, actor, plan, "2", "Placement stability", CREATED)
        actions: list[tuple[str, str, dt.date, str, list[int]]] = [
            ("1.1", "Chair's challenge log", dt.date(2019, 5, 20), "day", [jane.id]),
            ("1.2", "Quarterly practice audit", dt.date(2019, 4, 30), "day", [omar.id]),
            ("1.3", "Removed action", dt.date(2019, 4, 1), "day", [jane.id]),
            ("2.1", "Seek foster carers' views", dt.date(2019, 5, 2), "day", [jane.id, omar.id]),
            ("2.2", "Sufficiency strategy", dt.date(2019, 7, 31), "month", [omar.id, jane.id]),
            ("2.3", "Placement panel", dt.date(2019, 12, 31), "month", [jane.id, pat.id]),
        ]
        for ref, title, due, precision, owners in actions:
            add_action(
                uow, actor, plan, ref, title, CREATED,
                due=due, due_precision=precision, owner_ids=owners,
            )  # fmt: skip
        remove_action(uow, actor, find_action(uow, plan, "1.3"), CREATED + dt.timedelta(days=1))
        uow.commit()
        ids = {"ws": ws, "board": board.id, "plan": plan.id, "chair": chair.id}
        ids |= {"jane": jane.id, "omar": omar.id, "pat": pat.id}

    jane_id, omar_id = ids["jane"], ids["omar"]
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None
        # Before the period (the last digest went out on 13 May).
        _update(uow, ws, omar_id, plan, "2.2", at(4, 10), Status.RED, "recruitment paused")
        _update(uow, ws, jane_id, plan, "2.1", at(4, 20), Status.AMBER, "survey late")
        _update(uow, ws, omar_id, plan, "1.2", at(5, 2), Status.BLUE, "audit done")
        # In the period.
        change = request_date_change(
            uow, Actor(ws, jane_id), find_action(uow, plan, "1.1"),
            dt.date(2019, 5, 26), "venue moved", at(5, 13, 12),
        )  # fmt: skip
        _update(uow, ws, jane_id, plan, "2.3", at(5, 14, 8, 30), note="panel starts in June")
        _update(uow, ws, jane_id, plan, "1.1", at(5, 14, 10), Status.GREEN, "log in place")
        decide_date_change(uow, Actor(ws, ids["chair"]), change.id, True, at(5, 14, 12))
        pending = request_date_change(
            uow, Actor(ws, jane_id), find_action(uow, plan, "2.1"),
            dt.date(2019, 6, 28), "survey slipped", at(5, 15, 9),
        )  # fmt: skip
        ids["pending"] = pending.id
        # After NOW: a digest built at NOW must not see it.
        _update(uow, ws, omar_id, plan, "2.2", at(5, 20), note="written after the digest")
        # The ledger: the last digest sent, plus messages that must not move `since`.
        for key, kind, state, due, sent in [
            ("digest:0", "digest", "sent", at(5, 6, 8), at(5, 6, 8)),
            ("digest:1", "digest", "sent", LAST_DIGEST, LAST_DIGEST),
            ("pack:1", "pack", "sent", at(5, 15, 8), at(5, 15, 8)),
            ("digest:2", "digest", "pending", at(5, 15, 8), None),
            # Today's digest has just gone to the channel; the chair's copy must cover the
            # same period, not the last minute.
            ("digest:3", "digest", "sent", NOW, NOW),
        ]:
            uow.session.add(
                Notification(
                    workspace_id=ws, board_id=ids["board"], key=key, kind=kind,
                    recipient="CBOARD0000", payload={}, state=state, due_at=due,
                    local_day=due.date(), created_at=due, sent_at=sent,
                )
            )  # fmt: skip
        uow.commit()
    return ids


def person(name: str, slack: str | None) -> dict[str, Any]:
    return {"name": name, "slack_user": slack}


JANE = person("Jane Doe", "UJANE00000")
OMAR = person("Omar Owner", "UOMAR00000")


def expected_digest(board_id: int) -> dict[str, Any]:
    return {
        "board": {"id": board_id, "name": "Improvement Board", "timezone": "Europe/London"},
        "generated_at": "2019-05-16T08:00:00+00:00",
        "date": "2019-05-16",
        "since": "2019-05-13T08:00:00+00:00",
        "stale_days": 30,
        "totals": {
            "actions": 5,
            "statuses": {"not_started": 1, "green": 1, "amber": 1, "red": 1, "blue": 1},
            "percent_complete": 20,
            "overdue": 1,
            "due_soon": 1,
            "stale": 1,
            "pending_date_changes": 1,
        },
        "themes": [
            {
                "plan": "ILACS plan",
                "ref": "1",
                "title": "Leadership and governance",
                "actions": 2,
                "statuses": {"not_started": 0, "green": 1, "amber": 0, "red": 0, "blue": 1},
                "percent_complete": 50,
                "overdue": [],
                "due_soon": [
                    {
                        "ref": "1.1",
                        "title": "Chair's challenge log",
                        "due": "2019-05-26",
                        "due_precision": "day",
                        "status": "green",
                        "owners": [JANE],
                        "days_left": 10,
                    }
                ],
                "status_changes": [
                    {
                        "ref": "1.1",
                        "title": "Chair's challenge log",
                        "from": "not_started",
                        "to": "green",
                        "by": "Jane Doe",
                        "at": "2019-05-14T10:00:00+00:00",
                    }
                ],
                "stale": [],
                "date_changes": [
                    {
                        "ref": "1.1",
                        "title": "Chair's challenge log",
                        "from": "2019-05-20",
                        "to": "2019-05-26",
                        "precision": "day",
                        "reason": "venue moved",
                        "decided_by": "Chris Chair",
                        "decided_at": "2019-05-14T12:00:00+00:00",
                    }
                ],
            },
            {
                "plan": "ILACS plan",
                "ref": "2",
                "title": "Placement stability",
                "actions": 3,
                "statuses": {"not_started": 1, "green": 0, "amber": 1, "red": 1, "blue": 0},
                "percent_complete": 0,
                "overdue": [
                    {
                        "ref": "2.1",
                        "title": "Seek foster carers' views",
                        "due": "2019-05-02",
                        "due_precision": "day",
                        "status": "amber",
                        "owners": [JANE, OMAR],
                        # 3, 7–10 and 13–16 May: the 6 May bank holiday does not count.
                        "working_days_overdue": 9,
                    }
                ],
                "due_soon": [],
                "status_changes": [],
                "stale": [
                    {
                        "ref": "2.2",
                        "title": "Sufficiency strategy",
                        "status": "red",
                        "owners": [OMAR, JANE],
                        "last_update": "2019-04-10T10:00:00+00:00",
                        "days_since_update": 36,
                    }
                ],
                "date_changes": [],
            },
        ],
        # 1.2 is complete with no evidence of impact.
        "impact": {
            "delivered": 1,
            "impact_evidenced": 0,
            "impact_emerging": 0,
            "owing_evidence": [
                {"ref": "1.2", "title": "Quarterly practice audit", "owners": [OMAR]}
            ],
        },
        "challenges": {"open": 0, "answered": 0, "closed": 0},
        # Since the meeting at 10:00 BST on 14 May: 1.1 went green an hour later, and its due
        # date moved from 20 to 26 May at 13:00 BST.
        "movement": {
            "since": "2019-05-14",
            "slips": 1,
            "themes": [
                {
                    "ref": "1",
                    "line": "1 better since 14 May 2019",
                    "better": 1,
                    "worse": 0,
                    "same": 1,
                    "new": 0,
                    "actions": [
                        {
                            "ref": "1.1",
                            "since": "2019-05-14T09:00:00+00:00",
                            "at_last_meeting": "not_started",
                            "now": "green",
                            "movement": "improved",
                            "symbol": "↑",
                            "slips": 1,
                        }
                    ],
                },
                {
                    "ref": "2",
                    "line": "no change since 14 May 2019",
                    "better": 0,
                    "worse": 0,
                    "same": 3,
                    "new": 0,
                    "actions": [],
                },
            ],
        },
    }


def test_digest_of_a_small_board_is_exact(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        digest = build_digest(uow, ids["board"], NOW)
    assert digest_json(digest) == expected_digest(ids["board"])
    assert digest.today == dt.date(2019, 5, 16)
    assert digest.themes[1].overdue[0].owners == (
        Who("Jane Doe", "UJANE00000"),
        Who("Omar Owner", "UOMAR00000"),
    )
    text = digest_text(digest)
    assert "2.1 Seek foster carers' views — Jane Doe, Omar Owner — 9 working days overdue" in text
    assert "Removed action" not in text and "Old overdue action" not in text
    assert "1 delivered · 0 with impact evidenced · 1 delivered still owes evidence" in text
    assert "Movement since the meeting on 14 May 2019 · 1 slip" in text
    assert "Theme 1 Leadership and governance: 1 better since 14 May 2019 (1 slip)" in text
    assert "↑ 1.1 Chair's challenge log: Not started → On track" in text
    assert all(len(message) <= 50 for message in digest_blocks(digest))


def test_digest_period_starts_at_the_last_digest_sent_before_now(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        # Before any digest was sent: the last seven days.
        early = at(5, 5, 12)
        digest = build_digest(uow, ids["board"], early)
        assert digest.since == early - dt.timedelta(days=7)
        assert [(c.ref, c.to_status) for t in digest.themes for c in t.changes] == [("1.2", "blue")]
        # Statuses are today's; the period, overdue days and staleness are as of `early`.
        assert digest.totals.pending_date_changes == 0
        stale = [(s.ref, s.last_update) for t in digest.themes for s in t.stale]
        assert stale == [("1.1", None), ("2.3", None)]  # never updated, plan made in March

        # After the 6 May digest went out, and before the 13 May one.
        assert build_digest(uow, ids["board"], at(5, 12, 12)).since == at(5, 6, 8)

        wide = build_digest(uow, ids["board"], NOW, since=at(4, 1))
    changes = [(c.ref, c.from_status, c.to_status) for t in wide.themes for c in t.changes]
    assert changes == [
        ("1.2", "not_started", "blue"),
        ("1.1", "not_started", "green"),
        ("2.2", "not_started", "red"),
        ("2.1", "not_started", "amber"),
    ]


def test_unknown_board_is_not_found(uow_factory: UowFactory) -> None:
    with uow_factory() as uow, pytest.raises(NotFound):
        build_digest(uow, 999_999, NOW)


def test_pack_lists_who_has_not_updated_since_the_last_meeting(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        pack = build_pack(uow, ids["board"], dt.date(2019, 6, 11), NOW)
    data = pack_json(pack)
    # The previous meeting (second Tuesday, 14 May) began at 10:00 BST = 09:00 UTC; Jane's
    # note on 2.3 at 08:30 UTC came before it, and Omar's note on 2.2 comes after NOW.
    assert data["meeting"] == "2019-06-11"
    assert data["previous_meeting"] == "2019-05-14"
    assert data["updates_since"] == "2019-05-14T09:00:00+00:00"
    assert data["not_updated"] == [
        {"name": "Jane Doe", "slack_user": "UJANE00000", "actions": ["2.2", "2.3"]},
        {"name": "Omar Owner", "slack_user": "UOMAR00000", "actions": ["2.2"]},
        {"name": "Pat Smith", "slack_user": None, "actions": ["2.3"]},
    ]
    assert data["pending_date_changes"] == [
        {
            "id": ids["pending"],
            "ref": "2.1",
            "title": "Seek foster carers' views",
            "from": "2019-05-02",
            "to": "2019-06-28",
            "precision": "day",
            "reason": "survey slipped",
            "requested_by": JANE,
            "requested_at": "2019-05-15T09:00:00+00:00",
        }
    ]
    # The pack's digest covers the time since the previous meeting.
    assert data["digest"]["since"] == "2019-05-14T09:00:00+00:00"
    changes = [c["ref"] for t in data["digest"]["themes"] for c in t["status_changes"]]
    assert changes == ["1.1"]

    blocks = [b for message in pack_blocks(pack) for b in message]
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "• <@UJANE00000> — 2.2, 2.3" in text
    assert "• Pat Smith _(not linked to Slack)_ — 2.3" in text
    [buttons] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in buttons["elements"]] == [
        ("date_change_approve", str(ids["pending"])),
        ("date_change_decline", str(ids["pending"])),
    ]


def test_pack_follows_cancelled_meetings(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        uow.session.add(
            MeetingChange(board_id=ids["board"], date=dt.date(2019, 5, 14), kind="cancelled")
        )
        uow.commit()
    with uow_factory() as uow:
        pack = build_pack(uow, ids["board"], dt.date(2019, 6, 11), NOW)
    # With 14 May cancelled, the previous meeting is 9 April: every open action has moved since.
    assert pack.previous_meeting == dt.date(2019, 4, 9)
    assert pack.updates_since == at(4, 9, 9)
    assert pack.not_updated == ()


def test_pack_weighs_each_open_actions_three_newest_updates_for_impact(
    uow_factory: UowFactory,
) -> None:
    """Activity without evidence of impact: an open action whose three newest updates up to
    the pack's moment all say nothing about impact. Older updates, updates after the moment,
    and updates made at one moment (the later made is the newer) are weighed as the rule
    says."""
    ids = build_board(uow_factory)
    ws, jane = ids["ws"], ids["jane"]
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None

        def say(ref: str, when: dt.datetime, note: str, **impact: Any) -> None:
            record_progress(
                uow, Actor(ws, jane), find_action(uow, plan, ref), when,
                source="command", status=None, note=note, **impact,
            )  # fmt: skip

        # 2.3: evidence once, then three quiet updates; evidence again only after the moment.
        say("2.3", at(5, 14, 9), "terms agreed", evidence="panel terms of reference")
        for hour in (10, 11, 12):
            say("2.3", at(5, 15, hour), f"panel planning {hour}")
        say("2.3", at(5, 20), "first panel held", impact=Impact.EVIDENCED, evidence="minutes")
        # 1.1: four updates at one moment; only the first made of them judges impact.
        say("1.1", at(5, 15, 9), "chair uses the log", impact=Impact.EMERGING)
        for note in ("log reviewed", "log shared", "log filed"):
            say("1.1", at(5, 15, 9), note)
        # 2.1: three quiet updates in all, the oldest before the last meeting: still three.
        say("2.1", at(5, 15, 10), "survey chased")
        uow.commit()
    with uow_factory() as uow:
        pack = build_pack(uow, ids["board"], dt.date(2019, 6, 11), NOW)
    assert [(o.ref, tuple(w.name for w in o.owners)) for o in pack.without_impact] == [
        ("1.1", ("Jane Doe",)),
        ("2.1", ("Jane Doe", "Omar Owner")),
        ("2.3", ("Jane Doe", "Pat Smith")),
    ]


def test_pack_without_a_previous_meeting_looks_back_30_days(uow_factory: UowFactory) -> None:
    ids = build_board(uow_factory)
    with uow_factory() as uow:
        board = uow.session.get(Board, ids["board"])
        assert board is not None
        board.meeting_start = dt.date(2019, 6, 11)
        uow.commit()
    with uow_factory() as uow:
        pack = build_pack(uow, ids["board"], dt.date(2019, 6, 11), NOW)
    assert pack.previous_meeting is None
    assert pack.updates_since == at(5, 12, 9)  # 30 days before 10:00 BST on 11 June
    assert [(n.who.name, n.refs) for n in pack.not_updated] == [
        ("Jane Doe", ("2.2",)),
        ("Omar Owner", ("2.2",)),
    ]


# ---------------------------------------------------------------- statement count


def build_sized_board(uow_factory: UowFactory, team: str, n_actions: int) -> int:
    """A board of n actions in n/10 themes, each with updates, some date changes."""
    with uow_factory() as uow:
        ws = workspace_for_team(uow, team, CREATED, team)
        admin = person_for_slack_user(uow, ws, f"U{team}A", name="Admin")
        setup_first_admin(uow, Actor(ws, admin.id), CREATED)
        actor = Actor(ws, admin.id)
        chair = person_for_slack_user(uow, ws, f"U{team}C", name="Chair")
        owners = [
            person_for_slack_user(uow, ws, f"U{team}{i}", name=f"Owner {i}") for i in range(7)
        ]
        board = create_board(uow, actor, f"Board {team}", CREATED, chair_id=chair.id)
        board.meeting_rule = "FREQ=MONTHLY;BYDAY=+2TU"
        board.meeting_start = dt.date(2019, 1, 8)
        plan = create_plan(uow, actor, board, "Plan", CREATED)
        statuses = list(Status)
        for i in range(n_actions):
            theme = str(i // 10 + 1)
            if i % 10 == 0:
                add_theme(uow, actor, plan, theme, f"Theme {theme}", CREATED)
            owner = owners[i % len(owners)]
            action = add_action(
                uow, actor, plan, f"{theme}.{i % 10 + 1}", f"Action {i}", CREATED,
                due=dt.date(2019, 4, 1) + dt.timedelta(days=i % 90), owner_ids=[owner.id],
            )  # fmt: skip
            who = Actor(ws, owner.id)
            record_progress(uow, who, action, at(4, 1 + i % 28), source="command", note="started")
            record_progress(
                uow, who, action, at(5, 1 + i % 15), source="command", status=statuses[i % 5]
            )
            if i % 7 == 0:
                change = request_date_change(
                    uow, who, action, dt.date(2019, 9, 30), "more time", at(5, 10)
                )
                if i % 14 == 7:
                    decide_date_change(uow, Actor(ws, chair.id), change.id, True, at(5, 14))
        uow.commit()
        return board.id


@contextmanager
def counting_statements(uow: UnitOfWork) -> Iterator[list[str]]:
    """Every SQL statement the unit of work's engine runs inside the block (BEGIN aside)."""
    statements: list[str] = []
    engine = uow.session.get_bind()

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip().upper().startswith("BEGIN"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_statement_count_does_not_grow_with_the_plan(uow_factory: UowFactory) -> None:
    small = build_sized_board(uow_factory, "TS", 5)
    large = build_sized_board(uow_factory, "TL", 200)
    counts: dict[str, list[int]] = {"digest": [], "pack": []}
    sizes = []
    for board_id in (small, large):
        with uow_factory() as uow:
            with counting_statements(uow) as statements:
                digest = build_digest(uow, board_id, NOW)
            counts["digest"].append(len(statements))
            sizes.append(digest.totals.actions)
        with uow_factory() as uow:
            with counting_statements(uow) as statements:
                pack = build_pack(uow, board_id, dt.date(2019, 6, 11), NOW)
            counts["pack"].append(len(statements))
            assert pack.pending_date_changes
    assert sizes == [5, 200]
    assert counts == {"digest": [13, 13], "pack": [13, 13]}


def test_an_action_added_since_the_last_meeting_is_new_there(uow_factory: UowFactory) -> None:
    """The plan existed at the meeting of 14 May; 2.4 was added the day after and never
    updated: it is new since the meeting, not "the same" as if it had been there."""
    from bot.services.movement import movements, moving_action

    ids = build_board(uow_factory)
    with uow_factory() as uow:
        plan = uow.session.get(Plan, ids["plan"])
        assert plan is not None
        admin = Actor.operator(ids["ws"])
        added = add_action(
            uow, admin, plan, "2.4", "Care leavers' forum", at(5, 15, 9),
            due=dt.date(2019, 9, 30), owner_ids=[ids["jane"]],
        )  # fmt: skip
        new_id, old_id = added.id, find_action(uow, plan, "2.3").id
        assert added.created_at == at(5, 15, 9)
        uow.commit()
    with uow_factory() as uow:
        history = {i: moving_action(uow.session.get_one(Action, i)) for i in (new_id, old_id)}
        moved = movements(uow, history, at(5, 14, 9))  # the meeting, 10:00 BST
    assert moved[new_id].before is None
    assert moved[new_id].symbol == "new"
    assert moved[old_id].before is Status.NOT_STARTED
