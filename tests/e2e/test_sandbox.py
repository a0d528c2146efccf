"""The sandbox console (`improvement-bot sandbox`): its commands in script mode, how it shows
Slack text in a terminal, and the real command in a pseudo-terminal."""

from __future__ import annotations

import datetime as dt
import io
import os
import pty
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, update

from bot.cli import run_cli
from bot.core.calendar import calendar_for
from bot.sandbox.console import run_sandbox
from bot.sandbox.console_parse import ConsoleError, clock_target, nine_oclocks
from bot.sandbox.render_terminal import Style, colour_wanted, mrkdwn
from bot.sandbox.slack_requests import slack_text
from db.models import Person

pytestmark = pytest.mark.e2e

LONDON = ZoneInfo("Europe/London")
START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)  # Thursday 16 May 2019, 08:00 BST
ENG = calendar_for("ENG")
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

BUILD = [
    "/plan setup",
    '/plan board create "Improvement Board" chair @chris channel #improvement-board',
    '/plan new "Children\'s Services Improvement Plan"',
    '/plan theme add 4 "Placement stability" lead @chris',
    '/plan action add 4.1 "Seek foster carers\' views" due 31/05/2019 owner @jane',
]


def sandbox(
    tmp_path: Path, *lines: str, demo: bool = False, socket_mode: bool = False
) -> tuple[int, str]:
    """Run console lines as a script; the exit code and the transcript."""
    script = tmp_path / "script.txt"
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = io.StringIO()
    code = run_sandbox(
        database_url=None,
        demo=demo,
        script=script,
        stdin=io.StringIO(),
        stdout=out,
        start=START,
        socket_mode=socket_mode,
    )
    return code, out.getvalue()


def errors(transcript: str) -> list[str]:
    return [line for line in transcript.splitlines() if line.startswith("error:")]


# ---------------------------------------------------------------- script mode


def test_an_unknown_command_stops_the_script_with_one_line(tmp_path: Path) -> None:
    code, transcript = sandbox(tmp_path, "users", "frobnicate the board", "users")
    assert code == 1
    assert errors(transcript) == [
        'error: line 2: I don\'t know "frobnicate"; type help for the commands'
    ]
    assert transcript.count("> users") == 1  # nothing after the failing line ran
    assert "Traceback" not in transcript


def test_the_clock_never_moves_backwards(tmp_path: Path) -> None:
    code, transcript = sandbox(tmp_path, "clock +1d", "clock", "clock 16/05/2019 09:00")
    assert code == 1
    assert "The clock moves on to Friday 17 May 2019 08:00 BST." in transcript
    assert "It is Friday 17 May 2019 08:00 BST." in transcript
    assert errors(transcript) == [
        "error: line 3: the sandbox clock only moves forward; it is Friday 17 May 2019 08:00 "
        "BST and Thursday 16 May 2019 09:00 BST has passed"
    ]


def test_start_only_works_before_anything_happened(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path, "start 2019-05-13 08:30", "/plan setup", "start 2019-05-01"
    )
    assert code == 1
    assert "The sandbox clock starts at Monday 13 May 2019 08:30 BST." in transcript
    assert "start only works before anything has happened" in errors(transcript)[0]


def test_moving_the_clock_runs_the_scheduler_at_each_working_day_nine_oclock(
    tmp_path: Path,
) -> None:
    code, transcript = sandbox(
        tmp_path,
        *BUILD,
        "clock 2019-05-28 09:00",
        'expect "◷ Tuesday 28 May 2019 09:00 BST"',
        'expect "due in 3 working days"',
        'expect not "Monday 27 May"',  # a bank holiday: nothing goes out
    )
    assert code == 0, transcript
    # 4.1 (due 31 May) is 10 working days away on 16 May: Jane hears of it that morning.
    assert "◷ Thursday 16 May 2019 09:00 BST" in transcript
    assert "due in 10 working days" in transcript
    # The weekly digest went to the chair and the channel on Monday 20 May.
    assert "◷ Monday 20 May 2019 09:00 BST" in transcript
    assert "── in #improvement-board ──" in transcript


@pytest.mark.parametrize("socket_mode", [False, True], ids=["http", "socket_mode"])
def test_an_owner_updates_by_button_form_and_thread_reply(
    tmp_path: Path, socket_mode: bool
) -> None:
    code, transcript = sandbox(
        tmp_path,
        *BUILD,
        "as jane",
        "/progress mine",
        'click last "Update"',
        'expect "Update an action"',
        'expect "status=…"',
        'submit status="at risk" note="Survey slipped to June"',
        'expect "Status: [amber] At risk (was Not started)"',
        "close",
        "clock 2019-05-16 09:00",
        'reply last "green: survey booked"',
        'expect "Status: [green] On track (was At risk)"',
        'expect "in the thread of"',
        socket_mode=socket_mode,
    )
    assert code == 0, transcript
    assert ("over Socket Mode" in transcript) == socket_mode


