"""Property: no text after /progress or /board makes the app fail or answer without guidance;
nor does any text in the /plan forms that change a plan after it is built (list, theme edit,
theme remove, action move), typed by an admin or anyone else; nor any reply in a reminder's
thread, nor anything typed into the update form. Nothing a person types is echoed as a live
mention (`<!channel>`, `<@U…>`).

(The rest of /plan has its own in test_plan_command.py; import cells theirs in
tests/unit/test_import_fuzz.py.) A few dozen examples each in the default run;
`FUZZ_EXAMPLES=N` sets how many (the slow suite, `make fuzz`, runs 10,000 in all).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.sandbox import Message
from bot.sandbox.local import LocalBot
from tests.e2e.conftest import START
from tests.e2e.seed import seed_board

pytestmark = pytest.mark.fuzz
# Examples per property: a few dozen by default; the slow suite sets FUZZ_EXAMPLES.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0")) or 40
NINE_BST = dt.datetime(2019, 5, 16, 8, 0, tzinfo=dt.UTC)
# A mention of nobody in the workspace: the bot has no reason to write it but echoing.
STRANGER = "<@UFUZZ00000>"

WORDS = [
    "4.1", "4.2", "5.1", "9.9", "4", "amber", "g", "done", "note", "date", "mine", "help",
    "on", "track", "at", "risk", "31/05/2019", "May-19", "2019-13-45", "tomorrow", "digest",
    "pack", "overdue", "theme", "meetings", "history", "approve", "decline", "1", "#2",
    '"Improvement Board"', '"', "“", "<@UJANE00000|jane>", "<#CBOARD0000|improvement-board>",
    "<!channel>", "<!here>", "&lt;b&gt;", "&amp;", "\n", ":red_circle:", "🟢", "",
    "G", "A", "r", "b", "90%", "challenge", "challenges", "close", "reopen", "answer", "C1",
    "c2", "impact", "evidence", "emerging", "not yet", '"Why the delay?"', "open", "all",
    STRANGER, "<!everyone>", "<@UFUZZ00000|x>", "```", "*bold*", "<https://x.example|x>",
]  # fmt: skip
PLAN_FORMS = ["list", "theme edit", "theme remove", "action move", "plans"]
PLAN_WORDS = [
    "4", "5", "6", "4.1", "4.2", "9.9", "to", "theme", "lead", "plan", '"Placement"',
    '"Children\'s Services Improvement Plan"', '"<!channel> & co"', '"', "“",
    "<@UJANE00000|jane>", "<@UNOBODY000|ghost>", "<!here>", "\n", "",
]  # fmt: skip


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalBot]:
    database = tmp_path_factory.mktemp("fuzz") / "e2e.db"
    with LocalBot(f"sqlite:///{database}", ManualClock(START)) as local:
        seed_board(local)
        yield local


@pytest.fixture(scope="module")
def reminder(running: LocalBot) -> Message:
    """Jane's 09:00 reminder DM, to reply to in its thread."""
    running.clock.set(NINE_BST)
    running.run_jobs()
    return running.emulator.wait_for_message(
        channel=running.emulator.dm_channel("UJANE00000"), from_bot=True, include_ephemeral=False
    )


def assert_safe(shown: str, what: str) -> None:
    """An answer, not an error of ours, and no live mention a person typed."""
    assert shown.strip(), f"no answer to {what}"
    assert "something went wrong" not in shown and "Traceback" not in shown, what
    for mention in ("<!channel>", "<!here>", "<!everyone>", STRANGER, "<@UFUZZ00000|"):
        assert mention not in shown, f"{what} echoed {mention}"


def answer_text(local: LocalBot, user: str, command: str, text: str) -> str:
    """What the person sees: the ack's text, or a modal the app opens after acking, or what
    it posts to the response URL after acking — whichever comes."""
    result = local.emulator.slash(user, command, text)
    assert result.ok, result
    if result.text.strip():
        return result.text
    seen = local.emulator.wait_for(
        lambda: local.emulator.open_view(user) or result.responses,
        timeout=10,
        what=f"an answer to {command} {text!r}",
    )
    if isinstance(seen, list):
        return "\n".join(reply.all_text() for reply in seen)
    local.emulator.close_view(user)
    return seen.all_text()


