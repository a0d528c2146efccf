"""Property: no text after /progress or /board makes the app fail or answer without guidance;
nor does any text in the /plan forms that change a plan after it is built (list, theme edit,
theme remove, action move), typed by an admin or anyone else.

(The rest of /plan has its own in test_plan_command.py.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import ManualClock
from bot.sandbox.local import LocalBot
from tests.e2e.conftest import START
from tests.e2e.seed import seed_board

WORDS = [
    "4.1", "4.2", "5.1", "9.9", "4", "amber", "g", "done", "note", "date", "mine", "help",
    "on", "track", "at", "risk", "31/05/2019", "May-19", "2019-13-45", "tomorrow", "digest",
    "pack", "overdue", "theme", "meetings", "history", "approve", "decline", "1", "#2",
    '"Improvement Board"', '"', "“", "<@UJANE00000|jane>", "<#CBOARD0000|improvement-board>",
    "<!channel>", "<!here>", "&lt;b&gt;", "&amp;", "\n", ":red_circle:", "🟢", "",
    "G", "A", "r", "b", "90%", "challenge", "challenges", "close", "reopen", "answer", "C1",
    "c2", "impact", "evidence", "emerging", "not yet", '"Why the delay?"', "open", "all",
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


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=st.sampled_from(["UJANE00000", "UOMAR00000", "UMEMBER000", "UADMIN0000"]), text=texts)
def test_no_text_makes_progress_fail(running: LocalBot, user: str, text: str) -> None:
    shown = answer_text(running, user, "/progress", text)
    assert shown.strip(), f"no answer to /progress {text!r}"
    assert "something went wrong" not in shown
    assert "<!channel>" not in shown and "<!here>" not in shown


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(user=st.sampled_from(["UCHAIR0000", "UMEMBER000", "UJANE00000", "UADMIN0000"]), text=texts)
def test_no_text_makes_board_fail(running: LocalBot, user: str, text: str) -> None:
    shown = answer_text(running, user, "/board", text)
    assert shown.strip(), f"no answer to /board {text!r}"
    assert "something went wrong" not in shown
    assert "<!channel>" not in shown and "<!here>" not in shown


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    assert shown.strip(), f"no answer to /plan {text!r}"
    assert "something went wrong" not in shown
    assert "<!channel>" not in shown and "<!here>" not in shown
    if user == "UADMIN0000":
        assert "/progress mine" not in shown  # an admin is never sent to their own actions
