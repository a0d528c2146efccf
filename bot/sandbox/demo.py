"""The `sandbox --demo` world: a fictional Children's Improvement Board, built with the use
cases, in a state that shows every feature.

Everyone and everything here is invented. Dates are counted in working days from the first
09:00 run of the scheduler after the sandbox starts (`D1`), so the demo behaves the same
whatever day it is started on:

- four themes, twelve actions: on track, at risk, off track, complete and not started;
- 2.1 is 15 working days overdue on D1 and was escalated to its theme lead and the chair
  when it reached 10; 4.1 is 5 overdue; 3.3 is due on D1, 1.3 in 3 and 2.2 in 10 working days
  (each owner's reminders on D1 are batched into one DM);
- Amira asks the chair to move 3.1's date with `/progress 3.1 date …` as the console starts, so
  the chair has the bot's request in a DM, with Approve and Decline buttons;
- the board meets every six weeks; the next meeting is 6 working days after D1, so its update
  window is open and, on D1, owners who have not updated since the last meeting get a last call;
- the last few working days of reminders, the escalation and this week's digest have been
  sent, so inboxes and the board channel already hold what a real week would leave there;
- impact apart from delivery: 2.2's impact is evidenced, 1.2's emerging, 3.3's not yet, and
  1.1 is complete but still owes its evidence;
- the chair's challenge log has one challenge in each state: open (2.1), answered (4.1),
  closed (1.1) and reopened with a follow-up (3.1); the owners have the questions by DM;
- movement since the last meeting: 1.2, 2.2, 3.3 and 4.2 have started on track since it,
  and 1.3 and 3.1 have gone to at risk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.calendar import at_local, calendar_for, local_date
from bot.core.challenges import EventKind
from bot.core.impact import Impact
from bot.core.statuses import Status
from bot.sandbox.local import BOARD_CHANNEL, LocalBot, SandboxUser
from bot.services import challenges
from bot.services.admin import set_meetings
from bot.services.plans import (
    Actor,
    add_action,
    add_theme,
    create_board,
    create_plan,
    person_for_slack_user,
    setup_first_admin,
    workspace_for_team,
)
from bot.services.progress import record_progress

BOARD_NAME = "Children's Improvement Board"
PLAN_TITLE = "Children's Services Improvement Plan"
COUNCIL = "Northmoor Borough Council (fictional)"
ADMIN = "sam"
CHAIR = "helen"
TOUR_OWNER = "ben"

DEMO_USERS = (
    SandboxUser(
        "USAM000000", "sam", "Sam Okafor", "sam.okafor@northmoor.example", "Improvement Lead"
    ),
    SandboxUser(
        "UHELEN0000", "helen", "Helen Marsh", "helen.marsh@northmoor.example", "Independent Chair"
    ),
    SandboxUser(
        "UAMIRA0000", "amira", "Amira Khan", "amira.khan@northmoor.example", "Head of Fostering"
    ),
    SandboxUser(
        "UBEN000000", "ben", "Ben Carter", "ben.carter@northmoor.example", "Head of Safeguarding"
    ),
    SandboxUser(
        "UCHLOE0000",
        "chloe",
        "Chloe Evans",
        "chloe.evans@northmoor.example",
        "Principal Social Worker",
    ),
    SandboxUser(
        "UDEV000000",
        "dev",
        "Dev Sharma",
        "dev.sharma@northmoor.example",
        "Head of Children in Care",
    ),
    SandboxUser(
        "UELLIE0000",
        "ellie",
        "Ellie Brooks",
        "ellie.brooks@northmoor.example",
        "Head of Early Help",
    ),
)

# What `users` says about each person.
DEMO_ROLES = {
    "sam": "bot admin",
    "helen": "board chair",
    "amira": "owner; leads theme 3",
    "ben": "owner; leads theme 2",
    "chloe": "owner; leads theme 1",
    "dev": "owner",
    "ellie": "owner; leads theme 4",
}

# ref, title, lead
THEMES = (
    ("1", "Leadership, management and oversight of practice", "chloe"),
    ("2", "Help and protection: strategy discussions and enquiries", "ben"),
    ("3", "Children in care: placement stability and sufficiency", "amira"),
    ("4", "Care leavers: pathway planning and the local offer", "ellie"),
)


@dataclass(frozen=True)
class DemoAction:
    ref: str
    title: str
    due: int  # working days from D1 (negative: before it)
    owners: tuple[str, ...]
    measures: str
    # (working days from D1, or None for "before the last meeting"; status; note)
    updates: tuple[tuple[int | None, Status, str], ...] = ()


ACTIONS = (
    DemoAction(
        "1.1",
        "Refresh the performance scorecard and report it to every board",
        -25,
        ("chloe",),
        "Scorecard in every board pack; exceptions explained",
        ((-27, Status.BLUE, "Scorecard live and reviewed at the last two boards."),),
    ),
    DemoAction(
        "1.2",
        "Run quarterly practice weeks with findings reported to the board",
        30,
        ("chloe",),
        "Audit grades improve quarter on quarter",
        ((-3, Status.GREEN, "First practice week done; report drafted for the board."),),
    ),
    DemoAction(
        "1.3",
        "Introduce supervision recording standards",
        3,
        ("ben",),
        "90% of case files show monthly reflective supervision",
        ((-8, Status.AMBER, "Standards drafted; team manager briefings slipped a week."),),
    ),
    DemoAction(
        "2.1",
        "Police and health attend every strategy discussion",
        -15,
        ("dev",),
        "Attendance recorded on 95% of strategy discussions",
        (
            (None, Status.RED, "Police attendance is patchy; raised with the partnership."),
            (-9, Status.RED, "Still patchy; a partnership meeting is booked to resolve it."),
        ),
    ),
    DemoAction(
        "2.2",
        "Offer return home interviews within 72 hours",
        10,
        ("ellie",),
        "Monthly timeliness report",
        ((-2, Status.GREEN, "87% within 72 hours last month, up from 61%."),),
    ),
    DemoAction(
        "2.3",
        "Audit child protection plans for clear, measurable outcomes",
        45,
        ("dev",),
        "Audit report to the board",
    ),
    DemoAction(
        "3.1",
        "Seek foster carers' views and act on them",
        20,
        ("amira",),
        "Feedback from carer events; annual survey response rate",
        ((-4, Status.AMBER, "Survey delayed: the carers' forum moved to next month."),),
    ),
    DemoAction(
        "3.2",
        "Publish a placement sufficiency strategy",
        60,
        ("amira", "dev"),
        "Strategy agreed by Cabinet; fewer children placed out of area",
        ((None, Status.GREEN, "Needs analysis complete; drafting under way."),),
    ),
    DemoAction(
        "3.3",
        "Track permanence for every child in care from the second review",
        0,
        ("dev",),
        "Permanence tracker reviewed monthly",
        ((-6, Status.GREEN, "Tracker live in two of three teams."),),
    ),
    DemoAction(
        "4.1",
        "Bring every care leaver's pathway plan up to date",
        -5,
        ("ellie",),
        "Pathway plans reviewed within six months",
        (
            (None, Status.AMBER, "72% up to date; agency staff gaps in one team."),
            (-7, Status.AMBER, "78% up to date; two new personal advisers start next month."),
        ),
    ),
    DemoAction(
        "4.2",
        "Publish the local offer for care leavers",
        15,
        ("ellie",),
        "Offer published and co-produced with young people",
        ((-12, Status.GREEN, "Young people's panel reviewed the draft."),),
    ),
    DemoAction(
        "4.3",
        "Agree a staying put policy with foster carers",
        70,
        ("chloe",),
        "Policy agreed; number of young people staying put",
    ),
)

# The impact judgement and evidence given with an action's latest update: 2.2's impact is
# evidenced, 1.2's emerging, 3.3's not yet; 1.1 is complete and still owes its evidence.
IMPACT = {
    "2.2": (Impact.EVIDENCED, "Timeliness report: 87% within 72 hours, up from 61%."),
    "1.2": (Impact.EMERGING, "Team managers report better-focused audits."),
    "3.3": (Impact.NOT_YET_EVIDENCED, None),
}

# The chair's challenge log, one challenge in each state: (ref, asked by, working day asked,
# question, then (working day, kind, by, text) steps).
CHALLENGES = (
    (
        "2.1", CHAIR, -10, "What will you do if police attendance does not improve by the board?",
        (),
    ),
    (
        "4.1", CHAIR, -8, "Which team has the agency gaps, and when are they filled?",
        ((-5, EventKind.ANSWERED, "ellie", "The north team; both advisers start next month."),),
    ),
    (
        "1.1", CHAIR, -20, "Is the scorecard reported to scrutiny as well as the board?",
        (
            (-18, EventKind.ANSWERED, "chloe", "Yes: it goes to scrutiny each quarter."),
            (-15, EventKind.CLOSED, CHAIR, "Seen at scrutiny on the 3rd."),
        ),
    ),
    (
        "3.1", "helen", -12, "Why has the carers' survey slipped again?",
        (
            (-9, EventKind.ANSWERED, "amira", "The carers' forum moved; the survey follows it."),
            (-3, EventKind.REOPENED, CHAIR, "What response rate do you expect this time?"),
        ),
    ),
)  # fmt: skip

# (ref, working days after its due date, reason)
DATE_CHANGE = ("3.1", 20, "The carers' forum moved to next month, so the survey goes out after it.")
REPLAY_DAYS = 6  # working days of past reminders and digests sent before the console starts


@dataclass(frozen=True)
class Demo:
    board: str
    next_meeting: dt.date
    updates_due: dt.date  # for the next meeting


def load_demo(local: LocalBot) -> Demo:
    """Build the demo board in `local`'s database (it must not have a demo board yet)."""
    settings = local.services.settings
    calendar = calendar_for(settings.region)
    tz = settings.timezone
    start = local.clock.now()
    d1 = first_run_day(start, tz, settings.region)

    def day(n: int) -> dt.date:
        return calendar.add_working_days(d1, n)

    def at(d: dt.date, hour: int = 11) -> dt.datetime:
        return at_local(d, dt.time(hour, 0), tz)

    meeting = day(6)
    previous_meeting = meeting - dt.timedelta(weeks=6)
    before_last_meeting = at(calendar.add_working_days(previous_meeting, -3))
    set_up = at(day(-40), 10)
    team = local.emulator.workspace.team_id
    # Seeding, not a use case: the demo is written in one unit of work through the use
    # cases' building blocks, each at its own moment in the past, as no single use case can.
    with local.services.units.patient() as uow:
        ws = workspace_for_team(uow, team, set_up, COUNCIL)
        people = {
            u.name: person_for_slack_user(
                uow, ws, u.id, name=u.real_name, title=u.title, email=u.email
            ).id
            for u in local.users
        }
        admin = Actor(ws, people[ADMIN])
        setup_first_admin(uow, admin, set_up)
        board = create_board(
            uow, admin, BOARD_NAME, set_up, chair_id=people[CHAIR], channel_id=BOARD_CHANNEL[0]
        )
        set_meetings(
            uow,
            admin,
            board,
            f"every 6 weeks from {previous_meeting:%d/%m/%Y}",
            set_up,
            time=dt.time(10, 0),
        )
        plan = create_plan(
            uow,
            admin,
            board,
            PLAN_TITLE,
            set_up,
            source="ILACS inspection (fictional)",
            published_on=day(-60),
        )
        for ref, title, lead in THEMES:
            add_theme(uow, admin, plan, ref, title, set_up, lead_id=people[lead])
        actions = {}
        for item in ACTIONS:
            actions[item.ref] = add_action(
                uow,
                admin,
                plan,
                item.ref,
                item.title,
                set_up,
                due=day(item.due),
                owner_ids=[people[o] for o in item.owners],
                measures=item.measures,
            )
        for item in ACTIONS:
            for number, (when, status, note) in enumerate(item.updates, start=1):
                moment = before_last_meeting if when is None else at(day(when))
                impact, evidence = (
                    IMPACT.get(item.ref, (None, None))
                    if number == len(item.updates)
                    else (None, None)
                )
                record_progress(
                    uow,
                    Actor(ws, people[item.owners[0]]),
                    actions[item.ref],
                    moment,
                    source="command",
                    status=status,
                    note=note,
                    impact=impact,
                    evidence=evidence,
                    completed_on=moment.date() if status is Status.BLUE else None,
                )
        for ref, asker, asked, question, steps in CHALLENGES:
            done = challenges.ask(uow, Actor(ws, people[asker]), ref, question, at(day(asked)))
            for when, kind, by, text in steps:
                actor = Actor(ws, people[by])
                if kind is EventKind.ANSWERED:
                    challenges.answer(uow, actor, done.challenge.id, text, at(day(when)))
                else:
                    challenges.chair_step(uow, actor, done.challenge.id, at(day(when)), kind, text)
        uow.commit()
    ref, extra, reason = DATE_CHANGE
    old_due = next(item.due for item in ACTIONS if item.ref == ref)
    replay_history(local, [day(n) for n in range(-REPLAY_DAYS, 0)], start)
    ask_for_new_date(local, first_owner(ref), ref, day(old_due + extra), reason)
    cover_clocks_and_care(local, day(-60), (day(0), day(4)))
    return Demo(board=BOARD_NAME, next_meeting=meeting, updates_due=day(1))


