"""The local Slack emulator against a bare Bolt app served over HTTP by ``bot.web``.

Each test builds the few listeners it needs on a plain ``App``, so these tests pin down the
emulator, the signed requests and the HTTP server wrapper, not the bot's own handlers.
"""

from __future__ import annotations

import contextlib
import json
import queue
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs
from urllib.request import ProxyHandler, Request, build_opener

import pytest
from slack_bolt import Ack, App, BoltRequest, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier

from bot.sandbox import EmulatorError, Message, SlackEmulator, View, Workspace
from bot.sandbox import slack_requests as sr
from bot.web import serve

pytestmark = pytest.mark.e2e

SECRET = "e2e-signing-secret"
PAYLOADS = Path(__file__).resolve().parent.parent / "payloads"
NO_PROXY = build_opener(ProxyHandler({}))

JANE = "U0JANE0000"
BOB = "U0BOB00000"
BOARD = "C0BOARD000"


def _text(value: str) -> dict[str, str]:
    return {"type": "plain_text", "text": value}


UPDATE_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "progress_modal",
    "title": _text("Update 4.1"),
    "submit": _text("Save"),
    "blocks": [
        {
            "type": "input",
            "block_id": "status",
            "label": _text("Status"),
            "element": {
                "type": "static_select",
                "action_id": "status_select",
                "options": [
                    {"text": _text("On track"), "value": "green"},
                    {"text": _text("At risk"), "value": "amber"},
                ],
            },
        },
        {
            "type": "input",
            "block_id": "due",
            "optional": True,
            "label": _text("New due date"),
            "element": {"type": "plain_text_input", "action_id": "due_text"},
        },
    ],
}


def _payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text())


@pytest.fixture
def slack() -> Iterator[SlackEmulator]:
    with SlackEmulator() as emulator:
        emulator.add_user(
            JANE, "jane", "Jane Doe", "Jane.Doe@example.org", title="Head of Fostering"
        )
        emulator.add_user(BOB, "bob", "Bob Smith", "bob.smith@example.org", is_admin=True)
        emulator.add_channel(BOARD, "improvement-board")
        yield emulator


