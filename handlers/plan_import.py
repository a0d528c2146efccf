"""`/plan import`: the form, and what happens when it is submitted.

The submission is acked at once (the form closes); then the file is fetched from Slack with
the bot token, read and imported in one transaction (a failure writes nothing), the plan's
owners are looked up in Slack, and the admin gets a DM saying what changed and who still
needs linking. "Check only" does the same import and rolls it back, so the DM says what the
import would do and lists every doubtful cell.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt import App, Args
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.core.errors import UserError
from bot.render import ids
from bot.render import plan as render
from bot.services import Services
from bot.services.admin import ImportChoices
from handlers.common import actor_of
from handlers.plan_files import direct_message_channel, download_private_file
from handlers.plan_people import SlackDirectory

log = logging.getLogger(__name__)

ON_MY_SIDE = "something went wrong on my side. Please try again."


def open_form(client: WebClient, trigger_id: str | None, choices: ImportChoices) -> None:
    try:
        client.views_open(trigger_id=trigger_id, view=render.import_modal(choices))
    except SlackApiError as error:
        log.warning("opening the import form failed: %s", error.response.get("error"))
        raise UserError(
            "Slack didn't open the import form in time. Run `/plan import` again."
        ) from None


@dataclass(frozen=True)
class ImportForm:
    file: dict[str, Any] | None
    board_id: int | None
    title: str | None
    check_only: bool = False

    @property
    def filename(self) -> str:
        return str((self.file or {}).get("name") or "the file")

    def problem(self) -> str | None:
        """What to fix in the form, shown under the file input."""
        if self.file is None:
            return "Choose an .xlsx or .csv file to import."
        suffix = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        if suffix not in render.IMPORT_FILETYPES:
            return "I can import .xlsx or .csv files only."
        return None


def import_form(view: dict[str, Any]) -> ImportForm:
    values = (view.get("state") or {}).get("values") or {}
    files = (
        values.get(render.IMPORT_FILE_BLOCK, {}).get(render.IMPORT_FILE_ACTION, {}).get("files")
        or []
    )
    board = values.get(render.IMPORT_BOARD_BLOCK, {}).get(render.IMPORT_BOARD_ACTION, {})
    board_value = str((board.get("selected_option") or {}).get("value") or "")
    title = values.get(render.IMPORT_TITLE_BLOCK, {}).get(render.IMPORT_TITLE_ACTION, {})
    mode = values.get(render.IMPORT_MODE_BLOCK, {}).get(render.IMPORT_MODE_ACTION, {})
    chosen = {str(o.get("value")) for o in mode.get("selected_options") or []}
    return ImportForm(
        file=files[0] if files else None,
        board_id=int(board_value) if board_value.isdigit() else None,
        title=(title.get("value") or "").strip() or None,
        check_only=render.IMPORT_CHECK_ONLY in chosen,
    )


def register(app: App, services: Services) -> None:
    imports = services.imports

    def on_import_submitted(args: Args) -> None:
        form = import_form(args.payload)
        problem = form.problem()
        if problem is not None:
            args.ack(response_action="errors", errors={render.IMPORT_FILE_BLOCK: problem})
            return
        args.ack()
        assert form.file is not None
        client = args.client
        try:
            outcome = imports.run(
                actor_of(args.context),
                download_private_file(client, form.file),
                form.filename,
                services.clock.now(),
                directory=SlackDirectory(client),
                board_id=form.board_id,
                title=form.title,
                check_only=form.check_only,
            )
            messages = render.import_outcome(outcome)
        except UserError as error:
            messages = [render.import_failed(form.filename, error.message)]
        except Exception:
            log.exception("importing %s failed", form.filename)
            messages = [render.import_failed(form.filename, ON_MY_SIDE)]
        channel = direct_message_channel(client, str(args.body["user"]["id"]))
        for message in messages:
            client.chat_postMessage(channel=channel, **message)

    app.view(ids.IMPORT_MODAL)(on_import_submitted)
