"""The `/progress`, `/plan` and `/board` grammar: text as Slack sends it → command objects."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import DatePrecision, ParsedDate
from bot.core.errors import UserError
from bot.core.statuses import Status
from handlers.grammar import (
    HELP_BOARD,
    HELP_PLAN,
    HELP_PROGRESS,
    USAGE,
    ActionAdd,
    ActionDelegate,
    ActionEdit,
    ActionMove,
    ActionOwners,
    ActionRemove,
    AdminAdd,
    AdminRemove,
    ApproveDateChange,
    BoardCreate,
    BoardEdit,
    BoardMeetingAdd,
    BoardMeetingCancel,
    BoardMeetings,
    BoardReminders,
    BoardRemindersPause,
    BoardRemindersResume,
    DeclineDateChange,
    Help,
    ListMine,
    MemberAdd,
    MemberRemove,
    OpenUpdateModal,
    PeopleLink,
    PeopleList,
    PlanArchive,
    PlanExport,
    PlanImport,
    PlanList,
    PlanNew,
    RecordUpdate,
    RequestDateChange,
    Setup,
    ShowDigest,
    ShowHistory,
    ShowMeetings,
    ShowOverdue,
    ShowPack,
    ShowStatus,
    ShowTheme,
    ThemeAdd,
    ThemeEdit,
    ThemeRemove,
    parse_board,
    parse_plan,
    parse_progress,
)
from handlers.grammar.help import FORMS
from handlers.grammar.tokens import parse_time, tokenize, unescape

Parser = Callable[[str], object]
PARSERS: dict[str, Parser] = {
    "progress": parse_progress,
    "plan": parse_plan,
    "board": parse_board,
}
DAY, MONTH = DatePrecision.DAY, DatePrecision.MONTH


def day(year: int, month: int, d: int) -> ParsedDate:
    return ParsedDate(dt.date(year, month, d), DAY)


def month_end(year: int, month: int, last: int) -> ParsedDate:
    return ParsedDate(dt.date(year, month, last), MONTH)


def assert_one_friendly_line(error: UserError) -> None:
    message = error.message
    assert isinstance(message, str) and message.strip(), "an error needs a message"
    assert len(message.splitlines()) == 1, f"not one line: {message!r}"
    assert message == str(error)
    assert "`/" in message, f"no form to type in: {message!r}"


# ---------------------------------------------------------------- /progress

PROGRESS_CASES = [
    ("", OpenUpdateModal()),
    ("   ", OpenUpdateModal()),
    ("mine", ListMine()),
    ("Mine", ListMine()),
    ("help", Help("progress", HELP_PROGRESS)),
    ("4.1", OpenUpdateModal("4.1")),
    (
        "4.1 amber survey slipped to June",
        RecordUpdate("4.1", Status.AMBER, "survey slipped to June"),
    ),
    ("4.1 at risk: survey slipped", RecordUpdate("4.1", Status.AMBER, "survey slipped")),
    ("4.1 on track", RecordUpdate("4.1", Status.GREEN, None)),
    (
        "4.1: Red – carers' forum cancelled",
        RecordUpdate("4.1", Status.RED, "carers' forum cancelled"),
    ),
    ("A1 :large_green_circle: all on course", RecordUpdate("A1", Status.GREEN, "all on course")),
    ("4.1.2 g - fine", RecordUpdate("4.1.2", Status.GREEN, "fine")),
    ("4.1a a: survey slipped", RecordUpdate("4.1a", Status.AMBER, "survey slipped")),
    (
        "4.1 note carers &amp; staff met &lt;3 times&gt;",
        RecordUpdate("4.1", None, "carers & staff met <3 times>"),
    ),
    ("4.1 note: forum booked for 3 June", RecordUpdate("4.1", None, "forum booked for 3 June")),
    ("4.1 done", RecordUpdate("4.1", Status.BLUE, None)),
    ("4.1 Done – survey published", RecordUpdate("4.1", Status.BLUE, "survey published")),
    ("4.1 complete", RecordUpdate("4.1", Status.BLUE, None)),
    (
        "4.1 amber\nsurvey slipped\n• carers’ forum moved",
        RecordUpdate("4.1", Status.AMBER, "survey slipped\n• carers’ forum moved"),
    ),
    (
        "4.1 amber <!channel> ask <@U012ABC000|jane>",
        RecordUpdate("4.1", Status.AMBER, "@channel ask @jane"),  # words, never a ping
    ),
    (
        "4.1 date 31 July 2019 survey delayed by the summer break",
        RequestDateChange("4.1", dt.date(2019, 7, 31), DAY, "survey delayed by the summer break"),
    ),
    (
        "4.1 date July 2019 survey delayed",
        RequestDateChange("4.1", dt.date(2019, 7, 31), MONTH, "survey delayed"),
    ),
    (
        "4.1 date 31/07/2019 - waiting for sign-off",
        RequestDateChange("4.1", dt.date(2019, 7, 31), DAY, "waiting for sign-off"),
    ),
    (
        "4.1 date Jul-19 waiting for sign-off",
        RequestDateChange("4.1", dt.date(2019, 7, 31), MONTH, "waiting for sign-off"),
    ),
    (
        "4.1 date Wed 31 July 2019 summer break",
        RequestDateChange("4.1", dt.date(2019, 7, 31), DAY, "summer break"),
    ),
    (
        "4.1 date 2019-07-31 2 weeks of leave",
        RequestDateChange("4.1", dt.date(2019, 7, 31), DAY, "2 weeks of leave"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), PROGRESS_CASES)
def test_progress_forms(text: str, expected: object) -> None:
    assert parse_progress(text) == expected


PROGRESS_ERRORS = [
    ("4.1 survey slipped", "Start with a status or `note`: `/progress 4.1 amber survey slipped"),
    ("4.1a the survey slipped", "`/progress 4.1a note <text>`"),
    ("4.1 note", "What's the note? `/progress 4.1 note <text>`"),
    ("4.1 note   ", "`/progress 4.1 note <text>`"),
    ("4.1 date", "I need the new date and the reason: `/progress 4.1 date 31/07/2019 <reason>`"),
    ("4.1 date 31/07/2019", "Say why the date needs to change: `/progress 4.1 date 31 July 2019"),
    ("4.1 date soonish because", 'I can\'t read "soonish" as a date'),
    ("4.1 date 31 Juky 2019 leave", 'I can\'t read "31 Juky 2019" as a date'),
    ("4.1 date 31/06/2019 leave", "June 2019 has 30 days"),
    ("amber 4.1 survey slipped", "Put the action's ref first: `/progress 4.1 amber"),
    ("on track", "Put the action's ref first"),
    ("hello there", "“hello” isn't an action ref like 4.1"),
    ("mine please", "`/progress mine`"),
]


@pytest.mark.parametrize(("text", "fragment"), PROGRESS_ERRORS)
def test_progress_errors_say_what_to_type(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_progress(text)
    assert_one_friendly_line(caught.value)
    assert fragment in caught.value.message


# ---------------------------------------------------------------- /plan

PLAN_CASES = [
    ("setup", Setup()),
    ("  SETUP ", Setup()),
    ("import", PlanImport()),
    ('board create "Improvement Board"', BoardCreate("Improvement Board")),
    ("board edit chair <@U012ABC000|jane>", BoardEdit(None, "U012ABC000")),
    (
        'board edit "Fostering" channel <#C012ABC000|board> chair <@U012ABC000>',
        BoardEdit("Fostering", "U012ABC000", "C012ABC000"),
    ),
    (
        "board create “Improvement Board” chair <@U012ABC000|jane> channel <#C012ABC000|board>",
        BoardCreate("Improvement Board", "U012ABC000", "C012ABC000"),
    ),
    (
        "board create Fostering channel <#C012ABC000> chair <@U012ABC000>",
        BoardCreate("Fostering", "U012ABC000", "C012ABC000"),
    ),
    # Slack's ids run from 9 to 11 characters; a private channel may come with an empty name.
    (
        "board create Fostering chair <@W0123ABCDEF|jane> channel <#G01234567|>",
        BoardCreate("Fostering", "W0123ABCDEF", "G01234567"),
    ),
    (
        'board create "Children &amp; Families Board"',
        BoardCreate("Children & Families Board"),
    ),
    ("board meetings second Tuesday monthly", BoardMeetings("second Tuesday monthly")),
    (
        'board meetings "Improvement Board" second Tuesday monthly at 10:00',
        BoardMeetings("second Tuesday monthly", dt.time(10, 0), "Improvement Board"),
    ),
    (
        "board meetings “last Thursday of every month” at 2:30pm",
        BoardMeetings("last Thursday of every month", dt.time(14, 30)),
    ),
    (
        "board meetings every 6 weeks from 2019-01-15 at 10 am",
        BoardMeetings("every 6 weeks from 2019-01-15", dt.time(10, 0)),
    ),
    ("board meetings FREQ=MONTHLY;BYDAY=+2TU", BoardMeetings("FREQ=MONTHLY;BYDAY=+2TU")),
    ("board meeting add 14/05/2019", BoardMeetingAdd(dt.date(2019, 5, 14))),
    (
        'board meeting add "Improvement Board" 14 May 2019 at 14:00',
        BoardMeetingAdd(dt.date(2019, 5, 14), dt.time(14, 0), "Improvement Board"),
    ),
    (
        'board meeting add 14/05/2019 "Improvement Board" at 2pm',
        BoardMeetingAdd(dt.date(2019, 5, 14), dt.time(14, 0), "Improvement Board"),
    ),
    ("board meeting cancel 13/08/2019", BoardMeetingCancel(dt.date(2019, 8, 13))),
    (
        'board meeting cancel 13 August 2019 "Improvement Board"',
        BoardMeetingCancel(dt.date(2019, 8, 13), "Improvement Board"),
    ),
    ("board meetings cancel 13/08/2019", BoardMeetingCancel(dt.date(2019, 8, 13))),
    (
        "board reminders due=10,3,0 overdue=5 escalate=10",
        BoardReminders(due=(10, 3, 0), overdue=5, escalate=10),
    ),
    (
        'board reminders "Improvement Board" window=10 updates_due=5 last_call=1 pack=2',
        BoardReminders("Improvement Board", window=10, updates_due=5, last_call=1, pack=2),
    ),
    (
        "board reminders due = 0, 3 ,10 updates-due=4",
        BoardReminders(due=(10, 3, 0), updates_due=4),
    ),
    ("board reminders pause until 31/08/2019", BoardRemindersPause(dt.date(2019, 8, 31))),
    (
        "board reminders “Improvement Board” pause until August 2019",
        BoardRemindersPause(dt.date(2019, 8, 31), "Improvement Board"),
    ),
    ("board reminders pause 2/09/2019", BoardRemindersPause(dt.date(2019, 9, 2))),
    ("board reminders resume", BoardRemindersResume()),
    ('board reminders "Fostering" resume', BoardRemindersResume("Fostering")),
    ('new "ILACS improvement plan 2019"', PlanNew("ILACS improvement plan 2019")),
    (
        "new “ILACS improvement plan 2019” board “Improvement Board”",
        PlanNew("ILACS improvement plan 2019", "Improvement Board"),
    ),
    ("new ILACS board Fostering", PlanNew("ILACS", "Fostering")),
    ('theme add 4 "Placement stability"', ThemeAdd("4", "Placement stability")),
    (
        "theme add 4 “Placement stability” lead <@U012ABC000|jane>",
        ThemeAdd("4", "Placement stability", "U012ABC000"),
    ),
    ("theme add A Leadership", ThemeAdd("A", "Leadership")),
    (
        "action add 4.1 “Seek carers’ views” due May-19 "
        "owner <@U000000001|jane> <@U000000002|omar> "
        'measures "Feedback &amp; surveys"',
        ActionAdd(
            "4.1",
            "Seek carers’ views",
            month_end(2019, 5, 31),
            ("U000000001", "U000000002"),
            None,
            "Feedback & surveys",
        ),
    ),
    (
        'action add 4.1a "Review placements" owner <@U000000001> due 31 May 2019 theme 4',
        ActionAdd("4.1a", "Review placements", day(2019, 5, 31), ("U000000001",), "4"),
    ),
    (
        "action add A1 Audit measures “Audit &lt;20 files&gt;” "
        "owners <@U000000001|jane>, <@U000000002|omar> and <@U000000001|jane> due 2019-05-31",
        ActionAdd(
            "A1", "Audit", day(2019, 5, 31), ("U000000001", "U000000002"), None, "Audit <20 files>"
        ),
    ),
    (
        'action add 4.1.2 "Big conversation" due "31 May 2019" owner <@W1ABC00000>',
        ActionAdd("4.1.2", "Big conversation", day(2019, 5, 31), ("W1ABC00000",)),
    ),
    (
        'action add 4.2 "Tell <!channel> about it" due Feb 19 owner <@U000000001>',
        ActionAdd("4.2", "Tell <!channel> about it", month_end(2019, 2, 28), ("U000000001",)),
    ),
    ("action edit 4.1 due 30/06/2019", ActionEdit("4.1", due=day(2019, 6, 30))),
    (
        'action edit 4.1 title "Seek carers’\n  views" measures "• events\n• surveys"',
        ActionEdit("4.1", title="Seek carers’ views", measures="• events\n• surveys"),
    ),
    (
        'action edit 4.1 title "Seek carers\' views" measures ""',
        ActionEdit("4.1", title="Seek carers' views", measures=""),
    ),
    (
        "action edit 4.1 measures “Feedback from events” due Jun-19 title Survey",
        ActionEdit("4.1", "Survey", month_end(2019, 6, 30), "Feedback from events"),
    ),
    (
        "action owner 4.1 <@U000000001|jane> <@U000000002|omar>",
        ActionOwners("4.1", ("U000000001", "U000000002")),
    ),
    ("action owners 4.1 <@U000000001|jane>", ActionOwners("4.1", ("U000000001",))),
    ("action delegate 4.1 <@U000000003|sam>", ActionDelegate("4.1", "U000000003")),
    ("action remove 4.1", ActionRemove("4.1")),
    ("people", PeopleList()),
    ('people link "Jane Doe" <@U000000001|jane>', PeopleLink("Jane Doe", "U000000001")),
    ("people link <@U000000001|jane> “Jane O’Brien”", PeopleLink("Jane O’Brien", "U000000001")),
    ("people link Jane Doe <@U000000001|jane>", PeopleLink("Jane Doe", "U000000001")),
    ("admins add <@U000000001|jane>", AdminAdd("U000000001")),
    ("admins remove <@U000000001>", AdminRemove("U000000001")),
    ("admin add <@U000000001>", AdminAdd("U000000001")),
    ("members add <@U000000001|jane>", MemberAdd("U000000001")),
    (
        'members add <@U000000001|jane> "Improvement Board"',
        MemberAdd("U000000001", "Improvement Board"),
    ),
    (
        "members add <@U000000001|jane> Improvement Board",
        MemberAdd("U000000001", "Improvement Board"),
    ),
    ("members remove <@U000000001> Fostering", MemberRemove("U000000001", "Fostering")),
    ("export", PlanExport()),
    ("export csv", PlanExport("csv")),
    ("export MD", PlanExport("md")),
    ("export markdown", PlanExport("md")),
    ('export xlsx "ILACS 2019"', PlanExport("xlsx", "ILACS 2019")),
    ('archive "ILACS improvement plan 2019"', PlanArchive("ILACS improvement plan 2019")),
    ("archive ILACS plan 2019", PlanArchive("ILACS plan 2019")),
    ("", Help("plan", HELP_PLAN)),
    ("help", Help("plan", HELP_PLAN)),
    ("HELP", Help("plan", HELP_PLAN)),
]


@pytest.mark.parametrize(("text", "expected"), PLAN_CASES)
def test_plan_forms(text: str, expected: object) -> None:
    assert parse_plan(text) == expected


PLAN_ERRORS = [
    ("acton add 4.1", "did you mean `/plan action`?"),
    ("frobnicate", "I don't know “frobnicate”: type `/plan help`"),
    ("board", USAGE["board create"]),
    ("board rename x", "Say which board command"),
    ("board create", 'I need the board name in "double quotes"'),
    ("board create Improvement Board chair <@U000000001>", 'Put the board name in "double quotes"'),
    ('board create "" chair <@U000000001>', "The board name is empty"),
    ('board create "B" chair @jane', "I can't tell who “@jane” is: pick the chair"),
    ('board create "B" channel #board', "pick it from Slack's #-menu"),
    ('board create "B" chair <@U000000001> chair <@U000000002>', "I don't understand “chair”"),
    ("board meetings", "I need the meeting rule: `/plan board meetings second Tuesday"),
    ("board meetings monthly at 25:00", "I can't read “25:00” as a time"),
    ("board meetings monthly at", "I need a time after “at”"),
    ("board meeting move 14/05/2019", "Say add or cancel: `/plan board meeting add"),
    ("board meeting add", "I need the meeting's date: `/plan board meeting add 14/05/2019"),
    ("board meeting add May 2019", "I need a day, not just “May 2019”"),
    ("board meeting add 31/02/2019", "February 2019 has 28 days"),
    ("board meeting cancel 14/05/2019 please", "I don't understand “please”"),
    ("board meeting cancel 14/05/2019 at 10:00", "I don't understand “at”"),
    ("board reminders", "Say which reminders to change"),
    ("board reminders often=3", "due, overdue, escalate, window, updates_due, last_call or pack"),
    ("board reminders overdue=0", "`/plan board reminders overdue=5`"),
    ("board reminders escalate=1000", "`/plan board reminders escalate=10`"),
    ("board reminders due=10,x", "`/plan board reminders due=10,3,0`"),
    ("board reminders due=10,,3", "separated by commas"),
    ("board reminders due=1 due=2", "due is given twice"),
    ("board reminders overdue", "write key=value"),
    ("board reminders pause", "`/plan board reminders pause until 31/08/2019`"),
    ("board reminders pause until whenever", 'can\'t read "whenever" as a date'),
    ("board reminders resume now", "`/plan board reminders resume`"),
    ("new", "I need the plan title"),
    ('new "Plan" board', "I need the board name"),
    ('new "Plan" for "Board"', "I don't understand “for”"),
    ('new "Unclosed title', "Close the quote after “Unclosed title”"),
    ("new “ILACS plan", "Close the quote"),
    ("theme", "Say which theme command — add, edit or remove: `/plan theme add 4"),
    ("theme add", "I need the theme's ref, like 4"),
    ("theme add 4", "I need the theme title"),
    ('theme add 4 "Title" lead jane', "as a mention picked from Slack's @-menu, not “jane”"),
    ("action", "Say which action command — add, edit, move, owner, delegate or remove"),
    ('action add "4.1" "Title"', "“4.1” isn't an action ref like 4.1"),
    ("action add hello", "“hello” isn't an action ref"),
    ("action add 4.1", "I need the action's title"),
    ("action add 4.1 due May-19 owner <@U000000001>", "I need the action's title"),
    (
        'action add 4.1 "Seek views" owner <@U000000001|jane>',
        'I need a due date: `/plan action add 4.1 "<title>" due 31/05/2019 owner @someone`',
    ),
    ('action add 4.1 "Seek views" due May-19', "I need at least one owner"),
    ('action add 4.1 "Seek views" due May-19 owner', "I need at least one owner"),
    ('action add 4.1 "Seek views" due owner <@U000000001>', "I need a due date after “due”"),
    ('action add 4.1 "Seek views" due May-19 owner @jane', "pick the owner from Slack's @-menu"),
    ('action add 4.1 "Seek views" due May-19 owner <!here>', "“@here” isn't one person"),
    ('action add 4.1 "Seek views" due May-19 owner <#C000000001|board>', "That's a channel"),
    (
        'action add 4.1 "Seek views" due soonish owner <@U000000001>',
        'can\'t read "soonish" as a date',
    ),
    ('action add 4.1 "Seek views" due May-19 owner <@U000000001> priority high', "“priority”"),
    ('action add 4.1 "Seek views" due May-19 due Jun-19 owner <@U000000001>', "once each"),
    ('action add 4.1 "Seek views" due May-19 owner <@U000000001> theme "4"', "isn't a theme ref"),
    ("action edit 4.1", "Say what to change: `/plan action edit 4.1"),
    ('action edit 4.1 title ""', "The new title is empty"),
    ("action edit 4.1 owner <@U000000001>", "I don't understand “owner”"),
    ("action owner 4.1", "I need at least one owner"),
    ("action owner 4.1 jane", "I need at least one owner"),
    ("action delegate 4.1 <@U000000001> <@U000000002>", "one delegate at a time"),
    ("action delegate 4.1", "I need the delegate"),
    ("action remove", "I need the action's ref, like 4.1"),
    ("people link <@U000000001>", "I need the owner's name"),
    ('people link "Jane"', "I need the Slack person to link"),
    ('people link "Jane" <@U000000001> <@U000000002>', "Link one person at a time"),
    ("people link Jane <@U000000001> Doe", "I don't understand “Doe”"),
    ("people list", USAGE["people link"]),
    ("admins add", "I need the person"),
    ("admins add @jane", "pick the person from Slack's @-menu"),
    ("admins promote <@U000000001>", "Say which admins command — add or remove"),
    (
        "members add <@U000000001> <@U000000002>",
        "I don't understand “<@U000000002>” (one person at a time)",
    ),
    ("export pdf", "I can't export as “pdf”; use xlsx, csv or md"),
    ("archive", "I need the plan title"),
    ("setup now", "`/plan setup`"),
    ("import sheet.xlsx", "`/plan import`"),
]


@pytest.mark.parametrize(("text", "fragment"), PLAN_ERRORS)
def test_plan_errors_say_what_to_type(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_plan(text)
    assert_one_friendly_line(caught.value)
    assert fragment in caught.value.message


def test_plan_help_on_a_topic_keeps_its_lines() -> None:
    result = parse_plan("help action")
    assert isinstance(result, Help)
    lines = result.text.splitlines()
    assert len(lines) == 1 + sum(f.syntax.startswith("/plan action") for f in FORMS["plan"])
    assert all("/plan action" in line for line in lines[1:])
    assert parse_plan("help nonsense") == Help("plan", HELP_PLAN)


# ---------------------------------------------------------------- /board

BOARD_CASES = [
    ("", ShowStatus()),
    ('"Improvement Board"', ShowStatus("Improvement Board")),
    ("status", ShowStatus()),
    ("digest", ShowDigest()),
    ("digest “Improvement Board”", ShowDigest("Improvement Board")),
    ("pack Fostering", ShowPack("Fostering")),
    ("overdue", ShowOverdue()),
    ("theme 4", ShowTheme("4")),
    ('theme 4 "Improvement Board"', ShowTheme("4", "Improvement Board")),
    ("meetings", ShowMeetings()),
    ("history 4.1", ShowHistory("4.1")),
    ("approve", ApproveDateChange()),
    ("approve 12", ApproveDateChange(12)),
    ('approve #12 "Improvement Board"', ApproveDateChange(12, "Improvement Board")),
    ("decline", DeclineDateChange()),
    ("decline 12", DeclineDateChange(12)),
    ("decline 12 no evidence &amp; no plan", DeclineDateChange(12, "no evidence & no plan")),
    ("decline not yet", DeclineDateChange(None, "not yet")),
    (
        'decline 12 "Improvement Board" too late',
        DeclineDateChange(12, "too late", "Improvement Board"),
    ),
    (
        "decline 12 “the survey can’t slip again”",
        DeclineDateChange(12, "the survey can’t slip again"),
    ),
    ("decline 12 waiting on “sign-off", DeclineDateChange(12, "waiting on “sign-off")),
    ("help", Help("board", HELP_BOARD)),
    # Busy chairs leave the quotes off a board's name.
    ("Children's Improvement Board", ShowStatus("Children's Improvement Board")),
    ("digest Improvement Board", ShowDigest("Improvement Board")),
    ("theme 4 Improvement Board", ShowTheme("4", "Improvement Board")),
    ("approve 12 Improvement Board", ApproveDateChange(12, "Improvement Board")),
]


@pytest.mark.parametrize(("text", "expected"), BOARD_CASES)
def test_board_forms(text: str, expected: object) -> None:
    assert parse_board(text) == expected


BOARD_ERRORS = [
    ("digset", "did you mean `/board digest`?"),
    ("whatever", "type `/board help`"),
    ("theme", "I need the theme's ref, like 4: `/board theme 4`"),
    ("history hello", "“hello” isn't an action ref like 4.1: `/board history 4.1`"),
    ("approve #x", "“#x” isn't a request number like 12"),
    ("approve 12 13 14", "I don't understand “13”"),
    ('overdue "Board', "Close the quote"),
]


@pytest.mark.parametrize(("text", "fragment"), BOARD_ERRORS)
def test_board_errors_say_what_to_type(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_board(text)
    assert_one_friendly_line(caught.value)
    assert fragment in caught.value.message


# ---------------------------------------------------------------- the pieces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00", dt.time(10, 0)),
        ("9:05", dt.time(9, 5)),
        ("14.30", dt.time(14, 30)),
        ("10am", dt.time(10, 0)),
        ("10 AM", dt.time(10, 0)),
        ("2:30pm", dt.time(14, 30)),
        ("12pm", dt.time(12, 0)),
        ("12am", dt.time(0, 0)),
        ("2.30 p.m.", dt.time(14, 30)),
        ("noon", dt.time(12, 0)),
        ("10", None),
        ("25:00", None),
        ("13pm", None),
        ("10:75", None),
        ("ten", None),
        ("10:00m", None),
    ],
)
def test_times(text: str, expected: dt.time | None) -> None:
    assert parse_time(text) == expected


def test_unescape_undoes_only_slacks_three_escapes() -> None:
    assert unescape("a &amp; b &lt;c&gt; &quot;") == "a & b <c> &quot;"
    assert unescape("&amp;lt;") == "&lt;"


def test_tokens_keep_apostrophes_and_entities_whole() -> None:
    tokens = tokenize("“Seek carers’ views” O'Brien <@U000000001|jane doe>, <!here>")
    assert [(t.raw, t.quoted) for t in tokens] == [
        ("Seek carers’ views", True),
        ("O'Brien", False),
        ("<@U000000001|jane doe>", False),
        (",", False),
        ("<!here>", False),
    ]


@pytest.mark.parametrize("command", ["progress", "plan", "board"])
def test_help_is_escaped_mrkdwn_with_an_example_per_line(command: str) -> None:
    text = {"progress": HELP_PROGRESS, "plan": HELP_PLAN, "board": HELP_BOARD}[command]
    title, *lines = text.splitlines()
    assert f"/{command}" in title
    assert len(lines) == len(FORMS[command])  # type: ignore[index]
    for line in lines:
        assert line.startswith(f"• `/{command}") and ", e.g. `/" in line
    assert "<" not in text and ">" not in text  # placeholders arrive as &lt;ref&gt;


def as_slack_sends(line: str) -> tuple[Parser, str]:
    """A documented line as Slack would deliver it: placeholders filled, mentions escaped."""
    line = re.sub(r"<[a-z ]+>", "survey delayed", line)
    line = re.sub(r"@([a-z][\w.-]*)", r"<@U012ABC000|\1>", line)
    line = re.sub(r"(?<![<\w])#([a-z][\w-]*)", r"<#C000000001|\1>", line)
    command, _, rest = line.partition(" ")
    return PARSERS[command.lstrip("/")], rest


@pytest.mark.parametrize(
    "example",
    [f.example for forms in FORMS.values() for f in forms],
)
def test_every_help_example_parses(example: str) -> None:
    parse, text = as_slack_sends(example)
    assert not isinstance(parse(text), Help)


@pytest.mark.parametrize("usage", sorted(set(USAGE.values())))
def test_every_usage_line_in_errors_is_a_form_that_parses(usage: str) -> None:
    parse, text = as_slack_sends(usage)
    parse(text)


def test_commands_are_frozen() -> None:
    command = parse_plan('theme add 4 "Placement stability"')
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.ref = "5"  # type: ignore[misc, union-attr]


# ---------------------------------------------------------------- properties

GRAMMAR_WORDS = """
    board create meetings meeting add cancel reminders pause until resume new import
    theme action edit owner owners delegate remove people link admins members export
    archive setup help due title measures lead chair channel at mine note date done
    amber on track at risk: red g a: digest pack overdue history approve decline
    4.1 4 A1 4.1a 4.1.2 12 #12 31 May 2019 31/05/2019 May-19 Feb 19 2019-05-31
    10:00 10am 2:30 pm 25:00 csv md xlsx due=10,3,0 overdue=0 window=x = ,
