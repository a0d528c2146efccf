"""The one error handler: a person sees a friendly line, the log keeps the traceback."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import App, BoltResponse

from bot.core.errors import UserError
from bot.render.mrkdwn import refusal
from bot.services import Services

log = logging.getLogger(__name__)

SORRY = "Sorry — something went wrong on my side and nothing was changed. Please try again."


def register(app: App, services: Services) -> None:
    @app.error
    def on_error(
        error: Exception,
        body: dict[str, Any],
        respond: Any,
        logger: Any,
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        log.exception("unhandled error in a Slack listener", exc_info=error)
        # A refusal (e.g. the database was busy) says what happened; anything else is ours.
        answer = refusal(error.message) if isinstance(error, UserError) else {"text": SORRY}
        if response is not None and body.get("command"):
            # Not acknowledged yet: the answer is the ack. A 500 would make Slack add its own
            # "failed" notice beside ours.
            return BoltResponse(
                status=200,
                body=json.dumps({**answer, "response_type": "ephemeral"}),
                headers={"content-type": "application/json;charset=utf-8"},
            )
        if body.get("response_url"):
            try:
                respond(**answer, response_type="ephemeral", replace_original=False)
            except Exception:  # the reply is best effort; the log already has the error
                log.warning("could not tell the person about the error", exc_info=True)
        return None