def test_a_form_the_bot_refuses_shows_the_error_under_its_field(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path,
        *BUILD,
        "as jane",
        "/progress mine",
        'click last "Ask for new date"',
        'submit new_date=31/05/2019 reason="no change really"',
        'expect "The form was not accepted"',
        'expect "✗"',
        'submit new_date=30/06/2019 reason="the carers\' forum moved"',
        'expect "Request sent"',
    )
    assert code == 0, transcript


def test_refused_clicks_and_forms_fail_the_script(tmp_path: Path) -> None:
    code, transcript = sandbox(tmp_path, *BUILD, "as jane", "/progress mine", 'click last "Nope"')
    assert code == 1
    [line] = errors(transcript)
    assert 'has no "Nope" button ([1 Update] [2 Mark complete] [3 Ask for new date])' in line

    code, transcript = sandbox(tmp_path, "submit note=hello")
    assert code == 1
    assert errors(transcript) == [
        "error: line 1: you have no form open; a button or a slash command opens one"
    ]

    code, transcript = sandbox(tmp_path, "as nobody")
    assert code == 1
    assert 'there is no sandbox user "nobody"' in errors(transcript)[0]


def test_what_others_receive_is_announced_and_shown_when_you_become_them(
    tmp_path: Path,
) -> None:
    code, transcript = sandbox(
        tmp_path,
        *BUILD,
        "as jane",
        "/progress 4.1 date 30/06/2019 the carers' forum moved",
        'expect "(new message: 1 for @chris)"',
        "as chris",
        'expect "Jane Doe asks to move the due date of 4.1"',
        "inbox",
        'expect "[1 Approve] [2 Decline]"',
    )
    assert code == 0, transcript


def test_a_script_whose_first_command_is_demo_runs_on_the_demo(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path,
        "# the demo board",
        "demo",
        "users",
        'expect "@helen"',
        'expect "board chair"',
        "/board",
        'expect "Children\'s Improvement Board — status"',
        "start 2019-01-01",
    )
    assert code == 1  # the demo's dates count from the start: the clock can't be reset
    assert "Try these, in order" in transcript
    assert "start only works before anything has happened" in transcript


def test_the_demo_shows_every_feature(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path,
        "/board",
        'expect "[green] On track"',
        'expect "[amber] At risk"',
        'expect "[red] Off track 1"',
        'expect "[blue] Delivered, impact"',
        'expect "2 overdue"',
        'expect "1 date change to approve"',
        "/board meetings",
        'expect "update window opens"',
        "as helen",
        "inbox",
        'expect "escalated to you"',
        'expect "asks to move the due date of 3.1"',
        "channel #improvement-board",
        'expect "digest"',
        "/board pack",
        'expect "Not updated since the meeting"',
        'expect "1 delivered · 1 with impact evidenced · 1 with impact emerging"',
        'expect "Delivered, impact not yet evidenced (1)"',
        'expect "Challenges open and answered (3)"',
        'expect "Movement since the meeting on"',
        'expect "↑ 2.2 Offer return home interviews within 72 hours: Not started → On track"',
        "/board challenges all",
        'expect "2 open · 1 answered · 1 closed"',
        'expect "(reopened)"',
        "as dev",
        "inbox",
        'expect "challenges your action 2.1"',
        demo=True,
    )
    assert code == 0, transcript


def test_no_colour_when_the_output_is_not_a_terminal(tmp_path: Path) -> None:
    code, transcript = sandbox(tmp_path, *BUILD, "/board")
    assert code == 0, transcript
    assert "\x1b[" not in transcript
    assert "○ Not started 1" in transcript


def test_the_home_tab_is_drawn_again_after_a_click_in_it(tmp_path: Path) -> None:
    code, transcript = sandbox(
        tmp_path,
        *BUILD,
        "as jane",
        "home",
        'expect "Home · improvement-bot"',
        'expect "[1 Update] [2 Mark complete] [3 Ask for new date]"',
        'click home "Mark complete"',
        'expect "Status: [blue] Complete (was Not started)"',
        'expect "100% complete"',
    )
    assert code == 0, transcript


