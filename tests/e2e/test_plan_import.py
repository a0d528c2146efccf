"""`/plan import` end to end: the modal, a real .xlsx uploaded to the Slack emulator and
fetched with the bot token, the import, owners linked by email and by exact name, and the
summary DM. Then the download itself against a recording file server: the token goes only
to Slack, a sign-in page or a redirect is never read as a sheet."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.core.errors import UserError
from bot.sandbox.local import LocalBot
from bot.sandbox.model import Message
from bot.services.snapshot import plan_snapshots
from db.models import Action, AuditEvent, Person, Plan, Theme
from handlers.plan_files import CDN, TOKEN, download_private_file, host_kind
from tests.e2e.seed import seed_board
from tests.sheets import HEADER, Cell, Row, workbook

pytestmark = pytest.mark.e2e

ADA = "UADMIN0000"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def council_sheet() -> bytes:
    """Owners the import must link: Jane by exact real name, Omar by the email in his cell,
    Sam nobody in Slack, Pat Jones two people in Slack."""
    return workbook(
        {
            "Plan": [
                ["Anytown Council – Children's Services improvement plan"],
                [],
                list(HEADER),
                Row([4, "Placement stability"], bold=True),
                [
                    4.1,
                    "Ensure foster carers' views are sought",
                    Cell(dt.datetime(2019, 5, 1), fmt="mmm-yy"),
                    "Feedback from carer events",
                    "Jane Doe, Head of Fostering",
                    "Big conversation held in March",
                ],
                [
                    4.2,
                    "Review matching processes",
                    "30/06/2019",
                    "Fewer placement moves",
                    "O. Shah (omar.shah@council.example)\nSam Smith, Head of Quality",
                    None,
                ],
                Row([5, "Care leavers"], bold=True),
                [
                    5.1,
                    "Every care leaver has a pathway plan <!channel>",
                    "Sep-19",
                    "Audit of pathway plans",
                    "Pat Jones",
                    None,
                ],
            ]
        }
    )


def dm_from_bot(local: LocalBot, user_id: str, timeout: float = 10.0) -> Message:
    return local.emulator.wait_for_message(
        channel=local.emulator.dm_channel(user_id),
        include_ephemeral=False,
        from_bot=True,
        timeout=timeout,
    )


def open_import_form(local: LocalBot, user_id: str = ADA) -> Any:
    result = local.emulator.slash(user_id, "/plan", "import")
    assert result.ok, result.body
    return local.emulator.wait_for(lambda: local.emulator.open_view(user_id), timeout=5)


def counts(local: LocalBot) -> tuple[int, ...]:
    with local.services.uow() as uow:
        return tuple(
            uow.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Plan, Theme, Action, Person, AuditEvent)
        )


def test_import_through_the_modal_links_owners_and_sends_a_summary(local: LocalBot) -> None:
    local.emulator.add_user("UPAT100000", "pat", "Pat Jones", "pat.jones@council.example")
    local.emulator.add_user("UPAT200000", "patj", "Pat Jones", "pat.jones2@council.example")
    local.emulator.slash(ADA, "/plan", "setup").wait_for_response()

    form = open_import_form(local)
    assert form.callback_id == "plan_import_modal"
    assert "Board" not in form.all_text()  # no boards yet: the import makes one
    shared = local.emulator.share_file(ADA, "ILACS improvement plan.xlsx", council_sheet())
    submitted = local.emulator.submit_view(ADA, values={"plan_file": shared})
    assert submitted.ok and submitted.closed

    summary = dm_from_bot(local, ADA).all_text()
    assert "*Imported* `ILACS improvement plan.xlsx`" in summary
    # The plan is named from the sheet's title block, not the file.
    assert "Created “Anytown Council" in summary
    assert "Themes: 2 added" in summary and "Actions: 3 added" in summary
    assert "Jane Doe → <@UJANE00000> (by name)" in summary
    assert "O. Shah → <@UOMAR00000> (by email)" in summary
    assert "Several Slack users share the name of “Pat Jones”" in summary
    assert (
        '• Sam Smith (Head of Quality) — 4.2: `/plan people link "Sam Smith" @someone`' in summary
    )
    assert '`/plan people link "Pat Jones" @someone`' in summary
    assert "&lt;!channel&gt;" not in summary or "<!channel>" not in summary
    assert "Owners not yet linked" not in summary  # listed once, with the line to type

    with local.services.uow() as uow:
        (shown,) = plan_snapshots(uow)
    owners = {
        a["ref"]: [(o["name"], o["slack_user"]) for o in a["owners"]]
        for t in shown["themes"]
        for a in t["actions"]
    }
    assert owners == {
        "4.1": [("Jane Doe", "UJANE00000")],
        "4.2": [("O. Shah", "UOMAR00000"), ("Sam Smith", None)],
        "5.1": [("Pat Jones", None)],
    }
    first = shown["themes"][0]["actions"][0]
    assert (first["due"], first["due_precision"]) == ("2019-05-31", "month")
    assert first["latest_update"]["note"] == "Big conversation held in March"

    # The owners still to link are what `/plan people` lists.
    people = local.emulator.slash(ADA, "/plan", "people").wait_for_response()[0].all_text()
    assert "Pat Jones — 5.1" in people and "Sam Smith (Head of Quality) — 4.2" in people


def test_reimport_updates_by_ref_and_the_form_offers_the_plan(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.add_channel("CSCRUTINY", "scrutiny")
    local.emulator.slash(ADA, "/plan", 'board create "Scrutiny Board"').wait_for_response()

    form = open_import_form(local)
    board_block = next(b for b in form.blocks if b.get("block_id") == "board")
    options = [o["text"]["text"] for o in board_block["element"]["options"]]
    assert options == ["Improvement Board", "Scrutiny Board"]
    title_block = next(b for b in form.blocks if b.get("block_id") == "plan_title")
    assert title_block["element"]["initial_value"] == "Children's Services Improvement Plan"

    sheet = workbook(
        {
            "Plan": [
                list(HEADER),
                [4, "Placement stability"],
                [4.1, "Seek foster carers' views", "30/06/2019", None, "Jane Doe", "Survey out"],
                [4.3, "Audit placements", "31/07/2019", None, "Omar Shah", None],
            ]
        }
    )
    shared = local.emulator.share_file(ADA, "update.xlsx", sheet)
    local.emulator.submit_view(ADA, values={"plan_file": shared, "board": "Improvement Board"})
    summary = dm_from_bot(local, ADA).all_text()
    assert "Updated “Children's Services Improvement Plan” on Improvement Board." in summary
    assert "4.1: due date 31 May 2019 → 30 June 2019; progress recorded" in summary
    assert "In the plan but not in this sheet (left as they are): 4.2, 5.1" in summary
    assert "Every owner in this plan is linked to Slack" in summary


def test_a_corrupt_file_is_a_friendly_message_and_writes_nothing(local: LocalBot) -> None:
    seed_board(local)
    before = counts(local)
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "plan.xlsx", b"PK\x03\x04 this is not a workbook")
    local.emulator.submit_view(ADA, values={"plan_file": shared, "plan_title": "A new plan"})
    message = dm_from_bot(local, ADA)
    assert message.text.startswith(
        ":warning: I couldn't import `plan.xlsx`, so nothing was changed: "
        'I couldn\'t open "plan.xlsx" as an Excel workbook'
    )
    assert counts(local) == before


def test_a_sheet_that_fails_half_way_writes_nothing(local: LocalBot) -> None:
    seed_board(local)
    before = counts(local)
    sheet = workbook(
        {
            "Plan": [
                [*HEADER, "RAG"],
                [6, "Early help"],
                [6.1, "Triage", "31/07/2019", None, "Kim Lo", None, "Amber"],
                [6.2, "Audit", "31/08/2019", None, "Kim Lo", None, "Amber"],
                [6.2, "Audit again", "31/08/2019", None, "Kim Lo", None, "Amber"],
                [6.3, "Review", "31/08/2019", None, "Kim Lo", None, "Amber"],
                [6.3, "Review again", "31/08/2019", None, "Kim Lo", None, "Amber"],
            ]
        }
    )
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "early-help.xlsx", sheet)
    local.emulator.submit_view(ADA, values={"plan_file": shared, "plan_title": "Early help"})
    refusal = dm_from_bot(local, ADA).text
    assert (
        "action 6.2 is already on row 4" in refusal and "action 6.3 is already on row 6" in refusal
    )
    assert "run `/plan import` again" in refusal and "Check only" in refusal
    assert counts(local) == before


def test_check_only_lists_doubts_and_writes_nothing(local: LocalBot) -> None:
    seed_board(local)
    before = counts(local)
    sheet = workbook(
        {
            "Plan": [
                [*HEADER, "RAG"],
                [6, "Early help"],
                [6.1, "Triage", "Q2 2019/20", None, "Jane Doe, John Smith", None, "Amber"],
                [6.2, "Audit", "Ongoing", None, "Kim Lo", None, "Purple-ish"],
            ]
        }
    )
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "early-help.xlsx", sheet)
    local.emulator.submit_view(
        ADA, values={"plan_file": shared, "plan_title": "Early help", "import_mode": "check"}
    )
    checked = dm_from_bot(local, ADA).all_text()
    assert "*Checked* `early-help.xlsx`" in checked and "nothing was changed" in checked
    assert "Would create “Early help”" in checked
    assert "30 September 2019" in checked and "Purple-ish" in checked
    assert "read as two owners, Jane Doe and John Smith" in checked
    assert counts(local) == before


def test_only_admins_open_the_import_form(local: LocalBot) -> None:
    seed_board(local)
    result = local.emulator.slash("UJANE00000", "/plan", "import")
    (answer,) = result.wait_for_response()
    assert answer.text.startswith(":warning: Only a plan admin")
    assert local.emulator.open_view("UJANE00000") is None


def test_the_form_refuses_other_file_types(local: LocalBot) -> None:
    seed_board(local)
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "plan.pdf", b"%PDF-1.4")
    submitted = local.emulator.submit_view(ADA, values={"plan_file": shared})
    assert submitted.errors == {"plan_file": "I can import .xlsx or .csv files only."}
    assert not submitted.closed


# ---------------------------------------------------------------- the download itself


@dataclass
class FileServer:
    """A loopback file host that records each request's path and Authorization header."""

    url: str
    seen: list[tuple[str, str | None]] = field(default_factory=list)