def has_demo(local: LocalBot) -> bool:
    """Whether this database already holds the demo board (a persistent sandbox database)."""
    team = local.emulator.workspace.team_id
    now = local.clock.now()
    return local.services.sandbox.has_board(team, BOARD_NAME, now, COUNCIL)


def first_run_day(start: dt.datetime, tz: str, region: str) -> dt.date:
    """The working day of the first 09:00 run after `start` (board-local): the one that
    `clock next 09:00` reaches."""
    calendar = calendar_for(region)
    today = local_date(start, tz)
    if calendar.is_working_day(today) and start < at_local(today, dt.time(9, 0), tz):
        return today
    return calendar.next_working_day(today, include_self=False)


def first_owner(ref: str) -> str:
    """The first owner of a demo action."""
    return next(item.owners[0] for item in ACTIONS if item.ref == ref)


def ask_for_new_date(local: LocalBot, handle: str, ref: str, new_due: dt.date, reason: str) -> None:
    """The owner asks the chair for a new date the way people do, with `/progress … date`,
    so the chair's DM with its Approve and Decline buttons is the bot's own."""
    emulator = local.emulator
    chair = emulator.dm_channel(local.user_id(CHAIR))
    before = len(emulator.messages(channel=chair))
    result = emulator.slash(
        local.user_id(handle), "/progress", f"{ref} date {new_due:%d/%m/%Y} {reason}"
    )
    if not result.ok:
        raise RuntimeError(f"/progress {ref} date … was answered with HTTP {result.status}")
    emulator.wait_for(
        lambda: len(emulator.messages(channel=chair)) > before,
        timeout=10.0,
        what="the chair's DM about the date change",
    )


