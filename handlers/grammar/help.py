"""Help texts and the usage lines that error messages quote.

`USAGE` lines are plain text (errors are escaped when rendered); `HELP_*` are Slack mrkdwn,
already escaped, ready to send as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.personal_data import KINDS
from handlers.grammar.commands import CommandName, Help


@dataclass(frozen=True)
class Form:
    """One line of help: the syntax, what it does, and an example."""

    syntax: str
    summary: str
    example: str


PROGRESS_FORMS = (
    Form("/progress", "open a form to update one of your actions", "/progress"),
    Form("/progress mine", "list your open actions", "/progress mine"),
    Form(
        "/progress <ref> <status> [note]",
        "record a status: G or green / on track, A or amber / at risk, R or red / off track, "
        "B or done",
        "/progress 4.1 amber survey slipped to June",
    ),
    Form(
        "/progress <ref> note <text>",
        "add a note without changing the status",
        "/progress 4.1 note carers' forum booked for 3 June",
    ),
    Form("/progress <ref> done [note]", "mark an action complete", "/progress 4.1 done"),
    Form(
        "/progress <ref> [status] impact <judgement> [note]",
        "judge the difference made, apart from delivery: impact evidenced, emerging, not yet "
        "(evidenced) or not assessed; on a complete action leave the status out, since a "
        "status reopens it",
        '/progress 4.1 green impact emerging "carers say reviews feel more personal"',
    ),
    Form(
        '/progress <ref> [status] evidence "<text>" [note]',
        "give the evidence of impact against the action's measures (asked for when you mark "
        "it done)",
        '/progress 4.1 done impact evidenced evidence "audit: 38 of 40 plans reviewed on time"',
    ),
    Form(
        '/progress answer <challenge> "<answer>"',
        "answer a board's challenge on your action (or reply in its thread)",
        '/progress answer C12 "Fieldwork restarts on 3 June; results to the July board"',
    ),
    Form(
        "/progress <ref> date <new date> <reason>",
        "ask the chair to approve a new due date",
        "/progress 4.1 date 31/07/2019 survey delayed by the summer break",
    ),
    Form(
        "/progress away <first day> to <last day> [deputy @user]",
        "set your absence: your reminders, escalations and challenges go to the deputy (with "
        "none, they wait) and it ends by itself; one date is one day",
        "/progress away 22/07/2019 to 09/08/2019 deputy @sam",
    ),
    Form(
        "/progress away cancel [<first day>]",
        "cancel an absence you set for later (every one, unless you give its first day)",
        "/progress away cancel 22/07/2019",
    ),
    Form(
        "/progress back",
        "back early: your absence ends today (ones set for later stay)",
        "/progress back",
    ),
)

PLAN_FORMS = (
    Form(
        "/plan setup",
        "start here: the first person to run it becomes the first admin (only when there is "
        "none); every other `/plan` command needs an admin",
        "/plan setup",
    ),
    Form(
        "/plan list",
        "boards, their plans (active and archived) and each plan's themes and actions",
        "/plan list",
    ),
    Form(
        '/plan board create "<name>" [chair @user] [channel #channel]',
        "create a board",
        '/plan board create "Improvement Board" chair @jane channel #improvement-board',
    ),
    Form(
        '/plan board edit ["<board>"] [chair @user] [channel #channel]',
        "give a board a new chair or channel (one made by an import has neither)",
        "/plan board edit chair @chris channel #improvement-board",
    ),
    Form(
        '/plan board meetings ["<board>"] <rule> [at HH:MM]',
        "set the meeting cycle (words or an RRULE)",
        "/plan board meetings second Tuesday monthly at 10:00",
    ),
    Form(
        '/plan board meeting add|cancel ["<board>"] <date>',
        "add or cancel one meeting",
        "/plan board meeting cancel 13/08/2019",
    ),
    Form(
        '/plan board reminders ["<board>"] key=value …',
        "change reminders (due, overdue, escalate, window, updates_due, last_call, pack)",
        "/plan board reminders due=10,3,0 overdue=5 escalate=10",
    ),
    Form(
        '/plan board reminders ["<board>"] pause until <date> | resume',
        "pause or resume reminders",
        "/plan board reminders pause until 2/09/2019",
    ),
    Form(
        '/plan new "<plan title>" [board "<name>"]',
        "start a plan",
        '/plan new "ILACS improvement plan 2019" board "Improvement Board"',
    ),
    Form("/plan import", "import a plan from a spreadsheet (.xlsx or .csv)", "/plan import"),
    Form(
        '/plan theme|action … plan "<plan title>"',
        "with several active plans: say which one (at the end of any theme or action line)",
        '/plan action remove 4.1 plan "ILACS improvement plan 2019"',
    ),
    Form(
        '/plan theme add <ref> "<title>" [lead @user]',
        "add a theme",
        '/plan theme add 4 "Placement stability" lead @omar',
    ),
    Form(
        '/plan theme edit <ref> "<title>" [lead @user]',
        "rename a theme or change its lead",
        '/plan theme edit 4 "Placement stability and permanence" lead @omar',
    ),
    Form(
        "/plan theme remove <ref>",
        "remove a theme once it has no actions (move or remove them first)",
        "/plan theme remove 6",
    ),
    Form(
        '/plan action add <ref> "<title>" due <date> owner @user [@user …] [theme <ref>] '
        '[measures "<text>"]',
        "add an action",
        '/plan action add 4.1 "Seek foster carers\' views" due May-19 owner @jane',
    ),
    Form(
        '/plan action edit <ref> [title "<title>"] [due <date>] [measures "<text>"]',
        "change an action",
        "/plan action edit 4.1 due 30/06/2019",
    ),
    Form(
        "/plan action move <ref> to theme <ref>",
        "move an action to another theme (its ref and history stay)",
        "/plan action move 4.2 to theme 5",
    ),
    Form(
        "/plan action owner <ref> @user [@user …]",
        "replace an action's owners",
        "/plan action owner 4.1 @jane @omar",
    ),
    Form(
        "/plan action delegate <ref> @user",
        "add a delegate who can update the action",
        "/plan action delegate 4.1 @sam",
    ),
    Form("/plan action remove <ref>", "remove an action", "/plan action remove 4.1"),
    Form("/plan people", "owners not yet linked to a Slack user", "/plan people"),
    Form(
        '/plan people link "<name>" @user',
        "link an owner's name in the plan to a Slack user",
        '/plan people link "Jane Doe" @jane',
    ),
    Form(
        "/plan people away @user <first day> to <last day> [deputy @user]",
        "set someone's absence: what is meant for them goes to the deputy (with none, it "
        "waits) and it ends by itself",
        "/plan people away @jo 22/07/2019 to 09/08/2019 deputy @sam",
    ),
    Form(
        "/plan people away @user cancel [<first day>]",
        "cancel someone's absence set for later (every one, unless you give its first day)",
        "/plan people away @jo cancel 22/07/2019",
    ),
    Form("/plan people back @user", "end someone's absence today", "/plan people back @jo"),
    Form("/plan admins add|remove @user", "add or remove a bot admin", "/plan admins add @omar"),
    Form(
        '/plan members add|remove @user ["<board>"]',
        "let someone read a board's status",
        '/plan members add @sam "Improvement Board"',
    ),
    Form(
        '/plan deadline add "<title>" <n> working days from <date> [owner @user] [board "<board>"]',
        "add a statutory or board deadline, counted in the board's working days: it counts "
        "down in the digest and pack, with reminders at 20, 10, 5 and 0 working days left",
        '/plan deadline add "Written statement of action to Ofsted" 70 working days from '
        "12/03/2019 owner @jo",
    ),
    Form(
        '/plan deadline add "<title>" due <date> [owner @user] [board "<board>"]',
        "add a deadline on a set date",
        '/plan deadline add "Annual conversation with Ofsted" due 28/06/2019',
    ),
    Form(
        "/plan deadline add statement of action from <date>",
        "the ILACS written statement of action: 70 working days from the report's publication",
        "/plan deadline add statement of action from 12/03/2019",
    ),
    Form(
        "/plan deadline add monitoring visit <n> months after <date>",
        "when you expect the next monitoring visit, counted from the last (Ofsted sets the dates)",
        "/plan deadline add monitoring visit 3 months after 14/05/2019",
    ),
    Form(
        "/plan deadline add scrutiny report <n> working days before <date>",
        "your report to the scrutiny committee, due working days before it meets",
        "/plan deadline add scrutiny report 10 working days before 17/09/2019",
    ),
    Form(
        '/plan deadline change "<title>" <when> [owner @user] [board "<board>"]',
        "change a deadline's date (or owner): the same forms as add",
        '/plan deadline change "Annual conversation with Ofsted" due 05/07/2019',
    ),
    Form(
        '/plan deadline remove "<title>" [board "<board>"]',
        "remove a deadline",
        '/plan deadline remove "Annual conversation with Ofsted"',
    ),
    Form('/plan deadlines ["<board>"]', "every board's deadlines, counted down", "/plan deadlines"),
    Form(
        '/plan export [xlsx|csv|md] ["<plan title>"]',
        "download the plan",
        "/plan export csv",
    ),
    Form(
        '/plan archive "<plan title>"',
        "archive a finished plan",
        '/plan archive "ILACS improvement plan 2019"',
    ),
    Form(
        "/plan privacy",
        "what progress notes, answers and replies are checked for before they are recorded: "
        "a child's or family's personal details",
        "/plan privacy",
    ),
    Form(
        "/plan privacy disable|enable <kind>",
        f"switch a check off or on: {', '.join(KINDS)}",
        "/plan privacy disable postcode",
    ),
    Form(
        "/plan privacy add <kind> <regex>",
        "also flag your own systems' record numbers (a regular expression, under a kind)",
        "/plan privacy add case-number MOS-\\d{6}",
    ),
    Form(
        "/plan privacy allow <word>",
        "never flag a word or phrase (a place or service named like a child)",
        "/plan privacy allow Ellis",
    ),
    Form("/plan privacy reset", "back to the built-in checks", "/plan privacy reset"),
    Form(
        "/plan privacy off|on",
        "switch the whole check off (notes, answers, replies and imported progress are "
        "recorded unchecked) or on again as it was",
        "/plan privacy off",
    ),
)

BOARD_FORMS = (
    Form('/board ["<board>"]', "status by theme", "/board"),
    Form("/board digest", "preview the weekly digest now", "/board digest"),
    Form("/board pack", "the pre-meeting pack now", "/board pack"),
    Form("/board overdue", "overdue actions", "/board overdue"),
    Form("/board theme <ref>", "one theme's actions", "/board theme 4"),
    Form("/board meetings", "the next meetings", "/board meetings"),
    Form(
        "/board deadlines",
        "statutory and board deadlines, counted down in working days",
        "/board deadlines",
    ),
    Form("/board history <ref>", "an action's updates", "/board history 4.1"),
    Form("/board action <ref>", "one action, with its sheet's own columns", "/board action 4.1"),
    Form("/board approve [<id>]", "approve a pending date change", "/board approve 12"),
    Form(
        "/board decline [<id>] [reason]",
        "decline a pending date change",
        "/board decline 12 no evidence the survey has started",
    ),
    Form(
        '/board challenge <ref> "<question>"',
        "challenge an action's owners: they get it by message (chair and board members)",
        '/board challenge 4.1 "Why has the survey slipped again?"',
    ),
    Form(
        "/board challenges [open|answered|closed|all]",
        "the challenge log (open and answered ones unless you say)",
        "/board challenges closed",
    ),
    Form(
        '/board challenge close <challenge> ["<note>"]',
        "close a challenge (chair)",
        '/board challenge close C12 "answered at the March board"',
    ),
    Form(
        '/board challenge reopen <challenge> "<follow-up>"',
        "reopen a challenge with a follow-up question (chair)",
        '/board challenge reopen C12 "Who signs the survey off?"',
    ),
)

FORMS: dict[CommandName, tuple[Form, ...]] = {
    "progress": PROGRESS_FORMS,
    "plan": PLAN_FORMS,
    "board": BOARD_FORMS,
}

_TITLES: dict[CommandName, str] = {
    "progress": "*`/progress`* — update your actions",
    "plan": "*`/plan`* — set up boards and plans (admins)",
    "board": "*`/board`* — board status and approvals. With several boards, put the board's "
    'name in double quotes anywhere a name can stand: first (`/board "Improvement Board" '
    'digest`) or at the end (`/board digest "Improvement Board"`)',
}

# Lines quoted in error messages: the form to type, with a realistic example where it helps.
USAGE: dict[str, str] = {
    "progress": "/progress 4.1 amber survey slipped to June",
    "progress mine": "/progress mine",
    "progress note": "/progress 4.1 note <text>",
    "progress date": "/progress 4.1 date 31/07/2019 <reason>",
    "progress impact": '/progress 4.1 green impact emerging "<note>"',
    "progress evidence": '/progress 4.1 done impact evidenced evidence "<evidence>"',
    "progress answer": '/progress answer C12 "<answer>"',
    "progress away": "/progress away 22/07/2019 to 09/08/2019 deputy @someone",
    "progress away cancel": "/progress away cancel 22/07/2019",
    "progress back": "/progress back",
    "setup": "/plan setup",
    "board create": '/plan board create "<name>" chair @someone channel #channel',
    "board edit": "/plan board edit chair @someone channel #channel",
    "board meetings": "/plan board meetings second Tuesday monthly at 10:00",
    "board meeting add": "/plan board meeting add 14/05/2019 at 10:00",
    "board meeting cancel": "/plan board meeting cancel 14/05/2019",
    "board reminders": "/plan board reminders due=10,3,0 overdue=5 escalate=10",
    "board reminders pause": "/plan board reminders pause until 31/08/2019",
    "board reminders resume": "/plan board reminders resume",
    "new": '/plan new "<plan title>" board "<board>"',
    "import": "/plan import",
    "list": "/plan list",
    "theme add": '/plan theme add 4 "<title>" lead @someone',
    "theme edit": '/plan theme edit 4 "<new title>" lead @someone',
    "theme remove": "/plan theme remove 4",
    "action move": "/plan action move 4.2 to theme 5",
    "action add": '/plan action add 4.1 "<title>" due 31/05/2019 owner @someone',
    "action edit": '/plan action edit 4.1 title "<title>" due 31/05/2019 measures "<text>"',
    "action owner": "/plan action owner 4.1 @someone @someone-else",
    "action delegate": "/plan action delegate 4.1 @someone",
    "action remove": "/plan action remove 4.1",
    "people": "/plan people",
    "people link": '/plan people link "<name>" @someone',
    "people away": "/plan people away @someone 22/07/2019 to 09/08/2019 deputy @someone-else",
    "people away cancel": "/plan people away @someone cancel 22/07/2019",
    "people back": "/plan people back @someone",
    "deadline add": '/plan deadline add "<title>" 70 working days from 12/03/2019 owner @someone',
    "deadline due": '/plan deadline add "<title>" due 28/06/2019',
    "deadline statement-of-action": "/plan deadline add statement of action from 12/03/2019",
    "deadline monitoring-visit": "/plan deadline add monitoring visit 3 months after 14/05/2019",
    "deadline scrutiny-report": (
        "/plan deadline add scrutiny report 10 working days before 17/09/2019"
    ),
    "deadline change": '/plan deadline change "<title>" due 28/06/2019',
    "deadline remove": '/plan deadline remove "<title>"',
    "deadlines": '/plan deadlines "<board>"',
    "privacy": "/plan privacy",
    "privacy disable": "/plan privacy disable postcode",
    "privacy enable": "/plan privacy enable postcode",
    "privacy add": "/plan privacy add case-number MOS-\\d{6}",
    "privacy allow": "/plan privacy allow Ellis",
    "privacy reset": "/plan privacy reset",
    "privacy off": "/plan privacy off",
    "privacy on": "/plan privacy on",
    "admins": "/plan admins add @someone",
    "admins add": "/plan admins add @someone",
    "admins remove": "/plan admins remove @someone",
    "members": '/plan members add @someone "<board>"',
    "members add": '/plan members add @someone "<board>"',
    "members remove": '/plan members remove @someone "<board>"',
    "export": "/plan export xlsx",
    "archive": '/plan archive "<plan title>"',
    "board status": '/board "<board>"',
    "board digest": '/board digest "<board>"',
    "board pack": '/board pack "<board>"',
    "board overdue": '/board overdue "<board>"',
    "board theme": "/board theme 4",
    "board meetings list": '/board meetings "<board>"',
    "board deadlines": '/board deadlines "<board>"',
    "board history": "/board history 4.1",
    "board approve": "/board approve 12",
    "board decline": "/board decline 12 <reason>",
    "board challenge": '/board challenge 4.1 "<question>"',
    "board challenges": "/board challenges open",
    "board challenge close": '/board challenge close C12 "<note>"',
    "board challenge reopen": '/board challenge reopen C12 "<question>"',
}


def mrkdwn(text: str) -> str:
    """Escape text for Slack mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def help_text(command: CommandName, topic: str = "") -> str:
    """The help for a command, one line per form; a topic (`action`) keeps matching lines."""
    forms = FORMS[command]
    if topic:
        prefix = f"/{command} {topic.lower()}"
        chosen = tuple(f for f in forms if f.syntax.lower().startswith(prefix))
        forms = chosen or forms
    lines = [_TITLES[command]]
    lines += [
        f"• `{mrkdwn(f.syntax)}` — {mrkdwn(f.summary)}, e.g. `{mrkdwn(f.example)}`" for f in forms
    ]
    return "\n".join(lines)


def help_for(command: CommandName, topic: str = "") -> Help:
    return Help(command, help_text(command, topic))


HELP_PROGRESS = help_text("progress")
HELP_PLAN = help_text("plan")
HELP_BOARD = help_text("board")
HELP_WORDS = frozenset({"help", "?", "-h", "--help"})
