"""The unseen plans through the CLI: a check writes nothing, an import succeeds, and an
export then re-import changes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.test_cli import Cli
from tests.integration.test_import_corpus import assert_export_then_import_changes_nothing
from tests.sheets.unseen import UNSEEN, Unseen


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "unseen.db")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("build", UNSEEN, ids=lambda build: build.__name__)
def test_check_import_export_import_changes_nothing(
    cli: Cli, tmp_path: Path, build: Callable[[], Unseen], fmt: str
) -> None:
    plan = build()
    source = tmp_path / plan.filename
    source.write_bytes(plan.data)
    code, _, err = cli("plan", "import", str(source), "--board", "Board", "--check")
    assert code == 0, err
    assert json.loads(cli("plan", "show", "--json")[1])["plans"] == []
    code, _, err = cli("plan", "import", str(source), "--board", "Board", "--plan", "Plan")
    assert code == 0, err
    assert_export_then_import_changes_nothing(cli, tmp_path, fmt)
