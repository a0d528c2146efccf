"""The chair's challenge log: states, who may do what, ids people type, ages as the pack shows."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.calendar import calendar_for
from bot.core.challenges import (
    Challenge,
    ChallengeCounts,
    ChallengeEvent,
    ChallengeFilter,
    ChallengeState,
    EventKind,
    age_text,
    ago,
    append,
    challenge_counts,
    challenge_label,
    find_filter,
    next_state,
    parse_challenge_id,
    state_of,
)
from bot.core.errors import Conflict, PermissionDenied, UserError
from bot.core.permissions import Permission, Standing, check, is_allowed

UTC = dt.UTC
CHAIR, OWNER = "UCHAIR", "UJANE"
OPEN, ANSWERED, CLOSED = ChallengeState.OPEN, ChallengeState.ANSWERED, ChallengeState.CLOSED
ASKED, ANSWER, CLOSE, REOPEN = (
    EventKind.ASKED,
    EventKind.ANSWERED,
    EventKind.CLOSED,
    EventKind.REOPENED,
)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2019, month, day, hour, tzinfo=UTC)


def ev(kind: EventKind, when: dt.datetime, text: str | None = "text") -> ChallengeEvent:
    return ChallengeEvent(kind, when, OWNER if kind is ANSWER else CHAIR, text)


QUESTION = ev(ASKED, at(3, 12), "Why has the survey slipped again?")


@pytest.mark.parametrize(
    ("state", "kind", "after"),
    [
        (None, ASKED, OPEN),
        (OPEN, ANSWER, ANSWERED),
        (ANSWERED, ANSWER, ANSWERED),  # owners add to their answer
        (OPEN, CLOSE, CLOSED),  # closed unanswered: answered at the meeting
        (ANSWERED, CLOSE, CLOSED),
        (ANSWERED, REOPEN, OPEN),  # the answer falls short: a follow-up
        (CLOSED, REOPEN, OPEN),
    ],
)
def test_legal_moves(state: ChallengeState | None, kind: EventKind, after: ChallengeState) -> None:
    assert next_state(state, kind) is after


@pytest.mark.parametrize(
    ("state", "kind", "fragment"),
    [
        (OPEN, ASKED, "C12 has been asked already"),
        (CLOSED, ANSWER, "C12 is closed, so it takes no more answers"),
        (CLOSED, CLOSE, "C12 is closed already"),
        (OPEN, REOPEN, "C12 is still open, waiting for the owners' answer"),
    ],
)
def test_illegal_moves_are_refused_kindly(
    state: ChallengeState, kind: EventKind, fragment: str
) -> None:
    with pytest.raises(Conflict) as refused:
        next_state(state, kind, label="C12")
    assert fragment in refused.value.message
    assert "\n" not in refused.value.message


def test_a_closed_challenge_says_how_to_reopen_it() -> None:
    with pytest.raises(Conflict) as refused:
        next_state(CLOSED, ANSWER, label="C12")
    assert '`/board challenge reopen C12 "<question>"`' in refused.value.message


def test_a_history_must_start_with_its_question() -> None:
    with pytest.raises(ValueError):
        next_state(None, ANSWER)
    with pytest.raises(ValueError):
        Challenge(12, "4.1", (ev(ANSWER, at(3, 12)),))
    with pytest.raises(ValueError):
        Challenge(12, "4.1", ())


def test_a_whole_cycle_is_append_only() -> None:
    history: tuple[ChallengeEvent, ...] = ()
    history = append(history, QUESTION, label="C12")
    asked = history
    history = append(history, ev(ANSWER, at(3, 19), "Fieldwork restarts 3 June"), label="C12")
    history = append(history, ev(REOPEN, at(4, 9), "Who signs it off?"), label="C12")
    history = append(history, ev(ANSWER, at(4, 11), "The head of service"), label="C12")
    history = append(history, ev(CLOSE, at(4, 12), None), label="C12")
    assert asked == (QUESTION,)  # the earlier history is untouched
    assert [e.kind for e in history] == [ASKED, ANSWER, REOPEN, ANSWER, CLOSE]
    assert state_of(history) is CLOSED
    challenge = Challenge(12, "4.1", history)
    assert challenge.label == "C12"
    assert challenge.state is CLOSED
    assert challenge.question == "Who signs it off?"
    assert challenge.answer is not None and challenge.answer.text == "The head of service"
    assert challenge.closed is not None and challenge.closed.at == at(4, 12)
    assert challenge.reopened
    assert challenge.since == at(4, 12)


def test_append_refuses_illegal_moves_missing_text_and_time_travel() -> None:
    with pytest.raises(Conflict):
        append((QUESTION,), ev(REOPEN, at(3, 13), "again?"), label="C12")
    with pytest.raises(UserError) as no_answer:
        append((QUESTION,), ev(ANSWER, at(3, 13), "  "), label="C12")
    assert "`/progress answer C12" in no_answer.value.message
    with pytest.raises(UserError) as no_follow_up:
        append((QUESTION, ev(CLOSE, at(3, 13))), ev(REOPEN, at(3, 14), None), label="C12")
    assert "`/board challenge reopen C12" in no_follow_up.value.message
    with pytest.raises(UserError):
        append((), ev(ASKED, at(3, 12), ""))
    # A close needs no note.
    assert append((QUESTION,), ev(CLOSE, at(3, 13), None))[-1].kind is CLOSE
    with pytest.raises(ValueError):
        append((QUESTION,), ev(ANSWER, at(3, 11), "before the question"))


def test_ids_people_type() -> None:
    assert challenge_label(12) == "C12"
    for typed in ("C12", "c12", "#C12", "#12", "12", "C12.", "C-12", "C012"):
        assert parse_challenge_id(typed) == 12, typed
    for typed in ("", "C", "C0", "4.1", "twelve", "C12a", "C1234567890"):
        with pytest.raises(UserError) as refused:
            parse_challenge_id(typed)
        assert "isn't a challenge id like C12" in refused.value.message


# ---------------------------------------------------------------- ages


def test_ages_in_days_as_the_pack_shows_them() -> None:
    today = dt.date(2019, 3, 24)
    assert age_text(dt.date(2019, 3, 12), today) == "asked 12 days ago"
    assert ago(dt.date(2019, 3, 23), today) == "yesterday"
    assert ago(today, today) == "today"
    assert ago(dt.date(2019, 3, 25), today) == "today"  # a clock a little ahead


def test_ages_in_working_days_skip_weekends_and_bank_holidays() -> None:
    calendar = calendar_for("ENG")
    # Thursday 18 April 2019 to Tuesday 23 April: Good Friday and Easter Monday between.
    assert ago(dt.date(2019, 4, 18), dt.date(2019, 4, 23), calendar) == "1 working day ago"
    assert age_text(dt.date(2019, 3, 12), dt.date(2019, 3, 26), calendar) == (
        "asked 10 working days ago"
    )
    assert ago(dt.date(2019, 3, 16), dt.date(2019, 3, 17), calendar) == "today"  # a weekend


def test_age_line_names_what_the_challenge_waits_on_in_the_boards_own_days() -> None:
    open_one = Challenge(12, "4.1", (QUESTION,))
    assert open_one.age_line(dt.date(2019, 3, 24), "Europe/London") == "asked 12 days ago"
    late = ChallengeEvent(ASKED, dt.datetime(2019, 6, 11, 23, 30, tzinfo=UTC), CHAIR, "Why?")
    # 23:30 UTC is 00:30 on 12 June in London.
    assert Challenge(13, "4.1", (late,)).age_line(dt.date(2019, 6, 12), "Europe/London") == (
        "asked today"
    )
    answered = Challenge(12, "4.1", (QUESTION, ev(ANSWER, at(3, 22))))
    assert answered.age_line(dt.date(2019, 3, 24), "Europe/London") == "answered 2 days ago"
    reopened = Challenge(12, "4.1", (QUESTION, ev(ANSWER, at(3, 22)), ev(REOPEN, at(3, 23))))
    assert reopened.age_line(dt.date(2019, 3, 24), "Europe/London") == "reopened yesterday"
    assert reopened.state is OPEN and reopened.closed is None


# ---------------------------------------------------------------- lists, counts, permissions


def test_filters_and_counts() -> None:
    challenges = [
        Challenge(1, "4.1", (QUESTION,)),
        Challenge(2, "4.2", (QUESTION, ev(ANSWER, at(3, 13)))),
        Challenge(3, "4.3", (QUESTION, ev(CLOSE, at(3, 13)))),
        Challenge(4, "4.3", (QUESTION, ev(CLOSE, at(3, 13)), ev(REOPEN, at(3, 14)))),
    ]
    assert challenge_counts(challenges) == ChallengeCounts(open=2, answered=1, closed=1)
    assert challenge_counts(challenges).current == 3

    def chosen(f: ChallengeFilter) -> list[int]:
        return [c.id for c in challenges if f.admits(c.state)]

    assert chosen(ChallengeFilter.CURRENT) == [1, 2, 4]
    assert chosen(ChallengeFilter.OPEN) == [1, 4]
    assert chosen(ChallengeFilter.ANSWERED) == [2]
    assert chosen(ChallengeFilter.CLOSED) == [3]
    assert chosen(ChallengeFilter.ALL) == [1, 2, 3, 4]
    assert find_filter("Open") is ChallengeFilter.OPEN
    assert find_filter("all,") is ChallengeFilter.ALL
    assert find_filter("unanswered") is ChallengeFilter.OPEN
    assert find_filter("4.1") is None


@pytest.mark.parametrize(
    ("permission", "allowed", "refused"),
    [
        (
            Permission.ASK_CHALLENGE,
            [Standing(chair=True), Standing(member=True)],
            [Standing(admin=True), Standing(owner=True), Standing(involved=True), Standing()],
        ),
        (
            Permission.ANSWER_CHALLENGE,
            [Standing(owner=True), Standing(delegate=True), Standing(covering=True)],
            [Standing(chair=True, admin=True, member=True, involved=True)],
        ),
        (
            Permission.CLOSE_CHALLENGE,
            [Standing(chair=True), Standing(admin=True)],
            [Standing(member=True, owner=True, delegate=True, covering=True, involved=True)],
        ),
    ],
)
def test_who_may_ask_answer_and_close(
    permission: Permission, allowed: list[Standing], refused: list[Standing]
) -> None:
    for standing in [*allowed, Standing(system=True)]:
        assert is_allowed(permission, standing), standing
    for standing in refused:
        assert not is_allowed(permission, standing), standing
        with pytest.raises(PermissionDenied) as denied:
            check(permission, standing)
        assert "\n" not in denied.value.message


def test_a_deputy_covering_an_owner_may_read_the_board() -> None:
    assert is_allowed(Permission.READ, Standing(covering=True))
    assert not is_allowed(Permission.UPDATE_ACTION, Standing(covering=True))
