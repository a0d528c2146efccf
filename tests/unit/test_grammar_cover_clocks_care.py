"""The grammar for absences, deadlines and the personal-data checks: `/progress away|back`,
`/plan people away|back`, `/plan deadline(s)`, `/plan privacy` and `/board deadlines`."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.calendar import calendar_for
from bot.core.deadline_requests import ClockRequest, clock_names, find_clock
from bot.core.deadlines import (
    MONITORING_VISIT,
    SCRUTINY_REPORT,
    STATEMENT_OF_ACTION,
    DeadlineRequest,
    WorkingDaysRule,
)
from bot.core.errors import UserError
from bot.core.personal_data import DEFAULT_PATTERNS, Patterns, check, parse_patterns
from bot.core.statuses import Status
from handlers.grammar import (
    CancelAbsence,
    DeadlineAdd,
    DeadlineList,
    DeadlineRemove,
    EndAbsence,
    Help,
    PeopleList,
    PrivacyChange,
    PrivacyReset,
    PrivacyShow,
    PrivacySwitch,
    RecordUpdate,
    SetAbsence,
    ShowDeadlines,
    ShowStatus,
    help_text,
    parse_board,
    parse_plan,
    parse_progress,
)
from handlers.grammar.help import USAGE
from tests.unit.test_grammar_impact_challenges import refused

JO, SAM, KIM = "U0000000J0", "U000000SAM", "U000000KIM"
AT_JO, AT_SAM, AT_KIM = f"<@{JO}|jo>", f"<@{SAM}|sam>", f"<@{KIM}|kim>"
D = dt.date


# ---------------------------------------------------------------- /progress away|back

PROGRESS_CASES = [
    (
        f"away 22/07/2019 to 09/08/2019 deputy {AT_SAM}",
        SetAbsence(D(2019, 7, 22), D(2019, 8, 9), SAM),
    ),
    ("away from 22/07/2019 until 09/08/2019", SetAbsence(D(2019, 7, 22), D(2019, 8, 9))),
    ("Away 22 July 2019 – 9 August 2019", SetAbsence(D(2019, 7, 22), D(2019, 8, 9))),
    (
        f"away deputy {AT_SAM} 22/07/2019 to 09/08/2019",
        SetAbsence(D(2019, 7, 22), D(2019, 8, 9), SAM),
    ),
    (
        f"away 22/07/2019 till 09/08/2019 deputy: {AT_SAM}",
        SetAbsence(D(2019, 7, 22), D(2019, 8, 9), SAM),
    ),
    ("away 26/08/2019", SetAbsence(D(2019, 8, 26), D(2019, 8, 26))),  # one day (a bank holiday)
    ("away cancel", CancelAbsence()),
    ("away cancel 22/07/2019", CancelAbsence(D(2019, 7, 22))),
    ("back", EndAbsence()),
    ("BACK", EndAbsence()),
]


@pytest.mark.parametrize(("text", "expected"), PROGRESS_CASES)
def test_progress_away_and_back(text: str, expected: object) -> None:
    assert parse_progress(text) == expected


def test_progress_away_alone_shows_its_help() -> None:
    shown = parse_progress("away")
    assert shown == Help("progress", help_text("progress", "away"))
    lines = shown.text.splitlines()[1:]
    assert len(lines) == 2 and all("/progress away" in line for line in lines)
    assert parse_progress("help away") == shown


PROGRESS_ERRORS = [
    ("away next week", "I need the first and last day away — e.g. `/progress away 22/07/2019"),
    ("away July 2019", "I need the first and last day away"),
    ("away 09/08/2019 to 22/07/2019", "Put the first day first — e.g. `/progress away"),
    ("away 22/07/2019 to 22/07/2021", "An absence can last at most a year"),
    ("away 22/07/2019 to 31/07/2019x", "I can't read"),
    (f"away 22/07/2019 to 09/08/2019 {AT_SAM}", "Put “deputy” before @sam"),
    (f"away 22/07/2019 to 09/08/2019 deputy {AT_SAM} {AT_KIM}", "Name one deputy"),
    (f"away 22/07/2019 to 09/08/2019 deputy {AT_SAM} deputy {AT_KIM}", "Name one deputy"),
    ("away 22/07/2019 to 09/08/2019 deputy", "I need the deputy, picked from Slack's @-menu"),
    ("away 22/07/2019 to 09/08/2019 deputy @sam", "I can't tell who “@sam” is"),
    ("away 22/07/2019 to 09/08/2019 deputy <!here>", "“@here” isn't one person"),
    (f"away deputy {AT_SAM}", "I need the first and last day away"),
    (f"away 22/07/2019 deputy {AT_SAM} to 09/08/2019", "I don't understand “to” after the deputy"),
    ("away 22/07/2019 <#C0000000B|board>", "I don't understand “#board”"),
    ('away "22/07/2019 to 09/08/2019', "Close the quote"),
    ("away cancel July 2019", "I need a day, not just “July 2019”"),
    ("away cancel 22/07/2019 23/07/2019", "cancel takes the absence's first day"),
    ("back tomorrow", "I don't understand “tomorrow”: `/progress back`"),
]


@pytest.mark.parametrize(("text", "fragment"), PROGRESS_ERRORS)
def test_progress_away_refusals_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_progress, text)


def test_updates_are_untouched() -> None:
    assert parse_progress("4.1 amber back from leave") == RecordUpdate(
        "4.1", Status.AMBER, "back from leave"
    )
    assert "isn't an action ref" in refused(parse_progress, "awya 22/07/2019")


# ---------------------------------------------------------------- /plan people away|back

PEOPLE_CASES = [
    (
        f"people away {AT_JO} 22/07/2019 to 09/08/2019 deputy {AT_SAM}",
        SetAbsence(D(2019, 7, 22), D(2019, 8, 9), SAM, JO),
    ),
    (
        f"people away {AT_JO} from 22/07/2019 until 09/08/2019",
        SetAbsence(D(2019, 7, 22), D(2019, 8, 9), None, JO),
    ),
    (f"people away {AT_JO} cancel", CancelAbsence(None, JO)),
    (f"people away {AT_JO} cancel 22/07/2019", CancelAbsence(D(2019, 7, 22), JO)),
    (f"people back {AT_JO}", EndAbsence(JO)),
    ("people", PeopleList()),
]


@pytest.mark.parametrize(("text", "expected"), PEOPLE_CASES)
def test_plan_people_away_and_back(text: str, expected: object) -> None:
    assert parse_plan(text) == expected


def test_plan_people_away_alone_shows_its_help() -> None:
    shown = parse_plan("people away")
    assert isinstance(shown, Help)
    lines = shown.text.splitlines()[1:]
    assert len(lines) == 2 and all("/plan people away" in line for line in lines)


PEOPLE_ERRORS = [
    (f"people away {AT_JO}", "I need the first and last day away: `/plan people away @someone"),
    ("people away jo 22/07/2019 to 09/08/2019", "I need the person who is away as a mention"),
    ("people away 22/07/2019 to 09/08/2019", "I need the person who is away as a mention"),
    ("people back", "I need the person who is away, picked from Slack's @-menu"),
    (f"people back {AT_JO} {AT_SAM}", "I don't understand"),
    (f"people away {AT_JO} 22/07/2019 to 09/08/2019 {AT_SAM}", "Put “deputy” before @sam"),
    ("people list", USAGE["people link"]),  # as before, and now also the absence form
    ("people list", USAGE["people away"]),
]


@pytest.mark.parametrize(("text", "fragment"), PEOPLE_ERRORS)
def test_plan_people_away_refusals_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_plan, text)


# ---------------------------------------------------------------- /plan deadline(s)

SOA = "Written statement of action to Ofsted"

DEADLINE_CASES = [
    (
        f'deadline add "{SOA}" 70 working days from 12/03/2019',
        DeadlineAdd(DeadlineRequest(SOA, rule=WorkingDaysRule(D(2019, 3, 12), 70))),
    ),
    (
        f"deadline add “{SOA}” 70 working days after 12 March 2019 owner {AT_JO} "
        'board "Improvement Board"',
        DeadlineAdd(
            DeadlineRequest(SOA, rule=WorkingDaysRule(D(2019, 3, 12), 70)),
            JO,
            "Improvement Board",
        ),
    ),
    (
        f'deadline add "Annual conversation" due 28/06/2019 board Fostering owner {AT_JO}',
        DeadlineAdd(DeadlineRequest("Annual conversation", due=D(2019, 6, 28)), JO, "Fostering"),
    ),
    (
        'deadline add "Sufficiency strategy &amp; action plan" by June 2019',
        DeadlineAdd(DeadlineRequest("Sufficiency strategy & action plan", due=D(2019, 6, 30))),
    ),
    (
        "deadline add statement of action from 12/03/2019",
        DeadlineAdd(ClockRequest(STATEMENT_OF_ACTION.key, D(2019, 3, 12))),
    ),
    (
        f"deadline add the ILACS statement of action 70 working days from 12/03/2019 owner {AT_JO}",
        DeadlineAdd(ClockRequest(STATEMENT_OF_ACTION.key, D(2019, 3, 12)), JO),
    ),
    (
        "deadline add statement-of-action 12/03/2019",
        DeadlineAdd(ClockRequest(STATEMENT_OF_ACTION.key, D(2019, 3, 12))),
    ),
    (
        "deadline add monitoring visit 3 months after 14/05/2019",
        DeadlineAdd(ClockRequest(MONITORING_VISIT.key, D(2019, 5, 14), 3)),
    ),
    (
        'deadline add next monitoring visit every 4 months from 14/05/2019 board "B"',
        DeadlineAdd(ClockRequest(MONITORING_VISIT.key, D(2019, 5, 14), 4), None, "B"),
    ),
    (
        "deadline add scrutiny report 10 working days before 17/09/2019",
        DeadlineAdd(ClockRequest(SCRUTINY_REPORT.key, D(2019, 9, 17), 10)),
    ),
    (
        "deadline add scrutiny report due 03/09/2019",
        DeadlineAdd(DeadlineRequest(SCRUTINY_REPORT.title, due=D(2019, 9, 3))),
    ),
    (
        'deadline add "Annual conversation" 31/5/27',
        DeadlineAdd(DeadlineRequest("Annual conversation", due=D(2027, 5, 31))),
    ),
    (
        'deadline add "Annual conversation" 2027-05-31 owner ' + AT_JO,
        DeadlineAdd(DeadlineRequest("Annual conversation", due=D(2027, 5, 31)), JO),
    ),
    (
        'deadline add "Annual conversation" May 2027',
        DeadlineAdd(DeadlineRequest("Annual conversation", due=D(2027, 5, 31))),
    ),
    (
        'deadline change "Annual conversation" due 05/07/2019',
        DeadlineAdd(DeadlineRequest("Annual conversation", due=D(2019, 7, 5)), change=True),
    ),
    (
        "deadline change statement of action from 12/03/2019",
        DeadlineAdd(ClockRequest(STATEMENT_OF_ACTION.key, D(2019, 3, 12)), change=True),
    ),
    ('deadline remove "Annual conversation"', DeadlineRemove("Annual conversation")),
    ("deadline remove Annual conversation", DeadlineRemove("Annual conversation")),
    ('deadline remove "Annual conversation" board "B"', DeadlineRemove("Annual conversation", "B")),
    ("deadline remove statement of action", DeadlineRemove(SOA)),
    ('deadline remove "statement of action"', DeadlineRemove("statement of action")),
    ("deadlines", DeadlineList()),
    ('deadlines "Improvement Board"', DeadlineList("Improvement Board")),
    ("deadlines Improvement Board", DeadlineList("Improvement Board")),
    ("deadline list", DeadlineList()),
]


@pytest.mark.parametrize(("text", "expected"), DEADLINE_CASES)
def test_plan_deadlines(text: str, expected: object) -> None:
    assert parse_plan(text) == expected


DEADLINE_ERRORS = [
    ("deadline", "Say which deadline command — add, change, remove or list"),
    ('deadline add "X" 31/13/2027', "I can't read"),
    ('deadline change "X"', "After the title I need when it is due — e.g. `/plan deadline change"),
    ("deadline remve", "did you mean `/plan deadline remove`? Type `/plan help deadline`"),
    ("deadline add", "I need the deadline's title in quotes and when it is due, or a clock"),
    ("deadline add Annual conversation due 28/06/2019", "Put the deadline's title in \"double"),
    ('deadline add "Annual conversation"', "After the title I need when it is due — e.g. `/plan"),
    ('deadline add "" due 28/06/2019', "The deadline's title is empty"),
    ('deadline add "X" due 31/06/2019', '— e.g. `/plan deadline add "<title>" due 28/06/2019`'),
    ('deadline add "X" 0 working days from 12/03/2019', "Give between 1 and 1000 working days"),
    ('deadline add "X" 70 working days from March 2019', "needs the day it starts"),
    ('deadline add "X" due 28/06/2019 owner', "I need the deadline's owner, picked from"),
    ('deadline add "X" due 28/06/2019 owner @jo', "I can't tell who “@jo” is"),
    ('deadline add "X" due 28/06/2019 board', 'I need the board name in "double quotes"'),
    ('deadline add "X" due 28/06/2019 board ""', "The board name is empty"),
    ('deadline add "X" due 28/06/2019 board "A" board "B"', "owner, board — once each"),
    ('deadline add "X" due 28/06/2019 soon', "I can't read"),
    ("deadline add statement of action", "I need the date the inspection report was published"),
    ("deadline add statement of action 60 working days from 12/03/2019", "always due 70"),
    ("deadline add monitoring visit after 14/05/2019", "I need the months you expect"),
    ("deadline add monitoring visit 3 after 14/05/2019", "I need “months” here"),
    ("deadline add monitoring visit 30 months after 14/05/2019", "a number from 1 to 24"),
    ("deadline add monitoring visit 3 months after May 2019", "I need a day, not just"),
    ("deadline add scrutiny report 10 days before 17/09/2019", "I need “working days” here"),
    ("deadline add scrutiny report 10 working days after 17/09/2019", "I need “before” here"),
    ("deadline add scrutiny report 61 working days before 17/09/2019", "as 0 to 60"),
    ("deadline add scrutiny report 10 working days before 17/09/2019 x", "I don't understand"),
    ("deadline remove", "I need the deadline's title"),
    (f"deadline remove {AT_JO}", "I need the deadline's title"),
    ('deadline remove "A" "B"', 'Put the title in "double quotes"'),
    ('deadline remove "A" board', 'I need the board name in "double quotes"'),
    ('deadlines "A" "B"', "I don't understand"),
]


@pytest.mark.parametrize(("text", "fragment"), DEADLINE_ERRORS)
def test_plan_deadline_refusals_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_plan, text)


def test_a_clock_counts_in_the_boards_calendar() -> None:
    """70 working days from 12/03/2019 in England: across Easter and both May bank holidays."""
    command = parse_plan("deadline add statement of action from 12/03/2019")
    assert isinstance(command, DeadlineAdd)
    deadline = command.request.deadline(calendar_for("ENG"), owner_id=7)
    assert (deadline.title, deadline.due, deadline.owner_id) == (SOA, D(2019, 6, 24), 7)
    titled = parse_plan(f'deadline add "{SOA}" 70 working days from 12/03/2019')
    assert isinstance(titled, DeadlineAdd)
    assert titled.request.deadline(calendar_for("ENG")).due == D(2019, 6, 24)
    visit = ClockRequest(MONITORING_VISIT.key, D(2019, 5, 14), 3).deadline(calendar_for())
    assert visit.due == D(2019, 8, 14) and visit.title == MONITORING_VISIT.title
    report = ClockRequest(SCRUTINY_REPORT.key, D(2019, 9, 17), 10).deadline(calendar_for())
    assert report.due == D(2019, 9, 3)


def test_clock_names() -> None:
    assert find_clock(["statement", "of", "action", "from"]) == (STATEMENT_OF_ACTION, 3)
    assert find_clock(["the", "next", "monitoring", "visit"]) == (MONITORING_VISIT, 4)
    assert find_clock(["scrutiny-report", "10"]) == (SCRUTINY_REPORT, 1)
    assert find_clock(["scrutiny", "reports"]) is None
    assert find_clock(["the"]) is None
    assert find_clock([]) is None
    assert clock_names() == "statement of action, monitoring visit or scrutiny report"
    with pytest.raises(UserError):
        ClockRequest(MONITORING_VISIT.key, D(2019, 5, 14)).deadline(calendar_for())


# ---------------------------------------------------------------- /plan privacy

PRIVACY_CASES = [
    ("privacy", PrivacyShow()),
    ("privacy show", PrivacyShow()),
    ("privacy reset", PrivacyReset()),
    ("privacy off", PrivacySwitch(on=False)),
    ("privacy ON", PrivacySwitch(on=True)),
    ("privacy disable postcode", PrivacyChange(("disable postcode",))),
    ("privacy disable Postcodes", PrivacyChange(("disable postcode",))),
    ("privacy disable nhs number", PrivacyChange(("disable nhs-number",))),
    ("privacy disable DOB", PrivacyChange(("disable date-of-birth",))),
    ("privacy enable case-number", PrivacyChange(("enable case-number",))),
    (r"privacy add case-number MOS-\d{6}", PrivacyChange((r"add case-number MOS-\d{6}",))),
    (r"privacy add case-number `MOS-\d{6}`", PrivacyChange((r"add case-number MOS-\d{6}",))),
    (r'privacy add case-number "MOS-\d{6}"', PrivacyChange((r"add case-number MOS-\d{6}",))),
    (
        r"privacy add case-number (?&lt;![\w-])LL\d{5} &amp; more",
        PrivacyChange((r"add case-number (?<![\w-])LL\d{5} & more",)),
    ),
    ("privacy allow Ellis", PrivacyChange(("allow Ellis",))),
    ("privacy allow “Ellis Grey”", PrivacyChange(("allow Ellis Grey",))),
    (
        "privacy disable postcode\n\nallow Ellis\nadd nhs-number X\\d+",
        PrivacyChange(("disable postcode", "allow Ellis", "add nhs-number X\\d+")),
    ),
]


@pytest.mark.parametrize(("text", "expected"), PRIVACY_CASES)
def test_plan_privacy(text: str, expected: object) -> None:
    assert parse_plan(text) == expected


def test_privacy_changes_are_lines_the_patterns_read() -> None:
    command = parse_plan(
        r"privacy disable postcode" "\n" r"add case-number MOS-\d{6}" "\nallow Ellis"
    )
    assert isinstance(command, PrivacyChange)
    patterns = parse_patterns("\n".join(command.lines), base=DEFAULT_PATTERNS)
    assert "postcode" not in patterns.enabled
    assert patterns == Patterns(
        DEFAULT_PATTERNS.enabled - {"postcode"},
        (("case-number", r"MOS-\d{6}"),),
        frozenset({"ellis"}),
    )
    assert [f.kind for f in check("see MOS-123456 today", patterns)] == ["case-number"]


PRIVACY_ERRORS = [
    ("privacy dsable postcode", "did you mean `/plan privacy disable`? Type `/plan help privacy`"),
    ("privacy frobnicate", "type `/plan help privacy` to see every form"),
    ("privacy show all", "I don't understand “all”: `/plan privacy`"),
    ("privacy reset now", "I don't understand “now”: `/plan privacy reset`"),
    ("privacy off please", "I don't understand “please”: `/plan privacy off`"),
    ("privacy disable", "Say which check — date-of-birth, nhs-number"),
    ("privacy disable frogs", "I don't know the kind “frogs”"),
    ("privacy enable frogs", "— e.g. `/plan privacy enable postcode`"),
    ("privacy add", "Give the kind, then the pattern: `/plan privacy add"),
    ("privacy add case-number", "Give the kind, then the pattern"),
    (r"privacy add frogs MOS-\d{6}", "I don't know the kind “frogs”"),
    (r"privacy add case-number MOS-(\d{6}", "That pattern isn't a valid regular expression"),
    ("privacy add case-number a*", "That pattern matches empty text"),
    ("privacy add case-number " + "x" * 201, "Keep a pattern under 200 characters"),
    ("privacy allow", "Say which word or phrase never to flag"),
    ('privacy allow ""', "Say which word or phrase never to flag"),
    ("privacy disable postcode\nreset", "Line 2: I don't understand “reset”"),
    ("privacy allow Ellis\ndisable frogs", "Line 2: I don't know the kind “frogs”"),
]


@pytest.mark.parametrize(("text", "fragment"), PRIVACY_ERRORS)
def test_plan_privacy_refusals_say_what_to_type(text: str, fragment: str) -> None:
    assert fragment in refused(parse_plan, text)


# ---------------------------------------------------------------- /board deadlines

BOARD_CASES = [
    ("deadlines", ShowDeadlines()),
    ('deadlines "Improvement Board"', ShowDeadlines("Improvement Board")),
    ('"Improvement Board" deadlines', ShowDeadlines("Improvement Board")),
    ("deadlines Fostering", ShowDeadlines("Fostering")),
    ("Deadlines Improvement Board", ShowDeadlines("Improvement Board")),
]


@pytest.mark.parametrize(("text", "expected"), BOARD_CASES)
def test_board_deadlines(text: str, expected: object) -> None:
    assert parse_board(text) == expected


def test_board_deadlines_refusals() -> None:
    assert "did you mean `/board deadlines`" in refused(parse_board, "dedlines")
    assert "Name one board" in refused(parse_board, '"A" deadlines "B"')
    assert "I don't understand" in refused(parse_board, 'deadlines "A" "B"')


def test_unrelated_board_forms_are_untouched() -> None:
    assert parse_board("Children's Improvement Board") == ShowStatus("Children's Improvement Board")


# ---------------------------------------------------------------- help and types


def test_help_lists_the_new_forms() -> None:
    progress, plan, board = help_text("progress"), help_text("plan"), help_text("board")
    assert "/progress away &lt;first day&gt; to &lt;last day&gt; [deputy @user]" in progress
    assert "`/progress back`" in progress and "/progress away cancel" in progress
    assert "/plan people away @user" in plan and "/plan people back @user" in plan
    assert "/plan deadline add statement of action from &lt;date&gt;" in plan
    assert "/plan deadline add monitoring visit" in plan and "scrutiny report" in plan
    assert "/plan privacy disable|enable &lt;kind&gt;" in plan and "named-case-detail" in plan
    assert "`/board deadlines`" in board
    deadline = parse_plan("help deadline")
    assert isinstance(deadline, Help)
    assert len(deadline.text.splitlines()) == 1 + 8
    privacy = parse_plan("help privacy")
    assert isinstance(privacy, Help)
    assert len(privacy.text.splitlines()) == 1 + 6


def test_new_commands_are_frozen() -> None:
    command = parse_progress("away 22/07/2019 to 09/08/2019")
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.deputy = SAM  # type: ignore[misc, union-attr]


# ---------------------------------------------------------------- property

WORDS = """
    away back cancel deputy deputy: from to until till through - – people link list
    deadline deadlines add remove delete new due by on working days day months month every
    after before published owner board statement of action statement-of-action monitoring
    visit monitoring-visit scrutiny report scrutiny-report the next ILACS privacy show reset
    disable enable allow postcode postcodes nhs number nhs-number case-number dob frogs
    22/07/2019 09/08/2019 12/03/2019 31/02/2019 July 2019 22 0 3 10 60 61 70 1000 1001 99999
    a* MOS-\\d{6} (\\d `x` \\ ( ) [ ] { } help
"""
VOCABULARY = [
    *WORDS.split(),
    '"',
    "“",
    "”",
    '""',
    f'"{SOA}"',
    '"Improvement Board"',
    AT_JO,
    AT_SAM,
    "<@U000000002>",
    "<#C012ABC000|board>",
    "<!channel>",
    "<!here>",
    "@jo",
    "&amp;",
    "&lt;",
    "&gt;",
    "\n",
    "",
]
HEADS = {
    parse_progress: ["away", "away cancel", "back", "away 22/07/2019 to"],
    parse_plan: [
        "people away",
        f"people away {AT_JO}",
        f"people away {AT_JO} cancel",
        "people back",
        "deadline",
        "deadline add",
        f'deadline add "{SOA}"',
        "deadline add statement of action",
        "deadline add monitoring visit",
        "deadline add scrutiny report",
        "deadline remove",
        "deadlines",
        "privacy",
        "privacy add",
        "privacy add case-number",
        "privacy disable",
        "privacy allow",
    ],
    parse_board: ["deadlines", '"Improvement Board" deadlines'],
}
words = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=4), max_size=10).map(" ".join)


def texts(parse: object) -> st.SearchStrategy[str]:
    heads = st.sampled_from(HEADS[parse])  # type: ignore[index]
    return (
        st.builds(lambda head, rest: f"{head} {rest}", heads, words) | words | st.text(max_size=60)
    )


@pytest.mark.parametrize(
    "parse", [parse_progress, parse_plan, parse_board], ids=["progress", "plan", "board"]
)
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_no_text_makes_the_new_grammar_raise_anything_but_user_error(
    parse: object, data: st.DataObject
) -> None:
    text = data.draw(texts(parse))
    try:
        result = parse(text)  # type: ignore[operator]
    except UserError as error:
        assert error.message.strip() and len(error.message.splitlines()) == 1, error.message
        assert "`/" in error.message, error.message
    else:
        assert dataclasses.is_dataclass(result) and not isinstance(result, type)
        assert type(result).__dataclass_params__.frozen  # type: ignore[attr-defined]
        for value in vars(result).values():
            assert not (isinstance(value, str) and not value.strip()), result
        if isinstance(result, PrivacyChange):
            parse_patterns("\n".join(result.lines))  # every line is one the patterns read
        if isinstance(result, SetAbsence):
            assert result.start <= result.end
