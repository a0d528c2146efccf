"""Hostile HTTP traffic, repeated with the bounds asserted (docs/design.md, "Hostile input").

- Four parallel 250 MB unsigned posts: each refused with 413 from its headers, and the bot's
  process stays under 250 MB of memory (its peak resident size, VmHWM).
- A chunked body is cut off with 413 once it passes 1 MB.
- While 150 connections hang half-open (headers sent, body promised, never sent), good signed
  commands are answered within 3 s, and every one is recorded exactly once.
"""

from __future__ import annotations

import select
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select as sql_select

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.local import LocalBot
from db.models import ProgressUpdate
from tests.e2e.seed import seed_board
from tests.e2e.test_run import BIN, base_env, free_port, wait_for_health

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MB = 1024 * 1024
MEMORY_BUDGET_KB = 250 * 1024
ANSWER_BUDGET_SECONDS = 3.0
HALF_OPEN_CONNECTIONS = 150


@dataclass
class RunningBot:
    process: subprocess.Popen[str]
    port: int
    emulator: SlackEmulator

    def memory_kb(self, field: str) -> int:
        """``VmRSS`` (now) or ``VmHWM`` (peak) of the bot's process, in kB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        raise AssertionError(f"no {field} in /proc/{self.process.pid}/status")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    """``improvement-bot run`` as its own process, so its memory is its own."""
    tmp_path = tmp_path_factory.mktemp("hostile")
    secret = "hostile-signing-secret"
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
            [str(BIN), "run"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=tmp_path,
        )
        try:
            wait_for_health(f"http://127.0.0.1:{port}/health", process)
            emulator.connect_app(f"http://127.0.0.1:{port}/slack/events", secret)
            yield RunningBot(process, port, emulator)
        finally:
            process.kill()
            process.wait(timeout=10)


def _status(conn: socket.socket) -> int:
    """The status code of the response waiting on ``conn``; 0 if the server just hung up."""
    try:
        first = conn.recv(64)
    except ConnectionResetError:
        return 0
    parts = first.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def post_unsigned(port: int, size: int, *, chunked: bool = False) -> tuple[int, int]:
    """POST ``size`` bytes with no signature, stopping as soon as the server answers.
    Returns (status, body bytes sent)."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as conn:
        framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
        conn.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n{framing}\r\n\r\n".encode()
        )
        # A server that judges by the headers answers now; one that reads the body doesn't.
        if select.select([conn], [], [], 1.0)[0]:
            return _status(conn), 0
        block = b"a" * (64 * 1024)
        sent = 0
        try:
            while sent < size:
                if select.select([conn], [], [], 0)[0]:
                    return _status(conn), sent
                conn.sendall(b"%x\r\n%s\r\n" % (len(block), block) if chunked else block)
                sent += len(block)
            if chunked:
                conn.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            return _status(conn), sent
        return _status(conn), sent


def test_four_parallel_250_mb_posts_are_refused_and_memory_stays_bounded(
    running: RunningBot,
) -> None:
    before_kb = running.memory_kb("VmRSS")
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: post_unsigned(running.port, 250 * MB), range(4)))
    elapsed = time.monotonic() - started
    peak_kb = running.memory_kb("VmHWM")
    print(f"\n250 MB posts x4: {results} in {elapsed:.1f}s; RSS {before_kb} kB, peak {peak_kb} kB")
    assert [status for status, _ in results] == [413] * 4
    assert all(sent == 0 for _, sent in results), "the body was read before refusing"
    assert peak_kb < MEMORY_BUDGET_KB
    answered = running.emulator.slash("UADMIN0000", "/plan", "setup")
    assert answered.status == 200


def test_a_chunked_body_is_cut_off_once_past_1_mb(running: RunningBot) -> None:
    status, sent = post_unsigned(running.port, 50 * MB, chunked=True)
    print(f"\nchunked post: {status} after {sent} bytes; peak {running.memory_kb('VmHWM')} kB")
    assert status in (413, 0)  # 0: the server hung up after answering, before we read it
    assert sent < 10 * MB  # the rest was in flight, in the kernel's socket buffers
    assert running.memory_kb("VmHWM") < MEMORY_BUDGET_KB


def hang_half_open(port: int) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(
        b"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
    )
    return conn


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalBot]:
    from bot.clock import ManualClock
    from tests.e2e.conftest import START

    with LocalBot(f"sqlite:///{tmp_path / 'hostile.db'}", ManualClock(START)) as running:
        yield running


def test_good_commands_are_answered_within_3_s_while_150_connections_hang(
    local: LocalBot,
) -> None:
    seed_board(local)
    hanging = [hang_half_open(local.server.port) for _ in range(HALF_OPEN_CONNECTIONS)]
    texts = [f"4.1 amber survey slipped, note {n}" for n in range(6)]
    timings = []
    try:
        time.sleep(0.5)  # the server has taken them all in
        for text in texts:
            result = local.emulator.slash("UJANE00000", "/progress", text)
            assert result.request is not None
            timings.append(round(result.request.elapsed, 2))
            assert result.status == 200, (timings, result.body)
            time.sleep(1.0)  # spread over the attack, past the idle timeout
    finally:
        for conn in hanging:
            conn.close()
    print(f"\nanswer times under {HALF_OPEN_CONNECTIONS} half-open connections: {timings}")
    assert max(timings) < ANSWER_BUDGET_SECONDS
    with local.services.uow() as uow:
        recorded = uow.session.scalars(sql_select(ProgressUpdate.note)).all()
    assert sorted(recorded) == sorted(text.removeprefix("4.1 amber ") for text in texts)