texts = st.one_of(
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.text(max_size=60),
)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=st.sampled_from(["UJANE00000", "UOMAR00000", "UMEMBER000", "UADMIN0000"]), text=texts)
def test_no_text_makes_progress_fail(running: LocalBot, user: str, text: str) -> None:
    shown = answer_text(running, user, "/progress", text)
    assert_safe(shown, f"/progress {text!r}")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=st.sampled_from(["UCHAIR0000", "UMEMBER000", "UJANE00000", "UADMIN0000"]), text=texts)
def test_no_text_makes_board_fail(running: LocalBot, user: str, text: str) -> None:
    shown = answer_text(running, user, "/board", text)
    assert_safe(shown, f"/board {text!r}")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    user=st.sampled_from(["UADMIN0000", "UJANE00000", "UMEMBER000"]),
    form=st.sampled_from(PLAN_FORMS),
    words=st.lists(st.sampled_from(PLAN_WORDS), max_size=6),
)
def test_no_text_makes_the_plan_lifecycle_forms_fail(
    running: LocalBot, user: str, form: str, words: list[str]
) -> None:
    text = " ".join([form, *words])
    shown = answer_text(running, user, "/plan", text)
    assert_safe(shown, f"/plan {text!r}")
    if user == "UADMIN0000":
        assert "/progress mine" not in shown  # an admin is never sent to their own actions


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=texts.filter(lambda t: t.strip()))
def test_no_reply_in_a_reminders_thread_makes_the_app_fail(
    running: LocalBot, reminder: Message, text: str
) -> None:
    def answers() -> list[Message]:
        return [
            m
            for m in running.emulator.messages(channel=reminder.channel, thread_ts=reminder.ts)
            if m.from_bot and m.ts != reminder.ts
        ]

    before = len(answers())
    result = running.emulator.reply_in_thread("UJANE00000", reminder.channel, reminder.ts, text)
    assert result.ok, result
    new = running.emulator.wait_for(
        lambda: (found := answers()) and len(found) > before and found[before:],
        timeout=10,
        what=f"an answer to the reply {text!r}",
    )
    assert_safe("\n".join(m.all_text() for m in new), f"the reply {text!r}")


def text_inputs(view: object) -> list[str]:
    """The block ids of a modal's text fields."""
    blocks = getattr(view, "definition", {}).get("blocks", [])
    return [
        b["block_id"]
        for b in blocks
        if b.get("type") == "input" and b.get("element", {}).get("type") == "plain_text_input"
    ]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=st.lists(texts, min_size=3, max_size=3))
def test_nothing_typed_into_the_update_form_makes_the_app_fail(
    running: LocalBot, values: list[str]
) -> None:
    user = "UJANE00000"
    for view in running.emulator.modal_stack(user):
        running.emulator.close_view(user, view.id)
    running.emulator.slash(user, "/progress", "")
    view = running.emulator.wait_for(
        lambda: running.emulator.open_view(user), timeout=10, what="the update form"
    )
    fields = text_inputs(view)
    assert fields, "the update form has text fields"
    filled = dict(zip(fields, values, strict=False))
    try:
        result = running.emulator.submit_view(user, values=filled)
    except Exception as refused:  # the emulator, as Slack's client, won't send a required blank
        assert "required" in str(refused).lower() or "empty" in str(refused).lower(), refused
        running.emulator.close_view(user)
        return
    assert result.ok, result
    shown = "\n".join(result.errors.values())
    if result.errors:
        assert all(message.strip() for message in result.errors.values())
    else:
        since = running.emulator.messages(channel=running.emulator.dm_channel(user))
        shown += "\n".join(m.all_text() for m in since[-1:])
        shown = shown or "accepted"
    assert_safe(shown, f"the update form with {filled!r}")
    for view in running.emulator.modal_stack(user):
        running.emulator.close_view(user, view.id)