@pytest.fixture
def file_server() -> Iterator[FileServer]:
    server_state = FileServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            server_state.seen.append((self.path, self.headers.get("Authorization")))
            if self.path.startswith("/files-pri/"):
                self._reply(200, XLSX, council_sheet())
            elif self.path == "/sign-in":
                self._reply(200, "text/html; charset=utf-8", b"<html>Sign in to Slack</html>")
            elif self.path == "/moved":
                self.send_response(302)
                self.send_header("Location", "/files-pri/elsewhere.xlsx")
                self.send_header("Content-Length", "0")
                self.end_headers()
            else:
                self._reply(404, "text/plain", b"Not Found")

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server_state
    server.shutdown()
    server.server_close()


def client_for(server: FileServer) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=f"{server.url}/api/")


def test_the_download_sends_the_bot_token(file_server: FileServer) -> None:
    file = {"name": "plan.xlsx", "url_private": f"{file_server.url}/files-pri/T1-F1/plan.xlsx"}
    data = download_private_file(client_for(file_server), file)
    assert data[:2] == b"PK"  # the workbook the server holds
    assert file_server.seen == [("/files-pri/T1-F1/plan.xlsx", "Bearer xoxb-test-token")]


def test_a_sign_in_page_is_never_read_as_a_sheet(file_server: FileServer) -> None:
    file = {"name": "plan.xlsx", "url_private_download": f"{file_server.url}/sign-in"}
    with pytest.raises(UserError, match="sign-in page instead of “plan.xlsx”"):
        download_private_file(client_for(file_server), file)


