"""The import checks the progress column for a child's or family's personal details and reports
what it finds, without refusing the sheet."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.importer import read_plan
from bot.services.plan_import import import_plan
from bot.services.plans import Actor, workspace_for_cli
from bot.services.uow import UnitOfWork
from tests.conftest import NOW
from tests.sheets import HEADER, workbook


def test_flagged_progress_is_imported_and_reported(
    uow_factory: Callable[[], UnitOfWork],
) -> None:
    progress = HEADER.index("Progress to date")

    def row(ref: str, title: str, text: str) -> list[str | None]:
        cells: list[str | None] = [ref, title] + [None] * (len(HEADER) - 2)
        cells[progress] = text
        return cells

    sheet = workbook(
        {
            "Plan": [
                list(HEADER),
                ["1", "Theme"],
                row("1.1", "Audit", "Child's NHS number 943 476 5919 on file"),
                row("1.2", "Survey", "Survey due 31/05/2019, Q2 2019/20 figures in"),
            ]
        }
    )
    parsed = read_plan(sheet, "plan.xlsx")
    with uow_factory() as uow:
        actor = Actor.operator(workspace_for_cli(uow, NOW))
        summary = import_plan(uow, actor, parsed, NOW, filename="plan.xlsx", plan_title="Plan")
        uow.commit()
    assert summary.actions_added == ["1.1", "1.2"] and summary.updates_recorded == 2
    assert summary.personal_data == {"1.1": ["nhs-number"]}
    assert summary.as_json()["personal_data"] == {"1.1": ["nhs-number"]}
    lines = "\n".join(summary.lines())
    assert "  1.1: nhs-number" in lines and "943" not in lines