class Keyboard(io.StringIO):
    """Typed lines, then Ctrl-C at the prompt."""

    def readline(self, size: int | None = -1) -> str:
        line = super().readline()
        if not line:
            raise KeyboardInterrupt
        return line


@pytest.mark.parametrize(
    ("typed", "ending"),
    [("users\nquit\n", "quit"), ("users\n", "end of input"), ("users\n", "Ctrl-C")],
)
def test_the_interactive_console_ends_cleanly(typed: str, ending: str) -> None:
    stdin = Keyboard(typed) if ending == "Ctrl-C" else io.StringIO(typed)
    out = io.StringIO()
    code = run_sandbox(
        database_url=None, demo=False, script=None, stdin=stdin, stdout=out, start=START
    )
    assert code == 0
    transcript = out.getvalue()
    assert "ada> users" in transcript  # the prompt shows who you are
    assert "* @ada" in transcript
    assert transcript.rstrip().endswith("Bye.")
    assert "Traceback" not in transcript


def test_the_interactive_console_carries_on_after_a_mistake() -> None:
    out = io.StringIO()
    code = run_sandbox(
        database_url=None,
        demo=False,
        script=None,
        stdin=io.StringIO("frobnicate\nas jane\nclock +1h\n"),
        stdout=out,
        start=START,
    )
    assert code == 0
    transcript = out.getvalue()
    assert 'error: I don\'t know "frobnicate"' in transcript
    assert "jane> clock +1h" in transcript
    assert "The clock moves on to Thursday 16 May 2019 09:00 BST." in transcript


def test_the_cli_runs_the_sandbox_over_socket_mode(tmp_path: Path) -> None:
    script = tmp_path / "dm.txt"
    script.write_text('as jane\ndm "hello"\nexpect "reply in the thread"\n')
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(
        ["sandbox", "--socket-mode", "--script", str(script)],
        stdout=out,
        stderr=err,
        environ={},
        now=START,
    )
    assert code == 0, out.getvalue()
    assert "over Socket Mode" in out.getvalue()


def test_the_cli_runs_a_script_and_passes_on_its_exit_code(tmp_path: Path) -> None:
    script = tmp_path / "fails.txt"
    script.write_text('users\nexpect "@nobody"\n')
    out, err = io.StringIO(), io.StringIO()
    code = run_cli(
        ["sandbox", "--script", str(script)], stdout=out, stderr=err, environ={}, now=START
    )
    assert code == 1
    assert 'error: line 2: expected to see "@nobody"' in out.getvalue()
    assert err.getvalue() == ""


# ---------------------------------------------------------------- terminal text


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_without_no_color() -> None:
    assert colour_wanted(io.StringIO(), {}) is False
    assert colour_wanted(FakeTerminal(), {}) is True
    assert colour_wanted(FakeTerminal(), {"NO_COLOR": "1"}) is False
    assert colour_wanted(FakeTerminal(), {"TERM": "dumb"}) is False


def test_mrkdwn_reads_well_in_a_terminal() -> None:
    names_text = (
        "*4.1* Seek views · :large_orange_circle: At risk · owner <@UJANE00000> in "
        "<#CBOARD0000|improvement-board> · `/progress &lt;ref&gt;` · 5 &lt; 6 &amp; _soon_"
    )
    from bot.sandbox.render_terminal import Names

    names = Names(user=lambda i: {"UJANE00000": "jane"}.get(i), channel=lambda i: None)
    plain = mrkdwn(names_text, Style(colour=False), names)
    assert plain == (
        "4.1 Seek views · [amber] At risk · owner @jane in #improvement-board · "
        "`/progress <ref>` · 5 < 6 & soon"
    )
    coloured = mrkdwn(":large_green_circle: On track and :red_circle:", Style(colour=True))
    assert "\x1b[32;1m● On track\x1b[0m" in coloured
    assert "\x1b[31;1m● red\x1b[0m" in coloured
    assert mrkdwn(">quoted &gt; text", Style()) == "┃ quoted > text"


def test_typed_text_reaches_the_bot_as_slack_sends_it() -> None:
    users = {"jane": "UJANE00000", "chris": "UCHAIR0000"}
    channels = {"improvement-board": "CBOARD0000"}
    assert (
        slack_text(
            "owner @jane @nobody #improvement-board <b> & co", users, channels, in_command=True
        )
        == "owner <@UJANE00000|jane> @nobody <#CBOARD0000|improvement-board> &lt;b&gt; &amp; co"
    )
    assert (
        slack_text("thanks @chris.", users, channels, in_command=False) == "thanks <@UCHAIR0000>."
    )