def test_a_redirect_on_slacks_own_host_is_followed_with_the_token(
    file_server: FileServer,
) -> None:
    file = {"name": "plan.xlsx", "url_private": f"{file_server.url}/moved"}
    assert download_private_file(client_for(file_server), file)[:2] == b"PK"
    assert file_server.seen == [
        ("/moved", "Bearer xoxb-test-token"),
        ("/files-pri/elsewhere.xlsx", "Bearer xoxb-test-token"),
    ]


def test_the_token_never_goes_to_another_host(file_server: FileServer) -> None:
    elsewhere = WebClient(token="xoxb-test-token", base_url="https://slack.com/api/")
    file = {"name": "plan.xlsx", "url_private": f"{file_server.url}/files-pri/T1-F1/plan.xlsx"}
    with pytest.raises(UserError, match="link I can fetch"):
        download_private_file(elsewhere, file)
    assert file_server.seen == []


def test_the_emulator_sends_a_sign_in_page_without_the_token(local: LocalBot) -> None:
    """The emulator behaves like Slack: no token, no file — so the import above proves the
    bot sent its token."""
    shared = local.emulator.share_file(ADA, "plan.xlsx", council_sheet())
    stranger = WebClient(token="xoxb-not-the-bot", base_url=local.emulator.api_url)
    with pytest.raises(UserError, match="sign-in page"):
        download_private_file(stranger, shared)
    assert download_private_file(local.slack.client, shared)[:2] == b"PK"


def test_without_a_token_no_download_is_attempted(file_server: FileServer) -> None:
    tokenless = WebClient(base_url=f"{file_server.url}/api/")
    file = {"name": "plan.xlsx", "url_private": f"{file_server.url}/files-pri/T1-F1/plan.xlsx"}
    with pytest.raises(UserError, match="no Slack token"):
        download_private_file(tokenless, file)
    assert file_server.seen == []


# ---------------------------------------------------------------- Slack's redirects


