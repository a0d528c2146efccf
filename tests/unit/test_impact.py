"""Impact judged apart from delivery: the words people type, headlines, quiet updates, counts."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.core.errors import UserError
from bot.core.impact import (
    ActionImpact,
    Impact,
    ImpactCounts,
    ImpactUpdate,
    action_impact,
    activity_without_impact,
    find_impact,
    headline,
    impact_counts,
    latest_evidence,
    latest_impact,
    owing_evidence,
    parse_impact,
    read_impact_words,
    split_leading_impact,
    wants_evidence,
)
from bot.core.statuses import Status

UTC = dt.UTC


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2019, 5, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("evidenced", Impact.EVIDENCED),
        ("Impact evidenced", Impact.EVIDENCED),
        ("impact: not yet", Impact.NOT_YET_EVIDENCED),
        ("Impact – n/a", Impact.NOT_ASSESSED),
        ("EVIDENCED.", Impact.EVIDENCED),
        ("demonstrated", Impact.EVIDENCED),
        ("emerging", Impact.EMERGING),
        ("Emerging:", Impact.EMERGING),
        ("early signs", Impact.EMERGING),
        ("partly evidenced", Impact.EMERGING),
        ("not yet evidenced", Impact.NOT_YET_EVIDENCED),
        ("not_yet_evidenced", Impact.NOT_YET_EVIDENCED),
        ("not yet", Impact.NOT_YET_EVIDENCED),
        ("not-yet", Impact.NOT_YET_EVIDENCED),
        ("none yet", Impact.NOT_YET_EVIDENCED),
        ("no evidence yet", Impact.NOT_YET_EVIDENCED),
        ("not assessed", Impact.NOT_ASSESSED),
        ("n/a", Impact.NOT_ASSESSED),
        ("N/A", Impact.NOT_ASSESSED),
        ("n.a.", Impact.NOT_ASSESSED),
        ("too early to say", Impact.NOT_ASSESSED),
    ],
)
def test_the_words_people_type(typed: str, expected: Impact) -> None:
    assert find_impact(typed) is expected
    assert parse_impact(typed) is expected


@pytest.mark.parametrize("typed", ["", "   ", "great", "evidenc", "yes", "amber", "impact"])
def test_unknown_words_are_refused_saying_what_to_type(typed: str) -> None:
    assert find_impact(typed) is None
    with pytest.raises(UserError) as refused:
        parse_impact(typed)
    message = refused.value.message
    assert "evidenced, emerging, not yet (evidenced) or not assessed" in message
    assert "\n" not in message


def test_a_long_unknown_phrase_is_shown_short() -> None:
    with pytest.raises(UserError) as refused:
        parse_impact("x" * 100)
    assert "x" * 39 + "…" in refused.value.message
    assert "x" * 41 not in refused.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("emerging carers say visits settle", (Impact.EMERGING, "carers say visits settle")),
        ("not yet evidenced – survey out", (Impact.NOT_YET_EVIDENCED, "survey out")),
        ("not yet: survey out", (Impact.NOT_YET_EVIDENCED, "survey out")),
        ("n/a\nline two", (Impact.NOT_ASSESSED, "line two")),
        ("evidenced", (Impact.EVIDENCED, "")),
        ("survey out", (None, "survey out")),
        ("", (None, "")),
    ],
)
def test_a_leading_judgement_is_split_from_the_note(
    text: str, expected: tuple[Impact | None, str]
) -> None:
    assert split_leading_impact(text) == expected


def test_labels_and_words() -> None:
    assert Impact.NOT_YET_EVIDENCED.words == "not yet evidenced"
    assert Impact.EMERGING.label == "Impact emerging"
    assert not Impact.NOT_ASSESSED.is_judgement
    assert all(i.is_judgement for i in Impact if i is not Impact.NOT_ASSESSED)


# ---------------------------------------------------------------- headline


@pytest.mark.parametrize(
    ("status", "impact", "evidence", "expected"),
    [
        (Status.BLUE, None, None, "Delivered, impact not yet evidenced"),
        (Status.BLUE, Impact.NOT_ASSESSED, None, "Delivered, impact not yet evidenced"),
        (Status.BLUE, Impact.NOT_YET_EVIDENCED, "x", "Delivered, impact not yet evidenced"),
        (Status.BLUE, Impact.EVIDENCED, None, "Delivered, impact not yet evidenced"),
        (Status.BLUE, Impact.EVIDENCED, "  ", "Delivered, impact not yet evidenced"),
        (Status.BLUE, Impact.EVIDENCED, "audit: 90% on time", "Delivered, impact evidenced"),
        (Status.BLUE, Impact.EMERGING, None, "Delivered, impact emerging"),
        (Status.GREEN, None, None, "On track"),
        (Status.GREEN, Impact.NOT_ASSESSED, None, "On track"),
        (Status.GREEN, Impact.EMERGING, None, "On track, impact emerging"),
        (Status.AMBER, Impact.NOT_YET_EVIDENCED, None, "At risk, impact not yet evidenced"),
        (Status.RED, Impact.EVIDENCED, "audit", "Off track, impact evidenced"),
        (Status.RED, Impact.EVIDENCED, None, "Off track, impact not yet evidenced"),
        (Status.NOT_STARTED, None, None, "Not started"),
    ],
)
def test_headline_never_reads_plain_done(
    status: Status, impact: Impact | None, evidence: str | None, expected: str
) -> None:
    assert headline(status, impact, evidence=evidence) == expected
    assert headline(status, impact, evidence=evidence) != "Complete"


def test_completing_without_evidence_asks_for_it() -> None:
    assert wants_evidence(Status.BLUE, None)
    assert wants_evidence(Status.BLUE, " ")
    assert not wants_evidence(Status.BLUE, "audit of 40 files")
    assert not wants_evidence(Status.GREEN, None)
    assert not wants_evidence(None, None)


# ---------------------------------------------------------------- history


def test_latest_judgement_and_evidence_come_from_the_newest_update_that_gave_them() -> None:
    updates = [
        ImpactUpdate(at(20), Status.GREEN),  # newest, says nothing about impact
        ImpactUpdate(at(6), Status.GREEN, Impact.NOT_YET_EVIDENCED, "baseline survey"),
        ImpactUpdate(at(13), None, Impact.EMERGING),
    ]
    assert latest_impact(updates) is Impact.EMERGING
    assert latest_evidence(updates) == "baseline survey"
    assert latest_impact([]) is None and latest_evidence([]) is None
    assert action_impact("4.1", Status.GREEN, updates) == ActionImpact(
        "4.1", Status.GREEN, Impact.EMERGING, "baseline survey"
    )


def test_activity_without_evidence_of_impact_is_three_quiet_updates_in_a_row() -> None:
    quiet = [ImpactUpdate(at(d), Status.GREEN) for d in (3, 10, 17)]
    assert activity_without_impact(quiet)
    # "Not assessed" says nothing about impact either.
    assert activity_without_impact([*quiet[:2], ImpactUpdate(at(24), None, Impact.NOT_ASSESSED)])
    # Fewer than three is too little to judge.
    assert not activity_without_impact(quiet[:2])
    assert not activity_without_impact([])
    # Any judgement or evidence among the last three clears it …
    assert not activity_without_impact([*quiet, ImpactUpdate(at(24), None, Impact.EMERGING)])
    assert not activity_without_impact(
        [*quiet[1:], ImpactUpdate(at(1), None), ImpactUpdate(at(24), None, evidence="audit")]
    )
    # … but not one older than the last three.
    old = ImpactUpdate(at(1), Status.GREEN, Impact.EVIDENCED, "audit")
    assert activity_without_impact([old, *quiet])
    # Order given does not matter: the newest three count.
    assert activity_without_impact([quiet[2], old, quiet[0], quiet[1]])


def test_delivery_and_impact_are_counted_apart() -> None:
    actions = [
        ActionImpact("1.1", Status.BLUE, Impact.EVIDENCED, "audit"),
        ActionImpact("1.2", Status.BLUE, Impact.EVIDENCED),  # claimed, no evidence
        ActionImpact("1.3", Status.BLUE),
        ActionImpact("2.1", Status.GREEN, Impact.EVIDENCED, "survey"),
        ActionImpact("2.2", Status.AMBER, Impact.EMERGING),
        ActionImpact("2.3", Status.BLUE, Impact.EMERGING, "early figures"),
    ]
    assert impact_counts(actions) == ImpactCounts(
        actions=6, delivered=4, impact_evidenced=2, impact_emerging=2, owing_evidence=3
    )
    assert [a.ref for a in owing_evidence(actions)] == ["1.2", "1.3", "2.3"]
    assert actions[2].headline == "Delivered, impact not yet evidenced"
    assert impact_counts([]) == ImpactCounts(0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("evidence: audit shows 38 of 40", (None, None, "audit shows 38 of 40")),
        ("Evidence – audit", (None, None, "audit")),
        ("impact emerging: carers say so", (Impact.EMERGING, "carers say so", None)),
        ("impact: not yet evidenced", (Impact.NOT_YET_EVIDENCED, None, None)),
        (
            "impact evidenced evidence: survey of 40",
            (Impact.EVIDENCED, None, "survey of 40"),
        ),
        (
            "Impact on children is not clear yet",
            (None, "Impact on children is not clear yet", None),
        ),
        ("Evidence of the audit came in", (None, "Evidence of the audit came in", None)),
        ("survey slipped", (None, "survey slipped", None)),
    ],
)
def test_a_reply_reads_impact_and_evidence_as_the_reminder_asks(
    text: str, expected: tuple[Impact | None, str | None, str | None]
) -> None:
    assert read_impact_words(text) == expected


def test_evidence_already_on_record_is_not_asked_for_again() -> None:
    assert not wants_evidence(Status.BLUE, None, "audit of 40 files")
    assert wants_evidence(Status.BLUE, None, " ")
    assert wants_evidence(Status.BLUE, None, None)
