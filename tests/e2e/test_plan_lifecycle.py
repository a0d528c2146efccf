"""A plan's whole life with `/plan`, as a new admin meets it: help first, then setup, list,
rename and remove a theme, move an action — signed slash commands to the real Bolt app,
answered through the local Slack emulator."""

from __future__ import annotations

import pytest

from bot.sandbox.local import LocalBot
from bot.services.plans import find_plan
from db.models import Board
from tests.e2e.seed import seed_board
from tests.e2e.test_plan_command import ADA, CHRIS, JANE, MO, at, plan

pytestmark = pytest.mark.e2e


def themes_of(local: LocalBot) -> dict[str, tuple[str, list[str]]]:
    """Theme ref → (title, refs of its actions), as the database holds them."""
    with local.services.uow() as uow:
        workspace = uow.session.query(Board.workspace_id).scalar()
        found = find_plan(uow, workspace, None)
        return {t.ref: (t.title, [a.ref for a in t.actions]) for t in found.themes}


def test_help_says_setup_comes_first_and_shows_list_edit_and_remove(local: LocalBot) -> None:
    answer = plan(local, JANE, "help")
    assert answer.index("/plan setup") < answer.index("/plan board create")
    assert "start here" in answer
    for form in (
        "/plan list",
        "/plan theme edit &lt;ref&gt;",
        "/plan theme remove &lt;ref&gt;",
        "/plan action move &lt;ref&gt; to theme &lt;ref&gt;",
    ):
        assert form in answer


def test_before_any_admin_exists_a_command_points_to_setup(local: LocalBot) -> None:
    """Jane tries to create a board in a brand-new workspace: nobody could 'ask an admin'."""
    answer = plan(local, JANE, 'board create "Improvement Board"')
    assert "/plan setup" in answer
    assert "ask an admin" not in answer.lower()
    assert "first admin" in plan(local, JANE, "setup")
    assert "Created the board" in plan(local, JANE, 'board create "Improvement Board"')
    # Once there is an admin, someone else is told to ask one.
    assert "Ask an admin" in plan(local, MO, 'board create "Another Board"')


def test_list_shows_boards_plans_and_their_sizes(local: LocalBot) -> None:
    seed_board(local)
    plan(local, ADA, 'new "Old plan"')
    plan(local, ADA, 'archive "Old plan"')
    answer = plan(local, ADA, "list")
    assert "*Improvement Board*" in answer
    assert "“Children's Services Improvement Plan” (active) — 2 themes, 3 actions" in answer
    assert "“Old plan” (archived) — 0 themes, 0 actions" in answer
    assert "Only a plan admin" in plan(local, JANE, "list")


def test_an_admin_renames_a_theme_and_changes_its_lead(local: LocalBot) -> None:
    seed_board(local)
    answer = plan(local, ADA, 'theme edit 5 "Quality of practice" lead ' + at(CHRIS))
    assert "renamed it “Quality of practice” and made <@UCHAIR0000> its lead" in answer
    assert themes_of(local)["5"][0] == "Quality of practice"
    assert "Say the new title" in plan(local, ADA, "theme edit 5")
    assert "Theme 9 isn't in" in plan(local, ADA, 'theme edit 9 "Nowhere"')


def test_a_theme_is_removed_only_when_empty_and_the_refusal_says_what_to_move(
    local: LocalBot,
) -> None:
    seed_board(local)
    refused = plan(local, ADA, "theme remove 4")
    assert "Theme 4 still has 2 actions (4.1, 4.2)" in refused
    assert "/plan action move 4.1 to theme &lt;ref&gt;" in refused
    assert "/plan action remove 4.1" in refused
    assert "4" in themes_of(local)

    moved = plan(local, ADA, "action move 4.1 to theme 5")
    assert "Moved 4.1 “Seek foster carers' views” from theme 4 to theme 5" in moved
    plan(local, ADA, "action remove 4.2")
    assert themes_of(local)["5"][1] == ["5.1", "4.1"]

    removed = plan(local, ADA, "theme remove 4")
    assert "Removed theme 4 “Placement stability”" in removed
    assert set(themes_of(local)) == {"5"}
    # 4.2's history outlives its theme: adding it again brings it back.
    answer = plan(
        local,
        ADA,
        f'action add 4.2 "Review placement sufficiency" due 30/06/2019 owner {at(JANE)} theme 5',
    )
    assert "Added 4.2" in answer


def test_moving_needs_a_theme_that_exists(local: LocalBot) -> None:
    seed_board(local)
    assert "Theme 7 isn't in" in plan(local, ADA, "action move 4.1 to theme 7")
    assert "already in theme 4" in plan(local, ADA, "action move 4.1 to theme 4")
    assert "Say which theme" in plan(local, ADA, "action move 4.1")


def test_refusals_to_an_admin_never_suggest_progress_mine(local: LocalBot) -> None:
    seed_board(local)
    for text in ("action edit 7.7 due 31/07/2019", "action move 7.7 to theme 4"):
        answer = plan(local, ADA, text)
        assert "no action 7.7" in answer
        assert "/progress mine" not in answer


def test_people_with_no_plan_says_there_is_no_plan(local: LocalBot) -> None:
    plan(local, ADA, "setup")
    answer = plan(local, ADA, "people")
    assert "There is no plan yet" in answer
    assert "Every owner" not in answer


def test_an_admin_trying_progress_is_told_what_an_admin_can_do(local: LocalBot) -> None:
    """Ada, the admin, tries to record an update on Jane's action and on one that isn't there."""
    seed_board(local)
    refused = local.emulator.slash(ADA, "/progress", "4.1 amber survey slipped").all_text()
    assert "/plan action delegate" in refused
    assert "/progress mine" not in refused and "Ask an admin" not in refused
    missing = local.emulator.slash(ADA, "/progress", "7.7 amber survey slipped").all_text()
    assert "no action 7.7" in missing
    assert "/progress mine" not in missing
