"""Forged, stale and malformed requests to the real bot: 401 or 400, and nothing changes."""

from __future__ import annotations

import time
import urllib.request
from urllib.error import HTTPError

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
        user_id="UJANE00000",
        user_name="jane",
        command="/progress",
        text=text,
        channel_id=local.emulator.dm_channel("UJANE00000"),
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


# ---------------------------------------------------------------- the word "payload" (B3)


def test_an_update_that_mentions_payloads_is_recorded(local: LocalBot) -> None:
    seed_board(local)
    result = local.emulator.slash("UJANE00000", "/progress", "4.1 amber payloads delayed")
    assert result.status == 200, result.body
    assert updates(local) == 1


def test_a_person_whose_slack_handle_is_payload_can_use_commands(local: LocalBot) -> None:
    seed_board(local)
    fields = sr.slash_command(
        local.emulator.workspace,
        user_id="UJANE00000",
        user_name="payload",
        command="/progress",
        text="4.1 amber survey slipped",
        channel_id=local.emulator.dm_channel("UJANE00000"),
        channel_name="directmessage",
        response_url=f"{local.emulator.base_url}/commands/none",
        trigger_id="1.2.3",
    )
    result = local.emulator.send_to_app(sr.form_body(fields))
    assert result.status == 200, result.body
    assert updates(local) == 1


# ---------------------------------------------------- malformed headers and bodies (B12)

NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def post(local: LocalBot, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(local.server.url, data=body, headers=headers, method="POST")
    try:
        with NO_PROXY.open(request, timeout=10) as response:
            return int(response.status), response.read().decode("utf-8", "replace")
    except HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def signed(local: LocalBot, body: bytes, content_type: str = sr.FORM_CONTENT_TYPE) -> dict:
    return {"Content-Type": content_type} | sr.sign(body, local.signing_secret)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time()))},
        {},
    ],
    ids=["words-for-timestamp", "float-timestamp", "no-timestamp", "no-signature", "neither"],
)
def test_bad_or_missing_signature_headers_get_401(local: LocalBot, headers: dict) -> None:
    seed_board(local)
    body = progress_body(local, "4.1 amber forged update")
    status, text = post(local, body, {"Content-Type": sr.FORM_CONTENT_TYPE} | headers)
    assert status == 401
    assert "Traceback" not in text
    assert updates(local) == 0


def test_a_signature_over_a_non_numeric_timestamp_gets_401(local: LocalBot) -> None:
    body = progress_body(local, "4.1 amber forged update")
    headers = {
        "Content-Type": sr.FORM_CONTENT_TYPE,
        "X-Slack-Request-Timestamp": "later",
        "X-Slack-Signature": sr.signature(body, local.signing_secret, "later"),
    }
    assert post(local, body, headers)[0] == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=%7Bnot+json", sr.FORM_CONTENT_TYPE),
        (b"payload=%5B1%2C2%5D", sr.FORM_CONTENT_TYPE),
        (b"{not json", "application/json"),
        (b"command=%2Fprogress&text", sr.FORM_CONTENT_TYPE),
        (b"command=%2Fprogress&text=%FF%FE", sr.FORM_CONTENT_TYPE),
        (b"command=%2Fprogress&text=caf\xe9", sr.FORM_CONTENT_TYPE),
    ],
    ids=[
        "invalid-json-in-payload",
        "payload-not-an-object",
        "invalid-json-body",
        "field-without-equals",
        "percent-escapes-not-utf8",
        "raw-bytes-not-utf8",
    ],
)
def test_malformed_signed_bodies_get_400(local: LocalBot, body: bytes, content_type: str) -> None:
    seed_board(local)
    status, text = post(local, body, signed(local, body, content_type))
    assert status == 400, text
    assert "Traceback" not in text
    assert updates(local) == 0