"""
VOCABULARY = [
    *GRAMMAR_WORDS.split(),
    '"',
    "“",
    "”",
    "’",
    '"Improvement Board"',
    "“Seek carers’ views”",
    '""',
    "<@U012ABC000|jane>",
    "<@U000000002>",
    "<#C012ABC000|board>",
    "<!channel>",
    "<!here>",
    "<!subteam^S1|@t>",
    "@jane",
    "#board",
    "&amp;",
    "&lt;",
    "&gt;",
    "<",
    ">",
    "\n",
    "\u2028",
    "\x85",
    "",
]
HEADS = [
    "board create",
    "board meetings",
    "board meeting add",
    "board meeting cancel",
    "board reminders",
    "board reminders pause until",
    "new",
    "theme add 4",
    "action add 4.1",
    "action edit 4.1",
    "action owner 4.1",
    "action delegate 4.1",
    "people link",
    "admins add",
    "members add",
    "export",
    "archive",
    "4.1",
    "4.1 date",
    "4.1 note",
    "decline",
    "approve",
    "theme",
    "history",
]
grammar_words = st.lists(st.sampled_from(VOCABULARY) | st.text(max_size=4), max_size=10).map(
    " ".join
)
grammar_text = grammar_words | st.builds(
    lambda head, rest: f"{head} {rest}", st.sampled_from(HEADS), grammar_words
)


def parses_or_refuses_kindly(parse: Parser, text: str) -> None:
    try:
        result = parse(text)
    except UserError as error:
        assert_one_friendly_line(error)
    else:
        assert dataclasses.is_dataclass(result) and not isinstance(result, type)
        assert type(result).__dataclass_params__.frozen  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["progress", "plan", "board"])
@settings(max_examples=200, deadline=None)
@given(text=st.text())
def test_any_text_parses_or_is_refused_kindly(command: str, text: str) -> None:
    parses_or_refuses_kindly(PARSERS[command], text)


@pytest.mark.parametrize("command", ["progress", "plan", "board"])
@settings(max_examples=250, deadline=None)
@given(text=grammar_text)
def test_grammar_like_text_parses_or_is_refused_kindly(command: str, text: str) -> None:
    parses_or_refuses_kindly(PARSERS[command], text)


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


title_text = st.text(
    alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789’'&<>-.,:;!?()"),
    min_size=1,
    max_size=40,
).filter(str.strip)


@settings(max_examples=100, deadline=None)
@given(
    ref=st.from_regex(r"[1-9][0-9]?\.[1-9][0-9]?[a-z]?", fullmatch=True),
    title=title_text,
    measures=st.none() | title_text,
    due=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)),
    owners=st.lists(
        st.from_regex(r"U[A-Z0-9]{2,10}", fullmatch=True), min_size=1, max_size=3, unique=True
    ),
    theme=st.none() | st.from_regex(r"[1-9]|[A-H]", fullmatch=True),
    order=st.permutations(["due", "owner", "theme", "measures"]),
    curly=st.booleans(),
)
def test_action_add_round_trip(
    ref: str,
    title: str,
    measures: str | None,
    due: dt.date,
    owners: list[str],
    theme: str | None,
    order: list[str],
    curly: bool,
) -> None:
    left, right = ("“", "”") if curly else ('"', '"')
    clauses = {
        "due": f"due {due:%d/%m/%Y}",
        "owner": "owner " + " ".join(f"<@{user}|someone>" for user in owners),
        "theme": f"theme {theme}" if theme else "",
        "measures": f"measures {left}{slack_escape(measures)}{right}" if measures else "",
    }
    text = f"action add {ref} {left}{slack_escape(title)}{right} " + " ".join(
        clauses[name] for name in order
    )
    assert parse_plan(text) == ActionAdd(
        ref,
        " ".join(title.split()),
        ParsedDate(due, DAY),
        tuple(owners),
        theme,
        measures.strip() if measures else None,
    )


@settings(max_examples=100, deadline=None)
@given(
    ref=st.from_regex(r"[1-9]\.[1-9][a-z]?|[A-H][1-9]", fullmatch=True),
    status=st.sampled_from(list(Status)),
    note=st.lists(st.from_regex(r"[a-z&<>’'][a-z0-9&<>’',.]{0,8}", fullmatch=True), max_size=6),
)
def test_progress_update_round_trip(ref: str, status: Status, note: list[str]) -> None:
    words = {
        Status.NOT_STARTED: "not started:",
        Status.GREEN: "green:",
        Status.AMBER: "at risk:",
        Status.RED: "off track -",
        Status.BLUE: "done:",
    }
    text = f"{ref} {words[status]} {slack_escape(' '.join(note))}"
    assert parse_progress(text) == RecordUpdate(ref, status, " ".join(note) or None)


@pytest.mark.parametrize(
    ("text", "expected_plan", "expected_ref"),
    [
        ('theme add 6 "Early help" plan "SEND plan"', "SEND plan", "6"),
        ('action remove 4.1 plan "ILACS  plan"', "ILACS plan", "4.1"),
        ("action owner 4.1 <@U000000001|jane> plan “SEND plan”", "SEND plan", "4.1"),
        ('action edit 4.1 due 30/06/2019 plan "SEND plan"', "SEND plan", "4.1"),
        ("action remove 4.1", None, "4.1"),
    ],
)
def test_theme_and_action_lines_may_name_their_plan(
    text: str, expected_plan: str | None, expected_ref: str
) -> None:
    command = parse_plan(text)
    assert command.plan == expected_plan  # type: ignore[union-attr]
    assert command.ref == expected_ref  # type: ignore[union-attr]


def test_a_plan_clause_does_not_leak_into_the_action() -> None:
    command = parse_plan(
        'action add 4.1 "Seek views" due May-19 owner <@U000000001|jane> '
        'measures "Surveys" plan "SEND"'
    )
    assert isinstance(command, ActionAdd)
    assert (command.measures, command.plan, command.owners) == ("Surveys", "SEND", ("U000000001",))


# ---------------------------------------------------------------- a plan's whole life


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("list", PlanList()),
        (
            'theme edit 4 "Placement stability and permanence"',
            ThemeEdit("4", "Placement stability and permanence"),
        ),
        ("theme edit 4 lead <@UOMAR00000|omar>", ThemeEdit("4", None, "UOMAR00000")),
        (
            'theme edit 4 "Stability" lead <@UOMAR00000|omar>',
            ThemeEdit("4", "Stability", "UOMAR00000"),
        ),
        ("theme remove 6", ThemeRemove("6")),
        ("action move 4.2 to theme 5", ActionMove("4.2", "5")),
        ("action move 4.2 theme 5", ActionMove("4.2", "5")),
        ('action move 4.2 to theme 5 plan "Old plan"', ActionMove("4.2", "5", "Old plan")),
    ],
)
def test_the_forms_that_change_a_plan_after_it_is_built(text: str, command: object) -> None:
    assert parse_plan(text) == command


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("theme edit 4", "Say the new title, the new lead, or both"),
        ("theme remove", "I need the theme's ref"),
        ("theme remove 4 5", "I don't understand"),
        ("action move 4.2", "Say which theme to move it to"),
        ("action move 4.2 to theme", "I need the theme's ref"),
        ("list everything", "/plan list"),
    ],
)
def test_those_forms_say_what_to_type(text: str, fragment: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_plan(text)
    assert_one_friendly_line(caught.value)
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ('"Fostering Board" digest', ShowDigest("Fostering Board")),
        ('"Fostering Board" theme 4', ShowTheme("4", "Fostering Board")),
        ('theme "Fostering Board" 4', ShowTheme("4", "Fostering Board")),
        ('"Fostering Board" approve 12', ApproveDateChange(12, "Fostering Board")),
        (
            '"Fostering Board" decline 12 no evidence',
            DeclineDateChange(12, "no evidence", "Fostering Board"),
        ),
    ],
)
def test_board_takes_the_board_name_first_too(text: str, command: object) -> None:
    assert parse_board(text) == command


def test_the_progress_status_may_be_a_single_letter() -> None:
    assert parse_progress("2.2 G 90% now") == RecordUpdate("2.2", Status.GREEN, "90% now")
    assert parse_progress("2.2 b") == RecordUpdate("2.2", Status.BLUE, None)
    # After a ref a status is expected, so "a" is amber here (in a thread reply, an article).
    assert parse_progress("4.2 a waiting on data") == RecordUpdate(
        "4.2", Status.AMBER, "waiting on data"
    )
