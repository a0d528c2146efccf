"""Use cases the sandbox needs beside the bot's own: questions about what a local database
already holds. (Loading the demo itself writes through the use cases' building blocks, in
`bot.sandbox.demo`.)"""

from __future__ import annotations

import datetime as dt

from bot.core.errors import UserError
from bot.services import UseCases
from bot.services.plans import find_board, workspace_for_team


class SandboxService(UseCases):
    def has_board(self, team_id: str, board_name: str, now: dt.datetime, team_name: str) -> bool:
        """Whether the workspace of `team_id` already has a board called `board_name` (a
        workspace this would make is left unsaved)."""
        with self.units.patient() as uow:
            workspace = workspace_for_team(uow, team_id, now, team_name)
            try:
                find_board(uow, workspace, board_name)
            except UserError:
                return False
        return True
