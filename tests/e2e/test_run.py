"""`improvement-bot run` as a real process talking to the emulator: HTTP mode under waitress,
and Socket Mode over the emulator's WebSocket, driven exactly as Slack drives it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.sandbox.emulator import ACK_DEADLINE, SlackEmulator

BIN = Path(sys.executable).with_name("improvement-bot")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'run.db'}"
    return env


def wait_for_health(url: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"run exited early: {process.communicate()}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("run did not start serving in time")


def froze_start_up_objects(log: str) -> int:
    """How many objects the bot said it set aside from garbage collection once ready."""
    found = re.search(r"ready; (\d+) start-up objects set aside from garbage collection", log)
    assert found, log
    return int(found.group(1))


def test_http_mode_serves_signed_requests_and_stops_on_sigterm(tmp_path: Path) -> None:
    secret = "s3cret-signing"
    with SlackEmulator() as emulator:
        emulator.add_user("UADMIN0000", "ada", "Ada Admin", "ada@council.example")
        port = free_port()
        env = base_env(tmp_path) | {
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": emulator.api_url,
            "PORT": str(port),
            "HOST": "127.0.0.1",
        }
        process = subprocess.Popen(
            [str(BIN), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}/health", process)
            emulator.connect_app(f"http://127.0.0.1:{port}/slack/events", secret)
            result = emulator.slash("UADMIN0000", "/plan", "setup")
            assert result.status == 200
            [answer] = result.wait_for_response(timeout=10)
            assert "admin" in answer.all_text().lower()
            forged = emulator.send_to_app(
                b"command=%2Fplan&text=setup",
                content_type="application/x-www-form-urlencoded",
                signature="v0=forged",
            )
            assert forged.status == 401
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert froze_start_up_objects(err) > 10_000, err
        assert emulator.bot_token not in out + err
        assert secret not in out + err
        assert "Traceback" not in err


def test_socket_mode_acks_in_time_answers_commands_dms_retries_and_home(tmp_path: Path) -> None:
    with SlackEmulator() as emulator:
        emulator.add_user("UADMIN0000", "ada", "Ada Admin", "ada@council.example")
        emulator.add_user("UJANE00000", "jane", "Jane Doe", "jane@council.example")
        env = base_env(tmp_path) | {
            "SLACK_BOT_TOKEN": emulator.bot_token,
            "SLACK_APP_TOKEN": emulator.app_token,
            "SLACK_API_URL": emulator.api_url,
        }
        process = subprocess.Popen(
            [str(BIN), "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            emulator.use_socket_mode(wait=30)

            command = emulator.slash("UADMIN0000", "/plan", "setup")
            assert command.ok
            [answer] = command.wait_for_response(timeout=10)
            assert "admin" in answer.all_text().lower()

            dm = emulator.dm_channel("UJANE00000")
            first = emulator.send_dm(
                "UJANE00000", "hello"
            )  # Slack's first delivery: retry_attempt 0
            assert first.ok
            emulator.wait_for_message(channel=dm, from_bot=True, timeout=10)
            emulator.retry(first)
            emulator.open_home("UJANE00000")
            home = emulator.wait_for(
                lambda: emulator.home_view("UJANE00000"), timeout=10, what="home"
            )
            assert home.blocks
            assert len(emulator.messages(channel=dm, from_bot=True)) == 1  # the retry: silence

            assert [s.status for s in emulator.sent] == [200] * 4
            assert max(s.elapsed for s in emulator.sent) < ACK_DEADLINE
            assert emulator.refusals == []
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == 0, err
        assert "connected to Slack in Socket Mode" in err
        assert froze_start_up_objects(err) > 10_000, err
        assert emulator.bot_token not in out + err
        assert emulator.app_token not in out + err
        assert "Traceback" not in err


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "not-a-token"}, "SLACK_BOT_TOKEN should be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "oops"}, "SLACK_APP_TOKEN should be"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x", "PORT": "http"}, "PORT"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = subprocess.run(
        [str(BIN), "run"],
        env=base_env(tmp_path) | env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr


def run_briefly(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), "run"],
        env=base_env(tmp_path) | {"HOST": "127.0.0.1"} | env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )


def assert_one_line_failure(
    result: subprocess.CompletedProcess[str], code: int, *words: str
) -> None:
    """Log lines may come first; the failure itself is the last line, alone, no traceback."""
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    ours = [line for line in result.stderr.splitlines() if line.startswith("improvement-bot:")]
    assert len(ours) == 1 and ours[0] == result.stderr.splitlines()[-1], result.stderr
    for word in words:
        assert word in ours[0], ours[0]


def test_slack_out_of_reach_is_one_line(tmp_path: Path) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/api/"
    result = run_briefly(
        tmp_path,
        {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x", "SLACK_API_URL": nowhere},
    )
    assert_one_line_failure(result, 1, "can't reach Slack", nowhere)


def test_a_token_slack_refuses_is_one_line_and_exit_2(tmp_path: Path) -> None:
    with SlackEmulator() as emulator:
        result = run_briefly(
            tmp_path,
            {
                "SLACK_BOT_TOKEN": "xoxb-not-the-right-one",
                "SLACK_SIGNING_SECRET": "x",
                "SLACK_API_URL": emulator.api_url,
                "PORT": str(free_port()),
            },
        )
    assert_one_line_failure(result, 2, "SLACK_BOT_TOKEN", "invalid_auth")


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with SlackEmulator() as emulator, socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_briefly(
            tmp_path,
            {
                "SLACK_BOT_TOKEN": emulator.bot_token,
                "SLACK_SIGNING_SECRET": "x",
                "SLACK_API_URL": emulator.api_url,
                "PORT": str(port),
            },
        )
    assert_one_line_failure(result, 1, f"127.0.0.1:{port}", "PORT")


@pytest.mark.parametrize("url", ["mysql://bot@db.example/plans", "nosuch://x"])
def test_an_unsupported_database_url_is_one_line_and_exit_2(tmp_path: Path, url: str) -> None:
    result = run_briefly(
        tmp_path, {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x", "DATABASE_URL": url}
    )
    assert_one_line_failure(result, 2, "DATABASE_URL")
