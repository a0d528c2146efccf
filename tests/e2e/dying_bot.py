"""A bot process that is killed (SIGKILL, so nothing is cleaned up) part way through a
date-change request, for the restart tests in test_delivery.py.

    python -m tests.e2e.dying_bot DATABASE_URL SLACK_API_URL TOKEN NOW WORKSPACE PERSON ACTION WHEN

It asks, as PERSON, for a new due date for ACTION at NOW (an ISO instant). WHEN says where
it dies: `after-enqueue` as the commit that saved the request and its DM asks for delivery;
`after-post` once Slack has taken the DM, before the ledger records it as sent.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
from typing import Any

from slack_sdk import WebClient

from bot.services import Units
from bot.services.owner import ask_for_new_date
from bot.services.plans import Actor
from db.models import Action
from db.session import make_engine, make_session_factory
from scheduler.delivery import Delivery


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(argv: list[str]) -> int:
    url, api_url, token, at, workspace, person, action_id, when = argv
    now = dt.datetime.fromisoformat(at)
    units = Units(session_factory=make_session_factory(make_engine(url)))
    if when == "after-enqueue":
        units.doorbell.answer(die)
    else:
        client = WebClient(token=token, base_url=api_url)
        post = client.chat_postMessage

        def post_then_die(**kwargs: Any) -> Any:
            post(**kwargs)
            die()

        client.chat_postMessage = post_then_die  # type: ignore[method-assign]
        delivery = Delivery(units.session_factory, client, worker="doomed")
        units.doorbell.answer(lambda: delivery.run(now) and None)
    with units.request() as uow:
        action = uow.session.get(Action, int(action_id))
        assert action is not None
        actor = Actor(int(workspace), int(person))
        ask_for_new_date(uow, actor, action, dt.date(2019, 7, 31), "survey moved", now)
        uow.commit()
    return 3  # not reached: the process is killed above


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