def test_clock_targets() -> None:
    now = dt.datetime(2019, 5, 24, 14, 30, tzinfo=LONDON)  # Friday before a bank holiday

    def target(text: str) -> dt.datetime:
        return clock_target(text.split(), now, "Europe/London", ENG).astimezone(LONDON)

    assert target("+3d") == dt.datetime(2019, 5, 27, 14, 30, tzinfo=LONDON)
    assert target("+2h") == dt.datetime(2019, 5, 24, 16, 30, tzinfo=LONDON)
    assert target("+1wd") == dt.datetime(2019, 5, 28, 14, 30, tzinfo=LONDON)  # 27th: holiday
    assert target("next 09:00") == dt.datetime(2019, 5, 28, 9, 0, tzinfo=LONDON)
    assert target("next monday") == dt.datetime(2019, 5, 27, 9, 0, tzinfo=LONDON)
    assert target("2019-06-03 10:15") == dt.datetime(2019, 6, 3, 10, 15, tzinfo=LONDON)
    assert target("03/06/2019") == dt.datetime(2019, 6, 3, 9, 0, tzinfo=LONDON)
    with pytest.raises(ConsoleError):
        target("yesterday-ish")


def test_the_scheduler_runs_at_nine_on_working_days_only() -> None:
    start = dt.datetime(2019, 5, 24, 9, 0, tzinfo=LONDON)  # Friday, already 09:00
    until = dt.datetime(2019, 5, 29, 9, 0, tzinfo=LONDON)
    assert [m.date() for m in nine_oclocks(start, until, "Europe/London", ENG)] == [
        dt.date(2019, 5, 28),
        dt.date(2019, 5, 29),
    ]


# ---------------------------------------------------------------- in a terminal


def test_the_sandbox_command_in_a_pseudo_terminal(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("improvement-bot")
    if not command.exists():
        pytest.skip("the improvement-bot command is not installed next to this Python")
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "NO_COLOR"}}
    env.update({"TERM": "xterm", "TMPDIR": str(scratch), "COLUMNS": "120", "LINES": "40"})
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(command), "sandbox", "--demo"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    os.close(terminal)
    screen = bytearray()

    def read_until(wanted: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while True:
            text = ESCAPE.sub("", screen.decode("utf-8", "replace"))
            if wanted in text:
                return text
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"waited {timeout}s for {wanted!r}; the screen:\n{text}")
            ready, _, _ = select.select([controller], [], [], min(remaining, 0.2))
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the other end closed
                    chunk = b""
                if not chunk and process.poll() is not None:
                    raise AssertionError(f"the sandbox ended before {wanted!r}:\n{text}")
                screen.extend(chunk)

    def type_line(line: str) -> None:
        os.write(controller, line.encode() + b"\r")

    try:
        read_until("sam> ", timeout=60)
        type_line("users")
        read_until("@helen", timeout=20)
        type_line("/board")
        text = read_until("Off track", timeout=30)
        assert "Children's Improvement Board — status" in text
        assert "\x1b[" in screen.decode("utf-8", "replace")  # statuses in colour on a terminal
        type_line("quit")
        read_until("Bye.", timeout=20)
        assert process.wait(timeout=20) == 0
        assert "Traceback" not in ESCAPE.sub("", screen.decode("utf-8", "replace"))
        assert list(scratch.iterdir()) == []  # the throwaway database went with it
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        os.close(controller)


def test_an_unlinked_owner_is_a_notice_not_an_error(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'sandbox.db'}"
    demo = tmp_path / "demo.txt"
    demo.write_text("demo\n", encoding="utf-8")
    assert (
        run_sandbox(
            database_url=database_url,
            demo=True,
            script=demo,
            stdin=io.StringIO(),
            stdout=io.StringIO(),
            start=START,
        )
        == 0
    )
    engine = create_engine(database_url)
    with engine.begin() as connection:  # Ben and Amira lose their Slack link
        connection.execute(
            update(Person)
            .where(Person.name.in_(["Ben Carter", "Amira Khan"]))
            .values(slack_user_id=None)
        )
    engine.dispose()
    script = tmp_path / "script.txt"
    script.write_text("clock next 09:00\nclock +1d\nclock +1h\n", encoding="utf-8")
    out = io.StringIO()

    code = run_sandbox(
        database_url=database_url,
        demo=True,
        script=script,
        stdin=io.StringIO(),
        stdout=out,
        start=START,
    )

    transcript = out.getvalue()
    assert code == 0, transcript
    assert errors(transcript) == []
    notices = [line for line in transcript.splitlines() if "not linked to Slack" in line]
    assert len(notices) == 1, transcript
