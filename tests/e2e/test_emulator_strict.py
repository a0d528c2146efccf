"""The emulator is as strict as Slack: Socket Mode as Slack speaks it, the ack deadline, and the
payloads Slack refuses. A bare Bolt app or a raw WebSocket client stands in for the bot."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import ProxyHandler, Request, build_opener

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from websockets.sync.client import connect

from bot.sandbox import SlackEmulator
from bot.sandbox.blocks import EmulatorError
from bot.sandbox.emulator import ACK_DEADLINE
from bot.sandbox.model import slack_id_problem
from bot.web import serve

pytestmark = pytest.mark.e2e

SECRET = "strict-signing-secret"
JANE = "U0JANE0000"
NO_PROXY = build_opener(ProxyHandler({}))


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.add_user(JANE, "jane", "Jane Doe", "jane@council.example")
        yield emulator


def client(slack: SlackEmulator, token: str | None = None) -> WebClient:
    return WebClient(base_url=slack.api_url, token=token or slack.bot_token)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def test_connections_open_takes_only_the_app_token(slack: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as refused:
        client(slack).apps_connections_open(app_token=slack.bot_token)
    assert refused.value.response["error"] == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as unknown:
        client(slack).apps_connections_open(app_token="xapp-1-A0-0-wrong")
    assert unknown.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as app_token_elsewhere:
        client(slack, slack.app_token).chat_postMessage(channel=JANE, text="hi")
    assert app_token_elsewhere.value.response["error"] == "not_allowed_token_type"
    url = client(slack).apps_connections_open(app_token=slack.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:")


@pytest.mark.slack_refusal_expected  # the first delivery is left unacked on purpose
def test_socket_mode_speaks_like_slack_and_retries_an_unacked_event(slack: SlackEmulator) -> None:
    url = client(slack).apps_connections_open(app_token=slack.app_token)["url"]
    envelopes: list[dict[str, Any]] = []
    with connect(url) as websocket:
        hello = json.loads(websocket.recv(timeout=5))
        assert hello["type"] == "hello"
        assert hello["num_connections"] == 1
        assert set(hello["debug_info"]) >= {"host", "approximate_connection_time"}
        assert hello["connection_info"] == {"app_id": slack.workspace.api_app_id}
        slack.use_socket_mode()

        def app_side() -> None:
            first = json.loads(websocket.recv(timeout=10))  # left unacked
            retried = json.loads(websocket.recv(timeout=10))
            websocket.send(json.dumps({"envelope_id": retried["envelope_id"]}))
            command = json.loads(websocket.recv(timeout=10))
            answer = {"envelope_id": command["envelope_id"], "payload": {"text": "Noted."}}
            websocket.send(json.dumps(answer))
            envelopes.extend([first, retried, command])

        worker = threading.Thread(target=app_side)
        worker.start()
        dm = slack.send_dm(JANE, "hello")
        slash = slack.slash(JANE, "/progress", "mine")
        worker.join(timeout=15)

    first, retried, command = envelopes
    assert set(first) == {
        "envelope_id",
        "payload",
        "type",
        "accepts_response_payload",
        "retry_attempt",
        "retry_reason",
    }
    assert (first["type"], first["retry_attempt"], first["retry_reason"]) == ("events_api", 0, "")
    assert first["accepts_response_payload"] is False
    assert first["payload"]["event"]["text"] == "hello"
    assert (retried["retry_attempt"], retried["retry_reason"]) == (1, "timeout")
    assert retried["payload"] == first["payload"]
    assert retried["envelope_id"] != first["envelope_id"]
    assert dm.ok and dm.request is not None and dm.request.headers["X-Slack-Retry-Num"] == "1"
    assert command["type"] == "slash_commands"
    assert command["accepts_response_payload"] is True
    assert "retry_attempt" not in command
    assert command["payload"]["command"] == "/progress"
    assert slash.ok and slash.text == "Noted."
    assert [str(r) for r in slack.refusals] == [
        f"event_callback {slack.sent[0].body.decode()[:159]}…: not acked within 3 s"
    ]


@pytest.mark.slack_refusal_expected
def test_a_late_ack_is_an_operation_timeout(slack: SlackEmulator) -> None:
    # Run listeners before answering, so the ack really leaves after the sleep.
    app = App(signing_secret=SECRET, client=client(slack), process_before_response=True)

    @app.command("/progress")
    def slow(ack: Ack) -> None:
        time.sleep(ACK_DEADLINE + 0.3)
        ack("Too late.")

    with serve(app, signing_secret=SECRET) as server:
        slack.connect_app(server.url, SECRET)
        result = slack.slash(JANE, "/progress", "mine")
    assert result.text == '/progress failed with the error "operation_timeout"'
    [refusal] = slack.refusals
    assert refusal.what.startswith("slash_command ") and "acked after 3." in refusal.reason


@pytest.mark.slack_refusal_expected
def test_block_text_over_the_limit_is_msg_blocks_too_long(slack: SlackEmulator) -> None:
    blocks = [section("x" * 2900) for _ in range(4)]  # 11,600 characters in all
    with pytest.raises(SlackApiError) as refused:
        client(slack).chat_postMessage(channel=slack.dm_channel(JANE), text="t", blocks=blocks)
    assert refused.value.response["error"] == "msg_blocks_too_long"
    client(slack).chat_postMessage(channel=slack.dm_channel(JANE), text="t", blocks=blocks[:3])
    [refusal] = slack.refusals
    assert refusal.what.startswith("chat.postMessage ")
    assert refusal.reason.startswith("msg_blocks_too_long")


@pytest.mark.slack_refusal_expected
@pytest.mark.parametrize(
    ("block", "why"),
    [
        (
            {"type": "actions", "elements": [{"type": "button", "text": "plain", "style": "red"}]},
            "style",
        ),
        ({"type": "section", "text": {"type": "mrkdwn", "text": ""}}, "text"),
        ({"type": "header", "text": {"type": "mrkdwn", "text": "Heading"}}, "plain_text"),
    ],
)
def test_block_kit_is_checked_by_slack_sdk_models(
    slack: SlackEmulator, block: dict[str, Any], why: str
) -> None:
    with pytest.raises(SlackApiError) as refused:
        client(slack).chat_postMessage(channel=slack.dm_channel(JANE), text="t", blocks=[block])
    assert refused.value.response["error"] == "invalid_blocks"
    assert why in json.dumps(refused.value.response["response_metadata"])
    assert len(slack.refusals) == 1


@pytest.mark.slack_refusal_expected
def test_a_view_slack_sdk_rejects_is_refused(slack: SlackEmulator) -> None:
    view = {
        "type": "home",
        "blocks": [{"type": "section", "text": {"type": "plain_text", "text": "x" * 3001}}],
    }
    with pytest.raises(SlackApiError) as refused:
        client(slack).views_publish(user_id=JANE, view=view)
    assert refused.value.response["error"] == "invalid_arguments"


def test_history_pages_with_cursors_and_hides_metadata_unless_asked(slack: SlackEmulator) -> None:
    dm = slack.dm_channel(JANE)
    metadata = {"event_type": "reminder", "event_payload": {"key": "k"}}
    for n in range(5):
        client(slack).chat_postMessage(channel=dm, text=f"message {n}", metadata=metadata)
    first = client(slack).conversations_history(channel=dm, limit=2)
    assert [m["text"] for m in first["messages"]] == ["message 4", "message 3"]
    assert first["has_more"] is True
    assert all("metadata" not in m for m in first["messages"])
    cursor = first["response_metadata"]["next_cursor"]
    second = client(slack).conversations_history(
        channel=dm, limit=2, cursor=cursor, include_all_metadata=True
    )
    assert [m["text"] for m in second["messages"]] == ["message 2", "message 1"]
    assert all(m["metadata"] == metadata for m in second["messages"])
    last = client(slack).conversations_history(
        channel=dm, limit=2, cursor=second["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in last["messages"]] == ["message 0"]
    assert (last["has_more"], last["response_metadata"]["next_cursor"]) == (False, "")


def test_a_typed_command_arrives_escaped_as_should_escape_sends_it(slack: SlackEmulator) -> None:
    slack.add_channel("C0BOARD000", "improvement-board")
    app = App(signing_secret=SECRET, client=client(slack))
    received: list[str] = []

    @app.command("/plan")
    def plan(ack: Ack, command: dict[str, Any]) -> None:
        received.append(command["text"])
        ack()

    with serve(app, signing_secret=SECRET) as server:
        slack.connect_app(server.url, SECRET)
        typed = "owner @jane @nobody #improvement-board <b> & co @here @Channel"
        slack.slash(JANE, "/plan", typed, typed=True)
    assert received == [
        "owner <@U0JANE0000|jane> @nobody <#C0BOARD000|improvement-board> &lt;b&gt; &amp; co "
        "<!here> <!channel>"
    ]


def post_json(url: str, body: dict[str, Any]) -> tuple[int, str]:
    request = Request(url, data=json.dumps(body).encode(), method="POST")
    request.add_header("Content-Type", "application/json")
    try:
        with NO_PROXY.open(request, timeout=5) as response:
            return int(response.status), response.read().decode()
    except HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slack_refusal_expected
def test_a_response_url_works_five_times_within_thirty_minutes() -> None:
    now = [1_558_000_000.0]
    with SlackEmulator(clock=lambda: now[0]) as slack:
        slack.add_user(JANE, "jane", "Jane Doe")
        app = App(signing_secret=SECRET, client=client(slack))
        urls: list[str] = []

        @app.command("/plan")
        def plan(ack: Ack, command: dict[str, Any]) -> None:
            urls.append(command["response_url"])
            ack()

        with serve(app, signing_secret=SECRET) as server:
            slack.connect_app(server.url, SECRET)
            slack.slash(JANE, "/plan", "one")
            slack.slash(JANE, "/plan", "two")
        used, expiring = urls
        answers = [post_json(used, {"text": f"answer {n}"}) for n in range(6)]
        assert answers == [(200, "ok")] * 5 + [(404, "used_url")]
        now[0] += 30 * 60 - 1
        assert post_json(expiring, {"text": "just in time"}) == (200, "ok")
        now[0] += 2
        assert post_json(expiring, {"text": "too late"}) == (404, "expired_url")
        assert [r.reason for r in slack.refusals] == ["used_url", "expired_url"]


@pytest.mark.parametrize(
    ("add", "bad_id"),
    [
        ("user", "UJANE"),  # too short
        ("user", "ujane00000"),  # lower case
        ("user", "CJANE00000"),  # a channel's letter
        ("user", "UJANE000000000"),  # too long
        ("channel", "CBOARD"),
        ("channel", "DJANE00000"),  # a DM is never added, it is opened
    ],
)
def test_people_and_channels_need_slack_shaped_ids(
    slack: SlackEmulator, add: str, bad_id: str
) -> None:
    with pytest.raises(EmulatorError, match="capital letters or digits, like"):
        if add == "user":
            slack.add_user(bad_id, "someone", "Some One")
        else:
            slack.add_channel(bad_id, "somewhere")


def test_ids_slack_makes_up_have_slack_shape(slack: SlackEmulator) -> None:
    slack.add_user("W0JANE0000", "wjane", "Jane Enterprise")
    slack.add_channel("G0CHAIRS00", "chairs", is_private=True)
    dm = client(slack).conversations_open(users=JANE)["channel"]["id"]
    assert dm == "D0JANE0000"
    clash = client(slack).conversations_open(users="W0JANE0000")["channel"]["id"]
    assert clash != dm and slack_id_problem(clash, "D") is None
    uploaded = client(slack).files_upload_v2(channel=dm, content="x", filename="x.txt")
    view = client(slack).views_publish(
        user_id=JANE, view={"type": "home", "blocks": [section("hi")]}
    )
    made = [dm, clash, uploaded["file"]["id"], view["view"]["id"]]
    assert [slack_id_problem(made_id, made_id[0]) for made_id in made] == [None] * 4
    assert [made_id[0] for made_id in made] == ["D", "D", "F", "V"]


@pytest.mark.parametrize("sent", [0, 10])
def test_a_request_cut_short_by_its_sender_dying_is_no_call(
    slack: SlackEmulator, sent: int
) -> None:
    """A bot killed while sending a request leaves a body shorter than its Content-Length:
    Slack never sees that as a call (let alone a call missing its channel), and neither does
    the emulator."""
    where = urlsplit(slack.api_url)
    assert where.hostname is not None and where.port is not None
    body = b'{"channel": "' + JANE.encode() + b'", "text": "hi"}'
    with socket.create_connection((where.hostname, where.port), timeout=5) as sock:
        sock.sendall(
            b"POST /api/chat.postMessage HTTP/1.1\r\nHost: slack\r\n"
            + b"Authorization: Bearer "
            + slack.bot_token.encode()
            + b"\r\n"
            + b"Content-Type: application/json\r\n"
            + b"Content-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
            + body[:sent]
        )
    deadline = time.monotonic() + 1  # what it would record, it records within moments
    while time.monotonic() < deadline and not (slack.calls or slack.refusals):
        time.sleep(0.05)
    assert slack.calls_to("chat.postMessage") == []
    assert slack.refusals == []