def replay_history(local: LocalBot, days: list[dt.date], start: dt.datetime) -> None:
    """Run the scheduler's 09:00 jobs of past working days, as a running bot would have."""
    tz = local.services.settings.timezone
    for d in days:
        moment = at_local(d, dt.time(9, 0), tz)
        if moment < start:
            local.run_jobs(moment)


# Dev is away for the first week the console runs, and Ellie covers; the statement of action
# counts down from the inspection report; Amira's note about a child is held for her to
# rephrase or record anyway.
AWAY, DEPUTY = "dev", "ellie"
FLAGGED_NOTE = ("3.1", "Carers' forum: Jayden (DOB 04/09/2012) asked to move placement.")


def cover_clocks_and_care(
    local: LocalBot, published: dt.date, away: tuple[dt.date, dt.date]
) -> None:
    """Typed the way people type them, so what the console shows is the bot's own."""
    emulator = local.emulator

    def typed(handle: str, command: str, text: str) -> None:
        result = emulator.slash(local.user_id(handle), command, text)
        if not result.ok:
            raise RuntimeError(f"{command} {text} was answered with HTTP {result.status}")

    typed(ADMIN, "/plan", f"deadline add statement of action from {published:%d/%m/%Y}")
    first, last = away
    deputy = local.user_id(DEPUTY)
    typed(AWAY, "/progress", f"away {first:%d/%m/%Y} to {last:%d/%m/%Y} deputy <@{deputy}>")
    ref, note = FLAGGED_NOTE
    typed(first_owner(ref), "/progress", f"{ref} note {note}")