@pytest.fixture
def app(slack: SlackEmulator) -> Iterator[App]:
    """A bare Bolt app (token and request verification on) served by bot.web over HTTP."""
    client = WebClient(
        base_url=slack.api_url,
        token=slack.bot_token,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    bolt = App(signing_secret=SECRET, client=client)
    with serve(bolt, signing_secret=SECRET) as server:
        slack.connect_app(server.url, SECRET)
        yield bolt


def _dm_with_button(app: App, user: str) -> tuple[str, str]:
    blocks = [
        {"type": "section", "block_id": "reminder", "text": {"type": "mrkdwn", "text": "*4.1*"}},
        {
            "type": "actions",
            "block_id": "reminder_actions",
            "elements": [
                {
                    "type": "button",
                    "action_id": "progress_update",
                    "text": _text("Update"),
                    "value": "4.1",
                },
                {
                    "type": "button",
                    "action_id": "progress_complete",
                    "text": _text("Mark complete"),
                    "value": "4.1",
                },
            ],
        },
    ]
    posted = app.client.chat_postMessage(channel=user, text="4.1 is due soon", blocks=blocks)
    return str(posted["channel"]), str(posted["ts"])


# ---------------------------------------------------------------------- HTTP server


def test_server_answers_health_and_stops_cleanly(slack: SlackEmulator) -> None:
    bolt = App(
        signing_secret=SECRET, client=WebClient(base_url=slack.api_url, token=slack.bot_token)
    )
    server = serve(bolt, signing_secret=SECRET)
    assert server.url == f"http://127.0.0.1:{server.port}/slack/events"
    with NO_PROXY.open(server.health_url, timeout=2) as response:
        assert (response.status, response.read()) == (200, b"ok")
    with pytest.raises(HTTPError) as not_found:
        NO_PROXY.open(f"{server.base_url}/elsewhere", timeout=2)
    assert not_found.value.code == 404
    server.stop()
    assert not server.running
    with pytest.raises(OSError):
        NO_PROXY.open(server.health_url, timeout=1)


# ---------------------------------------------------------------------- slash commands


def test_slash_command_round_trip_captures_the_ack(slack: SlackEmulator, app: App) -> None:
    seen: list[dict[str, Any]] = []

    @app.command("/progress")
    def progress(ack: Ack, command: dict[str, Any]) -> None:
        seen.append(command)
        ack(f"You typed: {command['text']}")

    result = slack.slash(JANE, "/progress", "mine")

    assert result.status == 200
    assert result.text == "You typed: mine"
    assert result.ack_message is not None and result.ack_message.ephemeral_to == JANE
    assert [m.text for m in slack.inbox(JANE)] == ["You typed: mine"]
    sent_fields = {k: v[0] for k, v in parse_qs(slack.sent[-1].body.decode()).items()}
    assert set(sent_fields) == set(_payload("slash_command.json"))
    assert seen[0]["user_id"] == JANE and seen[0]["channel_id"] == slack.dm_channel(JANE)
    assert seen[0]["trigger_id"] == result.trigger_id


def test_respond_to_response_url_is_recorded_for_the_user(slack: SlackEmulator, app: App) -> None:
    @app.command("/board")
    def board(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Digest for the board", blocks=[{"type": "divider"}])
        respond(text="Posted to the channel", response_type="in_channel")

    result = slack.slash(BOB, "/board", "digest", channel_id=BOARD)

    assert result.status == 200 and result.ack_message is None
    first, second = result.wait_for_response(count=2)
    assert (first.text, first.ephemeral_to, first.channel) == ("Digest for the board", BOB, BOARD)
    assert second.ephemeral_to is None and second.from_bot
    assert [
        m.text for m in slack.messages(channel="#improvement-board", include_ephemeral=False)
    ] == ["Posted to the channel"]
    assert [m.text for m in slack.inbox(JANE)] == []


# ---------------------------------------------------------------------- buttons


def test_button_click_in_a_bot_message(slack: SlackEmulator, app: App) -> None:
    clicks: list[dict[str, Any]] = []

    @app.action("progress_update")
    def update(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        clicks.append(body)
        respond(replace_original=True, text=f"Updating {body['actions'][0]['value']}")

    channel, ts = _dm_with_button(app, JANE)
    message = slack.messages(channel=channel)[-1]
    assert [a.text for a in message.actions()] == ["Update", "Mark complete"]

    result = slack.click(JANE, message, "Update")

    assert result.status == 200
    (body,) = clicks
    assert body["type"] == "block_actions" and body["user"]["id"] == JANE
    assert body["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    assert body["actions"][0]["action_id"] == "progress_update"
    (replaced,) = result.wait_for_response()
    assert replaced.ts == ts and replaced.text == "Updating 4.1" and replaced.edited
    with pytest.raises(EmulatorError, match="matches no|no element"):
        slack.click(JANE, slack.messages(channel=channel)[-1], "Nope")


# ---------------------------------------------------------------------- modals


def test_modal_from_slash_trigger_validation_error_then_success(
    slack: SlackEmulator, app: App
) -> None:
    saved: list[dict[str, Any]] = []

    @app.command("/progress")
    def progress(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=UPDATE_MODAL)

    @app.view("progress_modal")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        values = view["state"]["values"]
        due = values["due"]["due_text"]["value"]
        if due == "someday":
            ack(response_action="errors", errors={"due": "Try a date like 31/05/2019"})
            return
        ack()
        saved.append(values)

    slack.slash(JANE, "/progress")
    modal = slack.wait_for(lambda: slack.open_view(JANE))
    assert modal.title == "Update 4.1" and modal.id.startswith("V")

    refused = slack.submit_view(JANE, modal.id, {"status": "amber", "due_text": "someday"})
    assert refused.errors == {"due": "Try a date like 31/05/2019"}
    assert not refused.closed and slack.open_view(JANE) is not None

    accepted = slack.submit_view(JANE, modal.id, {"status": "At risk", "due": "31/05/2019"})
    assert accepted.status == 200 and accepted.errors == {} and accepted.closed
    assert slack.open_view(JANE) is None
    (values,) = saved
    assert values["status"]["status_select"]["selected_option"]["value"] == "amber"
    assert values["due"]["due_text"] == {"type": "plain_text_input", "value": "31/05/2019"}


def test_modal_button_update_push_and_close(slack: SlackEmulator, app: App) -> None:
    closed: queue.Queue[dict[str, Any]] = queue.Queue()
    owners = {
        "type": "modal",
        "callback_id": "owners",
        "title": _text("Owners"),
        "submit": _text("Next"),
        "blocks": [
            {
                "type": "input",
                "block_id": "who",
                "label": _text("Owner"),
                "element": {"type": "users_select", "action_id": "user"},
            },
            {
                "type": "actions",
                "block_id": "more",
                "elements": [
                    {"type": "button", "action_id": "add_owner", "text": _text("Add another")}
                ],
            },
        ],
    }
    confirm = {
        "type": "modal",
        "callback_id": "confirm",
        "title": _text("Confirm"),
        "notify_on_close": True,
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Sure?"}}],
    }

    @app.command("/plan")
    def plan(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=owners)

    @app.action("add_owner")
    def add_owner(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        note = {"type": "context", "elements": [{"type": "mrkdwn", "text": "Second owner"}]}
        grown = {**owners, "blocks": [*owners["blocks"], note]}
        client.views_update(view_id=body["view"]["id"], hash=body["view"]["hash"], view=grown)

    @app.view("owners")
    def next_step(ack: Ack) -> None:
        ack(response_action="push", view=confirm)

    @app.view_closed("confirm")
    def on_close(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        closed.put(body)

    slack.slash(BOB, "/plan")
    first = slack.wait_for(lambda: slack.open_view(BOB))
    slack.click(BOB, first, "Add another")
    grown = slack.wait_for(lambda: (v := slack.open_view(BOB)) and len(v.blocks) == 3 and v)
    assert grown.id == first.id and grown.hash != first.hash and "Second owner" in grown.all_text()
    with pytest.raises(SlackApiError) as stale:
        app.client.views_update(view_id=first.id, hash=first.hash, view=owners)
    assert stale.value.response["error"] == "hash_conflict"

    pushed = slack.submit_view(BOB, values={"user": JANE})
    assert pushed.response_action == "push" and not pushed.closed and pushed.view is not None
    assert pushed.view.title == "Confirm" and pushed.view.previous_view_id == first.id
    assert [v.title for v in slack.modal_stack(BOB)] == ["Owners", "Confirm"]

    assert slack.close_view(BOB) is not None
    body = closed.get(timeout=2)
    assert body["type"] == "view_closed" and body["view"]["callback_id"] == "confirm"
    remaining = slack.open_view(BOB)
    assert remaining is not None and remaining.id == first.id
    assert remaining.state["values"]["who"]["user"] == {
        "type": "users_select",
        "selected_user": JANE,
    }


def test_views_open_needs_a_trigger_the_emulator_issued(slack: SlackEmulator, app: App) -> None:
    with pytest.raises(SlackApiError) as refused:
        app.client.views_open(trigger_id="123.456.forged", view=UPDATE_MODAL)
    assert refused.value.response["error"] == "invalid_trigger_id"


def test_required_modal_field_cannot_be_left_empty(slack: SlackEmulator, app: App) -> None:
    @app.command("/progress")
    def progress(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=UPDATE_MODAL)

    slack.slash(JANE, "/progress")
    slack.wait_for(lambda: slack.open_view(JANE))
    with pytest.raises(EmulatorError, match="Status"):
        slack.submit_view(JANE, values={"due": "31/05/2019"})


def test_file_input_modal_gets_a_file_the_bot_can_fetch(slack: SlackEmulator, app: App) -> None:
    fetched: queue.Queue[bytes] = queue.Queue()
    modal = {
        "type": "modal",
        "callback_id": "plan_import",
        "title": _text("Import a plan"),
        "submit": _text("Import"),
        "blocks": [
            {
                "type": "input",
                "block_id": "plan_file",
                "label": _text("Plan"),
                "element": {"type": "file_input", "action_id": "file", "max_files": 1},
            }
        ],
    }

    @app.command("/plan")
    def plan(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=modal)

    @app.view("plan_import")
    def imported(ack: Ack, view: dict[str, Any], client: WebClient) -> None:
        ack()
        (file,) = view["state"]["values"]["plan_file"]["file"]["files"]
        request = Request(
            file["url_private_download"], headers={"Authorization": f"Bearer {client.token}"}
        )
        with NO_PROXY.open(request, timeout=2) as response:
            fetched.put(response.read())

    shared = slack.share_file(JANE, "plan.csv", b"Ref,Theme / Action\n4.1,Seek views\n")
    slack.slash(JANE, "/plan", "import")
    slack.wait_for(lambda: slack.open_view(JANE))
    assert slack.submit_view(JANE, values={"plan_file": shared}).closed
    assert fetched.get(timeout=2) == b"Ref,Theme / Action\n4.1,Seek views\n"


# ---------------------------------------------------------------------- events


def test_thread_reply_reaches_the_message_listener(slack: SlackEmulator, app: App) -> None:
    events: queue.Queue[dict[str, Any]] = queue.Queue()

    @app.event("message")
    def on_message(event: dict[str, Any], say: Any) -> None:
        events.put(event)
        say(text="Recorded: amber", thread_ts=event["thread_ts"])

    channel, reminder_ts = _dm_with_button(app, JANE)
    result = slack.reply_in_thread(JANE, channel, reminder_ts, "amber: survey slipped")

    assert result.status == 200
    event = events.get(timeout=2)
    assert event["channel_type"] == "im" and event["channel"] == channel
    assert event["thread_ts"] == reminder_ts and event["user"] == JANE
    assert event["text"] == "amber: survey slipped"
    reply = slack.wait_for_message(thread_ts=reminder_ts, from_bot=True, since=result.message.ts)
    assert reply.text == "Recorded: amber"
    thread = [m.text for m in slack.messages(channel=channel, thread_ts=reminder_ts)]
    assert thread == ["4.1 is due soon", "amber: survey slipped", "Recorded: amber"]


def test_retried_event_carries_retry_headers(slack: SlackEmulator, app: App) -> None:
    retries: queue.Queue[tuple[list[str], list[str]]] = queue.Queue()

    @app.event("message")
    def on_message(request: BoltRequest) -> None:
        headers = request.headers
        retries.put((headers.get("x-slack-retry-num", []), headers.get("x-slack-retry-reason", [])))

    first = slack.send_dm(JANE, "green")
    assert retries.get(timeout=2) == ([], [])
    again = slack.retry(first, reason="http_timeout")
    assert again.status == 200
    assert retries.get(timeout=2) == (["1"], ["http_timeout"])
    assert json.loads(again.request.body)["event_id"] == first.event_id


def test_home_tab_published_on_open_and_clickable(slack: SlackEmulator, app: App) -> None:
    clicked: queue.Queue[dict[str, Any]] = queue.Queue()

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "refresh", "text": _text("Refresh")}
                        ],
                    }
                ],
            },
        )

    @app.action("refresh")
    def refresh(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        clicked.put(body)

    assert slack.open_home(JANE).status == 200
    home_view = slack.wait_for(lambda: slack.home_view(JANE))
    assert isinstance(home_view, View) and home_view.type == "home"
    slack.click(JANE, home_view, "Refresh")
    body = clicked.get(timeout=2)
    assert body["container"] == {"type": "view", "view_id": home_view.id}
    assert body["view"]["type"] == "home"


# ---------------------------------------------------------------------- files


def test_files_upload_v2_end_to_end_and_private_download(slack: SlackEmulator, app: App) -> None:
    channel = slack.dm_channel(JANE)
    upload = app.client.files_upload_v2(
        channel=channel,
        content=b"plan bytes",
        filename="plan.xlsx",
        title="Improvement plan",
        initial_comment="The plan as of today",
    )
    file_id = upload["file"]["id"]

    (stored,) = slack.files(channel=channel)
    assert (stored.id, stored.content, stored.title) == (file_id, b"plan bytes", "Improvement plan")
    assert stored.initial_comment == "The plan as of today"
    shared = slack.messages(channel=channel)[-1]
    assert shared.text == "The plan as of today" and shared.files[0]["id"] == file_id
    info = app.client.files_info(file=file_id)["file"]
    assert info["ims"] == [channel] and info["filetype"] == "xlsx"

    url = info["url_private"]
    authorised = Request(url, headers={"Authorization": f"Bearer {slack.bot_token}"})
    with NO_PROXY.open(authorised, timeout=2) as response:
        assert response.read() == b"plan bytes"
    with NO_PROXY.open(url, timeout=2) as anonymous:  # Slack sends you to its sign-in page
        assert anonymous.headers.get_content_type() == "text/html"
        assert anonymous.url != url and b"plan bytes" not in anonymous.read()


# ---------------------------------------------------------------------- Web API


def test_users_lookup_by_email_hit_and_miss(slack: SlackEmulator, app: App) -> None:
    found = app.client.users_lookupByEmail(email="jane.doe@example.org")["user"]
    assert found["id"] == JANE and found["profile"]["title"] == "Head of Fostering"
    assert found["tz"] == "Europe/London"
    with pytest.raises(SlackApiError) as missing:
        app.client.users_lookupByEmail(email="nobody@example.org")
    assert missing.value.response["error"] == "users_not_found"


def test_users_list_pages_with_a_cursor(slack: SlackEmulator, app: App) -> None:
    for n in range(5):
        slack.add_user(f"U0EXTRA{n:03d}", f"extra{n}", f"Extra {n}")
    ids: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = app.client.users_list(limit=3, cursor=cursor)
        ids += [m["id"] for m in page["members"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and len(ids) == len(set(ids)) == 8  # the bot, 2 people, 5 extras


def test_wrong_token_unknown_method_and_conversation_errors(slack: SlackEmulator) -> None:
    wrong = WebClient(base_url=slack.api_url, token="xoxb-not-ours")
    with pytest.raises(SlackApiError) as refused:
        wrong.auth_test()
    assert refused.value.response["error"] == "invalid_auth"
    client = WebClient(base_url=slack.api_url, token=slack.bot_token)
    with pytest.raises(SlackApiError) as unknown:
        client.api_call("chat.teleport")
    assert unknown.value.response["error"] == "unknown_method"

    slack.add_channel("C0OLD00000", "old-board", is_archived=True)
    slack.add_channel("C0PRIVATE", "chairs", is_private=True, bot_is_member=False)
    slack.deactivate_user(BOB)
    for channel, error in [
        ("C0NOPE0000", "channel_not_found"),
        ("C0OLD00000", "is_archived"),
        ("C0PRIVATE", "not_in_channel"),
        (BOB, "user_disabled"),
    ]:
        with pytest.raises(SlackApiError) as failed:
            client.chat_postMessage(channel=channel, text="hello")
        assert failed.value.response["error"] == error, channel
    with pytest.raises(SlackApiError) as no_user:
        client.users_info(user="U0NOBODY00")
    assert no_user.value.response["error"] == "user_not_found"
    assert client.conversations_info(channel="C0OLD00000")["channel"]["is_archived"] is True
    assert client.conversations_open(users=JANE)["channel"]["id"] == f"D{JANE[1:]}"


@pytest.mark.slack_refusal_expected
def test_too_many_blocks_are_refused_like_slack(slack: SlackEmulator) -> None:
    client = WebClient(base_url=slack.api_url, token=slack.bot_token)
    blocks = [{"type": "divider"}] * 51
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel=JANE, text="too long", blocks=blocks)
    assert refused.value.response["error"] == "invalid_blocks"


# ---------------------------------------------------------------------- faults


def test_rate_limit_is_retried_and_the_message_posted_once(slack: SlackEmulator, app: App) -> None:
    @app.command("/progress")
    def progress(ack: Ack, client: WebClient, command: dict[str, Any]) -> None:
        ack()
        client.chat_postMessage(channel=command["user_id"], text="Reminder: 4.1 is due")

    slack.fail_next("chat.postMessage", status=429, retry_after=0)
    slack.slash(JANE, "/progress")

    posted = slack.wait_for_message(channel=slack.dm_channel(JANE), from_bot=True)
    assert posted.text == "Reminder: 4.1 is due"
    attempts = slack.wait_for_call("chat.postMessage", count=2)
    assert [(c.status, c.error) for c in attempts] == [(429, "ratelimited"), (200, None)]
    assert len(slack.messages(channel=slack.dm_channel(JANE), from_bot=True)) == 1


def test_server_errors_and_failure_rate(slack: SlackEmulator) -> None:
    handler = ServerErrorRetryHandler(
        max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
    )
    client = WebClient(base_url=slack.api_url, token=slack.bot_token, retry_handlers=[handler])
    slack.fail_next("chat.postMessage", status=500, times=2)
    assert client.chat_postMessage(channel=JANE, text="after two 500s")["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [500, 500, 200]

    plain = WebClient(base_url=slack.api_url, token=slack.bot_token)

    def outcomes(seed: int) -> list[int]:
        slack.set_failure_rate(0.5, seed=seed, methods={"auth.test"})
        before = len(slack.calls_to("auth.test"))
        for _ in range(10):
            with contextlib.suppress(SlackApiError):
                plain.auth_test()
        return [c.status for c in slack.calls_to("auth.test")[before:]]

    first, second = outcomes(7), outcomes(7)
    assert first == second and set(first) > {200} and 200 in first
    response = next(c for c in slack.calls_to("auth.test") if c.status == 429)
    assert response.response == {"ok": False, "error": "ratelimited"}

    slack.clear_faults()
    slack.set_latency(0.05, methods={"auth.test"})
    started = time.monotonic()
    plain.auth_test()
    assert time.monotonic() - started >= 0.05


def test_rate_limit_answer_has_retry_after(slack: SlackEmulator) -> None:
    slack.fail_next("auth.test", status=429, retry_after=7)
    request = Request(
        slack.api_url + "auth.test",
        data=b"",
        headers={"Authorization": f"Bearer {slack.bot_token}"},
    )
    with pytest.raises(HTTPError) as limited:
        NO_PROXY.open(request, timeout=2)
    assert limited.value.code == 429 and limited.value.headers["Retry-After"] == "7"
    assert json.loads(limited.value.read()) == {"ok": False, "error": "ratelimited"}


# ---------------------------------------------------------------------- request signing


@pytest.mark.parametrize(
    ("timestamp_offset", "signature"),
    [(0, "v0=" + "0" * 64), (-301, None)],
    ids=["forged-signature", "timestamp-over-5-minutes-old"],
)
def test_forged_or_stale_requests_get_401(
    slack: SlackEmulator, app: App, timestamp_offset: int, signature: str | None
) -> None:
    handled: list[str] = []

    @app.command("/progress")
    def progress(ack: Ack) -> None:
        handled.append("yes")
        ack("should not happen")

    fields = sr.slash_command(
        slack.workspace,
        user_id=JANE,
        user_name="jane",
        command="/progress",
        text="mine",
        channel_id=slack.dm_channel(JANE),
        channel_name="directmessage",
        response_url=f"{slack.base_url}/commands/none",
        trigger_id="1.2.3",
    )
    result = slack.send_to_app(
        sr.form_body(fields),
        timestamp=int(time.time()) + timestamp_offset,
        signature=signature,
    )
    assert result.status == 401 and handled == []


def test_sign_matches_slack_sdk_verifier() -> None:
    body = b"token=x&command=%2Fprogress"
    headers = sr.sign(body, SECRET, timestamp=1_558_000_000)
    verifier = SignatureVerifier(SECRET, clock=_FixedClock(1_558_000_010))
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid(
        body + b"x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


# ---------------------------------------------------------------------- payload shapes


def _keys(obj: dict[str, Any]) -> set[str]:
    return set(obj)


WS = Workspace(
    team_id="T0001ABCD",
    team_domain="example-council",
    api_app_id="A0789KLMNO",
    bot_user_id="U0BOT9999",
    bot_id="B0AAA1111",
)


def test_slash_command_builder_matches_sample() -> None:
    sample = _payload("slash_command.json")
    built = sr.slash_command(
        WS,
        user_id=sample["user_id"],
        user_name=sample["user_name"],
        command=sample["command"],
        text=sample["text"],
        channel_id=sample["channel_id"],
        channel_name=sample["channel_name"],
        response_url=sample["response_url"],
        trigger_id=sample["trigger_id"],
    )
    assert list(built) == list(sample)
    parsed = {k: v[0] for k, v in parse_qs(sr.form_body(built).decode()).items()}
    assert parsed["command"] == "/progress" and parsed["text"] == sample["text"]


def test_block_actions_builder_matches_sample() -> None:
    sample = _payload("block_actions_message_button.json")
    message = sample["message"]
    button = message["blocks"][1]["elements"][0]
    built = sr.block_actions(
        WS,
        user_id="U0456FGHIJ",
        user_name="jane.doe",
        actions=[sr.action(button, block_id="reminder_actions:4.1", action_ts="1.2")],
        trigger_id=sample["trigger_id"],
        container=sr.message_container("D0123ABCDE", message["ts"], is_ephemeral=False),
        channel=sample["channel"],
        message=message,
        response_url=sample["response_url"],
    )
    assert _keys(built) == _keys(sample)
    for key in ("user", "container", "team", "channel"):
        assert _keys(built[key]) == _keys(sample[key]), key
    assert _keys(built["actions"][0]) == _keys(sample["actions"][0])
    assert built["actions"][0]["value"] == "4.1"
    body = parse_qs(sr.interactive_body(built).decode())
    assert json.loads(body["payload"][0]) == built


def test_bot_message_object_matches_sample_keys() -> None:
    sample = _payload("block_actions_message_button.json")
    message = Message(
        channel="D0123ABCDE",
        ts="1558000800.000200",
        text="4.1 is due in 10 working days",
        blocks=sample["message"]["blocks"],
        user=WS.bot_user_id,
        bot_id=WS.bot_id,
    )
    assert message.to_slack(WS) == sample["message"]


def test_view_submission_builder_matches_sample() -> None:
    sample = _payload("view_submission_import.json")
    sample_view = sample["view"]
    file_block, select_block = sample_view["blocks"]
    (shared_file,) = sample_view["state"]["values"]["plan_file"]["file"]["files"]
    view = View(
        id=sample_view["id"],
        user_id="U0456FGHIJ",
        definition={k: sample_view[k] for k in ("type", "title", "blocks", "callback_id", "close")}
        | {"submit": sample_view["submit"]},
        hash=sample_view["hash"],
        root_view_id=sample_view["id"],
        state={
            "values": {
                "plan_file": {"file": sr.element_state(file_block["element"], shared_file)},
                "board": {"board_select": sr.element_state(select_block["element"], "1")},
            }
        },
    )
    built = sr.view_submission(
        WS,
        user_id="U0456FGHIJ",
        user_name="jane.doe",
        view=view.to_slack(WS),
        trigger_id=sample["trigger_id"],
    )
    assert _keys(built) == _keys(sample)
    assert _keys(built["view"]) == _keys(sample_view)
    assert built["view"]["state"] == sample_view["state"]
    by_label = sr.element_state(select_block["element"], "Children's Improvement Board")
    assert by_label == sample_view["state"]["values"]["board"]["board_select"]


def test_message_event_builder_matches_sample() -> None:
    sample = _payload("message_im_thread_reply.json")
    event = sample["event"]
    built = sr.event_callback(
        WS,
        sr.message_event(
            WS,
            user_id=event["user"],
            text=event["text"],
            channel=event["channel"],
            channel_type="im",
            ts=event["ts"],
            client_msg_id=event["client_msg_id"],
            block_id=event["blocks"][0]["block_id"],
            thread_ts=event["thread_ts"],
            parent_user_id=event["parent_user_id"],
        ),
        event_id=sample["event_id"],
        event_time=sample["event_time"],
    )
    assert _keys(built) == _keys(sample)
    assert built["event"] == event
    assert built["authorizations"] == sample["authorizations"]
