"""Tests that fail when the Slack manifest, the code, the README and the CLI drift apart.

- every slash command and bot event in `slack/manifest.yml` has a Bolt listener, and every
  command has a README line;
- every Block Kit id the bot renders for a button or a modal has a listener;
- every Slack Web API method the bot calls is covered by a scope in the manifest;
- `improvement-bot --help` lists the commands of DESIGN §7 that exist, every CLI command is
  in DESIGN §7, and README's "Command line" block lists every CLI command.

Listeners are found the way Bolt finds them — by asking each registered listener whether it
matches a Slack-shaped request — on the app `bootstrap()` builds, with no Slack and no network.
"""

from __future__ import annotations

import argparse
import inspect
import io
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot import cli
from bot.app import bootstrap
from bot.config import Settings
from bot.render import ids
from bot.sandbox import slack_requests as sr

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "slack" / "manifest.yml"
README = ROOT / "README.md"
DESIGN = ROOT / "docs" / "design.md"
SOURCE_DIRS = ("bot", "handlers", "scheduler")
NOT_THE_BOT = ("bot/sandbox",)  # the local Slack emulator answers the API; it doesn't call it

# The scopes each Web API method needs for the conversations the bot works in: DMs with
# people, and public or private board channels. Methods that need no scope map to ().
# A method missing here fails the test: add it with the scopes Slack's reference gives.
SCOPES_FOR_METHOD: dict[str, tuple[str, ...]] = {
    "api.test": (),
    "auth.test": (),
    "chat.delete": ("chat:write",),
    "chat.getPermalink": (),
    "chat.postEphemeral": ("chat:write",),
    "chat.postMessage": ("chat:write",),
    "chat.update": ("chat:write",),
    "conversations.history": ("channels:history", "groups:history", "im:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read"),
    "conversations.members": ("channels:read", "groups:read", "im:read"),
    "conversations.open": ("im:write",),
    "conversations.replies": ("channels:history", "groups:history", "im:history"),
    "files.completeUploadExternal": ("files:write",),
    "files.getUploadURLExternal": ("files:write",),
    "files.info": ("files:read",),
    "files.upload": ("files:write",),
    "reactions.add": ("reactions:write",),
    "team.info": ("team:read",),
    "users.info": ("users:read",),
    "users.list": ("users:read",),
    "users.lookupByEmail": ("users:read", "users:read.email"),
    "views.open": (),
    "views.publish": (),
    "views.push": (),
    "views.update": (),
}
# Bot events and the scopes Slack requires to subscribe to them.
SCOPES_FOR_EVENT: dict[str, tuple[str, ...]] = {
    "app_home_opened": (),
    "message.im": ("im:history",),
    "message.channels": ("channels:history",),
    "message.groups": ("groups:history",),
}
# Block Kit ids that name a modal (view_submission callback_id) rather than a button.
MODAL_IDS = {
    ids.UPDATE_MODAL,
    ids.DATE_CHANGE_MODAL,
    ids.IMPORT_MODAL,
    ids.CHALLENGE_MODAL,
    ids.FOLLOW_UP_MODAL,
    ids.AWAY_MODAL,
}
NOT_BLOCK_KIT_IDS = {ids.NOTIFICATION_EVENT}  # message metadata, not something people press

WS = sr.Workspace()


# ---------------------------------------------------------------- the manifest


@cache
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def slash_commands() -> list[dict[str, Any]]:
    return list(manifest()["features"]["slash_commands"])


def command_names() -> list[str]:
    return [c["command"] for c in slash_commands()]


def bot_events() -> list[str]:
    return list(manifest()["settings"]["event_subscriptions"]["bot_events"])


def bot_scopes() -> set[str]:
    return set(manifest()["oauth_config"]["scopes"]["bot"])


