"""Every console script in examples/ runs to the end in the sandbox (its `expect` lines are
assertions too), and its transcript shows what the script is there to prove."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from bot.sandbox.console import run_sandbox

pytestmark = pytest.mark.e2e

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCRIPTS = sorted(EXAMPLES.glob("*.txt"))
# Thursday 16 May 2019, 08:00 BST: where scripts without a `start` line (the demo) begin.
START = dt.datetime(2019, 5, 16, 7, 0, tzinfo=dt.UTC)

# Lines each example's transcript must show, beyond its own `expect` lines.
KEY_LINES = {
    "meeting-cycle.txt": [
        "> /plan setup",
        "> clock 2019-05-16 09:00",
        "◷ Thursday 16 May 2019 09:00 BST",
        "due in 10 working days",  # a reminder arrived with time
        "Status: [amber] At risk (was Not started)",  # by thread reply
        "Recorded an update on 4.2",  # by the modal
        "Recorded an update on 5.1",  # by command
        "✓ Approved by Chris Chair",  # the chair approved the date change
        "digest 3 June 2019",  # the weekly digest
        "pack for 11 June 2019",  # the pre-meeting pack ...
        "📎 Childrens-Services-Improvement-Plan-2019-06-11.xlsx",  # ... with the plan attached
    ],
    "first-hour.txt": [
        "Run `/plan setup` first",  # before any admin: what comes first, not "ask an admin"
        "Created #childrens-board; the bot is in it.",
        "📥 Imported `first-hour.csv`",  # through the /plan import form, emoji as Slack shows
        "from the imported sheet",
        "✏️ Theme 5: renamed it",
        "🔀 Moved 6.1",
        "🗑️ Removed theme 6",
        "Status: [green] On track (was At risk)",  # `/progress 4.1 G …`
        "Status: [blue] Complete (was On track)",  # a reply starting "B"
        "nothing for you to decide",  # the chair hears a request closed
    ],
    "roles-tour.txt": [
        "Progress updates to record: 2",  # a check says what an import would do
        "You've already asked to move 4.1 to 30 June 2019",  # the chair is not asked twice
        "`/plan action delegate 4.2 @you`",  # the refusal names the action
        "Closed on 13 May 2019: the action was marked complete",  # no live buttons left
        "Nothing is recorded",  # "help" and "thanks" in a reminder's thread
        "Improvement Board — digest",  # the board named without quotes
    ],
    "cover-and-care.txt": [
        "Written statement of action to Ofsted: ",  # the countdown on /board deadlines
        "You're covering for Dev Sharma while they're away.",  # the deputy's reminder
        "Recorded as covering for Dev Sharma",  # the deputy's update
        "Not recorded yet",  # the note naming a child is held
    ],
    "quick-tour.txt": [
        "Children's Improvement Board — status",
        "[red] Off track 1",
        "[blue] Delivered, impact",
        "last call: board updates are due tomorrow",
        "Complete (was On track)",
        "✓ Approved by Helen Marsh",
    ],
}


def run(script: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = run_sandbox(
        database_url=None, demo=False, script=script, stdin=io.StringIO(), stdout=out, start=START
    )
    return code, out.getvalue()


def test_there_are_the_promised_examples() -> None:
    names = {p.name for p in SCRIPTS}
    assert {"first-hour.txt", "meeting-cycle.txt", "quick-tour.txt", "roles-tour.txt"} <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_an_example_runs_to_the_end(script: Path) -> None:
    code, transcript = run(script)
    assert code == 0, transcript[-3000:]
    assert "error:" not in transcript, transcript[-3000:]
    assert "Traceback" not in transcript
    for line in KEY_LINES.get(script.name, []):
        assert line in transcript, f"{line!r} not in the transcript of {script.name}"
    # The transcript reads like a chat: every command echoed, then what the bot said.
    commands = [
        line.rstrip()
        for line in script.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for command in commands:
        assert f"> {command}" in transcript


@pytest.mark.parametrize(
    "start",
    [
        dt.datetime(2019, 5, 18, 11, 0, tzinfo=dt.UTC),  # a Saturday
        dt.datetime(2019, 4, 18, 8, 0, tzinfo=dt.UTC),  # 09:00 exactly, before Easter
        dt.datetime(2019, 12, 23, 10, 0, tzinfo=dt.UTC),  # the week of Christmas
    ],
    ids=["saturday", "nine-before-easter", "christmas"],
)
def test_the_demo_tour_works_whatever_day_it_starts(start: dt.datetime) -> None:
    """The demo counts its dates from the day the sandbox starts, in working days."""
    out = io.StringIO()
    code = run_sandbox(
        database_url=None,
        demo=False,
        script=EXAMPLES / "quick-tour.txt",
        stdin=io.StringIO(),
        stdout=out,
        start=start,
    )
    assert code == 0, out.getvalue()[-3000:]


def test_every_example_is_described_in_the_readme() -> None:
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for script in SCRIPTS:
        assert script.name in readme, f"examples/README.md does not describe {script.name}"


def test_a_broken_example_fails(tmp_path: Path) -> None:
    """The examples are tests: an `expect` that does not hold stops the script with exit 1."""
    script = tmp_path / "broken.txt"
    script.write_text('/plan setup\nexpect "something the bot never says"\n/plan setup\n')
    code, transcript = run(script)
    assert code == 1
    assert transcript.count("> /plan setup") == 1
    assert 'error: line 2: expected to see "something the bot never says"' in transcript
