"""The Challenge button end to end: beside each action in `/board theme`, `/board overdue` and
`/board history`, and on the pack preview's challenges and activity without evidence of
impact, for the chair and members; it opens a question form whose submission puts
the question to the owners, as `/board challenge <ref> "…"` does.

The clock stands at Thursday 16 May 2019, 08:00 BST; 4.2 (Omar's) is overdue.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.render import ids
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from bot.services.plans import Actor
from db.models import Challenge, ChallengeEvent
from tests.e2e.seed import Seeded, seed_board

pytestmark = pytest.mark.e2e

CHRIS, JANE, MO = "UCHAIR0000", "UJANE00000", "UMEMBER000"
QUESTION = "Why has the survey slipped again?"


@pytest.fixture
def board(local: LocalBot) -> Seeded:
    return seed_board(local)


def shown(local: LocalBot, user: str, text: str) -> Message:
    result = local.emulator.slash(user, "/board", text)
    assert result.ok, result.body
    (message,) = result.wait_for_response(1)
    return message


def challenge_buttons(message: Message) -> dict[str, object]:
    """The Challenge buttons in a message, by the action id they carry."""
    return {a.value: a for a in message.actions() if a.action_id == ids.CHALLENGE_ACTION}


def asked(local: LocalBot) -> list[tuple[int, str, str | None]]:
    with local.services.uow() as uow:
        rows = uow.session.execute(
            select(Challenge.action_id, ChallengeEvent.kind, ChallengeEvent.text)
            .join(ChallengeEvent, ChallengeEvent.challenge_id == Challenge.id)
            .order_by(ChallengeEvent.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


def open_form(local: LocalBot, user: str, message: Message, action_id: int) -> None:
    button = challenge_buttons(message)[str(action_id)]
    local.emulator.click(user, message, button)  # type: ignore[arg-type]
    local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(user)) is not None and v.title == "Challenge",
        what="the challenge form",
    )


def test_the_chair_challenges_from_a_theme(local: LocalBot, board: Seeded) -> None:
    theme = shown(local, CHRIS, "theme 4")
    assert set(challenge_buttons(theme)) == {str(board.actions["4.1"]), str(board.actions["4.2"])}

    open_form(local, CHRIS, theme, board.actions["4.1"])
    form = local.emulator.open_view(CHRIS)
    assert form is not None and "Seek foster carers' views" in form.all_text()
    saved = local.emulator.submit_view(CHRIS, values={"question": QUESTION})

    assert saved.errors == {}
    assert saved.view is not None
    assert saved.view.title == "Challenge sent"
    assert "Challenge *C1* on *4.1*" in saved.view.all_text()
    assert asked(local) == [(board.actions["4.1"], "asked", QUESTION)]
    local.deliver()
    channel = local.emulator.dm_channel(JANE)
    local.emulator.wait_for(
        lambda: any(QUESTION in m.all_text() for m in local.emulator.messages(channel=channel)),
        what="the question in Jane's DMs",
    )


def test_a_member_challenges_from_overdue_and_history(local: LocalBot, board: Seeded) -> None:
    overdue = shown(local, MO, "overdue")
    assert set(challenge_buttons(overdue)) == {str(board.actions["4.2"])}
    open_form(local, MO, overdue, board.actions["4.2"])
    local.emulator.submit_view(MO, values={"question": "When will the review report?"})

    history = shown(local, MO, "history 4.1")
    assert set(challenge_buttons(history)) == {str(board.actions["4.1"])}
    open_form(local, MO, history, board.actions["4.1"])
    local.emulator.submit_view(MO, values={"question": QUESTION})

    assert asked(local) == [
        (board.actions["4.2"], "asked", "When will the review report?"),
        (board.actions["4.1"], "asked", QUESTION),
    ]


def test_a_blank_question_is_refused_under_the_field(local: LocalBot, board: Seeded) -> None:
    theme = shown(local, CHRIS, "theme 4")
    open_form(local, CHRIS, theme, board.actions["4.1"])

    refused = local.emulator.submit_view(CHRIS, values={"question": "   "})

    assert set(refused.errors) == {"question"}
    assert asked(local) == []


def test_the_same_form_seen_twice_asks_once(local: LocalBot, board: Seeded) -> None:
    services = local.services.challenges
    actor = Actor(board.workspace_id, board.people["chris"])
    now = local.clock.now()
    first = services.ask_on(actor, board.actions["4.1"], QUESTION, now, "view:V1")
    again = services.ask_on(actor, board.actions["4.1"], QUESTION, now, "view:V1")

    assert again.duplicate and again.challenge.id == first.challenge.id
    assert len(asked(local)) == 1


def test_owners_see_no_challenge_button(local: LocalBot, board: Seeded) -> None:
    for text in ("theme 4", "overdue", "history 4.1"):
        assert challenge_buttons(shown(local, JANE, text)) == {}, text


def test_the_chair_challenges_from_the_pack(local: LocalBot, board: Seeded) -> None:
    chair = Actor(board.workspace_id, board.people["chris"])
    local.services.challenges.ask(chair, "4.1", QUESTION, local.clock.now())
    result = local.emulator.slash(CHRIS, "/board", "pack")
    assert result.ok, result.body
    result.wait_for_response(2, timeout=15.0)  # the preview, then the paper sent by DM
    [pack] = [m for m in result.responses if challenge_buttons(m)]
    assert str(board.actions["4.1"]) in challenge_buttons(pack)

    open_form(local, CHRIS, pack, board.actions["4.1"])
    saved = local.emulator.submit_view(CHRIS, values={"question": "And the carers' forum?"})

    assert saved.errors == {}
    assert [text for _, _, text in asked(local)] == [QUESTION, "And the carers' forum?"]


def test_owners_see_no_challenge_button_in_the_pack(local: LocalBot, board: Seeded) -> None:
    chair = Actor(board.workspace_id, board.people["chris"])
    local.services.challenges.ask(chair, "4.1", QUESTION, local.clock.now())
    result = local.emulator.slash(JANE, "/board", "pack")
    result.wait_for_response(1)
    assert all(challenge_buttons(m) == {} for m in result.responses)


def step_buttons(message: Message) -> dict[str, object]:
    return {
        a.action_id: a
        for a in message.actions()
        if a.action_id in (ids.CLOSE_CHALLENGE, ids.FOLLOW_UP_CHALLENGE)
    }


def test_the_chair_closes_or_follows_up_an_answered_challenge_from_the_pack(
    local: LocalBot, board: Seeded
) -> None:
    shown(local, CHRIS, f'challenge 4.1 "{QUESTION}"')  # answered after the ack: wait for it
    local.emulator.slash(JANE, "/progress", 'answer C1 "Forum moved to June"')

    assert step_buttons(shown(local, MO, "pack")) == {}  # a member may ask, not close
    pack = shown(local, CHRIS, "pack")
    buttons = step_buttons(pack)
    assert {b.value for b in buttons.values()} == {"1"}  # type: ignore[attr-defined]
    assert str(board.actions["4.1"]) not in challenge_buttons(pack)

    local.emulator.click(CHRIS, pack, buttons[ids.FOLLOW_UP_CHALLENGE])  # type: ignore[arg-type]
    form = local.emulator.wait_for(
        lambda: (v := local.emulator.open_view(CHRIS)) is not None and v, what="the form"
    )
    assert "Forum moved to June" in form.all_text()
    saved = local.emulator.submit_view(CHRIS, values={"question": "And the survey?"})
    assert saved.errors == {}
    assert saved.view is not None and "is open again" in saved.view.all_text()

    local.emulator.slash(JANE, "/progress", 'answer C1 "Survey out on 4 June"')
    pack = shown(local, CHRIS, "pack")
    closed = local.emulator.click(CHRIS, pack, step_buttons(pack)[ids.CLOSE_CHALLENGE])  # type: ignore[arg-type]
    (reply,) = closed.wait_for_response(timeout=5)
    assert ":white_check_mark: *C1* on *4.1* is closed." in reply.text
    again = local.emulator.click(CHRIS, pack, step_buttons(pack)[ids.CLOSE_CHALLENGE])  # type: ignore[arg-type]
    (reply,) = again.wait_for_response(timeout=5)
    assert "closed" in reply.text
    assert [k for _, k, _ in asked(local)] == [
        "asked", "answered", "reopened", "answered", "closed"
    ]  # fmt: skip
