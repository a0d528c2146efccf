"""The grammar for impact, evidence and the challenge log: `/progress … impact …`,
`/progress answer C12 …` and `/board challenge(s) …`."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.challenges import ChallengeFilter
from bot.core.errors import UserError
from bot.core.impact import Impact
from bot.core.statuses import Status
from handlers.grammar import (
    AnswerChallenge,
    AskChallenge,
    CloseChallenge,
    Help,
    ListChallenges,
    RecordUpdate,
    ReopenChallenge,
    ShowStatus,
    help_text,
    parse_board,
    parse_progress,
)

G, A, B = Status.GREEN, Status.AMBER, Status.BLUE
EVIDENCED, EMERGING = Impact.EVIDENCED, Impact.EMERGING
NOT_YET, NOT_ASSESSED = Impact.NOT_YET_EVIDENCED, Impact.NOT_ASSESSED
CURRENT, OPEN, ANSWERED, CLOSED, ALL = (
    ChallengeFilter.CURRENT,
    ChallengeFilter.OPEN,
    ChallengeFilter.ANSWERED,
    ChallengeFilter.CLOSED,
    ChallengeFilter.ALL,
)


def refused(parse: object, text: str) -> str:
    with pytest.raises(UserError) as caught:
        parse(text)  # type: ignore[operator]
    message = caught.value.message
    assert len(message.splitlines()) == 1, message
    assert "`/" in message, f"no form to type in: {message!r}"
    return message


# ---------------------------------------------------------------- /progress … impact …

IMPACT_CASES = [
    (
        '4.1 green impact emerging "carers say reviews feel more personal"',
        RecordUpdate("4.1", G, "carers say reviews feel more personal", EMERGING),
    ),
    (
        "4.1 green impact emerging carers say reviews feel more personal",
        RecordUpdate("4.1", G, "carers say reviews feel more personal", EMERGING),
    ),
    ("4.1 amber impact not yet", RecordUpdate("4.1", A, None, NOT_YET)),
    (
        "4.1 amber impact not yet evidenced – survey slipped",
        RecordUpdate("4.1", A, "survey slipped", NOT_YET),
    ),
    ("4.1 at risk: Impact: none yet", RecordUpdate("4.1", A, None, NOT_YET)),
    ("4.1 g impact n/a", RecordUpdate("4.1", G, None, NOT_ASSESSED)),
    ('4.1 g impact "emerging"', RecordUpdate("4.1", G, None, EMERGING)),
    (
        '4.1 green "carers say reviews feel more personal" impact emerging',
        RecordUpdate("4.1", G, "carers say reviews feel more personal", EMERGING),
    ),
    ("4.1 impact emerging", RecordUpdate("4.1", None, None, EMERGING)),
    ('4.1 impact emerging "first returns"', RecordUpdate("4.1", None, "first returns", EMERGING)),
    (
        '4.1 done impact evidenced evidence "audit: 38 of 40 plans reviewed on time"',
        RecordUpdate("4.1", B, None, EVIDENCED, "audit: 38 of 40 plans reviewed on time"),
    ),
    (
        '4.1 done evidence "audit: 38 of 40" impact evidenced all finished',
        RecordUpdate("4.1", B, "all finished", EVIDENCED, "audit: 38 of 40"),
    ),
    (
        '4.1 done "all finished" impact evidenced evidence “audit: 38 of 40”',
        RecordUpdate("4.1", B, "all finished", EVIDENCED, "audit: 38 of 40"),
    ),
    (
        "4.1 done evidence: audit of 40 plans &amp; <@U012ABC000|jane>'s review",
        RecordUpdate("4.1", B, None, None, "audit of 40 plans & @jane's review"),
    ),
    ('4.1 evidence "survey returns"', RecordUpdate("4.1", None, None, None, "survey returns")),
    (
        "4.1 green impact emerging\nline one\nline two",
        RecordUpdate("4.1", G, "line one\nline two", EMERGING),
    ),
    # A note that only starts with the word stays a note, as before.
    (
        "4.1 amber impact on children is not clear yet",
        RecordUpdate("4.1", A, "impact on children is not clear yet"),
    ),
    (
        "4.1 green evidence from the audit is due in June",
        RecordUpdate("4.1", G, "evidence from the audit is due in June"),
    ),
    # Quotes around a note without clauses stay as typed, as before.
    ('4.1 amber "survey slipped"', RecordUpdate("4.1", A, '"survey slipped"')),
    ("4.1 done", RecordUpdate("4.1", B, None)),
]


@pytest.mark.parametrize(("text", "expected"), IMPACT_CASES)
def test_progress_with_impact_and_evidence(text: str, expected: RecordUpdate) -> None:
    assert parse_progress(text) == expected


IMPACT_ERRORS = [
    ("4.1 green impact", "Say what the impact is"),
    ("4.1 green impact: great", "I don't know the impact “great”. Say evidenced, emerging"),
    ("4.1 green impact emergin", "I don't know the impact “emergin”"),
    ("4.1 green impact evidnced x", '`/progress 4.1 green impact emerging "<note>"`'),
    ('4.1a green impact "great"', '`/progress 4.1a green impact emerging "<note>"`'),
    ("4.1 green impact emerging impact not yet", "Give one impact: “emerging” or “not yet"),
    ("4.1 impact on children", "Say what the impact is: `/progress 4.1 impact emerging"),
    ("4.1 evidence", 'Put the evidence in "double quotes"'),
    ("4.1 done evidence:", 'Put the evidence in "double quotes"'),
    ('4.1 done evidence "audit', "Close the quote after the evidence"),
    ('4.1 done evidence ""', "The evidence is empty"),
    ('4.1 done evidence "a" evidence "b"', "Give the evidence once"),
    ('4.1 green "note" impact emerging more words', "I don't understand “more words”"),
]


@pytest.mark.parametrize(("text", "fragment"), IMPACT_ERRORS)
def test_impact_clauses_refused_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_progress, text)


# ---------------------------------------------------------------- /progress answer

ANSWER_CASES = [
    (
        'answer C12 "Fieldwork restarts on 3 June"',
        AnswerChallenge(12, "Fieldwork restarts on 3 June"),
    ),
    (
        "answer c12 Fieldwork restarts on 3 June",
        AnswerChallenge(12, "Fieldwork restarts on 3 June"),
    ),
    ("Answer: #12 - restarts 3 June", AnswerChallenge(12, "restarts 3 June")),
    ("answer 7 one\ntwo", AnswerChallenge(7, "one\ntwo")),
    ("answer C12 ask <@U012ABC000|jane> &amp; co", AnswerChallenge(12, "ask @jane & co")),
]


@pytest.mark.parametrize(("text", "expected"), ANSWER_CASES)
def test_answering_a_challenge(text: str, expected: AnswerChallenge) -> None:
    assert parse_progress(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("answer", "Which challenge, and what's your answer? `/progress answer C12"),
        ("answer C12", "What's your answer? `/progress answer C12"),
        ('answer C7 ""', "What's your answer? `/progress answer C7"),
        ("answer 4.1 because", "“4.1” isn't a challenge id like C12: `/progress answer C12"),
        ('answer "C12" yes', "isn't a challenge id like C12"),
    ],
)
def test_answers_refused_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_progress, text)


# ---------------------------------------------------------------- /board challenge(s)

BOARD_CASES = [
    (
        'challenge 4.1 "Why has the survey slipped again?"',
        AskChallenge("4.1", "Why has the survey slipped again?"),
    ),
    (
        "Challenge 4.1 Why has the survey slipped again?",
        AskChallenge("4.1", "Why has the survey slipped again?"),
    ),
    ("challenge A1 “Who signs off?”", AskChallenge("A1", "Who signs off?")),
    ("challenge C12 “Who signs off?”", AskChallenge("C12", "Who signs off?")),  # an action ref
    (
        'challenge 4.1 "Why?" "Fostering Board"',
        AskChallenge("4.1", "Why?", "Fostering Board"),
    ),
    (
        '"Fostering Board" challenge 4.1 "Why?"',
        AskChallenge("4.1", "Why?", "Fostering Board"),
    ),
    ("challenge 4.1 ask <!channel> why", AskChallenge("4.1", "ask @channel why")),
    ("challenges", ListChallenges()),
    ("challenges open", ListChallenges(OPEN)),
    ("challenges answered", ListChallenges(ANSWERED)),
    ("challenges Closed", ListChallenges(CLOSED)),
    ("challenges all", ListChallenges(ALL)),
    ('challenges all "Fostering Board"', ListChallenges(ALL, "Fostering Board")),
    ('challenges "Fostering Board" open', ListChallenges(OPEN, "Fostering Board")),
    ("challenges open Fostering Board", ListChallenges(OPEN, "Fostering Board")),
    ('"Fostering Board" challenges', ListChallenges(CURRENT, "Fostering Board")),
    ("challenge list", ListChallenges()),
    ("challenge close C12", CloseChallenge(12)),
    ("challenge close c12 answered at the board", CloseChallenge(12, "answered at the board")),
    ('challenge close #12 "answered at the board"', CloseChallenge(12, "answered at the board")),
    ('"Fostering Board" challenge close C12', CloseChallenge(12, None, "Fostering Board")),
    (
        'challenge reopen C12 "Who signs the survey off?"',
        ReopenChallenge(12, "Who signs the survey off?"),
    ),
    ("challenge reopen 12 who signs it off?", ReopenChallenge(12, "who signs it off?")),
]


@pytest.mark.parametrize(("text", "expected"), BOARD_CASES)
def test_board_challenge_forms(text: str, expected: object) -> None:
    assert parse_board(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("challenge", "I need the action's ref and the question: `/board challenge 4.1"),
        ("challenge 4.1", "I need the question: `/board challenge 4.1"),
        ('challenge 4.1 ""', "I need the question"),
        ('challenge 4.1 "Why', "Close the quote after “Why”"),
        ("challenge survey why", "“survey” isn't an action ref like 4.1"),
        ("challenge close", "I need the challenge's id, like C12: `/board challenge close C12"),
        ("challenge close 4.1", "“4.1” isn't a challenge id like C12"),
        ("challenge reopen C12", "I need the follow-up question: `/board challenge reopen C12"),
        ("challenge C12 close", "Put the id after the word: `/board challenge close C12 …`"),
        ("challenge answer C12 yes", "`/progress answer C12"),
        ("challenges pending", "I don't know “pending”: say open, answered, closed or all"),
        ("challenges open <@U012ABC000|jane>", "I don't understand “<@U012ABC000|jane>”"),
        ('challenges ""', "The board name is empty"),
        ("challange 4.1", "did you mean `/board challenge`?"),
        ("chalenges", "did you mean `/board challenges`?"),
    ],
)
def test_board_challenge_refusals_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_board, text)


def test_a_board_named_first_and_after_must_agree() -> None:
    assert "Name one board" in refused(parse_board, '"A Board" challenge 4.1 "Why?" "B Board"')


def test_help_lists_the_new_forms() -> None:
    progress, board = help_text("progress"), help_text("board")
    assert "impact &lt;judgement&gt;" in progress
    assert "/progress answer &lt;challenge&gt;" in progress
    assert "/board challenges [open|answered|closed|all]" in board
    assert "/board challenge reopen" in board
    assert parse_board("help challenge") == Help("board", help_text("board", "challenge"))
    topic = help_text("board", "challenge").splitlines()
    assert len(topic) == 1 + 4 and all("/board challenge" in line for line in topic[1:])


def test_new_commands_are_frozen() -> None:
    command = parse_board("challenge close C12")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.challenge = 13  # type: ignore[misc, union-attr]


def test_unrelated_board_forms_are_untouched() -> None:
    assert parse_board("Children's Improvement Board") == ShowStatus("Children's Improvement Board")


# ---------------------------------------------------------------- property

WORDS = [
    "answer",
    "challenge",
    "challenges",
    "close",
    "closed",
    "reopen",
    "re-open",
    "list",
    "log",
    "open",
    "answered",
    "all",
    "reply",
    "impact",
    "impact:",
    "evidence",
    "evidence:",
    "evidenced",
    "emerging",
    "not",
    "yet",
    "none",
    "n/a",
    "assessed",
    "emergin",
    "green",
    "amber",
    "done",
    "g",
    "a:",
    "on",
    "track",
    "4.1",
    "4.1a",
    "A1",
    "C12",
    "c12",
    "#12",
    "12",
    "C0",
    "C",
    "0",
    "-",
    "–",
    ":",
    ",",
]
VOCABULARY = [
    *WORDS,
    '"',
    "“",
    "”",
    '""',
    '"Why has the survey slipped again?"',
    '"Fostering Board"',
    "<@U012ABC000|jane>",
    "<#C012ABC000|board>",
    "<!channel>",
    "&amp;",
    "&lt;",
    "\n",
    "",
]
HEADS = [
    "answer",
    "answer C12",
    "4.1 green impact",
    "4.1 impact",
    "4.1 done evidence",
    "4.1 amber",
    "challenge",
    "challenge 4.1",
    "challenge close",
    "challenge reopen C12",
    "challenges",
    '"Fostering Board" challenge',
]
words = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=4), max_size=10).map(" ".join)
texts = (
    words
    | st.builds(lambda head, rest: f"{head} {rest}", st.sampled_from(HEADS), words)
    | st.text(max_size=60)
)


@pytest.mark.parametrize("parse", [parse_progress, parse_board], ids=["progress", "board"])
@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_no_text_makes_the_new_grammar_raise_anything_but_user_error(
    parse: object, text: str
) -> None:
    try:
        result = parse(text)  # type: ignore[operator]
    except UserError as error:
        assert error.message.strip() and len(error.message.splitlines()) == 1, error.message
        assert "`/" in error.message, error.message
    else:
        assert dataclasses.is_dataclass(result) and not isinstance(result, type)
        assert type(result).__dataclass_params__.frozen  # type: ignore[attr-defined]
        for value in vars(result).values():
            assert not (isinstance(value, str) and not value.strip()), result