def test_manifest_is_set_up_for_socket_mode_with_escaped_commands() -> None:
    m = manifest()
    assert m["display_information"]["name"]
    assert len(m["display_information"]["name"]) <= 35
    assert len(m["display_information"].get("description", "")) <= 140
    assert m["features"]["bot_user"]["display_name"]
    assert m["features"]["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": False,
    }
    settings = m["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert set(command_names()) == {"/progress", "/plan", "/board"}
    for command in slash_commands():
        assert command["command"].startswith("/")
        assert command["description"].strip()
        assert command["usage_hint"].strip()
        # `@user` and `#channel` must reach the grammar as <@U…|name> and <#C…|name>.
        assert command["should_escape"] is True
        # Socket Mode needs no URL; a placeholder would be a URL Slack really calls.
        assert "url" not in command


def test_manifest_asks_for_the_scopes_commands_and_events_need() -> None:
    scopes = bot_scopes()
    assert "commands" in scopes
    for event in bot_events():
        assert event in SCOPES_FOR_EVENT, f"add {event} to SCOPES_FOR_EVENT"
        missing = set(SCOPES_FOR_EVENT[event]) - scopes
        assert not missing, f"event {event} needs scopes {sorted(missing)}"
    assert set(bot_events()) == {"app_home_opened", "message.im"}


# ---------------------------------------------------------------- listeners


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """The real app with every listener registered; its client points nowhere."""
    database = tmp_path_factory.mktemp("manifest") / "bot.db"
    settings = Settings(
        database_url=f"sqlite:///{database}",
        slack_bot_token="xoxb-drift-test",
        slack_signing_secret="drift-test-secret",
    )
    client = WebClient(token=settings.slack_bot_token, base_url="http://127.0.0.1:9/api/")
    bot = bootstrap(settings, client=client, token_verification=False)
    yield bot.app
    bot.engine.dispose()


def handled(app: App, body: dict[str, Any]) -> bool:
    """Whether any registered listener matches this request, as Bolt decides it."""
    request = BoltRequest(body=body, mode="socket_mode")
    response = BoltResponse(status=200)
    return any(listener.matches(req=request, resp=response) for listener in app._listeners)


def slash_body(command: str, text: str = "help") -> dict[str, Any]:
    return sr.slash_command(
        WS,
        user_id="U0PERSON00",
        user_name="person",
        command=command,
        text=text,
        channel_id="D0PERSON00",
        channel_name="directmessage",
        response_url="https://hooks.slack.com/commands/T00SANDBOX/1/x",
        trigger_id="1.2.x",
    )


def event_body(event: str) -> dict[str, Any]:
    if event == "app_home_opened":
        payload = sr.app_home_opened_event(
            user_id="U0PERSON00", channel="D0PERSON00", event_ts="1.2"
        )
    else:
        kind, _, channel_type = event.partition(".")
        payload = sr.message_event(
            WS,
            user_id="U0PERSON00",
            text="amber: survey slipped",
            channel="D0PERSON00",
            channel_type={"channels": "channel", "groups": "group"}.get(channel_type, channel_type),
            ts="1558001000.000300",
            client_msg_id="00000000-0000-0000-0000-000000000000",
            block_id="b1",
        )
        assert payload["type"] == kind
    return sr.event_callback(WS, payload, event_id="Ev0DRIFT", event_time=1558001000)


def test_bolt_finds_no_listener_for_an_unknown_command(app: App) -> None:
    # The check below means something: an unregistered command is not matched.
    assert not handled(app, slash_body("/not-a-command"))


@pytest.mark.parametrize("command", command_names())
def test_every_manifest_command_has_a_listener(app: App, command: str) -> None:
    assert handled(app, slash_body(command)), f"no listener for {command} in handlers/"


@pytest.mark.parametrize("event", bot_events())
def test_every_manifest_event_has_a_listener(app: App, event: str) -> None:
    assert handled(app, event_body(event)), f"no listener for the {event} event in handlers/"


def block_kit_ids() -> list[str]:
    found = [
        value
        for name, value in vars(ids).items()
        if name.isupper() and isinstance(value, str) and value not in NOT_BLOCK_KIT_IDS
    ]
    return sorted(found)


@pytest.mark.parametrize("block_id", block_kit_ids())
def test_every_rendered_button_and_modal_has_a_listener(app: App, block_id: str) -> None:
    if block_id in MODAL_IDS:
        body: dict[str, Any] = {
            "type": "view_submission",
            "team": WS.team,
            "user": {"id": "U0PERSON00"},
            "view": {"id": "V0DRIFT000", "type": "modal", "callback_id": block_id, "state": {}},
        }
    else:
        body = {
            "type": "block_actions",
            "team": WS.team,
            "user": {"id": "U0PERSON00"},
            "actions": [{"type": "button", "action_id": block_id, "block_id": "b1", "value": "1"}],
        }
    assert handled(app, body), f"nothing handles {block_id!r} (bot/render/ids.py)"


# ---------------------------------------------------------------- README


def readme() -> str:
    return README.read_text(encoding="utf-8")


@pytest.mark.parametrize("command", command_names())
def test_every_manifest_command_has_a_readme_line(command: str) -> None:
    lines = [line for line in readme().splitlines() if f"`{command}" in line]
    assert lines, f"README.md has no line about `{command}`"


def test_readme_names_the_plan_forms_a_new_admin_needs_after_setup() -> None:
    text = readme()
    for form in (
        "/plan setup",
        "/plan list",
        '/plan theme edit <ref> "<title>" [lead @user]',
        "/plan theme remove <ref>",
        "/plan action move <ref> to theme <ref>",
        "channel create #name",
        "import FILE",
    ):
        assert form in text, f"README.md doesn't mention {form}"


def test_readme_says_how_to_connect_to_slack() -> None:
    text = readme()
    start = text.index("<!-- connect-to-slack -->")
    end = text.index("<!-- /connect-to-slack -->")
    section = text[start:end]
    assert "## Connect to Slack" in section
    for needed in (
        "slack/manifest.yml",
        "SLACK_BOT_TOKEN",
        "SLACK_APP_TOKEN",
        "connections:write",
        "improvement-bot run",
        "/plan setup",
        "SLACK_SIGNING_SECRET",
        "/slack/events",
        "socket_mode_enabled: false",
    ):
        assert needed in section, f"the Connect to Slack section doesn't mention {needed}"
    assert text.index("## Configuration") < start < text.index("## Command line")


# ---------------------------------------------------------------- Web API scopes


def bot_source_files() -> list[Path]:
    files = []
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(NOT_THE_BOT):
                files.append(path)
    return files


CLIENT_CALL = re.compile(r"\w*client\.(\w+)\(")
SAY_CALL = re.compile(r"\bsay\(")


def api_methods_of(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The Web API methods a WebClient method calls (files_upload_v2 calls two)."""
    function = getattr(WebClient, name, None)
    if function is None or not callable(function) or name in seen:
        return set()
    source = inspect.getsource(function)
    found = set(re.findall(r'api_call\(\s*"([a-zA-Z.]+)"', source))
    for inner in re.findall(r"self\.(\w+)\(", source):
        found |= api_methods_of(inner, seen | {name})
    return found


def methods_the_bot_calls() -> dict[str, set[str]]:
    """Web API method → the files that call it."""
    calls: dict[str, set[str]] = {}
    for path in bot_source_files():
        source = path.read_text(encoding="utf-8")
        methods: set[str] = set()
        for name in CLIENT_CALL.findall(source):
            methods |= api_methods_of(name)
        if SAY_CALL.search(source):
            methods.add("chat.postMessage")
        for method in methods:
            calls.setdefault(method, set()).add(path.relative_to(ROOT).as_posix())
    return calls


def test_the_scan_finds_the_calls_the_bot_makes() -> None:
    calls = methods_the_bot_calls()
    # Who is acting (handlers/context.py) and the outbox's DMs (scheduler/delivery.py).
    assert "users.info" in calls
    assert {"conversations.open", "chat.postMessage"} <= set(calls)
    assert api_methods_of("files_upload_v2") == {
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }


def test_every_web_api_method_the_bot_calls_has_its_scopes() -> None:
    scopes = bot_scopes()
    problems = []
    for method, where in sorted(methods_the_bot_calls().items()):
        if method not in SCOPES_FOR_METHOD:
            problems.append(f"{method} (called in {sorted(where)}) is not in SCOPES_FOR_METHOD")
            continue
        missing = set(SCOPES_FOR_METHOD[method]) - scopes
        if missing:
            problems.append(f"{method} needs {sorted(missing)} in slack/manifest.yml")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- the CLI


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def cli_commands(
    parser: argparse.ArgumentParser | None = None, prefix: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    """Every runnable command of the CLI, e.g. ("plan", "import"), ("digest",)."""
    parser = parser or cli.build_parser()
    found: list[tuple[str, ...]] = []
    for name, sub in subcommands(parser).items():
        path = (*prefix, name)
        found += cli_commands(sub, path) if subcommands(sub) else [path]
    return found


def command_words(line: str) -> tuple[str, ...] | None:
    """`improvement-bot plan import FILE [--board NAME]` → ("plan", "import"); None when the
    line is not a command line."""
    words = line.split()
    if not words or words[0] != "improvement-bot":
        return None
    path = []
    for word in words[1:]:
        if not re.fullmatch(r"[a-z][a-z-]*", word):
            break
        path.append(word)
    return tuple(path)


def code_block(text: str, heading: str) -> str:
    """The first ``` block under a heading."""
    start = text.index(heading)
    end = text.find("\n## ", start + len(heading))
    section = text[start : end if end != -1 else len(text)]
    return section.split("```")[1]


def documented_commands() -> list[tuple[str, ...]]:
    """The commands in DESIGN §7's block."""
    block = code_block(DESIGN.read_text(encoding="utf-8"), "## 7.")
    return [c for c in map(command_words, block.splitlines()) if c is not None]


def help_output(args: list[str]) -> str:
    out = io.StringIO()
    code = cli.run_cli([*args, "--help"], stdout=out, stderr=io.StringIO())
    assert code == 0
    return out.getvalue()


def test_design_lists_the_cli_commands() -> None:
    documented = documented_commands()
    assert ("run",) in documented and ("plan", "import") in documented
    missing = [" ".join(c) for c in cli_commands() if c not in documented]
    assert not missing, f"CLI commands missing from DESIGN §7: {missing}"


def test_help_lists_the_design_commands_that_exist() -> None:
    existing = set(cli_commands())
    checked = 0
    for command in documented_commands():
        if command not in existing:
            continue
        out = help_output(list(command[:-1]))
        assert re.search(rf"\b{re.escape(command[-1])}\b", out), (
            f"`improvement-bot {' '.join(command[:-1])} --help` doesn't list {command[-1]}"
        )
        checked += 1
    assert checked >= 3


def test_readme_command_line_block_lists_every_cli_command() -> None:
    block = code_block(readme(), "## Command line")
    listed = [c for c in map(command_words, block.splitlines()) if c is not None]
    missing = [
        "improvement-bot " + " ".join(command)
        for command in cli_commands()
        if not any(shown[: len(command)] == command for shown in listed)
    ]
    assert not missing, f"README's Command line block doesn't list: {missing}"
