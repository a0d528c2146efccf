"""The corpus (tests/sheets/corpus.py): each plan reads as an officer would read it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from bot.core.importer import ParsedPlan, read_plan
from tests.sheets.corpus import CORPUS, Plan


def officer_view(parsed: ParsedPlan) -> tuple[list[tuple[str, str]], dict[str, tuple]]:
    themes = [(t.ref, t.title) for t in parsed.themes]
    actions = {}
    for theme in parsed.themes:
        for action in theme.actions:
            due: object = action.due if action.due is not None else action.due_text
            owners = [(o.name, o.title, o.role) for o in action.owners]
            actions[action.ref] = (due, owners, action.status.value if action.status else None)
    return themes, actions


@pytest.mark.parametrize("build", CORPUS, ids=lambda build: build.__name__)
def test_each_plan_reads_as_the_officer_meant(build: Callable[[], Plan]) -> None:
    plan = build()
    parsed = read_plan(plan.data, plan.filename)
    themes, actions = officer_view(parsed)
    assert themes == plan.expected.themes
    assert actions == plan.expected.actions
    assert parsed.title == plan.expected.title


def test_the_corpus_has_ten_plans() -> None:
    assert len(CORPUS) >= 10


def test_a_revision_keeps_the_original_date() -> None:
    from tests.sheets.corpus import lettered_refs_cp1252

    parsed = read_plan(lettered_refs_cp1252().data, "lettered.csv")
    a1 = parsed.themes[0].actions[0]
    assert (a1.original_due, a1.due) == (dt.date(2020, 3, 31), dt.date(2020, 6, 30))


def test_unknown_columns_are_kept_as_fields_in_place() -> None:
    from tests.sheets.corpus import tab_separated_with_extra_columns

    parsed = read_plan(tab_separated_with_extra_columns().data, "extra.csv")
    first = parsed.themes[0].actions[0]
    assert first.fields == {"Resources": "£20k", "Risks": "Market"}
    assert parsed.extra_columns == [("Resources", "action"), ("Risks", "owner")]


def test_a_recommendation_column_groups_the_key_actions_beside_it() -> None:
    from tests.sheets import workbook

    data = workbook(
        {
            "Plan": [
                ["No.", "Ofsted Recommendation", "Key Actions", "Lead Officer(s)", "RAG Status"],
                ["1", "Improve supervision", "1.1 Introduce a policy", "Mary Smith", "G"],
                ["", "", "1.2 Train managers", "Mary Smith", "A"],
                ["2", "Strengthen oversight", "2.1 Dashboard", "Performance Team", "R"],
            ]
        }
    )
    themes, actions = officer_view(read_plan(data, "plan.xlsx"))
    assert themes == [("1", "Improve supervision"), ("2", "Strengthen oversight")]
    assert list(actions) == ["1.1", "1.2", "2.1"]
    assert actions["2.1"] == (None, [("Performance Team", None, True)], "red")
