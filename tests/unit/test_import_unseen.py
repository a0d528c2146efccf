"""Plans in published council shapes (tests/sheets/unseen.py), each written down with what an
officer reads from it before it was imported: the importer must read the same."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.importer import ParsedAction, ParsedPlan, read_plan
from tests.sheets.unseen import UNSEEN, Owner, Unseen


def _owner(owner: Owner) -> tuple[str, str | None, bool]:
    if owner[0] == "role":
        return (owner[1], None, True)
    return (owner[1], owner[2] or None, False)


def _actions(parsed: ParsedPlan) -> dict[str, tuple[str, ParsedAction]]:
    return {a.ref: (t.title, a) for t in parsed.themes for a in t.actions}


@pytest.fixture(params=UNSEEN, ids=lambda build: build.__name__)
def plan(request: pytest.FixtureRequest) -> tuple[Unseen, ParsedPlan]:
    build: Callable[[], Unseen] = request.param
    unseen = build()
    return unseen, read_plan(unseen.data, unseen.filename)


def test_themes_and_title_are_the_officers(plan: tuple[Unseen, ParsedPlan]) -> None:
    unseen, parsed = plan
    assert parsed.title == unseen.title
    assert [t.title for t in parsed.themes] == [title for _, title in unseen.themes]
    for theme, (ref, _) in zip(parsed.themes, unseen.themes, strict=True):
        if ref is not None:
            assert theme.ref == ref


def test_each_action_reads_as_the_officer_meant(plan: tuple[Unseen, ParsedPlan]) -> None:
    unseen, parsed = plan
    actions = _actions(parsed)
    assert list(actions) == list(unseen.actions)
    for ref, expected in unseen.actions.items():
        theme, action = actions[ref]
        status = action.status.value if action.status else "not_started"
        got = (
            theme,
            action.due,
            action.due_text,
            [(o.name, o.title, o.role) for o in action.owners],
            status,
        )
        want = (
            expected.theme,
            expected.due,
            expected.due_text,
            [_owner(o) for o in expected.owners],
            expected.status,
        )
        assert got == want, ref


def test_dates_progress_and_fields_are_kept(plan: tuple[Unseen, ParsedPlan]) -> None:
    unseen, parsed = plan
    actions = _actions(parsed)
    for ref, original in unseen.original_due.items():
        assert actions[ref][1].original_due == original, ref
    for ref, progress in unseen.latest_progress.items():
        assert actions[ref][1].progress == progress, ref
    for ref, fields in unseen.fields.items():
        for name, text in fields.items():
            assert actions[ref][1].fields.get(name) == text, (ref, name)


def test_every_doubtful_cell_is_listed(plan: tuple[Unseen, ParsedPlan]) -> None:
    unseen, parsed = plan
    listed = "\n".join(parsed.doubts)
    for cell in unseen.doubts:
        assert cell in listed


def test_a_hidden_column_never_supplies_owners() -> None:
    from tests.sheets.unseen import kingsley_practice

    unseen = kingsley_practice()
    parsed = read_plan(unseen.data, unseen.filename)
    owners = {o.name for t in parsed.themes for a in t.actions for o in a.owners}
    assert not owners & {"Mary Jones", "Peter Old"}
