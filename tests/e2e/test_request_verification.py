"""Forged, stale and replayed requests to the real bot: 401, and nothing changes."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from bot.sandbox import slack_requests as sr
from bot.sandbox.local import LocalBot
from db.models import ProgressUpdate
from tests.e2e.seed import seed_board


# Signatures and timestamps exist only over HTTP; Socket Mode has no request signing.
@pytest.fixture
def transport() -> str:
    return "http"


def updates(local: LocalBot) -> int:
    with local.services.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(ProgressUpdate)) or 0


def progress_body(local: LocalBot, text: str) -> bytes:
    fields = sr.slash_command(
        local.emulator.workspace,
        user_id="UJANE",
        user_name="jane",
        command="/progress",
        text=text,
        channel_id=local.emulator.dm_channel("UJANE"),
        channel_name="directmessage",
        response_url=f"{local.emulator.base_url}/commands/none",
        trigger_id="1.2.3",
    )
    return sr.form_body(fields)


@pytest.mark.parametrize(
    ("age_seconds", "signature"),
    [(0, "v0=" + "0" * 64), (0, ""), (6 * 60, None)],
    ids=["forged-signature", "no-signature", "signed-six-minutes-ago"],
)
def test_refused_with_401_and_nothing_recorded(
    local: LocalBot, age_seconds: int, signature: str | None
) -> None:
    seed_board(local)
    result = local.emulator.send_to_app(
        progress_body(local, "4.1 amber forged update"),
        timestamp=int(time.time()) - age_seconds,
        signature=signature,
    )
    assert result.status == 401
    assert updates(local) == 0


def test_the_same_request_signed_properly_is_recorded(local: LocalBot) -> None:
    seed_board(local)
    result = local.emulator.send_to_app(progress_body(local, "4.1 amber real update"))
    assert result.status == 200
    assert updates(local) == 1