def cdn_of(local: LocalBot) -> str:
    """The emulator under another host name: Slack's file CDN in these tests."""
    return f"http://localhost:{local.emulator.port}"


def test_a_download_follows_slacks_redirects_and_keeps_the_token_from_the_cdn(
    local: LocalBot,
) -> None:
    shared = local.emulator.share_file(ADA, "plan.xlsx", council_sheet())
    local.emulator.redirect_downloads([local.emulator.base_url, cdn_of(local)])

    data = download_private_file(local.slack.client, shared, cdn_origins=(cdn_of(local),))

    assert data[:2] == b"PK"
    token = f"Bearer {local.emulator.bot_token}"
    assert [(r.host.split(":")[0], r.authorization) for r in local.emulator.file_requests] == [
        ("127.0.0.1", token),
        ("127.0.0.1", token),
        ("localhost", None),
    ]


def test_an_import_goes_through_slacks_redirects(local: LocalBot) -> None:
    seed_board(local)
    local.emulator.redirect_downloads([local.emulator.base_url, local.emulator.base_url])
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "plan.xlsx", council_sheet())

    local.emulator.submit_view(ADA, values={"plan_file": shared, "plan_title": "Redirected"})

    assert "Imported" in dm_from_bot(local, ADA).text
    assert len(local.emulator.file_requests) == 3


def test_more_than_three_redirects_are_not_followed(local: LocalBot) -> None:
    shared = local.emulator.share_file(ADA, "plan.xlsx", council_sheet())
    local.emulator.redirect_downloads([local.emulator.base_url] * 4)

    with pytest.raises(UserError, match="somewhere I won't fetch"):
        download_private_file(local.slack.client, shared)
    assert len(local.emulator.file_requests) == 4


def test_a_redirect_away_from_slack_is_not_followed(local: LocalBot) -> None:
    shared = local.emulator.share_file(ADA, "plan.xlsx", council_sheet())
    local.emulator.redirect_downloads([cdn_of(local)])  # not Slack's: no cdn_origins given

    with pytest.raises(UserError, match="somewhere I won't fetch"):
        download_private_file(local.slack.client, shared)
    assert [r.host.split(":")[0] for r in local.emulator.file_requests] == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://files.slack.com/files-pri/T1-F1/plan.xlsx", TOKEN),
        ("https://council.slack.com/files-pri/T1-F1/plan.xlsx", TOKEN),
        ("https://slack.com/files-pri/T1-F1/plan.xlsx", TOKEN),
        ("https://files.slack-gov.com/files-pri/T1-F1/plan.xlsx", TOKEN),
        ("https://slack-files.com/T1-F1-abc/plan.xlsx", CDN),
        ("https://files.slack-edge.com/T1-F1/plan.xlsx?sig=1", CDN),
        ("http://files.slack.com/files-pri/T1-F1/plan.xlsx", None),
        ("http://slack-files.com/T1-F1-abc/plan.xlsx", None),
        ("https://slack.com.example.org/files-pri/T1-F1/plan.xlsx", None),
        ("https://notslack.com/files-pri/T1-F1/plan.xlsx", None),
        ("ftp://files.slack.com/plan.xlsx", None),
    ],
)
def test_only_slacks_hosts_over_https_are_trusted(url: str, kind: str | None) -> None:
    assert host_kind(url, "https://slack.com/api/") == kind


def test_an_http_slack_link_is_refused_before_anything_is_sent() -> None:
    client = WebClient(token="xoxb-test-token", base_url="https://slack.com/api/")
    file = {"name": "plan.xlsx", "url_private": "http://files.slack.com/files-pri/T1-F1/plan.xlsx"}
    with pytest.raises(UserError, match="link I can fetch"):
        download_private_file(client, file)


def test_sheet_words_and_other_columns_show_in_board_views(local: LocalBot) -> None:
    seed_board(local)
    sheet = workbook(
        {
            "Plan": [
                [*HEADER, "Area for development"],
                [6, "Early help"],
                [6.1, "Triage", "Ongoing", None, "Kim Lo", None, "Front door audit"],
            ]
        }
    )
    open_import_form(local)
    shared = local.emulator.share_file(ADA, "early-help.xlsx", sheet)
    local.emulator.submit_view(ADA, values={"plan_file": shared, "plan_title": "Early help"})
    assert "Created “Early help”" in dm_from_bot(local, ADA).all_text()

    action = local.emulator.slash(ADA, "/board", "action 6.1").wait_for_response()[0].all_text()
    assert "Area for development:* Front door audit" in action
    assert "due “Ongoing”" in action
    theme = local.emulator.slash(ADA, "/board", "theme 6").wait_for_response()[0].all_text()
    assert "due “Ongoing”" in theme
